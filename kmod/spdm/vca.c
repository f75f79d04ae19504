// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: GET_VERSION, GET_CAPABILITIES and
 * NEGOTIATE_ALGORITHMS (the "VCA", transcript A), the algorithm tables and
 * the check that what is negotiated now is what the connect negotiated.
 *
 * References: DMTF DSP0274 1.0.x - 1.4.x.
 */
#include "spdm_core.h"

/**
 * spdm_hash_len() - digest size of a BaseHashAlgo bit
 * @hash: one SPDM_HASH_* bit
 *
 * Return: bytes, or 0 if unsupported.
 */
size_t spdm_hash_len(u32 hash)
{
	switch (hash) {
	case SPDM_HASH_SHA256: return 32;
	case SPDM_HASH_SHA384: return 48;
	case SPDM_HASH_SHA512: return 64;
	}
	return 0;
}

/**
 * spdm_sig_len() - signature size of a BaseAsymAlgo bit
 * @asym: one SPDM_ASYM_* bit
 *
 * Return: bytes, or 0 if unsupported.
 */
size_t spdm_sig_len(u32 asym)
{
	switch (asym) {
	case SPDM_ASYM_RSASSA_2048: return 256;
	case SPDM_ASYM_RSASSA_3072: return 384;
	case SPDM_ASYM_RSASSA_4096: return 512;
	case SPDM_ASYM_ECDSA_P256: return 64;
	case SPDM_ASYM_ECDSA_P384: return 96;
	case SPDM_ASYM_ECDSA_P521: return 132;
	}
	return 0;
}

static const char *spdm_hash_name(u32 hash)
{
	switch (hash) {
	case SPDM_HASH_SHA256: return "sha256";
	case SPDM_HASH_SHA384: return "sha384";
	case SPDM_HASH_SHA512: return "sha512";
	}
	return "no hash";
}

static const char *spdm_asym_name(u32 asym)
{
	switch (asym) {
	case SPDM_ASYM_RSASSA_2048: return "rsa-2048";
	case SPDM_ASYM_RSASSA_3072: return "rsa-3072";
	case SPDM_ASYM_RSASSA_4096: return "rsa-4096";
	case SPDM_ASYM_ECDSA_P256: return "ecdsa-p256";
	case SPDM_ASYM_ECDSA_P384: return "ecdsa-p384";
	case SPDM_ASYM_ECDSA_P521: return "ecdsa-p521";
	}
	return "no signature algorithm";
}

static const char *spdm_version_name(u8 version)
{
	switch (version) {
	case SPDM_VER_10: return "1.0";
	case SPDM_VER_11: return "1.1";
	case SPDM_VER_12: return "1.2";
	case SPDM_VER_13: return "1.3";
	case SPDM_VER_14: return "1.4";
	}
	return "(any)";
}

static bool spdm_only_one_of(u32 sel, u32 offered)
{
	return sel && !(sel & (sel - 1)) && (sel & offered) == sel;
}

static int spdm_get_version(struct spdm_session *s)
{
	static const char step[] = "GET_VERSION";
	const struct spdm_header req = {
		.spdm_version = SPDM_VER_10,
		.request_response_code = SPDM_GET_VERSION,
	};
	const struct spdm_version_rsp *rsp;
	const u8 *entry;
	unsigned int i, cnt;
	size_t len;
	u8 best = 0;
	ssize_t n;
	int rc;

	n = spdm_exchange(s, step, &req, sizeof(req), SPDM_VERSION,
			  sizeof(*rsp));
	if (n < 0)
		return n;
	rsp = (const void *)s->resp;
	entry = s->resp + sizeof(*rsp);
	cnt = rsp->version_number_entry_count;
	if (!cnt)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: device lists no version", step);
	len = sizeof(*rsp) + sizeof(__le16) * cnt;
	rc = spdm_check_len(s, step, n, len);
	if (rc)
		return rc;
	for (i = 0; i < cnt; i++) {
		u8 v = get_unaligned_le16(entry + sizeof(__le16) * i) >>
		       SPDM_VERSION_ENTRY_SHIFT;

		if (v >= s->p.min_version && v <= s->p.max_version && v > best)
			best = v;
	}
	if (!best)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: no common version in %u entries (we accept 0x%02x-0x%02x)",
				 step, cnt, s->p.min_version, s->p.max_version);
	s->version = best;
	rc = spdm_transcript_append(s, step, &s->vca, &req, sizeof(req));
	return rc ?: spdm_transcript_append(s, step, &s->vca, s->resp, len);
}

