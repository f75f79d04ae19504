// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: the public API (spdm.h).  Sessions, and the
 * operations built from the phases: authenticate (VCA, GET_DIGESTS,
 * GET_CERTIFICATE, CHALLENGE), revalidate (CHALLENGE alone while the device
 * keeps its state), signed measurements, and the evidence they leave.
 *
 * References: DMTF DSP0274 1.0.x - 1.3.x; PCIe r6.x sec 6.31 (CMA).
 */
#include "spdm_core.h"

/**
 * spdm_session_create() - allocate a requester session
 * @p: parameters (copied; @p->ops must outlive the session)
 * @out: the new session
 *
 * Return: 0 or -EINVAL / -ENOMEM.
 */
int spdm_session_create(const struct spdm_params *p, struct spdm_session **out)
{
	struct spdm_params q = *p;
	struct spdm_session *s;
	*out = NULL;
	if (!q.ops || !q.ops->exchange || !q.ops->hash || !q.ops->key_load ||
	    !q.ops->verify || !q.ops->key_free || !q.ops->random ||
	    !q.ops->zalloc || !q.ops->free)
		return -EINVAL;
	if (!q.max_resp)
		q.max_resp = SPDM_DEFAULT_MAX_RESP;
	if (q.max_resp < SPDM_MIN_MAX_RESP)
		return -EINVAL;
	if (q.max_resp > 0xffff + 8)
		q.max_resp = 0xffff + 8;
	if (!q.max_msg)
		q.max_msg = SPDM_DEFAULT_MAX_MSG;
	if (q.max_msg < q.max_resp)
		q.max_msg = q.max_resp;
	if (q.max_msg > SPDM_MAX_MSG)
		q.max_msg = SPDM_MAX_MSG;
	if (!q.mem_budget)
		q.mem_budget = SPDM_DEFAULT_BUDGET;
	if (!q.min_version)
		q.min_version = SPDM_VER_10;
	if (!q.max_version)
		q.max_version = SPDM_VER_14;
	if (q.max_version > SPDM_VER_14 || q.min_version > q.max_version)
		return -EINVAL;
	q.asym_mask = (q.asym_mask ? q.asym_mask : SPDM_ASYM_SUPPORTED) &
		      SPDM_ASYM_SUPPORTED;
	q.hash_mask = (q.hash_mask ? q.hash_mask : SPDM_HASH_SUPPORTED) &
		      SPDM_HASH_SUPPORTED;
	if (!q.asym_mask || !q.hash_mask)
		return -EINVAL;
	q.dhe_mask = (q.dhe_mask ? q.dhe_mask : SPDM_DHE_SUPPORTED) &
		     SPDM_DHE_SUPPORTED;
	q.aead_mask = (q.aead_mask ? q.aead_mask : SPDM_AEAD_SUPPORTED) &
		      SPDM_AEAD_SUPPORTED;
	if (q.secure) {
		if (!q.ops->dhe_gen || !q.ops->dhe_shared || !q.ops->dhe_free ||
		    !q.ops->hmac || !q.ops->aead_seal || !q.ops->aead_open ||
		    !q.dhe_mask || !q.aead_mask)
			return -EINVAL;
		/*
		 * Sessions need 1.1; 1.4 adds OpaqueData to FINISH and
		 * FINISH_RSP, which the core does not implement: offer 1.3
		 * at most.
		 */
		if (q.max_version > SPDM_VER_13)
			q.max_version = SPDM_VER_13;
		if (q.min_version > q.max_version)
			return -EINVAL;
	}
	if (q.mem_budget < sizeof(*s))
		return -ENOMEM;
	s = q.ops->zalloc(q.priv, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->p = q;
	s->used = sizeof(*s);
	s->resp_cap = q.max_resp;
	*out = s;
	return 0;
}

/**
 * spdm_session_free() - release a session
 * @s: session (may be NULL)
 */
void spdm_session_free(struct spdm_session *s)
{
	const struct spdm_ops *ops;
	void *priv;

	if (!s)
		return;
	ops = s->p.ops;
	priv = s->p.priv;
	spdm_secure_drop(s);
	if (s->key)
		ops->key_free(priv, s->key);
	spdm_release_large(s);
	spdm_buf_release(s, &s->chain_tmp);
	spdm_secure_rec_free(s);
	if (s->rbuf)
		ops->free(priv, s->rbuf, s->resp_cap);
	spdm_buf_release(s, &s->t);
	ops->free(priv, s, sizeof(*s));
}

static void spdm_begin(struct spdm_session *s)
{
	spdm_clear_fail(s);
}

/*
 * The end of every operation: the transport buffer, a reassembled large
 * response and a chain being assembled go; the store keeps only what its
 * spans cover, in exact memory.
 */
static void spdm_op_end(struct spdm_session *s)
{
	spdm_release_large(s);
	spdm_buf_release(s, &s->chain_tmp);
	spdm_secure_rec_free(s);
	if (s->rbuf)
		s->p.ops->free(s->p.priv, s->rbuf, s->resp_cap);
	s->rbuf = NULL;
	s->resp = NULL;
	spdm_store_compact(s);
}

/* spdm_authenticate() without releasing the reassembly buffer */
static int spdm_do_authenticate(struct spdm_session *s, u8 slot, const u8 *nonce)
{
	int rc;

	spdm_begin(s);
	s->have_identity = false;
	s->complete = false;
	s->chal_ok = false;
	if (slot >= SPDM_SLOTS)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
				 "slot %u out of range", slot);
	rc = spdm_vca(s);
	if (!rc)
		rc = spdm_get_digests(s);
	if (!rc && !(s->slot_mask & (1u << slot)))
		rc = spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -ENOENT,
			       "GET_DIGESTS: slot %u is not provisioned (mask 0x%02x)",
			       slot, s->slot_mask);
	if (!rc)
		rc = spdm_get_certificate(s, slot);
	if (!rc)
		rc = spdm_load_key(s, "GET_CERTIFICATE");
	if (rc)
		return rc;
	s->slot = slot;
	rc = spdm_challenge(s, slot, s->digests[slot], nonce);
	if (rc)
		return rc;
	s->conn.version = s->version;
	s->conn.asym = s->asym;
	s->conn.hash = s->hash;
	s->conn.hlen = s->hlen;
	s->conn.slot = slot;
	memcpy(s->conn.digest, s->digests[slot], sizeof(s->conn.digest));
	s->conn.dhe = s->dhe;
	s->conn.aead = s->aead;
	s->conn.pinned_sess = true;
	s->have_identity = true;
	s->chal_ok = true;
	s->complete = true;
	return 0;
}

