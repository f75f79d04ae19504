// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: one request, one response.  The transport exchange
 * (the host's exchange op, bounded by its check op), Busy and
 * ResponseNotReady retries, ERROR responses, and the dispatch to CHUNK_SEND
 * and CHUNK_GET (chunk.c) for messages larger than a transfer.
 *
 * References: DMTF DSP0274 1.0.x - 1.3.x ("ERROR", "RESPOND_IF_READY",
 * "Large SPDM message transfer mechanism"); PCIe r6.x sec 6.31 (CMA).
 */
#include "spdm_core.h"
#include "spdm_error_codes.h"

/**
 * spdm_fail() - record why an operation failed
 * @s: session
 * @cls: class of the failure
 * @err: negative errno to return
 * @fmt: message naming the step and the reason
 *
 * The innermost (first) reason of an operation is kept.
 *
 * Return: @err.
 */
int spdm_fail(struct spdm_session *s, enum spdm_failure cls, int err,
	      const char *fmt, ...)
{
	va_list ap;

	if (s->err[0])
		return err;	/* keep the innermost reason */
	s->failure = cls;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return err;
}

/**
 * spdm_clear_fail() - forget the last failure
 * @s: session
 */
void spdm_clear_fail(struct spdm_session *s)
{
	s->err[0] = 0;
	s->failure = SPDM_FAIL_NONE;
}

/**
 * spdm_platform_class() - class of a failed platform op (hash, random, key)
 * @rc: its negative errno
 *
 * Return: NOMEM, UNSUPPORTED for a missing algorithm, else PROTOCOL.
 */
enum spdm_failure spdm_platform_class(int rc)
{
	if (rc == -ENOMEM)
		return SPDM_FAIL_NOMEM;
	if (rc == -EOPNOTSUPP || rc == -ENOENT || rc == -ENOPKG)
		return SPDM_FAIL_UNSUPPORTED;
	return SPDM_FAIL_PROTOCOL;
}

static void spdm_delay(struct spdm_session *s, unsigned int us)
{
	if (s->p.ops->delay_us)
		s->p.ops->delay_us(s->p.priv, us);
}

/**
 * spdm_check_op() - may the operation go on (deadline, device removal)?
 * @s: session
 * @step: the step, for the message
 *
 * Called before every exchange and before every retry delay.
 *
 * Return: 0, or the check op's negative errno (recorded).
 */
int spdm_check_op(struct spdm_session *s, const char *step)
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
		return spdm_fail(s, SPDM_FAIL_DEADLINE, rc,
				 "%s: operation deadline exceeded", step);
	if (rc == -ENODEV)
		return spdm_fail(s, SPDM_FAIL_ABORTED, rc,
				 "%s: aborted (device removed)", step);
	return spdm_fail(s, SPDM_FAIL_ABORTED, rc, "%s: aborted (%d)", step, rc);
}

/**
 * spdm_check_len() - the length computed from the fields must fit what came
 * @s: session
 * @step: the step, for the message
 * @got: bytes received
 * @want: bytes the message's fields say it has
 *
 * At most SPDM_MAX_PAD bytes of transport padding may follow.
 *
 * Return: 0 or -EPROTO.
 */
int spdm_check_len(struct spdm_session *s, const char *step, size_t got,
		   size_t want)
{
	if (want > got)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: truncated response (%zu bytes, fields say %zu)",
				 step, got, want);
	if (got - want > SPDM_MAX_PAD)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: %zu unexpected trailing bytes", step,
				 got - want);
	return 0;
}

/**
 * spdm_check_rsp() - version, code and minimum length of the response
 * @s: session; the response is in s->resp
 * @step: the step, for the message
 * @ver: the SPDMVersion it must have
 * @n: its length
 * @expect: the RequestResponseCode it must have
 * @min: the bytes it must have at least
 *
 * Return: @n or -EPROTO.
 */
ssize_t spdm_check_rsp(struct spdm_session *s, const char *step, u8 ver,
		       ssize_t n, u8 expect, size_t min)
{
	const struct spdm_header *rsp = (const void *)s->resp;

	if (rsp->spdm_version != ver)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: response has version 0x%02x, expected 0x%02x",
				 step, rsp->spdm_version, ver);
	if (rsp->request_response_code != expect)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: unexpected response code 0x%02x (wanted 0x%02x)",
				 step, rsp->request_response_code, expect);
	if ((size_t)n < min)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: truncated response (%zd bytes, need %zu)",
				 step, n, min);
	return n;
}

/**
 * spdm_release_large() - drop a reassembled large response
 * @s: session; s->resp is the transport buffer again
 */
void spdm_release_large(struct spdm_session *s)
{
	s->resp = s->rbuf;
	spdm_buf_release(s, &s->large);
}