static int spdm_get_capabilities(struct spdm_session *s)
{
	static const char step[] = "GET_CAPABILITIES";
	struct spdm_get_capabilities_req req = {
		.hdr = {
			.spdm_version = s->version,
			.request_response_code = SPDM_GET_CAPABILITIES,
		},
	};
	size_t req_len = sizeof(req.hdr), want = SPDM_CAPABILITIES_RSP_LEN_10;
	const struct spdm_capabilities_rsp *rsp;
	u32 meas;
	ssize_t n;
	int rc;

	if (s->version >= SPDM_VER_11)
		req_len = SPDM_GET_CAPABILITIES_REQ_LEN_11;	/* CTExponent 0 */
	if (s->version >= SPDM_VER_11 && s->p.secure)
		req.flags = cpu_to_le32(SPDM_REQ_SESSION_CAPS);
	if (s->version >= SPDM_VER_12) {
		/* CHUNK_CAP: we retrieve large responses with CHUNK_GET */
		req_len = sizeof(req);
		req.flags |= cpu_to_le32(SPDM_CAP_CHUNK);
		req.data_transfer_size = cpu_to_le32(s->resp_cap);
		req.max_spdm_msg_size = cpu_to_le32(s->p.max_msg);
		want = sizeof(*rsp);
	}
	n = spdm_exchange(s, step, &req, req_len, SPDM_CAPABILITIES, want);
	if (n < 0)
		return n;
	rc = spdm_check_len(s, step, n, want);
	if (rc)
		return rc;
	rsp = (const void *)s->resp;
	s->caps = le32_to_cpu(rsp->flags);
	if (s->version >= SPDM_VER_12) {
		u32 dts = le32_to_cpu(rsp->data_transfer_size);
		u32 max = le32_to_cpu(rsp->max_spdm_msg_size);

		if (dts < SPDM_MIN_DATA_TRANSFER_SIZE || max < dts)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: invalid DataTransferSize %u / MaxSPDMmsgSize %u",
					 step, dts, max);
		/* without CHUNK_CAP a message is one transfer: the two agree */
		if (!(s->caps & SPDM_CAP_CHUNK) && max != dts)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: MaxSPDMmsgSize %u differs from DataTransferSize %u without CHUNK_CAP",
					 step, max, dts);
		s->rsp_dts = dts;
		s->rsp_max_msg = max;
		s->chunk = s->caps & SPDM_CAP_CHUNK;
	}
	meas = s->caps & SPDM_CAP_MEAS_MASK;
	if (meas == SPDM_CAP_MEAS_MASK)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: invalid MEAS_CAP value 3", step);
	if (s->p.secure && (s->caps & SPDM_CAP_KEY_EX) &&
	    !(s->caps & (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC)))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: KEY_EX_CAP without ENCRYPT_CAP or MAC_CAP (flags 0x%08x)",
				 step, s->caps);
	if (!(s->caps & SPDM_CAP_CERT) || !(s->caps & SPDM_CAP_CHAL))
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EOPNOTSUPP,
				 "%s: device lacks CERT_CAP or CHAL_CAP (flags 0x%08x)",
				 step, s->caps);
	rc = spdm_transcript_append(s, step, &s->vca, &req, req_len);
	return rc ?: spdm_transcript_append(s, step, &s->vca, s->resp, want);
}

/*
 * RespAlgStructs (1.1+): a bounded walk that must exactly fill Length.
 * AlgType is one the negotiated version defines (1.4 adds ReqPqcAsymAlg and
 * KEMAlg) and increases from one structure to the next.
 */
