// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: session establishment, KEY_EXCHANGE /
 * KEY_EXCHANGE_RSP and FINISH / FINISH_RSP (DSP0274 1.1 - 1.3), no mutual
 * authentication.
 *
 *   K  = KEY_EXCHANGE || KEY_EXCHANGE_RSP
 *   The signature covers Hash(A || Ct || K up to the Signature), Ct the
 *   hash of the slot's certificate chain (the connect's slot digest);
 *   1.2+ wraps it with the "responder-key_exchange_rsp signing" context.
 *   TH1 = Hash(A || Ct || K up to ResponderVerifyData) (Signature included)
 *   ResponderVerifyData = HMAC(rsp finished key, TH1) (encrypted handshake)
 *   RequesterVerifyData = HMAC(req finished key,
 *                              Hash(A || Ct || K || FINISH header))
 *   in the clear: FINISH_RSP carries ResponderVerifyData =
 *       HMAC(rsp finished key, Hash(A || Ct || K || FINISH || FINISH_RSP hdr))
 *   TH2 = Hash(A || Ct || K || FINISH || FINISH_RSP)
 *
 * The session's transcript is built in one buffer charged to the budget
 * and released when the operation ends; it is public (the secrets are in
 * struct spdm_secure).
 *
 * References: DMTF DSP0274 1.1.x - 1.3.x ("KEY_EXCHANGE", "FINISH",
 * "Transcript and transcript hash calculation rules", "General opaque data
 * format"); DSP0277 ("Secured message opaque data").
 */
#include "spdm_core.h"

/* the DSP0277 versions we offer: 1.0 and 1.1 (same record format) */
static const u16 spdm_sm_versions[] = { SPDM_SM_VERSION_10, SPDM_SM_VERSION_11 };

/* ExchangeData bytes (X || Y) of a DHE group */
static size_t spdm_dhe_len(u32 dhe)
{
	return dhe == SPDM_DHE_SECP384R1 ? 96 : 64;
}

/*
 * Our OpaqueData: the secured message supported version list, in the
 * general opaque data format (1.2+ with OpaqueDataFmt1) or DSP0277's own
 * table header (SpecID "DMTF") otherwise.
 */
static size_t spdm_build_opaque(struct spdm_session *s, u8 *out)
{
	struct spdm_opaque_element_hdr *el;
	struct spdm_sm_data_hdr *sm;
	size_t n = 0, data, i;

	if (s->opaque_fmt1) {
		struct spdm_general_opaque_hdr *h = (void *)out;

		memset(h, 0, sizeof(*h));
		h->total_elements = 1;
		n = sizeof(*h);
	} else {
		struct spdm_sm_opaque_hdr *h = (void *)out;

		memset(h, 0, sizeof(*h));
		h->spec_id = cpu_to_le32(SPDM_SM_SPEC_ID);
		h->opaque_version = SPDM_SM_OPAQUE_VERSION;
		h->total_elements = 1;
		n = sizeof(*h);
	}
	el = (void *)(out + n);
	data = sizeof(*sm) + 1 + 2 * ARRAY_SIZE(spdm_sm_versions);
	el->id = 0;
	el->vendor_len = 0;
	el->opaque_element_data_len = cpu_to_le16(data);
	n += sizeof(*el);
	sm = (void *)(out + n);
	sm->sm_data_version = SPDM_SM_DATA_VERSION;
	sm->sm_data_id = SPDM_SM_DATA_ID_SUPPORTED_VERSIONS;
	out[n + sizeof(*sm)] = ARRAY_SIZE(spdm_sm_versions);
	for (i = 0; i < ARRAY_SIZE(spdm_sm_versions); i++)
		put_unaligned_le16(spdm_sm_versions[i],
				   out + n + sizeof(*sm) + 1 + 2 * i);
	n += data;
	while (n % 4)
		out[n++] = 0;
	return n;
}

/**
 * spdm_parse_sm_opaque() - the device's OpaqueData: its elements, of which
 *	exactly one DMTF element is the secured message version selection, of
 *	a version we offered
 * @s: session
 * @step: the step, for messages
 * @o: the OpaqueData
 * @len: its length
 *
 * Each element is ID (1), VendorLen (1), VendorID (VendorLen),
 * OpaqueElementDataLen (2), its data and AlignPadding (zero) to a multiple
 * of 4 bytes; the elements fill OpaqueDataLength exactly.  Elements of
 * other registries or vendors, and DMTF elements of another SMDataID, are
 * skipped.
 *
 * Return: 0 with s->sec->sm_version set, or -EPROTO.
 */
static int spdm_parse_sm_opaque(struct spdm_session *s, const char *step,
				const u8 *o, size_t len)
{
	const struct spdm_sm_data_hdr *sm;
	size_t n, count, e, start, dlen, i;
	bool found = false;
	u16 ver = 0;
	u8 vlen;

	if (s->opaque_fmt1) {
		const struct spdm_general_opaque_hdr *h = (const void *)o;

		if (len < sizeof(*h) ||
		    h->reserved[0] || h->reserved[1] || h->reserved[2])
			goto bad;
		count = h->total_elements;
		n = sizeof(*h);
	} else {
		const struct spdm_sm_opaque_hdr *h = (const void *)o;

		if (len < sizeof(*h) ||
		    le32_to_cpu(h->spec_id) != SPDM_SM_SPEC_ID ||
		    h->opaque_version != SPDM_SM_OPAQUE_VERSION || h->reserved)
			goto bad;
		count = h->total_elements;
		n = sizeof(*h);
	}
	for (e = 0; e < count; e++) {
		start = n;
		if (len - n < 2)
			goto bad;
		vlen = o[n + 1];
		if (len - n - 2 < (size_t)vlen + 2)
			goto bad;
		dlen = get_unaligned_le16(o + n + 2 + vlen);
		n += 2 + vlen + 2;
		if (len - n < dlen)
			goto bad;
		sm = (const void *)(o + n);
		if (o[start] == 0 && vlen == 0 && dlen >= sizeof(*sm) &&
		    sm->sm_data_id == SPDM_SM_DATA_ID_VERSION_SELECTION) {
			/* the DMTF secured message element we look for */
			if (found || dlen != sizeof(*sm) + 2 ||
			    sm->sm_data_version != SPDM_SM_DATA_VERSION)
				goto bad;
			ver = get_unaligned_le16(o + n + sizeof(*sm));
			found = true;
		}
		n += dlen;
		/* AlignPadding: zero, to a multiple of 4 bytes */
		while ((n - start) % 4) {
			if (n >= len || o[n])
				goto bad;
			n++;
		}
	}
	if (n != len || !found)
		goto bad;
	for (i = 0; i < ARRAY_SIZE(spdm_sm_versions); i++) {
		/* UpdateVersionNumber and Alpha (bits 7:0) are ignored */
		if ((ver & 0xff00) == spdm_sm_versions[i]) {
			s->sec->sm_version = ver >> 8;
			return 0;
		}
	}
	return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			 "%s: device selected secured message version 0x%04x, not offered",
			 step, ver);
bad:
	return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			 "%s: OpaqueData holds no well-formed secured message version selection",
			 step);
}