/**
 * spdm_authenticate() - full authentication of a device
 * @s: session
 * @slot: certificate slot (0-7)
 * @nonce: 32-byte CHALLENGE nonce, or NULL to draw one from ops->random
 *
 * Runs GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS, GET_DIGESTS,
 * GET_CERTIFICATE and CHALLENGE, and verifies the CHALLENGE_AUTH signature
 * with the leaf key of the retrieved chain.  On success the session caches
 * the key and slot digest for spdm_revalidate().
 *
 * Return: 0 or a negative errno; spdm_last_error() says why.
 */
int spdm_authenticate(struct spdm_session *s, u8 slot, const u8 *nonce)
{
	int rc = spdm_do_authenticate(s, slot, nonce);

	spdm_op_end(s);
	return rc;
}

/**
 * spdm_set_cached_identity() - prime a fresh session for spdm_revalidate()
 * @s: session
 * @version: the version negotiated before (0: any)
 * @asym: the BaseAsymAlgo negotiated before
 * @hash: the BaseHashAlgo negotiated before
 * @slot: the slot authenticated before
 * @digest: its chain digest (spdm_hash_len(@hash) bytes)
 * @spki: the leaf SubjectPublicKeyInfo
 * @spki_len: its length
 *
 * Return: 0 or a negative errno.
 */