/**
 * spdm_large_response() - an ERROR LargeResponse in s->rbuf (1.2+)
 * @s: session
 * @step: the step, for the message
 * @n: the response's length
 * @ver: the SPDMVersion it must have
 * @handle: where the Handle goes; NULL when the request was a CHUNK_GET
 *
 * The response is to be retrieved with CHUNK_GET: only after both sides
 * said CHUNK_CAP, and never in answer to a CHUNK_GET.
 *
 * Return: 0 with the Handle in *@handle, or -EPROTO.
 */
ssize_t spdm_large_response(struct spdm_session *s, const char *step,
			    ssize_t n, u8 ver, u8 *handle)
{
	const struct spdm_error_large_response *rsp = (const void *)s->rbuf;
	int rc;

	if (!handle)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: device answered CHUNK_GET with ERROR LargeResponse (0x%02x)",
				 step, SPDM_ERR_LARGE_RESPONSE);
	if (!s->chunk)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: device answered ERROR LargeResponse (0x%02x), but chunking was not negotiated",
				 step, SPDM_ERR_LARGE_RESPONSE);
	if (rsp->hdr.spdm_version != ver)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: response has version 0x%02x, expected 0x%02x",
				 step, rsp->hdr.spdm_version, ver);
	rc = spdm_check_len(s, step, n, sizeof(*rsp));
	if (rc)
		return rc;
	*handle = rsp->handle;
	return 0;
}

/*
 * One transport exchange of @req (a message of @type) into s->rbuf, after
 * asking the host whether the operation may go on.  Inside a secured
 * session the message goes as a DSP0277 secured message (secmsg.c).
 */
static ssize_t spdm_transport(struct spdm_session *s, const char *step,
			      enum spdm_transport_type type, const void *req,
			      size_t req_len)
{
	ssize_t n;
	int rc;

	rc = spdm_check_op(s, step);
	if (rc)
		return rc;
	memset(s->rbuf, 0, s->resp_cap);
	if (s->sec && s->sec->wrap)
		return spdm_secure_transport(s, step, req, req_len);
	n = s->p.ops->exchange(s->p.priv, type, req, req_len, s->rbuf,
			       s->resp_cap);
	s->exchanges++;
	if (n < 0)
		return spdm_fail(s, SPDM_FAIL_TRANSPORT, (int)n,
				 "%s: transport error %d", step, (int)n);
	if ((size_t)n > s->resp_cap)
		return spdm_fail(s, SPDM_FAIL_TRANSPORT, -EIO,
				 "%s: transport returned %zd bytes into a %zu byte buffer",
				 step, n, s->resp_cap);
	return n;
}

/*
 * ExtendedErrorData of ResponseNotReady: the response is due after RDT =
 * 2^RDTExponent us and may be dropped after RDT * RDTM: ask at RDT, as
 * libspdm does (at most SPDM_MAX_DELAY_US), with RESPOND_IF_READY.
 */
static int spdm_not_ready(struct spdm_session *s, const char *step,
			  const struct spdm_header *req, u8 ver,
			  struct spdm_header *rir)
{
	const struct spdm_error_response_not_ready *rsp = (const void *)s->rbuf;
	u8 exp = rsp->rdt_exponent > 20 ? 20 : rsp->rdt_exponent;
	u32 us = 1u << exp;
	int rc;

	if (rsp->request_code != req->request_response_code)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: ResponseNotReady names request 0x%02x",
				 step, rsp->request_code);
	rc = spdm_check_op(s, step);
	if (rc)
		return rc;
	spdm_delay(s, us < SPDM_MAX_DELAY_US ? us : SPDM_MAX_DELAY_US);
	rir->spdm_version = ver;
	rir->request_response_code = SPDM_RESPOND_IF_READY;
	rir->param1 = req->request_response_code;
	rir->param2 = rsp->token;
	return 0;
}

/**
 * spdm_exchange_raw() - send a request, receive its response into s->rbuf
 * @s: session; s->rbuf is allocated by the first exchange of an operation
 * @step: the step, for messages
 * @req: the request (an SPDM message; GET_VERSION is sent as 1.0)
 * @req_len: its length
 * @handle: where an ERROR LargeResponse's Handle goes; NULL when @req is a
 *	CHUNK_GET (a LargeResponse is then an error)
 *
 * Busy and ResponseNotReady are retried a bounded number of times.  A
 * request larger than the device's DataTransferSize goes in CHUNK_SEND
 * chunks when both sides have CHUNK_CAP.
 *
 * Return: the received length; 0 with *@handle set for an ERROR
 * LargeResponse; or a negative errno.  -ECONNRESET means the device
 * answered with an error suggesting it lost the negotiated state
 * (UnexpectedRequest, VersionMismatch, RequestResynch).
 */