static int spdm_th_add(struct spdm_session *s, const char *step,
		       struct spdm_buf *th, const void *d, size_t len)
{
	int rc = spdm_buf_reserve(s, step, th, len);

	if (rc)
		return rc;
	memcpy(th->data + th->len, d, len);
	th->len += len;
	return 0;
}

static int spdm_th_hash(struct spdm_session *s, const char *step,
			const struct spdm_buf *th, u8 *out)
{
	int rc = s->p.ops->hash(s->p.priv, s->hash, th->data, th->len, out);

	if (rc)
		return spdm_fail(s, spdm_platform_class(rc), rc,
				 "%s: hashing the transcript failed (%d)", step,
				 rc);
	return 0;
}

static int spdm_secure_alloc(struct spdm_session *s, const char *step)
{
	struct spdm_secure *sec = spdm_alloc(s, sizeof(*sec));

	if (!sec)
		return spdm_fail(s, SPDM_FAIL_NOMEM, -ENOMEM,
				 "%s: out of memory for the session", step);
	s->sec = sec;
	/* the record buffer itself is per operation (spdm_secure_transport()) */
	sec->rsp_rec_cap = s->resp_cap + SPDM_SECMSG_OVERHEAD + SPDM_MAX_PAD;
	sec->encrypted = (s->caps & SPDM_CAP_ENCRYPT) != 0;
	sec->in_clear = (s->caps & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR) != 0;
	return 0;
}

/*
 * KEY_EXCHANGE_RSP in s->resp (@n bytes): check it, verify its signature
 * with the connect's key, derive the handshake keys and check
 * ResponderVerifyData.  @th holds A || Ct || KEY_EXCHANGE.
 */
