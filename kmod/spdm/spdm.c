// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: VCA negotiation, certificate retrieval,
 * CHALLENGE authentication, signed measurements and revalidation.
 *
 * References: DMTF DSP0274 1.0.x - 1.3.x; PCIe r6.x sec 6.31 (CMA).
 *
 * Transcripts (what is hashed for a signature):
 *   M1 = A || B || C
 *     A = GET_VERSION || VERSION || GET_CAPABILITIES || CAPABILITIES ||
 *         NEGOTIATE_ALGORITHMS || ALGORITHMS              (the "VCA")
 *     B = GET_DIGESTS || DIGESTS || (GET_CERTIFICATE || CERTIFICATE)*
 *     C = CHALLENGE || CHALLENGE_AUTH without its signature
 *   1.0/1.1: signature over Hash(M1)
 *   1.2+:    signature over Hash(prefix || pad || context || Hash(M1))
 *   L1 = (1.2+: VCA ||) GET_MEASUREMENTS || MEASUREMENTS without signature
 *
 * Over DOE, responses arrive padded to a dword; the core computes every
 * message's length from its fields, records exactly that many bytes and
 * tolerates at most 3 trailing bytes.
 */
#include "spdm.h"
#include "spdm_error_codes.h"

#define SPDM_GET_VERSION		0x84
#define SPDM_VERSION			0x04
#define SPDM_GET_CAPABILITIES		0xe1
#define SPDM_CAPABILITIES		0x61
#define SPDM_NEGOTIATE_ALGORITHMS	0xe3
#define SPDM_ALGORITHMS			0x63
#define SPDM_GET_DIGESTS		0x81
#define SPDM_DIGESTS			0x01
#define SPDM_GET_CERTIFICATE		0x82
#define SPDM_CERTIFICATE		0x02
#define SPDM_CHALLENGE			0x83
#define SPDM_CHALLENGE_AUTH		0x03
#define SPDM_GET_MEASUREMENTS		0xe0
#define SPDM_MEASUREMENTS		0x60
#define SPDM_CHUNK_SEND			0x85
#define SPDM_CHUNK_SEND_ACK		0x05
#define SPDM_CHUNK_GET			0x86
#define SPDM_CHUNK_RESPONSE		0x06
#define SPDM_ERROR			0x7f
#define SPDM_RESPOND_IF_READY		0xff

#define SPDM_CHUNK_LAST			BIT(0)	/* ChunkSenderAttributes */
#define SPDM_CHUNK_HDR			12	/* CHUNK_RESPONSE before SPDMchunk */
#define SPDM_CHUNK_HDR0			16	/* ... with LargeMessageSize (seq 0) */
#define SPDM_MAX_CHUNK_SEQ		0xffff	/* ChunkSeqNo is 16 bits (1.2, 1.3) */
#define SPDM_CHUNK_EARLY_ERROR		BIT(0)	/* ChunkReceiverAttributes */
#define SPDM_CHUNK_ACK_HDR		6	/* CHUNK_SEND_ACK before the response */
#define SPDM_MAX_REQ			64	/* our largest request is 45 bytes */

#define SPDM_MAX_PAD			3
#define SPDM_MAX_CERT_REQUESTS		4096
#define SPDM_MAX_OPAQUE			1024
#define SPDM_MAX_DELAY_US		1000000u
#define SPDM_REQ_CTX_LEN		8
#define SPDM_PREFIX_LEN			64
#define SPDM_CONTEXT_FIELD		36

static const char ctx_challenge[] = "responder-challenge_auth signing";
static const char ctx_meas[] = "responder-measurements signing";

struct sbuf {
	u8 *data;
	size_t len;
	size_t cap;
};

struct spdm_session {
	struct spdm_params p;
	size_t used;
	unsigned int exchanges;
	char err[SPDM_ERRMSG_LEN];
	enum spdm_failure failure;	/* class of err */

	u8 *resp;		/* the current response: rbuf, or large.data */
	u8 *rbuf;		/* one transport response */
	size_t resp_cap;
	struct sbuf large;	/* a large response reassembled from chunks */

	/* negotiated state */
	bool vca_done;
	/*
	 * The device's B and C are empty: after VCA (GET_VERSION starts its
	 * transcripts over) and after a verified CHALLENGE_AUTH (a responder
	 * resets B and C once it sent one).  Then a CHALLENGE alone is
	 * signed over A || C.  Cleared by every GET_DIGESTS, GET_CERTIFICATE
	 * or CHALLENGE until that CHALLENGE verifies.
	 */
	bool b_empty;
	u8 version;
	u32 caps;
	u32 rsp_dts;
	u32 rsp_max_msg;	/* the device's MaxSPDMmsgSize (1.2+) */
	bool chunk;		/* both sides have CHUNK_CAP (1.2+) */
	u8 send_handle;		/* Handle of our last CHUNK_SEND transfer */
	u32 asym;
	u32 hash;
	u32 meas_hash;
	u8 meas_spec;
	size_t hlen;
	size_t slen;

	/* identity */
	u8 slot_mask;
	u8 digests[SPDM_SLOTS][SPDM_MAX_HASH];
	bool have_identity;
	u8 slot;
	/*
	 * What the successful spdm_authenticate() (or
	 * spdm_set_cached_identity()) fixed; every later negotiation must
	 * come out the same.  Written only there (and version once, when a
	 * cached identity said "any").
	 */
	struct {
		u8 version;
		u32 asym, hash;
		size_t hlen;
		u8 slot;
		u8 digest[SPDM_MAX_HASH];
	} conn;
	void *key;
	size_t pub_off;
	size_t pub_len;

	/* evidence */
	bool chal_ok;		/* vca, b, m1, nonce, sig: one verified challenge */
	bool complete;		/* see struct spdm_evidence */
	u8 nonce[SPDM_NONCE_LEN];
	u8 chal_ctx[SPDM_REQ_CTX_LEN];	/* 1.3 RequesterContext of CHALLENGE */
	u8 meas_ctx[SPDM_REQ_CTX_LEN];	/* ... of GET_MEASUREMENTS */
	bool have_nonce;
	u8 sig[SPDM_MAX_SIG];
	size_t sig_len;
	u8 meas_nonce[SPDM_NONCE_LEN];
	bool have_meas;
	u8 meas_sig[SPDM_MAX_SIG];
	u8 meas_count;
	size_t meas_off;
	size_t meas_len;

	struct sbuf vca;	/* A */
	struct sbuf b;		/* B */
	struct sbuf m1;		/* A || B || C, as hashed */
	struct sbuf chain;	/* whole chain incl. header */
	struct sbuf spki;	/* leaf SubjectPublicKeyInfo */
	struct sbuf l1;		/* measurement transcript */
};

/*
 * Record the reason of a failure: its class and a message naming the step.
 * The innermost (first) reason of an operation is kept.
 */
static __printf(4, 5) int fail(struct spdm_session *s, enum spdm_failure cls,
			       int err, const char *fmt, ...)
{
	va_list ap;

	if (s->err[0])
		return err;	/* keep the innermost reason */
	s->failure = cls;
	va_start(ap, fmt);
	spdm_vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return err;
}

static void clear_fail(struct spdm_session *s)
{
	s->err[0] = 0;
	s->failure = SPDM_FAIL_NONE;
}

/* Class of a failed platform op (hash, random, key load). */
static enum spdm_failure platform_class(int rc)
{
	if (rc == -ENOMEM)
		return SPDM_FAIL_NOMEM;
	if (rc == -EOPNOTSUPP || rc == -ENOENT || rc == -ENOPKG)
		return SPDM_FAIL_UNSUPPORTED;
	return SPDM_FAIL_PROTOCOL;
}

/* ---- memory, within the session budget ---- */