static int spdm_walk_alg_structs(struct spdm_session *s, const char *step,
				 unsigned int count, size_t len, u32 *sel)
{
	size_t off = sizeof(struct spdm_algorithms_rsp);
	u8 last = s->version >= SPDM_VER_14 ? SPDM_ALG_TYPE_KEM :
		  SPDM_ALG_TYPE_KEY_SCHEDULE;
	unsigned int i, prev = 0;

	for (i = 0; i < count; i++) {
		const struct spdm_alg_struct *as;
		u8 fixed, ext;

		if (off + sizeof(*as) > len)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: AlgStruct %u overruns Length", step, i);
		as = (const void *)(s->resp + off);
		fixed = SPDM_ALG_FIXED_COUNT(as->alg_count);
		ext = SPDM_ALG_EXT_COUNT(as->alg_count);
		if (as->alg_type < SPDM_ALG_TYPE_DHE || as->alg_type > last)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: AlgStruct %u has AlgType %u, not defined in SPDM %s",
					 step, i, as->alg_type,
					 spdm_version_name(s->version));
		if (as->alg_type <= prev)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: AlgStruct %u has AlgType %u after AlgType %u",
					 step, i, as->alg_type, prev);
		prev = as->alg_type;
		if (fixed != 2)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: AlgStruct %u has FixedAlgCount %u",
					 step, i, fixed);
		if (s->p.secure && as->alg_type <= SPDM_ALG_TYPE_KEY_SCHEDULE) {
			if (ext)
				return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
						 "%s: AlgStruct %u selects external algorithms we did not offer",
						 step, i);
			sel[as->alg_type - SPDM_ALG_TYPE_DHE] =
				le16_to_cpu(as->alg_supported);
		}
		off += sizeof(*as) + SPDM_ALG_EXTERNAL_LEN * (size_t)ext;
	}
	if (off != len)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: Length %zu disagrees with contents (%zu)",
				 step, len, off);
	return 0;
}

/*
 * DHESel, AEADCipherSuiteSel, KeyScheduleSel (1.1+, when we offered them):
 * each exactly one of what we offered, or 0.  A device with KEY_EX_CAP must
 * select all three; without it, no DHE group (a PSK-only device may still
 * select an AEAD and the key schedule, which the core does not use).
 */
static int spdm_session_algs(struct spdm_session *s, const char *step,
			     const u32 *sel)
{
	static const char *const name[] = { "DHE", "AEAD", "ReqBaseAsymAlg",
					    "KeySchedule" };
	const u32 offered[] = { s->p.dhe_mask, s->p.aead_mask, 0,
				SPDM_KEY_SCHEDULE_SPDM };
	bool kex = s->caps & SPDM_CAP_KEY_EX;
	int i;

	s->dhe = 0;
	s->aead = 0;
	s->key_schedule = 0;
	if (!s->p.secure || s->version < SPDM_VER_11)
		return 0;
	for (i = 0; i < 4; i++) {
		if (!sel[i] && (!kex || i == 2))
			continue;
		if (!spdm_only_one_of(sel[i], offered[i]))
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: %s selection 0x%04x is not exactly one of offered 0x%04x",
					 step, name[i], sel[i], offered[i]);
	}
	if (!kex && sel[0])
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: DHE group 0x%04x selected without KEY_EX_CAP",
				 step, sel[0]);
	s->dhe = sel[0];
	s->aead = sel[1];
	s->key_schedule = sel[3];
	return 0;
}