static int spdm_key_exchange_rsp(struct spdm_session *s, const char *step,
				 ssize_t n, void *dhe_key, struct spdm_buf *th)
{
	const struct spdm_key_exchange_rsp *rsp = (const void *)s->resp;
	struct spdm_secure *sec = s->sec;
	size_t d = spdm_dhe_len(s->dhe), off, olen, total;
	u8 shared[SPDM_MAX_DHE_SECRET];
	u8 th1[SPDM_MAX_HASH];
	int rc;

	off = sizeof(*rsp) + d;		/* no MeasurementSummaryHash asked */
	if ((size_t)n < off + 2)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: truncated response (%zd bytes, need %zu)",
				 step, n, off + 2);
	olen = get_unaligned_le16(s->resp + off);
	if (olen > SPDM_MAX_OPAQUE)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: OpaqueDataLength %zu exceeds %d", step,
				 olen, SPDM_MAX_OPAQUE);
	total = off + 2 + olen + s->slen + (sec->in_clear ? 0 : s->hlen);
	rc = spdm_check_len(s, step, n, total);
	if (rc)
		return rc;
	if (rsp->mut_auth_requested || rsp->req_slot_id_param)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: device asks for mutual authentication (0x%02x), which we did not offer",
				 step, rsp->mut_auth_requested);
	sec->heartbeat_period = rsp->hdr.param1;
	sec->session_id |= (u32)le16_to_cpu(rsp->rsp_session_id) << 16;
	rc = spdm_parse_sm_opaque(s, step, s->resp + off + 2, olen);
	if (rc)
		return rc;
	off += 2 + olen;
	/* the signature covers A || Ct || K up to the Signature */
	rc = spdm_th_add(s, step, th, s->resp, off);
	if (!rc)
		rc = spdm_th_hash(s, step, th, s->ke_th);
	if (rc)
		return rc;
	memcpy(s->ke_sig, s->resp + off, s->slen);
	rc = spdm_verify_digest(s, step, s->ke_th, SPDM_CTX_KEY_EXCHANGE_RSP,
				s->ke_sig, s->slen);
	if (rc)
		return rc;
	rc = spdm_th_add(s, step, th, s->resp + off, s->slen);
	if (!rc)
		rc = spdm_th_hash(s, step, th, th1);
	if (rc)
		return rc;
	rc = s->p.ops->dhe_shared(s->p.priv, dhe_key,
				  s->resp + sizeof(*rsp), d, shared, d / 2);
	if (rc) {
		spdm_memzero_explicit(shared, sizeof(shared));
		return spdm_fail(s, rc == -ENOMEM ? SPDM_FAIL_NOMEM :
				 SPDM_FAIL_PROTOCOL, rc == -ENOMEM ? rc : -EPROTO,
				 "%s: device's ExchangeData is not a valid point (%d)",
				 step, rc);
	}
	rc = spdm_ks_handshake(s, step, shared, d / 2, th1);
	spdm_memzero_explicit(shared, sizeof(shared));
	if (rc)
		return rc;
	off += s->slen;
	if (!sec->in_clear) {
		rc = spdm_hmac_verify(s, step, sec->rsp_finished, th1,
				      s->resp + off);
		if (!rc)
			rc = spdm_th_add(s, step, th, s->resp + off, s->hlen);
	}
	return rc;
}

/* FINISH / FINISH_RSP; @th holds A || Ct || K */
static int spdm_finish(struct spdm_session *s, struct spdm_buf *th)
{
	static const char step[] = "FINISH";
	struct spdm_secure *sec = s->sec;
	u8 req[sizeof(struct spdm_header) + SPDM_MAX_HASH];
	struct spdm_header *hdr = (void *)req;
	size_t want = sizeof(*hdr) + (sec->in_clear ? s->hlen : 0);
	u8 h[SPDM_MAX_HASH];
	ssize_t n;
	int rc;

	memset(req, 0, sizeof(req));
	hdr->spdm_version = s->version;
	hdr->request_response_code = SPDM_FINISH;
	rc = spdm_th_add(s, step, th, req, sizeof(*hdr));
	if (!rc)
		rc = spdm_th_hash(s, step, th, h);
	if (!rc)
		rc = spdm_hmac_make(s, step, sec->req_finished, h,
				    req + sizeof(*hdr));
	if (!rc)
		rc = spdm_th_add(s, step, th, req + sizeof(*hdr), s->hlen);
	if (rc)
		return rc;
	/* encrypted handshake: FINISH goes under the handshake keys */
	sec->wrap = !sec->in_clear;
	n = spdm_exchange(s, step, req, sizeof(*hdr) + s->hlen, SPDM_FINISH_RSP,
			  want);
	if (n < 0)
		return n;
	rc = spdm_check_len(s, step, n, want);
	if (!rc)
		rc = spdm_th_add(s, step, th, s->resp, sizeof(*hdr));
	if (rc)
		return rc;
	if (sec->in_clear) {
		rc = spdm_th_hash(s, step, th, h);
		if (!rc)
			rc = spdm_hmac_verify(s, step, sec->rsp_finished, h,
					      s->resp + sizeof(*hdr));
		if (!rc)
			rc = spdm_th_add(s, step, th, s->resp + sizeof(*hdr),
					 s->hlen);
		if (rc)
			return rc;
	}
	rc = spdm_th_hash(s, step, th, h);		/* TH2 */
	if (!rc)
		rc = spdm_ks_data(s, step, h);
	if (rc)
		return rc;
	sec->active = true;
	sec->wrap = true;
	return 0;
}