int spdm_set_cached_identity(struct spdm_session *s, u8 version, u32 asym,
			     u32 hash, u8 slot, const u8 *digest,
			     const u8 *spki, size_t spki_len)
{
	static const char step[] = "cached identity";
	size_t po, pl;
	const char *why;
	u32 kasym;
	int rc;

	spdm_begin(s);
	s->have_identity = false;
	s->complete = false;
	s->chal_ok = false;
	if (slot >= SPDM_SLOTS || !spdm_hash_len(hash) || !spdm_sig_len(asym))
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
				 "%s: invalid slot or algorithm", step);
	rc = spdm_der_parse_spki(spki, spki_len, &po, &pl, &kasym, &why);
	if (rc)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, rc, "%s: %s", step,
				 why ? why : "bad key");
	if (kasym != asym)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
				 "%s: key does not match algorithm", step);
	spdm_reset_transcripts(s);
	spdm_span_clear(&s->chain);
	spdm_span_clear(&s->spki);
	rc = spdm_transcript_append(s, step, &s->spki, spki, spki_len);
	spdm_store_compact(s);
	if (rc)
		return rc;
	s->pub_off = po;
	s->pub_len = pl;
	s->version = version;
	s->asym = asym;
	s->hash = hash;
	s->hlen = spdm_hash_len(hash);
	s->slen = spdm_sig_len(asym);
	rc = spdm_load_key(s, step);
	if (rc)
		return rc;
	s->slot = slot;
	s->conn.version = version;
	s->conn.asym = asym;
	s->conn.hash = hash;
	s->conn.hlen = s->hlen;
	s->conn.slot = slot;
	memset(s->conn.digest, 0, sizeof(s->conn.digest));
	memcpy(s->conn.digest, digest, s->conn.hlen);
	s->conn.pinned_sess = false;
	s->have_identity = true;
	return 0;
}

/* GET_DIGESTS, and the slot's digest must be the connect's */
static int spdm_check_digests(struct spdm_session *s, u8 slot)
{
	int rc = spdm_get_digests(s);

	if (rc)
		return rc;
	if (!(s->slot_mask & (1u << slot)))
		return spdm_fail(s, SPDM_FAIL_CERT_DIGEST, -EKEYREJECTED,
				 "GET_DIGESTS: slot %u is no longer provisioned", slot);
	if (memcmp(s->digests[slot], s->conn.digest, s->conn.hlen))
		return spdm_fail(s, SPDM_FAIL_CERT_DIGEST, -EKEYREJECTED,
				 "GET_DIGESTS: slot %u digest changed since authentication",
				 slot);
	return 0;
}

/*
 * spdm_revalidate() without releasing the reassembly buffer.  The fewest
 * exchanges DSP0274 allows: with the chain cached, GET_DIGESTS and
 * GET_CERTIFICATE may be skipped (B empty), and CHALLENGE_AUTH's
 * CertChainHash, compared with the connect's digest, identifies the chain.
 *   VCA valid, B known empty:        CHALLENGE                 (1)
 *   VCA not valid (spdm_state_lost): VCA, CHALLENGE            (4)
 *   VCA valid, B unknown (an earlier operation was interrupted):
 *                                    GET_DIGESTS, CHALLENGE    (2)
 * A device that answers ERROR UnexpectedRequest, RequestResynch or
 * VersionMismatch to a request sent on the old VCA lost its state
 * unseen: VCA and CHALLENGE once more, never a second time.
 */
static int spdm_do_revalidate(struct spdm_session *s, const u8 *nonce)
{
	static const char step[] = "revalidate";
	bool renegotiated = false;
	u8 slot = s->conn.slot;
	int rc = 0;

	spdm_begin(s);
	if (!s->have_identity || !s->key)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -ENOKEY,
				 "%s: no cached identity", step);
	/* from here on the evidence changes: challenge anew, no measurements */
	s->complete = false;
	s->chal_ok = false;
	s->have_meas = false;
	spdm_span_clear(&s->l1);
	spdm_span_clear(&s->meas_sig);
	if (!s->vca_done) {
		rc = spdm_vca(s);
		renegotiated = true;
	}
	if (!rc)
		rc = spdm_check_conn(s, step);
	if (!rc && !s->b_empty)
		rc = spdm_check_digests(s, slot);
	if (!rc)
		rc = spdm_challenge(s, slot, s->conn.digest, nonce);
	if (rc == -ECONNRESET && !renegotiated) {
		/* the device lost its state (reset, power cycle): redo VCA */
		spdm_clear_fail(s);
		rc = spdm_vca(s);
		if (!rc)
			rc = spdm_check_conn(s, step);
		if (!rc)
			rc = spdm_challenge(s, slot, s->conn.digest, nonce);
	}
	if (rc)
		return rc;
	if (!s->conn.version)
		s->conn.version = s->version;	/* "any" is pinned on first use */
	s->chal_ok = true;
	s->complete = true;
	return 0;
}