static void *s_alloc(struct spdm_session *s, size_t len)
{
	void *p;

	if (len > s->p.mem_budget - s->used)
		return NULL;
	p = s->p.ops->zalloc(s->p.priv, len);
	if (p)
		s->used += len;
	return p;
}

static void s_free(struct spdm_session *s, void *p, size_t len)
{
	if (!p)
		return;
	s->p.ops->free(s->p.priv, p, len);
	s->used -= len;
}

static void sbuf_release(struct spdm_session *s, struct sbuf *b)
{
	s_free(s, b->data, b->cap);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

static void sbuf_clear(struct sbuf *b)
{
	if (b->data)
		memset(b->data, 0, b->len);
	b->len = 0;
}

static int sbuf_reserve(struct spdm_session *s, const char *step,
			struct sbuf *b, size_t extra)
{
	size_t need, cap;
	u8 *n;

	if (extra > SIZE_MAX / 2 - b->len)
		return fail(s, SPDM_FAIL_BUDGET, -EDQUOT, "%s: size overflow", step);
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
		return fail(s, SPDM_FAIL_BUDGET, -EDQUOT,
			    "%s: memory budget exhausted (%zu of %zu bytes used, %zu more needed)",
			    step, s->used, s->p.mem_budget, cap);
	n = s_alloc(s, cap);
	if (!n)
		return fail(s, SPDM_FAIL_NOMEM, -ENOMEM,
			    "%s: out of memory (allocating %zu bytes)", step, cap);
	if (b->len)
		memcpy(n, b->data, b->len);
	s_free(s, b->data, b->cap);
	b->data = n;
	b->cap = cap;
	return 0;
}

static int sbuf_put(struct spdm_session *s, const char *step, struct sbuf *b,
		    const void *d, size_t len)
{
	int rc = sbuf_reserve(s, step, b, len);

	if (rc || !len)
		return rc;	/* an empty B may have no buffer at all */
	memcpy(b->data + b->len, d, len);
	b->len += len;
	return 0;
}

/* ---- algorithm tables ---- */

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

static const char *hash_name(u32 hash)
{
	switch (hash) {
	case SPDM_HASH_SHA256: return "sha256";
	case SPDM_HASH_SHA384: return "sha384";
	case SPDM_HASH_SHA512: return "sha512";
	}
	return "no hash";
}

static const char *asym_name(u32 asym)
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

static const char *version_name(u8 version)
{
	switch (version) {
	case SPDM_VER_10: return "1.0";
	case SPDM_VER_11: return "1.1";
	case SPDM_VER_12: return "1.2";
	case SPDM_VER_13: return "1.3";
	}
	return "(any)";
}

/* ---- transport ---- */

static void spdm_delay(struct spdm_session *s, unsigned int us)
{
	if (s->p.ops->delay_us)
		s->p.ops->delay_us(s->p.priv, us);
}

/*
 * Ask the host whether the operation may go on (deadline, device removal).
 * Called before every exchange and before every retry delay.
 */
static int check_op(struct spdm_session *s, const char *step)
{
	int rc;

	if (!s->p.ops->check)
		return 0;
	rc = s->p.ops->check(s->p.priv);
	if (!rc)
		return 0;
	if (rc > 0)
		rc = -ECANCELED;	/* not an errno: still stop */
	if (rc == -ETIME)
		return fail(s, SPDM_FAIL_DEADLINE, rc,
			    "%s: operation deadline exceeded", step);
	if (rc == -ENODEV)
		return fail(s, SPDM_FAIL_ABORTED, rc,
			    "%s: aborted (device removed)", step);
	return fail(s, SPDM_FAIL_ABORTED, rc, "%s: aborted (%d)", step, rc);
}

/* The message length computed from its fields must fit what arrived. */
static int check_len(struct spdm_session *s, const char *step, size_t got,
		     size_t want)
{
	if (want > got)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: truncated response (%zu bytes, fields say %zu)",
			    step, got, want);
	if (got - want > SPDM_MAX_PAD)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: %zu unexpected trailing bytes", step,
			    got - want);
	return 0;
}

/* Drop a reassembled large response; s->resp is the transport buffer again. */
static void release_large(struct spdm_session *s)
{
	s->resp = s->rbuf;
	sbuf_release(s, &s->large);
}

/*
 * ERROR LargeResponse (DSP0274 1.2+): the response is to be retrieved with
 * CHUNK_GET.  Only after both sides said CHUNK_CAP, and never in answer to a
 * CHUNK_GET (@handle NULL).  Returns 0 with the Handle in *@handle.
 */
static ssize_t large_response(struct spdm_session *s, const char *step,
			      ssize_t n, u8 ver, u8 *handle)
{
	int rc;

	if (!handle)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: device answered CHUNK_GET with ERROR LargeResponse (0x%02x)",
			    step, SPDM_ERR_LARGE_RESPONSE);
	if (!s->chunk)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: device answered ERROR LargeResponse (0x%02x), but chunking was not negotiated",
			    step, SPDM_ERR_LARGE_RESPONSE);
	if (s->rbuf[0] != ver)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: response has version 0x%02x, expected 0x%02x",
			    step, s->rbuf[0], ver);
	rc = check_len(s, step, n, 5);	/* ExtendedErrorData: Handle */
	if (rc)
		return rc;
	*handle = s->rbuf[4];
	return 0;
}

/* Version, response code and minimum length of the response in s->resp. */
static ssize_t check_rsp(struct spdm_session *s, const char *step, u8 ver,
			 ssize_t n, u8 expect, size_t min)
{
	if (s->resp[0] != ver)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: response has version 0x%02x, expected 0x%02x",
			    step, s->resp[0], ver);
	if (s->resp[1] != expect)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: unexpected response code 0x%02x (wanted 0x%02x)",
			    step, s->resp[1], expect);
	if ((size_t)n < min)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: truncated response (%zd bytes, need %zu)",
			    step, n, min);
	return n;
}

static ssize_t xchg_raw(struct spdm_session *s, const char *step, const u8 *req,
			size_t req_len, u8 *handle);

/*
 * Send @req, larger than the device's DataTransferSize, in CHUNK_SEND
 * chunks (DSP0274 1.2+, both sides CHUNK_CAP).  Each CHUNK_SEND_ACK must
 * echo the Handle and ChunkSeqNo; the last carries the response to the
 * request, which is moved to the start of s->rbuf.  Returns its length, or
 * 0 with *@handle set when that response is an ERROR LargeResponse.
 */
