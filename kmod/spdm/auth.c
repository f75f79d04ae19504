// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: GET_DIGESTS and GET_CERTIFICATE (transcript B, the
 * slot's certificate chain and its leaf key) and CHALLENGE (transcript C,
 * the CHALLENGE_AUTH signature over M1 = A || B || C).
 *
 * References: DMTF DSP0274 1.0.x - 1.4.x.
 */
#include "spdm_core.h"

/**
 * spdm_get_digests() - GET_DIGESTS: the slot mask and the chain digests
 * @s: session after VCA; B starts over with this exchange
 *
 * Return: 0 or a negative errno.
 */
int spdm_get_digests(struct spdm_session *s)
{
	static const char step[] = "GET_DIGESTS";
	const struct spdm_header req = {
		.spdm_version = s->version,
		.request_response_code = SPDM_GET_DIGESTS,
	};
	const struct spdm_digests_rsp *rsp;
	const u8 *digest;
	unsigned int i, k = 0;
	size_t want;
	ssize_t n;
	int rc;

	spdm_span_clear(&s->b);
	s->b_empty = false;
	n = spdm_exchange(s, step, &req, sizeof(req), SPDM_DIGESTS,
			  sizeof(*rsp));
	if (n < 0)
		return n;
	rsp = (const void *)s->resp;
	digest = s->resp + sizeof(*rsp);
	s->slot_mask = rsp->hdr.param2;		/* SlotMask */
	if (!s->slot_mask)
		return spdm_fail(s, s->have_identity ? SPDM_FAIL_CERT_DIGEST :
				 SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: no certificate slot is provisioned", step);
	want = sizeof(*rsp) + hweight8(s->slot_mask) * s->hlen;
	rc = spdm_check_len(s, step, n, want);
	if (rc)
		return rc;
	memset(s->digests, 0, sizeof(s->digests));
	for (i = 0; i < SPDM_SLOTS; i++)
		if (s->slot_mask & (1u << i))
			memcpy(s->digests[i], digest + s->hlen * k++, s->hlen);
	rc = spdm_transcript_append(s, step, &s->b, &req, sizeof(req));
	return rc ?: spdm_transcript_append(s, step, &s->b, s->resp, want);
}

/* How much of the chain one GET_CERTIFICATE asks for. */
static size_t spdm_cert_ask(struct spdm_session *s, size_t off, size_t total)
{
	const size_t hdr = sizeof(struct spdm_certificate_rsp);
	size_t ask;

	if (s->chunk) {
		/* the whole chain, in chunks if it must */
		ask = s->p.max_msg - hdr;
		if (ask > s->rsp_max_msg - hdr)
			ask = s->rsp_max_msg - hdr;
	} else {
		ask = s->resp_cap - hdr;
		if (s->rsp_dts && ask > s->rsp_dts - hdr)
			ask = s->rsp_dts - hdr;	/* the device's buffer */
	}
	if (ask > SPDM_CERT_MAX_PORTION)
		ask = SPDM_CERT_MAX_PORTION;
	if (total && ask > total - off)
		ask = total - off;
	return ask;
}

/* The chain is whole: its header, the slot digest, the DER walk. */
static int spdm_check_chain(struct spdm_session *s, const char *step, u8 slot)
{
	const u8 *chain = spdm_at(s, &s->chain);
	const struct spdm_cert_chain_hdr *ch = (const void *)chain;
	size_t total = s->chain.len, hdr_len;
	struct spdm_der_cert_info leaf;
	u8 digest[SPDM_MAX_HASH];
	const char *why;
	int rc;

	hdr_len = le16_to_cpu(ch->length);
	if (hdr_len != total)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: device returned %zu bytes, chain header says %zu",
				 step, total, hdr_len);
	if (total < sizeof(*ch) + s->hlen + 2)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: chain of %zu bytes cannot hold a %zu byte root hash and a certificate",
				 step, total, s->hlen);
	rc = s->p.ops->hash(s->p.priv, s->hash, chain, total, digest);
	if (rc)
		return spdm_fail(s, spdm_platform_class(rc), rc,
				 "%s: hashing the chain failed (%d)", step, rc);
	if (memcmp(digest, s->digests[slot], s->hlen))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EKEYREJECTED,
				 "%s: chain hash does not match the slot %u digest from GET_DIGESTS",
				 step, slot);
	hdr_len = sizeof(*ch) + s->hlen;	/* Length, Reserved, RootHash */
	rc = spdm_der_walk_chain(chain + hdr_len, total - hdr_len, &leaf, &why);
	if (rc)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, rc, "%s: %s", step,
				 why ? why : "bad chain");
	if (leaf.asym != s->asym)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EKEYREJECTED,
				 "%s: leaf key type 0x%x does not match negotiated BaseAsymAlgo 0x%x",
				 step, leaf.asym, s->asym);
	/* the leaf key stays where it is, inside the chain */
	s->spki.off = s->chain.off + hdr_len + leaf.spki_off;
	s->spki.len = leaf.spki_len;
	s->pub_off = leaf.pub_off - leaf.spki_off;
	s->pub_len = leaf.pub_len;
	return 0;
}

