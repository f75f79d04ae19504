// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: the session's memory, within its budget; the
 * transcripts (append-only buffers of the messages a signature covers);
 * the 1.2+ signing contexts and the verification of a signature over a
 * transcript; nonces and RequesterContexts.
 *
 * References: DMTF DSP0274 1.0.x - 1.3.x ("Transcript and transcript hash
 * calculation rules", "Signature generation").
 */
#include "spdm_core.h"

#define SPDM_PREFIX_LEN		64	/* "dmtf-spdm-v1.N.*" four times */
#define SPDM_CONTEXT_FIELD	36	/* zero pad || signing context */

/**
 * spdm_alloc() - zeroed memory charged to the session's budget
 * @s: session
 * @len: bytes
 *
 * Return: the memory, or NULL past the budget or out of memory.
 */
void *spdm_alloc(struct spdm_session *s, size_t len)
{
	void *p;

	if (len > s->p.mem_budget - s->used)
		return NULL;
	p = s->p.ops->zalloc(s->p.priv, len);
	if (p)
		s->used += len;
	return p;
}

/**
 * spdm_free() - zero and release memory from spdm_alloc()
 * @s: session
 * @p: the memory (may be NULL)
 * @len: its size
 */
void spdm_free(struct spdm_session *s, void *p, size_t len)
{
	if (!p)
		return;
	s->p.ops->free(s->p.priv, p, len);
	s->used -= len;
}

/**
 * spdm_buf_release() - zero and release a buffer's memory
 * @s: session
 * @b: the buffer, empty afterwards
 */
void spdm_buf_release(struct spdm_session *s, struct spdm_buf *b)
{
	spdm_free(s, b->data, b->cap);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/**
 * spdm_buf_clear() - empty a buffer, zeroing its bytes, keeping its memory
 * @b: the buffer
 */
void spdm_buf_clear(struct spdm_buf *b)
{
	if (b->data)
		memset(b->data, 0, b->len);
	b->len = 0;
}

/**
 * spdm_buf_reserve() - make room for @extra more bytes
 * @s: session
 * @step: the step, for the message
 * @b: the buffer
 * @extra: bytes to be appended
 *
 * Grows by doubling (from 256 bytes), or to the exact size when doubling
 * would break the budget.
 *
 * Return: 0, -EDQUOT past the budget or -ENOMEM (recorded).
 */
int spdm_buf_reserve(struct spdm_session *s, const char *step,
		     struct spdm_buf *b, size_t extra)
{
	size_t need, cap;
	u8 *n;

	if (extra > SIZE_MAX / 2 - b->len)
		return spdm_fail(s, SPDM_FAIL_BUDGET, -EDQUOT,
				 "%s: size overflow", step);
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	/* fall back to the exact size if doubling would break the budget */
	if (cap > s->p.mem_budget - s->used)
		cap = need;
	if (cap > s->p.mem_budget - s->used)
		return spdm_fail(s, SPDM_FAIL_BUDGET, -EDQUOT,
				 "%s: memory budget exhausted (%zu of %zu bytes used, %zu more needed)",
				 step, s->used, s->p.mem_budget, cap);
	n = spdm_alloc(s, cap);
	if (!n)
		return spdm_fail(s, SPDM_FAIL_NOMEM, -ENOMEM,
				 "%s: out of memory (allocating %zu bytes)",
				 step, cap);
	if (b->len)
		memcpy(n, b->data, b->len);
	spdm_free(s, b->data, b->cap);
	b->data = n;
	b->cap = cap;
	return 0;
}

/**
 * spdm_transcript_append() - append a message (or part of one)
 * @s: session
 * @step: the step, for the message
 * @t: the transcript (or any spdm_buf)
 * @d: the bytes
 * @len: their length; 0 appends nothing (an empty B may have no memory)
 *
 * Return: 0 or the negative errno of spdm_buf_reserve().
 */
int spdm_transcript_append(struct spdm_session *s, const char *step,
			   struct spdm_buf *t, const void *d, size_t len)
{
	int rc = spdm_buf_reserve(s, step, t, len);

	if (rc || !len)
		return rc;
	memcpy(t->data + t->len, d, len);
	t->len += len;
	return 0;
}

/**
 * spdm_transcript_hash() - hash a transcript with the negotiated BaseHashAlgo
 * @s: session
 * @step: the step, for the message
 * @t: the transcript
 * @digest: receives s->hlen bytes
 *
 * Return: 0 or the hash op's negative errno (recorded).
 */
int spdm_transcript_hash(struct spdm_session *s, const char *step,
			 const struct spdm_buf *t, u8 *digest)
{
	int rc = s->p.ops->hash(s->p.priv, s->hash, t->data, t->len, digest);

	if (rc)
		return spdm_fail(s, spdm_platform_class(rc), rc,
				 "%s: hashing the transcript failed (%d)",
				 step, rc);
	return 0;
}

/**
 * spdm_verify_signature() - verify a signature over a transcript
 * @s: session; the negotiated version, hash and the loaded key are used
 * @step: the step, for the message
 * @t: the transcript (M1 or L1, without the signature)
 * @context: the 1.2+ signing context (SPDM_CTX_*)
 * @sig: the signature, s->slen bytes
 *
 * 1.0/1.1 sign Hash(@t); 1.2+ sign Hash(prefix || zero pad || @context ||
 * Hash(@t)), the prefix being "dmtf-spdm-v1.N.*" four times.
 *
 * Return: 0, -EKEYREJECTED (SPDM_FAIL_SIGNATURE) or a hash op's errno.
 */
int spdm_verify_signature(struct spdm_session *s, const char *step,
			  const struct spdm_buf *t, const char *context,
			  const u8 *sig)
{
	u8 m[SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD + SPDM_MAX_HASH];
	u8 digest[SPDM_MAX_HASH];
	size_t clen = strlen(context);
	int rc, i;

	rc = spdm_transcript_hash(s, step, t, digest);
	if (rc)
		return rc;
	if (s->version >= SPDM_VER_12) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < 4; i++) {
			memcpy(m + 16 * i, "dmtf-spdm-v1.X.*", 16);
			m[16 * i + 13] = '0' + (s->version & 0xf);
		}
		memcpy(m + SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD - clen, context,
		       clen);
		memcpy(m + SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD, digest, s->hlen);
		rc = s->p.ops->hash(s->p.priv, s->hash, m,
				    SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD + s->hlen,
				    digest);
		memset(m, 0, sizeof(m));
		if (rc)
			return spdm_fail(s, spdm_platform_class(rc), rc,
					 "%s: hashing the signed message failed (%d)",
					 step, rc);
	}
	rc = s->p.ops->verify(s->p.priv, s->key, digest, s->hlen, sig, s->slen);
	memset(digest, 0, sizeof(digest));
	if (rc)
		return spdm_fail(s, SPDM_FAIL_SIGNATURE, -EKEYREJECTED,
				 "%s: signature does not verify", step);
	return 0;
}