static ssize_t send_large(struct spdm_session *s, const char *step,
			  const u8 *req, size_t req_len, u8 ver, u8 *handle)
{
	u8 chunk[SPDM_CHUNK_HDR0 + SPDM_MAX_REQ];
	size_t off = 0, hdr, csize;
	u8 h = ++s->send_handle;
	u16 seq;
	ssize_t n;
	int rc;

	if (req_len > SPDM_MAX_REQ || s->rsp_dts <= SPDM_CHUNK_HDR0)
		return fail(s, SPDM_FAIL_UNSUPPORTED, -EMSGSIZE,
			    "%s: request of %zu bytes cannot be sent in chunks of DataTransferSize %u",
			    step, req_len, s->rsp_dts);
	for (seq = 0; off < req_len; seq++) {
		bool last;

		hdr = seq ? SPDM_CHUNK_HDR : SPDM_CHUNK_HDR0;
		csize = s->rsp_dts - hdr;
		if (csize > req_len - off)
			csize = req_len - off;
		last = off + csize == req_len;
		memset(chunk, 0, sizeof(chunk));
		chunk[0] = ver;
		chunk[1] = SPDM_CHUNK_SEND;
		chunk[2] = last ? SPDM_CHUNK_LAST : 0;
		chunk[3] = h;
		put_unaligned_le16(seq, chunk + 4);
		put_unaligned_le32(csize, chunk + 8);
		if (!seq)
			put_unaligned_le32(req_len, chunk + 12);
		memcpy(chunk + hdr, req + off, csize);
		n = xchg_raw(s, step, chunk, hdr + csize, NULL);
		if (n < 0)
			return n;
		n = check_rsp(s, step, ver, n, SPDM_CHUNK_SEND_ACK,
			      SPDM_CHUNK_ACK_HDR);
		if (n < 0)
			return n;
		if (s->rbuf[3] != h || get_unaligned_le16(s->rbuf + 4) != seq)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_SEND_ACK for Handle 0x%02x ChunkSeqNo %u, sent 0x%02x %u",
				    step, s->rbuf[3], get_unaligned_le16(s->rbuf + 4),
				    h, seq);
		off += csize;
		if (!last) {
			if (s->rbuf[2] & SPDM_CHUNK_EARLY_ERROR)
				return fail(s, SPDM_FAIL_PROTOCOL, -EIO,
					    "%s: device detected an error in CHUNK_SEND %u",
					    step, seq);
			rc = check_len(s, step, n, SPDM_CHUNK_ACK_HDR);
			if (rc)
				return rc;
		}
	}
	/* the response to the large request follows the last ACK's header */
	n -= SPDM_CHUNK_ACK_HDR;
	memmove(s->rbuf, s->rbuf + SPDM_CHUNK_ACK_HDR, n);
	memset(s->rbuf + n, 0, SPDM_CHUNK_ACK_HDR);
	if (n < 4)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: CHUNK_SEND_ACK carries %zd response bytes, shorter than a header",
			    step, n);
	if (s->rbuf[1] != SPDM_ERROR)
		return n;
	if (s->rbuf[2] == SPDM_ERR_LARGE_RESPONSE)
		return large_response(s, step, n, ver, handle);
	return fail(s, SPDM_FAIL_PROTOCOL, -EIO,
		    "%s: device answered the chunked request with ERROR %s (0x%02x, data 0x%02x)",
		    step, spdm_error_code_name(s->rbuf[2]), s->rbuf[2], s->rbuf[3]);
}

/*
 * Send @req, receive into s->rbuf.  Handles Busy and ResponseNotReady with a
 * bounded number of retries.  Returns the received length or a negative
 * errno; -ECONNRESET means the device answered with an error suggesting it
 * lost the negotiated state (UnexpectedRequest, VersionMismatch,
 * RequestResynch).  With @handle, an ERROR LargeResponse returns 0 and the
 * Handle in *@handle (only when chunking was negotiated); without, it is an
 * error (a CHUNK_GET answered with LargeResponse).
 */
static ssize_t xchg_raw(struct spdm_session *s, const char *step, const u8 *req,
			size_t req_len, u8 *handle)
{
	u8 rir[4], ver = req[1] == SPDM_GET_VERSION ? SPDM_VER_10 : s->version;
	const u8 *cur = req;
	size_t cur_len = req_len;
	unsigned int tries = 0;
	ssize_t n;
	int rc;

	if (s->rsp_dts && req_len > s->rsp_dts) {
		if (s->chunk && handle)
			return send_large(s, step, req, req_len, ver, handle);
		return fail(s, SPDM_FAIL_UNSUPPORTED, -EMSGSIZE,
			    "%s: request of %zu bytes exceeds the device's DataTransferSize %u",
			    step, req_len, s->rsp_dts);
	}
	for (;;) {
		rc = check_op(s, step);
		if (rc)
			return rc;
		memset(s->rbuf, 0, s->resp_cap);
		n = s->p.ops->exchange(s->p.priv, cur, cur_len, s->rbuf,
				       s->resp_cap);
		s->exchanges++;
		if (n < 0)
			return fail(s, SPDM_FAIL_TRANSPORT, (int)n,
				    "%s: transport error %d", step, (int)n);
		if ((size_t)n > s->resp_cap)
			return fail(s, SPDM_FAIL_TRANSPORT, -EIO,
				    "%s: transport returned %zd bytes into a %zu byte buffer",
				    step, n, s->resp_cap);
		if (n < 4)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: response of %zd bytes is shorter than a header",
				    step, n);
		if (s->rbuf[1] == SPDM_ERROR) {
			u8 code = s->rbuf[2];

			if ((code == SPDM_ERR_BUSY || code == SPDM_ERR_RESPONSE_NOT_READY) &&
			    ++tries > SPDM_BUSY_RETRIES)
				return fail(s, SPDM_FAIL_TIMEOUT, -ETIMEDOUT,
					    "%s: device still %s after %u retries",
					    step, spdm_error_code_name(code), SPDM_BUSY_RETRIES);
			if (code == SPDM_ERR_BUSY) {
				rc = check_op(s, step);
				if (rc)
					return rc;
				spdm_delay(s, 1000u << (tries < 10 ? tries : 10));
				cur = req;
				cur_len = req_len;
				continue;
			}
			/*
			 * ExtendedErrorData: RDTExponent, RequestCode, Token,
			 * RDTM.  The response is due after RDT = 2^RDTExponent
			 * us and may be dropped after RDT * RDTM: ask at RDT,
			 * as libspdm does (at most SPDM_MAX_DELAY_US).
			 */
			if (code == SPDM_ERR_RESPONSE_NOT_READY && n >= 8) {
				u8 exp = s->rbuf[4] > 20 ? 20 : s->rbuf[4];
				u32 us = 1u << exp;

				if (s->rbuf[5] != req[1])
					return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
						    "%s: ResponseNotReady names request 0x%02x",
						    step, s->rbuf[5]);
				rc = check_op(s, step);
				if (rc)
					return rc;
				spdm_delay(s, us < SPDM_MAX_DELAY_US ? us : SPDM_MAX_DELAY_US);
				rir[0] = ver;
				rir[1] = SPDM_RESPOND_IF_READY;
				rir[2] = req[1];
				rir[3] = s->rbuf[6];
				cur = rir;
				cur_len = sizeof(rir);
				continue;
			}
			if (code == SPDM_ERR_LARGE_RESPONSE)
				return large_response(s, step, n, ver, handle);
			if (code == SPDM_ERR_UNEXPECTED_REQUEST ||
			    code == SPDM_ERR_REQUEST_RESYNCH ||
			    code == SPDM_ERR_VERSION_MISMATCH)
				return fail(s, SPDM_FAIL_PROTOCOL, -ECONNRESET,
					    "%s: device answered ERROR %s (0x%02x)",
					    step, spdm_error_code_name(code), code);
			if (code == SPDM_ERR_UNSUPPORTED_REQUEST)
				return fail(s, SPDM_FAIL_UNSUPPORTED, -EOPNOTSUPP,
					    "%s: device answered ERROR %s (0x%02x, data 0x%02x)",
					    step, spdm_error_code_name(code), code,
					    s->rbuf[3]);
			return fail(s, SPDM_FAIL_PROTOCOL, -EIO,
				    "%s: device answered ERROR %s (0x%02x, data 0x%02x)",
				    step, spdm_error_code_name(code), code, s->rbuf[3]);
		}
		return n;
	}
}

/*
 * Retrieve the large response announced with @handle (DSP0274 1.2+, large
 * SPDM message transfer): CHUNK_GET from ChunkSeqNo 0 until LAST_CHUNK,
 * every header checked, into s->large.  Bounded by the MaxSPDMmsgSize we
 * advertised, the memory budget, 65536 chunks and the operation's deadline
 * (check_op before every exchange).  Returns LargeMessageSize; s->resp then
 * points at the reassembled message, which is what the caller parses and
 * records in its transcript (the chunks are not).
 */