/**
 * spdm_get_certificate() - GET_CERTIFICATE: the chain of @slot, checked
 * @s: session after GET_DIGESTS
 * @slot: the slot
 *
 * Short portions are legal; each response must make progress, and its
 * RemainderLength must be what is left of the total the first response
 * fixed.  The chain's hash must be the slot's digest from DIGESTS, its DER
 * must walk, and its leaf key must be of the negotiated BaseAsymAlgo.
 *
 * Return: 0 or a negative errno.
 */
int spdm_get_certificate(struct spdm_session *s, u8 slot)
{
	static const char step[] = "GET_CERTIFICATE";
	size_t off = 0, total = 0, portion, remainder, ask;
	const struct spdm_certificate_rsp *rsp;
	unsigned int reqs = 0;
	ssize_t n;
	int rc;

	spdm_span_clear(&s->chain);
	spdm_span_clear(&s->spki);
	spdm_buf_release(s, &s->chain_tmp);
	s->b_empty = false;
	do {
		struct spdm_get_certificate_req req = {
			.hdr = {
				.spdm_version = s->version,
				.request_response_code = SPDM_GET_CERTIFICATE,
				.param1 = slot,
			},
		};

		if (++reqs > SPDM_MAX_CERT_REQUESTS)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: no progress after %u requests",
					 step, SPDM_MAX_CERT_REQUESTS);
		ask = spdm_cert_ask(s, off, total);
		req.offset = cpu_to_le16(off);
		req.length = cpu_to_le16(ask);
		n = spdm_exchange(s, step, &req, sizeof(req), SPDM_CERTIFICATE,
				  sizeof(*rsp));
		if (n < 0)
			return n;
		rsp = (const void *)s->resp;
		if ((rsp->hdr.param1 & SPDM_SLOT_ID_MASK) != slot)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: answer for slot %u, asked for %u",
					 step, rsp->hdr.param1 & SPDM_SLOT_ID_MASK,
					 slot);
		/*
		 * 1.4: a LargeCertChain response has other fields at these
		 * offsets; we asked for (and can read) the small form only.
		 */
		if (s->version >= SPDM_VER_14 &&
		    (rsp->hdr.param1 & SPDM_CERT_LARGE_CERT_CHAIN))
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: LargeCertChain response (Param1 0x%02x) to a request without it",
					 step, rsp->hdr.param1);
		portion = le16_to_cpu(rsp->portion_length);
		remainder = le16_to_cpu(rsp->remainder_length);
		/*
		 * DSP0274: a portion may be shorter than asked for, but each
		 * response must make progress and its RemainderLength must
		 * be what is left of the total the first response fixed.
		 */
		if (portion > ask)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: PortionLength %zu invalid (asked for %zu)",
					 step, portion, ask);
		if (!portion && remainder)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: empty portion at offset %zu with %zu bytes remaining (no progress)",
					 step, off, remainder);
		rc = spdm_check_len(s, step, n, sizeof(*rsp) + portion);
		if (rc)
			return rc;
		if (!total) {
			const struct spdm_cert_chain_hdr *ch = (const void *)(rsp + 1);

			total = portion + remainder;
			if (portion >= sizeof(ch->length) &&
			    get_unaligned_le16(&ch->length) != total)
				return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
						 "%s: device returned %zu bytes, chain header says %u",
						 step, total,
						 get_unaligned_le16(&ch->length));
			if (total < sizeof(*ch) || total > SPDM_MAX_CHAIN)
				return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
						 "%s: chain of %zu bytes is impossible",
						 step, total);
			if (portion < total) {
				/* several portions: assembled, then stored */
				rc = spdm_buf_reserve(s, step, &s->chain_tmp,
						      total);
				if (rc)
					return rc;
			}
		} else if (off + portion + remainder != total) {
			/* portion <= ask <= total - off: no underflow */
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: RemainderLength %zu after %zu bytes at offset %zu, expected %zu (chain of %zu bytes)",
					 step, remainder, portion, off,
					 total - off - portion, total);
		}
		rc = spdm_transcript_append(s, step, &s->b, &req, sizeof(req));
		if (!rc)
			rc = spdm_transcript_append(s, step, &s->b, s->resp,
						    sizeof(*rsp) + portion);
		if (rc)
			return rc;
		if (s->chain_tmp.data)
			memcpy(s->chain_tmp.data + off, rsp + 1, portion);
		off += portion;
	} while (off < total);

	if (s->chain_tmp.data) {
		rc = spdm_transcript_append(s, step, &s->chain,
					    s->chain_tmp.data, total);
		spdm_buf_release(s, &s->chain_tmp);
		if (rc)
			return rc;
	} else {
		/* one portion: the chain is the end of B, kept once */
		s->chain.off = s->b.off + s->b.len - total;
		s->chain.len = total;
	}
	return spdm_check_chain(s, step, slot);
}