static int spdm_negotiate_algorithms(struct spdm_session *s)
{
	static const char step[] = "NEGOTIATE_ALGORITHMS";
	struct {
		struct spdm_negotiate_algorithms_req req;
		struct spdm_alg_struct alg[3];
	} __packed r = {
		.req = {
			.hdr = {
				.spdm_version = s->version,
				.request_response_code = SPDM_NEGOTIATE_ALGORITHMS,
			},
			.length = cpu_to_le16(sizeof(r.req)),
			.measurement_specification = SPDM_MEAS_SPEC_DMTF,
			.base_asym_algo = cpu_to_le32(s->p.asym_mask),
			.base_hash_algo = cpu_to_le32(s->p.hash_mask),
		},
		.alg = {
			{ SPDM_ALG_TYPE_DHE, SPDM_ALG_FIXED_2,
			  cpu_to_le16(s->p.dhe_mask) },
			{ SPDM_ALG_TYPE_AEAD, SPDM_ALG_FIXED_2,
			  cpu_to_le16(s->p.aead_mask) },
			{ SPDM_ALG_TYPE_KEY_SCHEDULE, SPDM_ALG_FIXED_2,
			  cpu_to_le16(SPDM_KEY_SCHEDULE_SPDM) },
		},
	};
	struct spdm_negotiate_algorithms_req *req = &r.req;
	const struct spdm_algorithms_rsp *rsp;
	size_t len, req_len = sizeof(r.req);
	u32 sel[4] = { 0 };
	ssize_t n;
	u8 other;
	int rc;

	if (s->version >= SPDM_VER_12)
		req->other_params_support = SPDM_OPAQUE_DATA_FMT1;
	if (s->p.secure && s->version >= SPDM_VER_11) {
		/* DHE, AEAD and KeySchedule ReqAlgStructs */
		req_len = sizeof(r);
		req->hdr.param1 = ARRAY_SIZE(r.alg);
		req->length = cpu_to_le16(req_len);
	}
	n = spdm_exchange(s, step, &r, req_len, SPDM_ALGORITHMS,
			  sizeof(*rsp));
	if (n < 0)
		return n;
	rsp = (const void *)s->resp;
	len = le16_to_cpu(rsp->length);
	if (len < sizeof(*rsp))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: Length %zu below minimum %zu", step, len,
				 sizeof(*rsp));
	rc = spdm_check_len(s, step, n, len);
	if (rc)
		return rc;
	if (rsp->ext_asym_sel_count || rsp->ext_hash_sel_count)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: device selected extended algorithms we did not offer",
				 step);
	rc = spdm_walk_alg_structs(s, step, rsp->hdr.param1, len, sel);
	if (rc)
		return rc;
	rc = spdm_session_algs(s, step, sel);
	if (rc)
		return rc;
	/* 1.3: we offer no MELspecification */
	if (s->version >= SPDM_VER_13 && rsp->mel_specification_sel)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: MELspecificationSel 0x%02x not offered",
				 step, rsp->mel_specification_sel);
	/*
	 * 1.4: PqcAsymAlgo was 0, so PqcAsymSel must be: a device that
	 * selects a post-quantum algorithm (alone or beside BaseAsymSel)
	 * would sign with a key the core cannot verify.
	 */
	if (s->version >= SPDM_VER_14 && rsp->pqc_asym_sel)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: PqcAsymSel 0x%08x not offered (we offer no PQC algorithm)",
				 step, le32_to_cpu(rsp->pqc_asym_sel));
	s->meas_spec = rsp->measurement_specification_sel;
	other = rsp->other_params_selection;
	s->meas_hash = le32_to_cpu(rsp->measurement_hash_algo);
	s->asym = le32_to_cpu(rsp->base_asym_sel);
	s->hash = le32_to_cpu(rsp->base_hash_sel);
	if (!spdm_only_one_of(s->asym, s->p.asym_mask))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: BaseAsymSel 0x%08x is not exactly one of offered 0x%08x",
				 step, s->asym, s->p.asym_mask);
	if (!spdm_only_one_of(s->hash, s->p.hash_mask))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: BaseHashSel 0x%08x is not exactly one of offered 0x%08x",
				 step, s->hash, s->p.hash_mask);
	if (s->meas_spec && s->meas_spec != SPDM_MEAS_SPEC_DMTF)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: MeasurementSpecificationSel 0x%02x not offered",
				 step, s->meas_spec);
	if (s->version >= SPDM_VER_12 && (other & ~SPDM_OPAQUE_DATA_FMT1))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: OtherParamsSelection 0x%02x not offered",
				 step, other);
	s->opaque_fmt1 = s->version >= SPDM_VER_12 &&
			 (other & SPDM_OPAQUE_DATA_FMT1);
	if (s->caps & SPDM_CAP_MEAS_MASK) {
		if (s->meas_spec != SPDM_MEAS_SPEC_DMTF ||
		    !spdm_only_one_of(s->meas_hash, 0xff))
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: measurement spec 0x%02x / hash 0x%08x invalid for a measuring device",
					 step, s->meas_spec, s->meas_hash);
	}
	s->hlen = spdm_hash_len(s->hash);
	s->slen = spdm_sig_len(s->asym);
	rc = spdm_transcript_append(s, step, &s->vca, &r, req_len);
	return rc ?: spdm_transcript_append(s, step, &s->vca, s->resp, len);
}

