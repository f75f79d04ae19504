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
 * spdm_free() - release memory from spdm_alloc()
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
 * spdm_buf_release() - release a buffer's memory
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
 * spdm_buf_reserve() - make room for @extra more bytes
 * @s: session
 * @step: the step, for the message
 * @b: the buffer
 * @extra: bytes to be appended
 *
 * Grows by doubling (from 256 bytes), or to the exact size when doubling
 * would break the budget.  The budget bounds what the session holds: the
 * old memory, replaced by the new, is not counted against it while it is
 * copied.
 *
 * Return: 0, -EDQUOT past the budget or -ENOMEM (recorded).
 */
int spdm_buf_reserve(struct spdm_session *s, const char *step,
		     struct spdm_buf *b, size_t extra)
{
	size_t need, cap, avail;
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
	avail = s->p.mem_budget - (s->used - b->cap);
	/* fall back to the exact size if doubling would break the budget */
	if (cap > avail)
		cap = need;
	if (cap > avail)
		return spdm_fail(s, SPDM_FAIL_BUDGET, -EDQUOT,
				 "%s: memory budget exhausted (%zu of %zu bytes used, %zu more needed)",
				 step, s->used, s->p.mem_budget, cap - b->cap);
	n = s->p.ops->zalloc(s->p.priv, cap);
	if (!n)
		return spdm_fail(s, SPDM_FAIL_NOMEM, -ENOMEM,
				 "%s: out of memory (allocating %zu bytes)",
				 step, cap);
	s->used += cap;
	if (b->len)
		memcpy(n, b->data, b->len);
	spdm_free(s, b->data, b->cap);
	b->data = n;
	b->cap = cap;
	return 0;
}

/**
 * spdm_span_clear() - forget a span; its bytes go at the next compaction
 * @sp: the span
 */
void spdm_span_clear(struct spdm_span *sp)
{
	sp->off = 0;
	sp->len = 0;
}

/**
 * spdm_transcript_append() - append a message (or part of one) to a span
 * @s: session
 * @step: the step, for the message
 * @sp: the span (a transcript, the spki): empty, or the last in the store
 * @d: the bytes, not in the store
 * @len: their length; 0 appends nothing
 *
 * Return: 0, -EINVAL if @sp does not end the store, or the negative errno
 * of spdm_buf_reserve().
 */
int spdm_transcript_append(struct spdm_session *s, const char *step,
			   struct spdm_span *sp, const void *d, size_t len)
{
	int rc;

	if (!sp->len)
		sp->off = s->t.len;
	else if (sp->off + sp->len != s->t.len)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
				 "%s: transcript does not end the store", step);
	rc = spdm_buf_reserve(s, step, &s->t, len);
	if (rc || !len)
		return rc;
	memcpy(s->t.data + s->t.len, d, len);
	s->t.len += len;
	sp->len += len;
	return 0;
}

#define SPDM_STORE_SPANS	8

static unsigned int spdm_store_spans(struct spdm_session *s,
				     struct spdm_span **sp)
{
	unsigned int n = 0;

	sp[n++] = &s->vca;
	sp[n++] = &s->b;
	sp[n++] = &s->c;
	sp[n++] = &s->sig;
	sp[n++] = &s->l1;
	sp[n++] = &s->meas_sig;
	sp[n++] = &s->chain;
	sp[n++] = &s->spki;
	return n;
}

/*
 * The covered run of the store at @pos: its end (0 when no span covers
 * @pos); *@next is where the next span starts after @pos (@limit: none).
 */
static size_t spdm_store_run(struct spdm_span *const *sp, unsigned int n,
			     size_t pos, size_t limit, size_t *next)
{
	size_t end = 0;
	unsigned int i;

	*next = limit;
	for (i = 0; i < n; i++) {
		if (!sp[i]->len)
			continue;
		if (sp[i]->off <= pos && sp[i]->off + sp[i]->len > pos &&
		    sp[i]->off + sp[i]->len > end)
			end = sp[i]->off + sp[i]->len;
		if (sp[i]->off > pos && sp[i]->off < *next)
			*next = sp[i]->off;
	}
	return end;
}

/*
 * How many bytes below @off some span covers: where byte @off of the store
 * goes in the compacted one (and, for @off = the store's length, its size).
 */
static size_t spdm_store_map(struct spdm_span *const *sp, unsigned int n,
			     size_t off)
{
	size_t below = 0, pos, end, next;

	for (pos = 0; pos < off;) {
		end = spdm_store_run(sp, n, pos, off, &next);
		if (end) {
			if (end > off)
				end = off;
			below += end - pos;
			pos = end;
		} else {
			pos = next;
		}
	}
	return below;
}

/**
 * spdm_store_compact() - keep only what the spans cover, in exact memory
 * @s: session, at the end of an operation
 *
 * Drops the bytes no span covers any more (the B and C of a previous
 * challenge, a previous VCA, messages of a failed step) and the slack of
 * growth.  The order of the kept bytes, and so nesting, does not change.
 * Without memory for the copy the store stays as it is.
 */