/**
 * spdm_load_key() - hand the leaf key in s->spki to the key_load op
 * @s: session
 * @step: the step, for the message
 *
 * Return: 0 or a negative errno; s->key is NULL on failure.
 */
int spdm_load_key(struct spdm_session *s, const char *step)
{
	int rc;

	if (s->key) {
		s->p.ops->key_free(s->p.priv, s->key);
		s->key = NULL;
	}
	rc = s->p.ops->key_load(s->p.priv, s->asym, s->hash,
				spdm_at(s, &s->spki), s->spki.len,
				spdm_at(s, &s->spki) + s->pub_off, s->pub_len,
				&s->key);
	if (rc == -ENOMEM) {
		s->key = NULL;
		return spdm_fail(s, SPDM_FAIL_NOMEM, rc,
				 "%s: out of memory loading the leaf public key",
				 step);
	}
	if (rc) {
		s->key = NULL;
		return spdm_fail(s, spdm_platform_class(rc), rc,
				 "%s: the platform rejected the leaf public key (%d)",
				 step, rc);
	}
	return 0;
}

/**
 * spdm_parse_signed_tail() - the tail CHALLENGE_AUTH and MEASUREMENTS share
 * @s: session; the response is in s->resp
 * @step: the step, for the message
 * @n: the response's length
 * @off: where OpaqueDataLength is
 * @req_ctx: the RequesterContext the response must echo (1.3+), or NULL
 * @body: the length of the message without its signature (what the
 *	transcript records); the signature follows it
 *
 * OpaqueDataLength, OpaqueData, RequesterContext (1.3+), Signature.
 *
 * Return: 0 or -EPROTO.
 */
int spdm_parse_signed_tail(struct spdm_session *s, const char *step,
			   size_t n, size_t off, const u8 *req_ctx,
			   size_t *body)
{
	const struct spdm_opaque_hdr *oh;
	size_t opaque;
	int rc;

	if (off > n || n - off < sizeof(*oh))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: truncated response (%zu bytes, fields say %zu)",
				 step, n, off + sizeof(*oh));
	oh = (const void *)(s->resp + off);
	opaque = le16_to_cpu(oh->opaque_data_length);
	if (opaque > SPDM_MAX_OPAQUE)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: OpaqueDataLength %zu exceeds %u",
				 step, opaque, SPDM_MAX_OPAQUE);
	off += sizeof(*oh) + opaque;
	if (s->version >= SPDM_VER_13)
		off += SPDM_REQ_CTX_LEN;
	rc = spdm_check_len(s, step, n, off + s->slen);
	if (rc)
		return rc;
	if (s->version >= SPDM_VER_13 && req_ctx &&
	    memcmp(s->resp + off - SPDM_REQ_CTX_LEN, req_ctx, SPDM_REQ_CTX_LEN))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: RequesterContext not echoed", step);
	*body = off;
	return 0;
}