/**
 * spdm_reset_transcripts() - forget the VCA and every transcript
 * @s: session
 *
 * Also what CAPABILITIES said about chunking: the next VCA says it anew.
 */
void spdm_reset_transcripts(struct spdm_session *s)
{
	spdm_secure_drop(s);	/* GET_VERSION ends the device's sessions */
	spdm_span_clear(&s->vca);
	spdm_span_clear(&s->b);
	spdm_span_clear(&s->c);
	spdm_span_clear(&s->sig);
	spdm_span_clear(&s->l1);
	spdm_span_clear(&s->meas_sig);
	s->have_meas = false;
	s->vca_done = false;
	s->b_empty = false;
	s->rsp_dts = 0;
	s->rsp_max_msg = 0;
	s->chunk = false;
}

/**
 * spdm_vca() - GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS
 * @s: session; its transcripts start over
 *
 * Return: 0 (the device's B and C are empty then) or a negative errno.
 */
int spdm_vca(struct spdm_session *s)
{
	int rc;

	spdm_reset_transcripts(s);
	rc = spdm_get_version(s);
	if (!rc)
		rc = spdm_get_capabilities(s);
	if (!rc)
		rc = spdm_negotiate_algorithms(s);
	if (!rc) {
		s->vca_done = true;
		s->b_empty = true;
	}
	return rc;
}

/**
 * spdm_check_conn() - the negotiated version and algorithms must be the
 *	connect's
 * @s: session
 * @step: the step, for the message
 *
 * On a mismatch VCA is renegotiated next time, so a device cannot make a
 * later call pass by merely being asked again.
 *
 * Return: 0 or -EKEYREJECTED (SPDM_FAIL_DOWNGRADE).
 */
int spdm_check_conn(struct spdm_session *s, const char *step)
{
	if (s->asym == s->conn.asym && s->hash == s->conn.hash &&
	    (!s->conn.version || s->version == s->conn.version) &&
	    (!s->conn.pinned_sess || (s->dhe == s->conn.dhe &&
				      s->aead == s->conn.aead))) {
		if (!s->conn.pinned_sess) {
			s->conn.dhe = s->dhe;
			s->conn.aead = s->aead;
			s->conn.pinned_sess = true;
		}
		return 0;
	}
	if (s->asym == s->conn.asym && s->hash == s->conn.hash &&
	    (!s->conn.version || s->version == s->conn.version)) {
		s->vca_done = false;
		return spdm_fail(s, SPDM_FAIL_DOWNGRADE, -EKEYREJECTED,
				 "%s: downgrade: device negotiated DHE 0x%04x, AEAD 0x%04x; connect had DHE 0x%04x, AEAD 0x%04x",
				 step, s->dhe, s->aead, s->conn.dhe,
				 s->conn.aead);
	}
	s->vca_done = false;
	return spdm_fail(s, SPDM_FAIL_DOWNGRADE, -EKEYREJECTED,
			 "%s: downgrade: device negotiated SPDM %s, %s, %s; connect had SPDM %s, %s, %s",
			 step, spdm_version_name(s->version),
			 spdm_hash_name(s->hash), spdm_asym_name(s->asym),
			 spdm_version_name(s->conn.version),
			 spdm_hash_name(s->conn.hash),
			 spdm_asym_name(s->conn.asym));
}