/**
 * spdm_key_exchange() - KEY_EXCHANGE and FINISH: establish a session
 * @s: session with an identity and a VCA that negotiated a DHE group
 *
 * Return: 0 with s->sec active, or a negative errno (the caller drops the
 * half-built session).
 */
int spdm_key_exchange(struct spdm_session *s)
{
	static const char step[] = "KEY_EXCHANGE";
	u8 req[sizeof(struct spdm_key_exchange_req) + SPDM_MAX_DHE_PUB + 2 + 32];
	struct spdm_key_exchange_req *kx = (void *)req;
	size_t d = spdm_dhe_len(s->dhe), len, olen;
	struct spdm_buf th = { 0 };
	void *dhe_key = NULL;
	u16 req_id;
	ssize_t n;
	int rc;

	static_assert(sizeof(req) <= SPDM_MAX_REQ);
	rc = spdm_secure_alloc(s, step);
	if (rc)
		return rc;
	memset(req, 0, sizeof(req));
	kx->hdr.spdm_version = s->version;
	kx->hdr.request_response_code = SPDM_KEY_EXCHANGE;
	kx->hdr.param1 = 0;		/* no MeasurementSummaryHash */
	kx->hdr.param2 = s->conn.slot;
	rc = spdm_get_nonce(s, step, kx->random_data, NULL);
	if (!rc)
		rc = s->p.ops->random(s->p.priv, &req_id, sizeof(req_id)) ?
		     spdm_fail(s, SPDM_FAIL_PROTOCOL, -EIO,
			       "%s: no random ReqSessionID", step) : 0;
	if (rc)
		return rc;
	kx->req_session_id = cpu_to_le16(req_id);
	s->sec->session_id = req_id;
	rc = s->p.ops->dhe_gen(s->p.priv, s->dhe, &dhe_key,
			       req + sizeof(*kx), d);
	if (rc)
		return spdm_fail(s, spdm_platform_class(rc), rc,
				 "%s: no ephemeral DHE key for group 0x%04x (%d)",
				 step, s->dhe, rc);
	olen = spdm_build_opaque(s, req + sizeof(*kx) + d + 2);
	put_unaligned_le16(olen, req + sizeof(*kx) + d);
	len = sizeof(*kx) + d + 2 + olen;

	/* A || Ct || KEY_EXCHANGE */
	rc = spdm_th_add(s, step, &th, spdm_at(s, &s->vca), s->vca.len);
	if (!rc)
		rc = spdm_th_add(s, step, &th, s->conn.digest, s->hlen);
	if (!rc)
		rc = spdm_th_add(s, step, &th, req, len);
	if (rc)
		goto out;
	s->b_empty = false;	/* K is a transcript of its own; B unknown */
	n = spdm_exchange(s, step, req, len, SPDM_KEY_EXCHANGE_RSP,
			  sizeof(struct spdm_key_exchange_rsp));
	if (n < 0) {
		rc = n;
		goto out;
	}
	rc = spdm_key_exchange_rsp(s, "KEY_EXCHANGE_RSP", n, dhe_key, &th);
	s->p.ops->dhe_free(s->p.priv, dhe_key);
	dhe_key = NULL;
	if (!rc)
		rc = spdm_finish(s, &th);
	if (!rc)
		s->have_ke = true;
out:
	if (dhe_key)
		s->p.ops->dhe_free(s->p.priv, dhe_key);
	spdm_buf_release(s, &th);
	return rc;
}