void spdm_store_compact(struct spdm_session *s)
{
	struct spdm_span *sp[SPDM_STORE_SPANS];
	unsigned int n = spdm_store_spans(s, sp), i;
	size_t keep = spdm_store_map(sp, n, s->t.len);
	size_t moved[SPDM_STORE_SPANS];
	size_t pos, end, next, out = 0;
	u8 *d;

	if (keep == s->t.cap)
		return;		/* nothing dropped, no slack */
	if (!keep) {
		spdm_buf_release(s, &s->t);
		return;
	}
	d = s->p.ops->zalloc(s->p.priv, keep);	/* smaller: replaces the store */
	if (!d)
		return;
	s->used += keep;
	/* copy the covered runs in order */
	for (pos = 0; pos < s->t.len;) {
		end = spdm_store_run(sp, n, pos, s->t.len, &next);
		if (end) {
			memcpy(d + out, s->t.data + pos, end - pos);
			out += end - pos;
			pos = end;
		} else {
			pos = next;
		}
	}
	for (i = 0; i < n; i++)
		moved[i] = sp[i]->len ? spdm_store_map(sp, n, sp[i]->off) : 0;
	for (i = 0; i < n; i++)
		sp[i]->off = moved[i];
	spdm_free(s, s->t.data, s->t.cap);
	s->t.data = d;
	s->t.len = keep;
	s->t.cap = keep;
}

/*
 * Hash(@segs...) with the negotiated BaseHashAlgo.  Spans that follow one
 * another in the store are hashed in place; others are gathered into a
 * buffer released at once.
 */
static int spdm_hash_spans(struct spdm_session *s, const char *step,
			   const struct spdm_span *const *segs, u8 *digest)
{
	const unsigned int nsegs = 3;
	size_t total = 0, start = 0, end = 0;
	bool contiguous = true;
	unsigned int i;
	u8 *g = NULL;
	int rc;

	for (i = 0; i < nsegs; i++) {
		if (!segs[i] || !segs[i]->len)
			continue;
		if (!total)
			start = segs[i]->off;
		else if (segs[i]->off != end)
			contiguous = false;
		end = segs[i]->off + segs[i]->len;
		total += segs[i]->len;
	}
	if (!contiguous) {
		size_t at = 0;

		/* transient, at most the store's size: not charged */
		g = s->p.ops->zalloc(s->p.priv, total);
		if (!g)
			return spdm_fail(s, SPDM_FAIL_NOMEM, -ENOMEM,
					 "%s: out of memory (allocating %zu bytes)",
					 step, total);
		for (i = 0; i < nsegs; i++) {
			if (!segs[i] || !segs[i]->len)
				continue;
			memcpy(g + at, s->t.data + segs[i]->off, segs[i]->len);
			at += segs[i]->len;
		}
	}
	rc = s->p.ops->hash(s->p.priv, s->hash,
			    g ? g : (total ? s->t.data + start : NULL), total,
			    digest);
	if (g)
		s->p.ops->free(s->p.priv, g, total);
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
 * @a: the transcript (M1 or L1, without the signature): its first piece
 *	(NULL: none)
 * @b: its second piece (NULL: none)
 * @c: its third piece (NULL: none)
 * @context: the 1.2+ signing context (SPDM_CTX_*)
 * @sig: the signature, s->slen bytes of the store
 *
 * 1.0/1.1 sign Hash(transcript); 1.2+ sign Hash(prefix || zero pad ||
 * @context || Hash(transcript)), the prefix being "dmtf-spdm-v1.N.*" four
 * times.
 *
 * Return: 0, -EKEYREJECTED (SPDM_FAIL_SIGNATURE) or a hash op's errno.
 */
int spdm_verify_signature(struct spdm_session *s, const char *step,
			  const struct spdm_span *a, const struct spdm_span *b,
			  const struct spdm_span *c, const char *context,
			  const struct spdm_span *sig)
{
	const struct spdm_span *segs[] = { a, b, c };
	u8 digest[SPDM_MAX_HASH];
	int rc;

	rc = spdm_hash_spans(s, step, segs, digest);
	if (rc)
		return rc;
	return spdm_verify_digest(s, step, digest, context, spdm_at(s, sig),
				  sig->len);
}

/**
 * spdm_verify_digest() - verify a signature over a transcript hash
 * @s: session (its version, hash and loaded key)
 * @step: the step, for the message
 * @th: Hash(transcript), s->hlen bytes
 * @context: the 1.2+ signing context
 * @sig: the signature
 * @sig_len: its length
 *
 * 1.0/1.1 sign @th; 1.2+ sign Hash(prefix || zero pad || @context || @th).
 *
 * Return: 0, or -EKEYREJECTED (SPDM_FAIL_SIGNATURE) or the hash op's errno.
 */
int spdm_verify_digest(struct spdm_session *s, const char *step,
		       const u8 *th, const char *context, const u8 *sig,
		       size_t sig_len)
{
	u8 m[SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD + SPDM_MAX_HASH];
	u8 digest[SPDM_MAX_HASH];
	size_t clen = strlen(context);
	int rc, i;

	memcpy(digest, th, s->hlen);
	if (s->version >= SPDM_VER_12) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < 4; i++) {
			memcpy(m + 16 * i, "dmtf-spdm-v1.X.*", 16);
			m[16 * i + 13] = '0' + (s->version & 0xf);
		}
		memcpy(m + SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD - clen, context,
		       clen);
		memcpy(m + SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD, th, s->hlen);
		rc = s->p.ops->hash(s->p.priv, s->hash, m,
				    SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD + s->hlen,
				    digest);
		if (rc)
			return spdm_fail(s, spdm_platform_class(rc), rc,
					 "%s: hashing the signed message failed (%d)",
					 step, rc);
	}
	rc = s->p.ops->verify(s->p.priv, s->key, digest, s->hlen, sig, sig_len);
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