/**
 * spdm_revalidate() - re-prove possession of the cached identity
 * @s: session that authenticated (or was primed with the cached identity)
 * @nonce: CHALLENGE nonce or NULL for a random one
 *
 * CHALLENGE with the cached key, its CertChainHash compared with the slot
 * digest of the connect: 1 exchange while the device keeps its state.  VCA
 * is renegotiated first if the session has none or spdm_state_lost() said
 * the device lost it (4 exchanges), or after the device answers with an
 * error that says so (once).  GET_DIGESTS is sent before the CHALLENGE only
 * when an interrupted operation left the device's transcript unknown.
 * Whether or not VCA ran in this call, the negotiated version and
 * algorithms must be those of the connect (a mismatch fails as a
 * downgrade, every time, and forces VCA to be renegotiated next time), and
 * the slot digest must be the one seen at connect (SPDM_FAIL_CERT_DIGEST,
 * without downloading the chain).  Measurement evidence is cleared: take
 * it again with spdm_get_measurements() if it is wanted beside the new
 * challenge.
 *
 * Return: 0 or a negative errno; spdm_last_error() says why.
 */
int spdm_revalidate(struct spdm_session *s, const u8 *nonce)
{
	int rc = spdm_do_revalidate(s, nonce);

	spdm_op_end(s);
	return rc;
}

/**
 * spdm_state_lost() - the device lost its SPDM state (reset, resume)
 * @s: session
 *
 * The negotiated VCA is no longer valid on the device: the next
 * spdm_revalidate() starts with GET_VERSION instead of sending a request
 * the device can only refuse.  Measurements need a revalidation first.
 */
void spdm_state_lost(struct spdm_session *s)
{
	spdm_secure_drop(s);
	s->vca_done = false;
	s->b_empty = false;
}

/* spdm_get_measurements() without releasing the reassembly buffer */
static int spdm_do_get_measurements(struct spdm_session *s, const u8 *nonce)
{
	static const char step[] = "GET_MEASUREMENTS";
	int rc;

	spdm_begin(s);
	s->complete = false;
	s->have_meas = false;
	spdm_span_clear(&s->l1);
	spdm_span_clear(&s->meas_sig);
	if (!s->have_identity || !s->key || !s->vca_done)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -ENOKEY,
				 "%s: session is not authenticated", step);
	rc = spdm_check_conn(s, step);
	if (rc)
		return rc;
	if ((s->caps & SPDM_CAP_MEAS_MASK) != SPDM_CAP_MEAS_SIG)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EOPNOTSUPP,
				 "%s: device cannot sign measurements", step);
	rc = spdm_measurements(s, nonce);
	if (rc)
		return rc;
	s->have_meas = true;
	/* coherent only beside the challenge that established this VCA */
	s->complete = s->chal_ok;
	return 0;
}

/**
 * spdm_get_measurements() - signed GET_MEASUREMENTS of all blocks
 * @s: an authenticated session
 * @nonce: 32-byte nonce or NULL for a random one
 *
 * The negotiated version and algorithms must still be the connect's.  The
 * evidence is complete afterwards only if the last authenticate or
 * revalidate succeeded too.  With a secured session established the
 * exchange goes inside it (a failure then drops the session).
 *
 * Return: 0 or a negative errno; spdm_last_error() says why.
 */
int spdm_get_measurements(struct spdm_session *s, const u8 *nonce)
{
	int rc = spdm_do_get_measurements(s, nonce);

	/* inside a session: its sequence numbers may no longer agree */
	if (rc && s->sec)
		spdm_secure_drop(s);
	spdm_op_end(s);
	return rc;
}

/**
 * spdm_last_error() - human-readable reason of the last failure
 * @s: session
 *
 * Return: a NUL-terminated message naming the step, "" after success.
 */
const char *spdm_last_error(const struct spdm_session *s)
{
	return s->err;
}

/**
 * spdm_last_failure() - class of the last failure
 * @s: session
 *
 * Return: SPDM_FAIL_NONE after success, else the class of the innermost
 * failure (the one spdm_last_error() describes).
 */
enum spdm_failure spdm_last_failure(const struct spdm_session *s)
{
	return s->failure;
}

/**
 * spdm_exchange_count() - transport exchanges done so far (incl. retries)
 * @s: session
 *
 * Return: the count.
 */
unsigned int spdm_exchange_count(const struct spdm_session *s)
{
	return s->exchanges;
}

/**
 * spdm_mem_used() - bytes currently charged to the session's budget
 * @s: session
 *
 * Return: the byte count.
 */