/**
 * spdm_get_nonce() - the caller's nonce, or a random one
 * @s: session
 * @step: the step, for the message
 * @dst: SPDM_NONCE_LEN bytes
 * @nonce: the caller's, or NULL to draw one from the random op
 *
 * Return: 0 or the random op's negative errno (recorded).
 */
int spdm_get_nonce(struct spdm_session *s, const char *step, u8 *dst,
		   const u8 *nonce)
{
	int rc;

	if (nonce) {
		memcpy(dst, nonce, SPDM_NONCE_LEN);
		return 0;
	}
	rc = s->p.ops->random(s->p.priv, dst, SPDM_NONCE_LEN);
	if (rc)
		return spdm_fail(s, spdm_platform_class(rc), rc,
				 "%s: no random nonce (%d)", step, rc);
	return 0;
}

/**
 * spdm_get_req_ctx() - a fresh 1.3 RequesterContext
 * @s: session
 * @step: the step, for the message
 * @dst: SPDM_REQ_CTX_LEN bytes, which the signed response must echo
 *
 * Return: 0 or the random op's negative errno (recorded).
 */
int spdm_get_req_ctx(struct spdm_session *s, const char *step, u8 *dst)
{
	int rc = s->p.ops->random(s->p.priv, dst, SPDM_REQ_CTX_LEN);

	if (rc)
		return spdm_fail(s, spdm_platform_class(rc), rc,
				 "%s: no random RequesterContext (%d)", step, rc);
	return 0;
}