static ssize_t get_large(struct spdm_session *s, const char *step, u8 handle)
{
	size_t got = 0, lms = 0, hdr, csize;
	u32 seq;
	ssize_t n;
	int rc;

	for (seq = 0; ; seq++) {
		u8 req[6] = { s->version, SPDM_CHUNK_GET, 0, handle };
		bool last;

		if (seq > SPDM_MAX_CHUNK_SEQ)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_GET: no LAST_CHUNK after %u chunks",
				    step, seq);
		put_unaligned_le16(seq, req + 4);
		s->resp = s->rbuf;
		n = xchg_raw(s, step, req, sizeof(req), NULL);
		if (n < 0)
			return n;
		hdr = seq ? SPDM_CHUNK_HDR : SPDM_CHUNK_HDR0;
		n = check_rsp(s, step, s->version, n, SPDM_CHUNK_RESPONSE, hdr);
		if (n < 0)
			return n;
		if (s->rbuf[3] != handle)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_RESPONSE %u has Handle 0x%02x, LargeResponse gave 0x%02x",
				    step, seq, s->rbuf[3], handle);
		if (get_unaligned_le16(s->rbuf + 4) != seq)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_RESPONSE has ChunkSeqNo %u, expected %u",
				    step, get_unaligned_le16(s->rbuf + 4), seq);
		csize = get_unaligned_le32(s->rbuf + 8);
		last = s->rbuf[2] & SPDM_CHUNK_LAST;
		if (!seq) {
			lms = get_unaligned_le32(s->rbuf + 12);
			if (lms < 4 || lms > s->p.max_msg)
				return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					    "%s: LargeMessageSize %zu outside 4..%zu (our MaxSPDMmsgSize)",
					    step, lms, s->p.max_msg);
			rc = sbuf_reserve(s, step, &s->large, lms);
			if (rc)
				return rc;
		}
		if (csize > s->resp_cap - hdr)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_RESPONSE %u: ChunkSize %zu exceeds our DataTransferSize %zu less its %zu byte header",
				    step, seq, csize, s->resp_cap, hdr);
		if (!csize)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_RESPONSE %u: empty chunk at %zu of %zu bytes (no progress)",
				    step, seq, got, lms);
		rc = check_len(s, step, n, hdr + csize);
		if (rc)
			return rc;
		if (csize > lms - got)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_RESPONSE %u: ChunkSize %zu at %zu overruns LargeMessageSize %zu",
				    step, seq, csize, got, lms);
		memcpy(s->large.data + got, s->rbuf + hdr, csize);
		got += csize;
		s->large.len = got;
		if (last && got != lms)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_RESPONSE %u: LAST_CHUNK at %zu of LargeMessageSize %zu",
				    step, seq, got, lms);
		if (last)
			break;
		if (got == lms)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: CHUNK_RESPONSE %u: LargeMessageSize %zu reached without LAST_CHUNK",
				    step, seq, lms);
	}
	s->resp = s->large.data;
	return got;
}

/*
 * Send @req and receive its response in s->resp: one transport response,
 * or a large response retrieved with CHUNK_GET.  Checks version and
 * response code and that at least @min bytes arrived.  Returns the length
 * of the response or a negative errno (see xchg_raw()).
 */
static ssize_t xchg(struct spdm_session *s, const char *step, const u8 *req,
		    size_t req_len, u8 expect, size_t min)
{
	u8 ver = req[1] == SPDM_GET_VERSION ? SPDM_VER_10 : s->version;
	ssize_t n;
	u8 handle;

	release_large(s);
	n = xchg_raw(s, step, req, req_len, &handle);
	if (!n)
		n = get_large(s, step, handle);
	if (n < 0)
		return n;
	return check_rsp(s, step, ver, n, expect, min);
}

static int only_one_of(u32 sel, u32 offered)
{
	return sel && !(sel & (sel - 1)) && (sel & offered) == sel;
}

/* ---- VCA ---- */

static int do_version(struct spdm_session *s)
{
	static const char step[] = "GET_VERSION";
	u8 req[4] = { SPDM_VER_10, SPDM_GET_VERSION, 0, 0 };
	unsigned int i, cnt;
	u8 best = 0;
	ssize_t n;
	int rc;

	n = xchg(s, step, req, sizeof(req), SPDM_VERSION, 6);
	if (n < 0)
		return n;
	cnt = s->resp[5];
	if (!cnt)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO, "%s: device lists no version", step);
	rc = check_len(s, step, n, 6 + 2 * cnt);
	if (rc)
		return rc;
	for (i = 0; i < cnt; i++) {
		u8 v = get_unaligned_le16(s->resp + 6 + 2 * i) >> 8;

		if (v >= s->p.min_version && v <= s->p.max_version && v > best)
			best = v;
	}
	if (!best)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: no common version in %u entries (we accept 0x%02x-0x%02x)",
			    step, cnt, s->p.min_version, s->p.max_version);
	s->version = best;
	rc = sbuf_put(s, step, &s->vca, req, sizeof(req));
	return rc ?: sbuf_put(s, step, &s->vca, s->resp, 6 + 2 * cnt);
}

static int do_capabilities(struct spdm_session *s)
{
	static const char step[] = "GET_CAPABILITIES";
	u8 req[20] = { s->version, SPDM_GET_CAPABILITIES, 0, 0 };
	size_t req_len = 4, want = 12;
	u32 meas;
	ssize_t n;
	int rc;

	if (s->version >= SPDM_VER_11)
		req_len = 12;	/* CTExponent 0, no requester flags */
	if (s->version >= SPDM_VER_12) {
		/* CHUNK_CAP: we retrieve large responses with CHUNK_GET */
		req_len = 20;
		put_unaligned_le32(SPDM_CAP_CHUNK, req + 8);
		put_unaligned_le32(s->resp_cap, req + 12);
		put_unaligned_le32(s->p.max_msg, req + 16);
		want = 20;
	}
	n = xchg(s, step, req, req_len, SPDM_CAPABILITIES, want);
	if (n < 0)
		return n;
	rc = check_len(s, step, n, want);
	if (rc)
		return rc;
	s->caps = get_unaligned_le32(s->resp + 8);
	if (s->version >= SPDM_VER_12) {
		u32 dts = get_unaligned_le32(s->resp + 12);
		u32 max = get_unaligned_le32(s->resp + 16);

		if (dts < 42 || max < dts)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: invalid DataTransferSize %u / MaxSPDMmsgSize %u",
				    step, dts, max);
		s->rsp_dts = dts;
		s->rsp_max_msg = max;
		s->chunk = s->caps & SPDM_CAP_CHUNK;
	}
	meas = s->caps & SPDM_CAP_MEAS_MASK;
	if (meas == SPDM_CAP_MEAS_MASK)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO, "%s: invalid MEAS_CAP value 3", step);
	if (!(s->caps & SPDM_CAP_CERT) || !(s->caps & SPDM_CAP_CHAL))
		return fail(s, SPDM_FAIL_UNSUPPORTED, -EOPNOTSUPP,
			    "%s: device lacks CERT_CAP or CHAL_CAP (flags 0x%08x)",
			    step, s->caps);
	rc = sbuf_put(s, step, &s->vca, req, req_len);
	return rc ?: sbuf_put(s, step, &s->vca, s->resp, want);
}