size_t spdm_mem_used(const struct spdm_session *s)
{
	return s->used;
}

static struct spdm_buf_view spdm_view(const u8 *d, size_t len)
{
	struct spdm_buf_view v = { .data = len ? d : NULL, .len = len };

	return v;
}

static struct spdm_buf_view spdm_span_view(const struct spdm_session *s,
					   const struct spdm_span *sp)
{
	return spdm_view(sp->len ? s->t.data + sp->off : NULL, sp->len);
}

static void spdm_seg(const struct spdm_session *s, struct spdm_seg_view *v,
		     const struct spdm_span *sp)
{
	unsigned int i;

	if (!sp->len)
		return;
	for (i = 0; i < SPDM_VIEW_SEGS; i++) {
		if (!v->seg[i].len) {
			v->seg[i] = spdm_span_view(s, sp);
			v->len += sp->len;
			return;
		}
	}
}

/**
 * spdm_seg_copy() - copy bytes out of a view kept in pieces
 * @v: the view
 * @off: the first byte
 * @dst: where they go
 * @len: how many, at most
 *
 * Return: the bytes copied (fewer than @len at the view's end).
 */
size_t spdm_seg_copy(const struct spdm_seg_view *v, size_t off, void *dst,
		     size_t len)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < SPDM_VIEW_SEGS && done < len; i++) {
		const struct spdm_buf_view *g = &v->seg[i];
		size_t n;

		if (off >= g->len) {
			off -= g->len;
			continue;
		}
		n = g->len - off;
		if (n > len - done)
			n = len - done;
		memcpy((u8 *)dst + done, g->data + off, n);
		done += n;
		off = 0;
	}
	return done;
}

/**
 * spdm_get_evidence() - view the negotiated parameters and evidence
 * @s: session
 * @ev: filled with pointers into the session (valid until its next call)
 */
void spdm_get_evidence(const struct spdm_session *s, struct spdm_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = s->version;
	ev->caps = s->caps;
	ev->asym = s->asym;
	ev->hash = s->hash;
	ev->meas_hash = s->meas_hash;
	ev->meas_spec = s->meas_spec;
	ev->slot = s->slot;
	ev->slot_mask = s->slot_mask;
	ev->hash_len = s->hlen;
	ev->sig_len = s->slen;
	memcpy(ev->digests, s->digests, sizeof(ev->digests));
	ev->chain = spdm_span_view(s, &s->chain);
	ev->leaf_spki = spdm_span_view(s, &s->spki);
	ev->leaf_pub = spdm_view(s->spki.len ? s->t.data + s->spki.off + s->pub_off : NULL,
				 s->spki.len ? s->pub_len : 0);
	if (s->have_nonce)
		ev->nonce = spdm_view(s->nonce, SPDM_NONCE_LEN);
	if (s->c.len) {
		/* M1 = A || B || C */
		spdm_seg(s, &ev->transcript, &s->vca);
		spdm_seg(s, &ev->transcript, &s->b);
		spdm_seg(s, &ev->transcript, &s->c);
	}
	ev->signature = spdm_span_view(s, &s->sig);
	ev->complete = s->complete;
	ev->context = s->version >= SPDM_VER_12 ? SPDM_CTX_CHALLENGE_AUTH : NULL;
	if (s->have_meas) {
		ev->meas_blocks = spdm_view(s->t.data + s->l1.off + s->meas_off,
					    s->meas_len);
		ev->meas_count = s->meas_count;
		ev->meas_nonce = spdm_view(s->meas_nonce, SPDM_NONCE_LEN);
		/* L1 = (1.2+: A ||) the measurement messages */
		if (s->version >= SPDM_VER_12)
			spdm_seg(s, &ev->meas_transcript, &s->vca);
		spdm_seg(s, &ev->meas_transcript, &s->l1);
		ev->meas_signature = spdm_span_view(s, &s->meas_sig);
		ev->meas_context = s->version >= SPDM_VER_12 ? SPDM_CTX_MEASUREMENTS : NULL;
	}
	ev->dhe = s->dhe;
	ev->aead = s->aead;
	if (s->have_ke) {
		ev->ke_th = spdm_view(s->ke_th, s->hlen);
		ev->ke_signature = spdm_view(s->ke_sig, s->slen);
		ev->ke_context = s->version >= SPDM_VER_12 ?
				 SPDM_CTX_KEY_EXCHANGE_RSP : NULL;
	}
}