/**
 * spdm_challenge() - CHALLENGE, and verify CHALLENGE_AUTH over M1
 * @s: session with a loaded key and a known B (empty or recorded)
 * @slot: the slot to challenge
 * @chain_hash: the digest CertChainHash must equal
 * @nonce: the nonce, or NULL for a random one
 *
 * On success the device has reset its B and C: the next CHALLENGE may come
 * alone.
 *
 * Return: 0 or a negative errno.
 */
int spdm_challenge(struct spdm_session *s, u8 slot, const u8 *chain_hash,
		   const u8 *nonce)
{
	static const char step[] = "CHALLENGE_AUTH";
	struct spdm_challenge_req req = {
		.hdr = {
			.spdm_version = s->version,
			.request_response_code = SPDM_CHALLENGE,
			.param1 = slot,
		},
	};
	size_t req_len = SPDM_CHALLENGE_REQ_LEN_10, off, body;
	const struct spdm_challenge_auth_rsp *rsp;
	ssize_t n;
	int rc;

	s->have_nonce = false;
	spdm_span_clear(&s->c);
	spdm_span_clear(&s->sig);
	if (!s->b_empty && !s->b.len)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
				 "CHALLENGE: the device's transcript is unknown");
	if (s->b_empty)
		spdm_span_clear(&s->b);	/* the B of an earlier M1 */
	rc = spdm_get_nonce(s, "CHALLENGE", s->nonce, nonce);
	if (rc)
		return rc;
	s->have_nonce = true;
	memcpy(req.nonce, s->nonce, SPDM_NONCE_LEN);
	if (s->version >= SPDM_VER_13) {
		rc = spdm_get_req_ctx(s, "CHALLENGE", s->chal_ctx);
		if (rc)
			return rc;
		memcpy(req.requester_context, s->chal_ctx, SPDM_REQ_CTX_LEN);
		req_len = sizeof(req);
	}

	s->b_empty = false;	/* until this CHALLENGE_AUTH verifies */
	/* CertChainHash, Nonce, no MeasurementSummaryHash, OpaqueDataLength */
	n = spdm_exchange(s, step, &req, req_len, SPDM_CHALLENGE_AUTH,
			  sizeof(*rsp) + s->hlen + SPDM_NONCE_LEN +
			  sizeof(struct spdm_opaque_hdr));
	if (n < 0)
		return n;
	rsp = (const void *)s->resp;
	if ((rsp->hdr.param1 & SPDM_SLOT_ID_MASK) != slot)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: answer for slot %u, challenged %u", step,
				 rsp->hdr.param1 & SPDM_SLOT_ID_MASK, slot);
	if (s->version <= SPDM_VER_12 && !(rsp->hdr.param2 & (1u << slot)))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: SlotMask 0x%02x lacks slot %u", step,
				 rsp->hdr.param2, slot);
	off = sizeof(*rsp);
	if (memcmp(s->resp + off, chain_hash, s->hlen))
		return spdm_fail(s, SPDM_FAIL_CERT_DIGEST, -EKEYREJECTED,
				 "%s: CertChainHash does not match the slot %u digest",
				 step, slot);
	off += s->hlen + SPDM_NONCE_LEN;	/* no measurement summary hash */
	rc = spdm_parse_signed_tail(s, step, n, off, s->chal_ctx, &body);
	if (rc)
		return rc;

	/* M1 = A || B || C: C is appended, A and B are where they are */
	rc = spdm_transcript_append(s, step, &s->c, &req, req_len);
	if (!rc)
		rc = spdm_transcript_append(s, step, &s->c, s->resp, body);
	if (!rc)
		rc = spdm_transcript_append(s, step, &s->sig, s->resp + body,
					    s->slen);
	if (rc)
		return rc;
	rc = spdm_verify_signature(s, step, &s->vca, &s->b, &s->c,
				   SPDM_CTX_CHALLENGE_AUTH, &s->sig);
	if (!rc)
		s->b_empty = true;	/* the device reset B and C */
	return rc;
}