static int do_algorithms(struct spdm_session *s)
{
	static const char step[] = "NEGOTIATE_ALGORITHMS";
	u8 req[32] = { s->version, SPDM_NEGOTIATE_ALGORITHMS, 0, 0 };
	size_t len, off;
	unsigned int i;
	ssize_t n;
	u8 other;
	int rc;

	put_unaligned_le16(sizeof(req), req + 4);
	req[6] = 0x01;				/* DMTF measurement spec */
	if (s->version >= SPDM_VER_12)
		req[7] = 0x02;			/* OpaqueDataFmt1 */
	put_unaligned_le32(s->p.asym_mask, req + 8);
	put_unaligned_le32(s->p.hash_mask, req + 12);

	n = xchg(s, step, req, sizeof(req), SPDM_ALGORITHMS, 36);
	if (n < 0)
		return n;
	len = get_unaligned_le16(s->resp + 4);
	if (len < 36)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: Length %zu below minimum 36", step, len);
	rc = check_len(s, step, n, len);
	if (rc)
		return rc;
	if (s->resp[32] || s->resp[33])
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: device selected extended algorithms we did not offer",
			    step);
	/* AlgStructs (1.1+): bounded walk, must exactly fill Length */
	off = 36;
	for (i = 0; i < s->resp[2]; i++) {
		u8 fixed, ext;

		if (off + 4 > len)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: AlgStruct %u overruns Length", step, i);
		fixed = s->resp[off + 1] >> 4;
		ext = s->resp[off + 1] & 0xf;
		if (fixed != 2)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: AlgStruct %u has FixedAlgCount %u",
				    step, i, fixed);
		off += 4 + 4 * (size_t)ext;
	}
	if (off != len)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: Length %zu disagrees with contents (%zu)",
			    step, len, off);
	s->meas_spec = s->resp[6];
	other = s->resp[7];
	s->meas_hash = get_unaligned_le32(s->resp + 8);
	s->asym = get_unaligned_le32(s->resp + 12);
	s->hash = get_unaligned_le32(s->resp + 16);
	if (!only_one_of(s->asym, s->p.asym_mask))
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: BaseAsymSel 0x%08x is not exactly one of offered 0x%08x",
			    step, s->asym, s->p.asym_mask);
	if (!only_one_of(s->hash, s->p.hash_mask))
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: BaseHashSel 0x%08x is not exactly one of offered 0x%08x",
			    step, s->hash, s->p.hash_mask);
	if (s->meas_spec && s->meas_spec != 0x01)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: MeasurementSpecificationSel 0x%02x not offered",
			    step, s->meas_spec);
	if (s->version >= SPDM_VER_12 && (other & ~0x02))
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: OtherParamsSelection 0x%02x not offered",
			    step, other);
	if (s->caps & SPDM_CAP_MEAS_MASK) {
		if (s->meas_spec != 0x01 || !only_one_of(s->meas_hash, 0xff))
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: measurement spec 0x%02x / hash 0x%08x invalid for a measuring device",
				    step, s->meas_spec, s->meas_hash);
	}
	s->hlen = spdm_hash_len(s->hash);
	s->slen = spdm_sig_len(s->asym);
	rc = sbuf_put(s, step, &s->vca, req, sizeof(req));
	return rc ?: sbuf_put(s, step, &s->vca, s->resp, len);
}

static void reset_transcripts(struct spdm_session *s)
{
	sbuf_clear(&s->vca);
	sbuf_clear(&s->b);
	sbuf_clear(&s->m1);
	sbuf_clear(&s->l1);
	s->have_meas = false;
	s->vca_done = false;
	s->b_empty = false;
	s->rsp_dts = 0;
	s->rsp_max_msg = 0;
	s->chunk = false;
}

static int do_vca(struct spdm_session *s)
{
	int rc;

	reset_transcripts(s);
	rc = do_version(s);
	if (!rc)
		rc = do_capabilities(s);
	if (!rc)
		rc = do_algorithms(s);
	if (!rc) {
		s->vca_done = true;
		s->b_empty = true;
	}
	return rc;
}

/*
 * The live negotiated version and algorithms must be those of the connect
 * (s->conn).  On a mismatch VCA is renegotiated next time, so a device
 * cannot make a later call pass by merely being asked again.
 */
static int check_conn(struct spdm_session *s, const char *step)
{
	if (s->asym == s->conn.asym && s->hash == s->conn.hash &&
	    (!s->conn.version || s->version == s->conn.version))
		return 0;
	s->vca_done = false;
	return fail(s, SPDM_FAIL_DOWNGRADE, -EKEYREJECTED,
		    "%s: downgrade: device negotiated SPDM %s, %s, %s; connect had SPDM %s, %s, %s",
		    step, version_name(s->version), hash_name(s->hash),
		    asym_name(s->asym), version_name(s->conn.version),
		    hash_name(s->conn.hash), asym_name(s->conn.asym));
}

/* ---- identity ---- */

static int do_digests(struct spdm_session *s)
{
	static const char step[] = "GET_DIGESTS";
	u8 req[4] = { s->version, SPDM_GET_DIGESTS, 0, 0 };
	unsigned int i, k = 0;
	size_t want;
	ssize_t n;
	int rc;

	sbuf_clear(&s->b);
	s->b_empty = false;
	n = xchg(s, step, req, sizeof(req), SPDM_DIGESTS, 4);
	if (n < 0)
		return n;
	s->slot_mask = s->resp[3];
	if (!s->slot_mask)
		return fail(s, s->have_identity ? SPDM_FAIL_CERT_DIGEST : SPDM_FAIL_PROTOCOL,
			    -EPROTO, "%s: no certificate slot is provisioned", step);
	want = 4 + hweight8(s->slot_mask) * s->hlen;
	rc = check_len(s, step, n, want);
	if (rc)
		return rc;
	memset(s->digests, 0, sizeof(s->digests));
	for (i = 0; i < SPDM_SLOTS; i++)
		if (s->slot_mask & (1u << i))
			memcpy(s->digests[i], s->resp + 4 + s->hlen * k++, s->hlen);
	rc = sbuf_put(s, step, &s->b, req, sizeof(req));
	return rc ?: sbuf_put(s, step, &s->b, s->resp, want);
}