ssize_t spdm_exchange_raw(struct spdm_session *s, const char *step,
			  const void *req, size_t req_len, u8 *handle)
{
	const struct spdm_header *rq = req;
	u8 ver = rq->request_response_code == SPDM_GET_VERSION ?
		 SPDM_VER_10 : s->version;
	struct spdm_header rir;
	const void *cur = req;
	size_t cur_len = req_len;
	unsigned int tries = 0;
	ssize_t n;
	int rc;

	if (!s->rbuf) {
		/* per operation: spdm_op_end() releases it */
		s->rbuf = s->p.ops->zalloc(s->p.priv, s->resp_cap);
		if (!s->rbuf)
			return spdm_fail(s, SPDM_FAIL_NOMEM, -ENOMEM,
					 "%s: out of memory (allocating %zu bytes)",
					 step, s->resp_cap);
		s->resp = s->rbuf;
	}
	if (s->rsp_dts && req_len > s->rsp_dts) {
		if (s->chunk && handle)
			return spdm_chunk_send(s, step, req, req_len, ver, handle);
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EMSGSIZE,
				 "%s: request of %zu bytes exceeds the device's DataTransferSize %u",
				 step, req_len, s->rsp_dts);
	}
	for (;;) {
		const struct spdm_error_rsp *err = (const void *)s->rbuf;
		u8 code;

		n = spdm_transport(s, step, SPDM_TRANSPORT_SPDM, cur, cur_len);
		if (n < 0)
			return n;
		if ((size_t)n < sizeof(struct spdm_header))
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: response of %zd bytes is shorter than a header",
					 step, n);
		if (err->hdr.request_response_code != SPDM_ERROR)
			return n;
		code = err->hdr.param1;		/* ErrorCode */
		if ((code == SPDM_ERR_BUSY || code == SPDM_ERR_RESPONSE_NOT_READY) &&
		    ++tries > SPDM_BUSY_RETRIES)
			return spdm_fail(s, SPDM_FAIL_TIMEOUT, -ETIMEDOUT,
					 "%s: device still %s after %u retries",
					 step, spdm_error_code_name(code),
					 SPDM_BUSY_RETRIES);
		if (code == SPDM_ERR_BUSY) {
			rc = spdm_check_op(s, step);
			if (rc)
				return rc;
			spdm_delay(s, 1000u << (tries < 10 ? tries : 10));
			cur = req;
			cur_len = req_len;
			continue;
		}
		if (code == SPDM_ERR_RESPONSE_NOT_READY &&
		    (size_t)n >= sizeof(struct spdm_error_response_not_ready)) {
			rc = spdm_not_ready(s, step, rq, ver, &rir);
			if (rc)
				return rc;
			cur = &rir;
			cur_len = sizeof(rir);
			continue;
		}
		if (code == SPDM_ERR_LARGE_RESPONSE)
			return spdm_large_response(s, step, n, ver, handle);
		if (code == SPDM_ERR_UNEXPECTED_REQUEST ||
		    code == SPDM_ERR_REQUEST_RESYNCH ||
		    code == SPDM_ERR_VERSION_MISMATCH)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -ECONNRESET,
					 "%s: device answered ERROR %s (0x%02x)",
					 step, spdm_error_code_name(code), code);
		if (code == SPDM_ERR_UNSUPPORTED_REQUEST)
			return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EOPNOTSUPP,
					 "%s: device answered ERROR %s (0x%02x, data 0x%02x)",
					 step, spdm_error_code_name(code), code,
					 err->hdr.param2);
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EIO,
				 "%s: device answered ERROR %s (0x%02x, data 0x%02x)",
				 step, spdm_error_code_name(code), code,
				 err->hdr.param2);
	}
}

/**
 * spdm_exchange() - send a request and receive its whole response
 * @s: session
 * @step: the step, for messages
 * @req: the request
 * @req_len: its length
 * @expect: the RequestResponseCode the response must have
 * @min: the bytes the response must have at least
 *
 * The response is in s->resp: one transport response, or a large response
 * retrieved with CHUNK_GET.  Its version and code are checked and that at
 * least @min bytes arrived.
 *
 * Return: the length of the response or a negative errno (see
 * spdm_exchange_raw()).
 */
ssize_t spdm_exchange(struct spdm_session *s, const char *step,
		      const void *req, size_t req_len, u8 expect, size_t min)
{
	const struct spdm_header *rq = req;
	u8 ver = rq->request_response_code == SPDM_GET_VERSION ?
		 SPDM_VER_10 : s->version;
	ssize_t n;
	u8 handle;

	spdm_release_large(s);
	n = spdm_exchange_raw(s, step, req, req_len, &handle);
	if (!n)
		n = spdm_chunk_get(s, step, handle);
	if (n < 0)
		return n;
	return spdm_check_rsp(s, step, ver, n, expect, min);
}