static int do_certificate(struct spdm_session *s, u8 slot)
{
	static const char step[] = "GET_CERTIFICATE";
	size_t off = 0, total = 0, portion, remainder, ask, hdr_len;
	u8 digest[SPDM_MAX_HASH];
	struct spdm_der_cert_info leaf;
	unsigned int reqs = 0;
	const char *why;
	ssize_t n;
	int rc;

	sbuf_release(s, &s->chain);
	s->b_empty = false;
	do {
		u8 req[8] = { s->version, SPDM_GET_CERTIFICATE, slot, 0 };

		if (++reqs > SPDM_MAX_CERT_REQUESTS)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: no progress after %u requests",
				    step, SPDM_MAX_CERT_REQUESTS);
		if (s->chunk) {
			/* the whole chain, in chunks if it must */
			ask = s->p.max_msg - 8;
			if (ask > s->rsp_max_msg - 8)
				ask = s->rsp_max_msg - 8;
		} else {
			ask = s->resp_cap - 8;
			if (s->rsp_dts && ask > s->rsp_dts - 8)
				ask = s->rsp_dts - 8;	/* the device's buffer */
		}
		if (ask > 0xffff)
			ask = 0xffff;
		if (total && ask > total - off)
			ask = total - off;
		put_unaligned_le16(off, req + 4);
		put_unaligned_le16(ask, req + 6);
		n = xchg(s, step, req, sizeof(req), SPDM_CERTIFICATE, 8);
		if (n < 0)
			return n;
		if ((s->resp[2] & 0x0f) != slot)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: answer for slot %u, asked for %u",
				    step, s->resp[2] & 0x0f, slot);
		portion = get_unaligned_le16(s->resp + 4);
		remainder = get_unaligned_le16(s->resp + 6);
		/*
		 * DSP0274: a portion may be shorter than asked for, but each
		 * response must make progress and its RemainderLength must
		 * be what is left of the total the first response fixed.
		 */
		if (portion > ask)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: PortionLength %zu invalid (asked for %zu)",
				    step, portion, ask);
		if (!portion && remainder)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: empty portion at offset %zu with %zu bytes remaining (no progress)",
				    step, off, remainder);
		rc = check_len(s, step, n, 8 + portion);
		if (rc)
			return rc;
		if (!total) {
			total = portion + remainder;
			if (portion >= 2 && get_unaligned_le16(s->resp + 8) != total)
				return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					    "%s: device returned %zu bytes, chain header says %u",
					    step, total, get_unaligned_le16(s->resp + 8));
			if (total < 4 || total > SPDM_MAX_CHAIN)
				return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					    "%s: chain of %zu bytes is impossible",
					    step, total);
			rc = sbuf_reserve(s, step, &s->chain, total);
			if (rc)
				return rc;
		} else if (off + portion + remainder != total) {
			/* portion <= ask <= total - off: no underflow */
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: RemainderLength %zu after %zu bytes at offset %zu, expected %zu (chain of %zu bytes)",
				    step, remainder, portion, off,
				    total - off - portion, total);
		}
		rc = sbuf_put(s, step, &s->b, req, sizeof(req));
		if (!rc)
			rc = sbuf_put(s, step, &s->b, s->resp, 8 + portion);
		if (rc)
			return rc;
		memcpy(s->chain.data + off, s->resp + 8, portion);
		off += portion;
		s->chain.len = off;
	} while (off < total);

	hdr_len = get_unaligned_le16(s->chain.data);
	if (hdr_len != total)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: device returned %zu bytes, chain header says %zu",
			    step, total, hdr_len);
	if (total < 4 + s->hlen + 2)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: chain of %zu bytes cannot hold a %zu byte root hash and a certificate",
			    step, total, s->hlen);
	rc = s->p.ops->hash(s->p.priv, s->hash, s->chain.data, total, digest);
	if (rc)
		return fail(s, platform_class(rc), rc,
			    "%s: hashing the chain failed (%d)", step, rc);
	if (memcmp(digest, s->digests[slot], s->hlen))
		return fail(s, SPDM_FAIL_PROTOCOL, -EKEYREJECTED,
			    "%s: chain hash does not match the slot %u digest from GET_DIGESTS",
			    step, slot);
	hdr_len = 4 + s->hlen;
	rc = spdm_der_walk_chain(s->chain.data + hdr_len, total - hdr_len, &leaf,
				 &why);
	if (rc)
		return fail(s, SPDM_FAIL_PROTOCOL, rc, "%s: %s", step,
			    why ? why : "bad chain");
	if (leaf.asym != s->asym)
		return fail(s, SPDM_FAIL_PROTOCOL, -EKEYREJECTED,
			    "%s: leaf key type 0x%x does not match negotiated BaseAsymAlgo 0x%x",
			    step, leaf.asym, s->asym);
	sbuf_clear(&s->spki);
	rc = sbuf_put(s, step, &s->spki, s->chain.data + hdr_len + leaf.spki_off,
		      leaf.spki_len);
	if (rc)
		return rc;
	s->pub_off = leaf.pub_off - leaf.spki_off;
	s->pub_len = leaf.pub_len;
	return 0;
}

static int load_key(struct spdm_session *s, const char *step)
{
	int rc;

	if (s->key) {
		s->p.ops->key_free(s->p.priv, s->key);
		s->key = NULL;
	}
	rc = s->p.ops->key_load(s->p.priv, s->asym, s->hash, s->spki.data,
				s->spki.len,
				s->spki.data + s->pub_off, s->pub_len, &s->key);
	if (rc == -ENOMEM) {
		s->key = NULL;
		return fail(s, SPDM_FAIL_NOMEM, rc,
			    "%s: out of memory loading the leaf public key", step);
	}
	if (rc) {
		s->key = NULL;
		return fail(s, platform_class(rc), rc,
			    "%s: the platform rejected the leaf public key (%d)",
			    step, rc);
	}
	return 0;
}

/* ---- signatures ---- */

/*
 * Verify @sig over @msg (the transcript) as version s->version defines.
 * @context is the 1.2+ signing context.
 */
static int verify_transcript(struct spdm_session *s, const char *step,
			     const u8 *msg, size_t len, const char *context,
			     const u8 *sig)
{
	u8 m[SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD + SPDM_MAX_HASH];
	u8 digest[SPDM_MAX_HASH];
	size_t clen = strlen(context);
	int rc, i;

	rc = s->p.ops->hash(s->p.priv, s->hash, msg, len, digest);
	if (rc)
		return fail(s, platform_class(rc), rc,
			    "%s: hashing the transcript failed (%d)", step, rc);
	if (s->version >= SPDM_VER_12) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < 4; i++) {
			memcpy(m + 16 * i, "dmtf-spdm-v1.X.*", 16);
			m[16 * i + 13] = '0' + (s->version & 0xf);
		}
		memcpy(m + SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD - clen, context, clen);
		memcpy(m + SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD, digest, s->hlen);
		rc = s->p.ops->hash(s->p.priv, s->hash, m,
				    SPDM_PREFIX_LEN + SPDM_CONTEXT_FIELD + s->hlen,
				    digest);
		memset(m, 0, sizeof(m));
		if (rc)
			return fail(s, platform_class(rc), rc,
				    "%s: hashing the signed message failed (%d)",
				    step, rc);
	}
	rc = s->p.ops->verify(s->p.priv, s->key, digest, s->hlen, sig, s->slen);
	memset(digest, 0, sizeof(digest));
	if (rc)
		return fail(s, SPDM_FAIL_SIGNATURE, -EKEYREJECTED,
			    "%s: signature does not verify", step);
	return 0;
}

static int get_nonce(struct spdm_session *s, const char *step, u8 *dst,
		     const u8 *nonce)
{
	int rc;

	if (nonce) {
		memcpy(dst, nonce, SPDM_NONCE_LEN);
		return 0;
	}
	rc = s->p.ops->random(s->p.priv, dst, SPDM_NONCE_LEN);
	if (rc)
		return fail(s, platform_class(rc), rc, "%s: no random nonce (%d)",
			    step, rc);
	return 0;
}

/* A fresh 1.3 RequesterContext, which the signed response must echo. */
static int get_req_ctx(struct spdm_session *s, const char *step, u8 *dst)
{
	int rc = s->p.ops->random(s->p.priv, dst, SPDM_REQ_CTX_LEN);

	if (rc)
		return fail(s, platform_class(rc), rc,
			    "%s: no random RequesterContext (%d)", step, rc);
	return 0;
}

/*
 * The tail CHALLENGE_AUTH and MEASUREMENTS share, from @off of the @n byte
 * response: OpaqueDataLength, OpaqueData, RequesterContext (1.3+) and the
 * Signature.  With @req_ctx, the RequesterContext must echo it.  On success
 * *@body is the length of the message without its signature (what the
 * transcript records); the signature follows it.
 */
static int parse_signed_tail(struct spdm_session *s, const char *step,
			     size_t n, size_t off, const u8 *req_ctx,
			     size_t *body)
{
	size_t opaque;
	int rc;

	if (off > n || n - off < 2)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: truncated response (%zu bytes, fields say %zu)",
			    step, n, off + 2);
	opaque = get_unaligned_le16(s->resp + off);
	if (opaque > SPDM_MAX_OPAQUE)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO, "%s: OpaqueDataLength %zu exceeds %u",
			    step, opaque, SPDM_MAX_OPAQUE);
	off += 2 + opaque;
	if (s->version >= SPDM_VER_13)
		off += SPDM_REQ_CTX_LEN;
	rc = check_len(s, step, n, off + s->slen);
	if (rc)
		return rc;
	if (s->version >= SPDM_VER_13 && req_ctx &&
	    memcmp(s->resp + off - SPDM_REQ_CTX_LEN, req_ctx, SPDM_REQ_CTX_LEN))
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: RequesterContext not echoed", step);
	*body = off;
	return 0;
}

static int do_challenge(struct spdm_session *s, u8 slot, const u8 *chain_hash,
			const u8 *nonce)
{
	static const char step[] = "CHALLENGE_AUTH";
	u8 req[4 + SPDM_NONCE_LEN + SPDM_REQ_CTX_LEN] = {
		s->version, SPDM_CHALLENGE, slot, 0 };
	size_t req_len = 4 + SPDM_NONCE_LEN, off, body;
	ssize_t n;
	int rc;

	s->have_nonce = false;
	s->sig_len = 0;
	sbuf_clear(&s->m1);
	if (!s->b_empty && !s->b.len)
		return fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
			    "CHALLENGE: the device's transcript is unknown");
	rc = get_nonce(s, "CHALLENGE", s->nonce, nonce);
	if (rc)
		return rc;
	s->have_nonce = true;
	memcpy(req + 4, s->nonce, SPDM_NONCE_LEN);
	if (s->version >= SPDM_VER_13) {
		rc = get_req_ctx(s, "CHALLENGE", s->chal_ctx);
		if (rc)
			return rc;
		memcpy(req + req_len, s->chal_ctx, SPDM_REQ_CTX_LEN);
		req_len += SPDM_REQ_CTX_LEN;
	}

	s->b_empty = false;	/* until this CHALLENGE_AUTH verifies */
	n = xchg(s, step, req, req_len, SPDM_CHALLENGE_AUTH,
		 4 + s->hlen + SPDM_NONCE_LEN + 2);
	if (n < 0)
		return n;
	if ((s->resp[2] & 0x0f) != slot)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO, "%s: answer for slot %u, challenged %u",
			    step, s->resp[2] & 0x0f, slot);
	if (s->version <= SPDM_VER_12 && !(s->resp[3] & (1u << slot)))
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO, "%s: SlotMask 0x%02x lacks slot %u",
			    step, s->resp[3], slot);
	off = 4;
	if (memcmp(s->resp + off, chain_hash, s->hlen))
		return fail(s, SPDM_FAIL_CERT_DIGEST, -EKEYREJECTED,
			    "%s: CertChainHash does not match the slot %u digest",
			    step, slot);
	off += s->hlen + SPDM_NONCE_LEN;	/* no measurement summary hash */
	rc = parse_signed_tail(s, step, n, off, s->chal_ctx, &body);
	if (rc)
		return rc;

	rc = sbuf_reserve(s, step, &s->m1, s->vca.len + s->b.len + req_len + body);
	if (rc)
		return rc;
	sbuf_put(s, step, &s->m1, s->vca.data, s->vca.len);
	sbuf_put(s, step, &s->m1, s->b.data, s->b.len);
	sbuf_put(s, step, &s->m1, req, req_len);
	sbuf_put(s, step, &s->m1, s->resp, body);
	memcpy(s->sig, s->resp + body, s->slen);
	s->sig_len = s->slen;
	memset(req, 0, sizeof(req));
	rc = verify_transcript(s, step, s->m1.data, s->m1.len, ctx_challenge,
			       s->sig);
	if (!rc) {
		/* the device reset B and C: the next CHALLENGE may come alone */
		sbuf_clear(&s->b);
		s->b_empty = true;
	}
	return rc;
}

/* ---- public API ---- */

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
	size_t budget;

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
		q.max_version = SPDM_VER_13;
	if (q.max_version > SPDM_VER_13 || q.min_version > q.max_version)
		return -EINVAL;
	q.asym_mask = (q.asym_mask ? q.asym_mask : SPDM_ASYM_SUPPORTED) &
		      SPDM_ASYM_SUPPORTED;
	q.hash_mask = (q.hash_mask ? q.hash_mask : SPDM_HASH_SUPPORTED) &
		      SPDM_HASH_SUPPORTED;
	if (!q.asym_mask || !q.hash_mask)
		return -EINVAL;
	budget = sizeof(*s) + q.max_resp;
	if (q.mem_budget < budget)
		return -ENOMEM;
	s = q.ops->zalloc(q.priv, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->p = q;
	s->used = sizeof(*s);
	s->rbuf = s_alloc(s, q.max_resp);
	if (!s->rbuf) {
		q.ops->free(q.priv, s, sizeof(*s));
		return -ENOMEM;
	}
	s->resp = s->rbuf;
	s->resp_cap = q.max_resp;
	*out = s;
	return 0;
}

/**
 * spdm_session_free() - release a session, zeroing transcripts and nonces
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
	if (s->key)
		ops->key_free(priv, s->key);
	sbuf_release(s, &s->vca);
	sbuf_release(s, &s->b);
	sbuf_release(s, &s->m1);
	sbuf_release(s, &s->chain);
	sbuf_release(s, &s->spki);
	sbuf_release(s, &s->l1);
	sbuf_release(s, &s->large);
	s_free(s, s->rbuf, s->resp_cap);
	ops->free(priv, s, sizeof(*s));
}

static void begin(struct spdm_session *s)
{
	clear_fail(s);
}

/* spdm_authenticate() without releasing the reassembly buffer */
static int do_authenticate(struct spdm_session *s, u8 slot, const u8 *nonce)
{
	int rc;

	begin(s);
	s->have_identity = false;
	s->complete = false;
	s->chal_ok = false;
	if (slot >= SPDM_SLOTS)
		return fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
			    "slot %u out of range", slot);
	rc = do_vca(s);
	if (!rc)
		rc = do_digests(s);
	if (!rc && !(s->slot_mask & (1u << slot)))
		rc = fail(s, SPDM_FAIL_UNSUPPORTED, -ENOENT,
			  "GET_DIGESTS: slot %u is not provisioned (mask 0x%02x)",
			  slot, s->slot_mask);
	if (!rc)
		rc = do_certificate(s, slot);
	if (!rc)
		rc = load_key(s, "GET_CERTIFICATE");
	if (rc)
		return rc;
	s->slot = slot;
	rc = do_challenge(s, slot, s->digests[slot], nonce);
	if (rc)
		return rc;
	s->conn.version = s->version;
	s->conn.asym = s->asym;
	s->conn.hash = s->hash;
	s->conn.hlen = s->hlen;
	s->conn.slot = slot;
	memcpy(s->conn.digest, s->digests[slot], sizeof(s->conn.digest));
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
	int rc = do_authenticate(s, slot, nonce);

	release_large(s);
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

	begin(s);
	s->have_identity = false;
	s->complete = false;
	s->chal_ok = false;
	if (slot >= SPDM_SLOTS || !spdm_hash_len(hash) || !spdm_sig_len(asym))
		return fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
			    "%s: invalid slot or algorithm", step);
	rc = spdm_der_parse_spki(spki, spki_len, &po, &pl, &kasym, &why);
	if (rc)
		return fail(s, SPDM_FAIL_UNSUPPORTED, rc, "%s: %s", step,
			    why ? why : "bad key");
	if (kasym != asym)
		return fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
			    "%s: key does not match algorithm", step);
	reset_transcripts(s);
	sbuf_clear(&s->spki);
	rc = sbuf_put(s, step, &s->spki, spki, spki_len);
	if (rc)
		return rc;
	s->pub_off = po;
	s->pub_len = pl;
	s->version = version;
	s->asym = asym;
	s->hash = hash;
	s->hlen = spdm_hash_len(hash);
	s->slen = spdm_sig_len(asym);
	rc = load_key(s, step);
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
	s->have_identity = true;
	return 0;
}

/* GET_DIGESTS, and the slot's digest must be the connect's */
static int check_digests(struct spdm_session *s, u8 slot)
{
	int rc = do_digests(s);

	if (rc)
		return rc;
	if (!(s->slot_mask & (1u << slot)))
		return fail(s, SPDM_FAIL_CERT_DIGEST, -EKEYREJECTED,
			    "GET_DIGESTS: slot %u is no longer provisioned", slot);
	if (memcmp(s->digests[slot], s->conn.digest, s->conn.hlen))
		return fail(s, SPDM_FAIL_CERT_DIGEST, -EKEYREJECTED,
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
static int do_revalidate(struct spdm_session *s, const u8 *nonce)
{
	static const char step[] = "revalidate";
	bool renegotiated = false;
	u8 slot = s->conn.slot;
	int rc = 0;

	begin(s);
	if (!s->have_identity || !s->key)
		return fail(s, SPDM_FAIL_UNSUPPORTED, -ENOKEY,
			    "%s: no cached identity", step);
	/* from here on the evidence changes: challenge anew, no measurements */
	s->complete = false;
	s->chal_ok = false;
	s->have_meas = false;
	sbuf_clear(&s->l1);
	if (!s->vca_done) {
		rc = do_vca(s);
		renegotiated = true;
	}
	if (!rc)
		rc = check_conn(s, step);
	if (!rc && !s->b_empty)
		rc = check_digests(s, slot);
	if (!rc)
		rc = do_challenge(s, slot, s->conn.digest, nonce);
	if (rc == -ECONNRESET && !renegotiated) {
		/* the device lost its state (reset, power cycle): redo VCA */
		clear_fail(s);
		rc = do_vca(s);
		if (!rc)
			rc = check_conn(s, step);
		if (!rc)
			rc = do_challenge(s, slot, s->conn.digest, nonce);
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
	int rc = do_revalidate(s, nonce);

	release_large(s);
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
	s->vca_done = false;
	s->b_empty = false;
}

/* spdm_get_measurements() without releasing the reassembly buffer */
static int do_get_measurements(struct spdm_session *s, const u8 *nonce)
{
	static const char step[] = "GET_MEASUREMENTS";
	u8 req[4 + SPDM_NONCE_LEN + 1 + SPDM_REQ_CTX_LEN] = {
		s->version, SPDM_GET_MEASUREMENTS, 0x01, 0xff };
	size_t req_len = 4 + SPDM_NONCE_LEN, rec_len, off, body;
	unsigned int i, nblocks;
	ssize_t n;
	int rc;

	begin(s);
	s->complete = false;
	s->have_meas = false;
	sbuf_clear(&s->l1);
	if (!s->have_identity || !s->key || !s->vca_done)
		return fail(s, SPDM_FAIL_UNSUPPORTED, -ENOKEY,
			    "%s: session is not authenticated", step);
	rc = check_conn(s, step);
	if (rc)
		return rc;
	if ((s->caps & SPDM_CAP_MEAS_MASK) != SPDM_CAP_MEAS_SIG)
		return fail(s, SPDM_FAIL_UNSUPPORTED, -EOPNOTSUPP,
			    "%s: device cannot sign measurements", step);
	rc = get_nonce(s, step, s->meas_nonce, nonce);
	if (rc)
		return rc;
	memcpy(req + 4, s->meas_nonce, SPDM_NONCE_LEN);
	if (s->version >= SPDM_VER_11)
		req[req_len++] = s->conn.slot;
	if (s->version >= SPDM_VER_13) {
		rc = get_req_ctx(s, step, s->meas_ctx);
		if (rc)
			return rc;
		memcpy(req + req_len, s->meas_ctx, SPDM_REQ_CTX_LEN);
		req_len += SPDM_REQ_CTX_LEN;
	}
	n = xchg(s, step, req, req_len, SPDM_MEASUREMENTS, 8);
	if (n < 0)
		return n;
	nblocks = s->resp[4];
	rec_len = get_unaligned_le24(s->resp + 5);
	if (8 + rec_len + SPDM_NONCE_LEN + 2 > (size_t)n)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: MeasurementRecordLength %zu exceeds the %zd byte response",
			    step, rec_len, n);
	off = 8;
	for (i = 0; i < nblocks; i++) {
		size_t msize;

		if (off + 4 > 8 + rec_len)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: block %u overruns the record", step, i);
		msize = get_unaligned_le16(s->resp + off + 2);
		if (off + 4 + msize > 8 + rec_len)
			return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				    "%s: block %u (index %u, %zu bytes) overruns the record",
				    step, i, s->resp[off], msize);
		if (s->resp[off + 1] & 0x01) {	/* DMTF measurement */
			if (msize < 3 || 3 + (size_t)get_unaligned_le16(s->resp + off + 5) != msize)
				return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					    "%s: block %u DMTF value size disagrees with MeasurementSize",
					    step, i);
		}
		off += 4 + msize;
	}
	if (off != 8 + rec_len)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: %u blocks fill %zu of %zu record bytes",
			    step, nblocks, off - 8, rec_len);
	/* on 1.3 the request ended with the RequesterContext to be echoed */
	rc = parse_signed_tail(s, step, n, off + SPDM_NONCE_LEN, s->meas_ctx,
			       &body);
	if (rc)
		return rc;
	if (s->version >= SPDM_VER_12 && (s->resp[3] & 0x0f) != s->conn.slot)
		return fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
			    "%s: answer for slot %u, asked %u", step,
			    s->resp[3] & 0x0f, s->conn.slot);
	if (s->version >= SPDM_VER_12)
		rc = sbuf_put(s, step, &s->l1, s->vca.data, s->vca.len);
	if (!rc)
		rc = sbuf_put(s, step, &s->l1, req, req_len);
	s->meas_off = s->l1.len + 8;
	if (!rc)
		rc = sbuf_put(s, step, &s->l1, s->resp, body);
	if (rc)
		return rc;
	s->meas_len = rec_len;
	s->meas_count = nblocks;
	memcpy(s->meas_sig, s->resp + body, s->slen);
	rc = verify_transcript(s, step, s->l1.data, s->l1.len, ctx_meas,
			       s->meas_sig);
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
 * revalidate succeeded too.
 *
 * Return: 0 or a negative errno; spdm_last_error() says why.
 */
int spdm_get_measurements(struct spdm_session *s, const u8 *nonce)
{
	int rc = do_get_measurements(s, nonce);

	release_large(s);
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

static struct spdm_buf_view view(const u8 *d, size_t len)
{
	struct spdm_buf_view v = { .data = len ? d : NULL, .len = len };

	return v;
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
	ev->chain = view(s->chain.data, s->chain.len);
	ev->leaf_spki = view(s->spki.data, s->spki.len);
	ev->leaf_pub = view(s->spki.data ? s->spki.data + s->pub_off : NULL,
			    s->spki.data ? s->pub_len : 0);
	if (s->have_nonce)
		ev->nonce = view(s->nonce, SPDM_NONCE_LEN);
	ev->transcript = view(s->m1.data, s->m1.len);
	ev->signature = view(s->sig, s->sig_len);
	ev->complete = s->complete;
	ev->context = s->version >= SPDM_VER_12 ? ctx_challenge : NULL;
	if (s->have_meas) {
		ev->meas_blocks = view(s->l1.data + s->meas_off, s->meas_len);
		ev->meas_count = s->meas_count;
		ev->meas_nonce = view(s->meas_nonce, SPDM_NONCE_LEN);
		ev->meas_transcript = view(s->l1.data, s->l1.len);
		ev->meas_signature = view(s->meas_sig, s->slen);
		ev->meas_context = s->version >= SPDM_VER_12 ? ctx_meas : NULL;
	}
}
