// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: large SPDM messages (DSP0274 1.2+, "Large SPDM
 * message transfer mechanism").  A request larger than the responder's
 * DataTransferSize goes in CHUNK_SEND chunks; a response larger than ours
 * (ERROR LargeResponse) is retrieved with CHUNK_GET.  Both only when both
 * sides have CHUNK_CAP (exchange.c decides).  The transcripts record the
 * whole messages, never the chunks.
 */
#include "spdm_core.h"
#include "spdm_error_codes.h"

/**
 * spdm_chunk_send() - send a request in CHUNK_SEND chunks
 * @s: session
 * @step: the step, for messages
 * @req: the request, larger than the device's DataTransferSize
 * @req_len: its length (at most SPDM_MAX_REQ)
 * @ver: its SPDMVersion
 * @handle: where an ERROR LargeResponse's Handle goes
 *
 * Each CHUNK_SEND_ACK must echo the Handle and ChunkSeqNo; the last carries
 * the response to the request (ResponseToLargeRequest), which is moved to
 * the start of s->rbuf.
 *
 * Return: its length; 0 with *@handle set when that response is an ERROR
 * LargeResponse; or a negative errno.
 */
ssize_t spdm_chunk_send(struct spdm_session *s, const char *step,
			const u8 *req, size_t req_len, u8 ver, u8 *handle)
{
	u8 chunk[SPDM_CHUNK_HDR0_LEN + SPDM_MAX_REQ];
	struct spdm_chunk_hdr *cs = (void *)chunk;
	const struct spdm_chunk_send_ack_rsp *ack = (const void *)s->rbuf;
	const struct spdm_error_rsp *err = (const void *)s->rbuf;
	size_t off = 0, hdr, csize;
	u8 h = ++s->send_handle;
	u16 seq;
	ssize_t n = 0;	/* the loop runs at least once: req_len > rsp_dts */
	int rc;

	if (req_len > SPDM_MAX_REQ || s->rsp_dts <= SPDM_CHUNK_HDR0_LEN)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EMSGSIZE,
				 "%s: request of %zu bytes cannot be sent in chunks of DataTransferSize %u",
				 step, req_len, s->rsp_dts);
	for (seq = 0; off < req_len; seq++) {
		bool last;

		hdr = seq ? SPDM_CHUNK_HDR_LEN : SPDM_CHUNK_HDR0_LEN;
		csize = s->rsp_dts - hdr;
		if (csize > req_len - off)
			csize = req_len - off;
		last = off + csize == req_len;
		memset(chunk, 0, sizeof(chunk));
		cs->hdr.spdm_version = ver;
		cs->hdr.request_response_code = SPDM_CHUNK_SEND;
		cs->hdr.param1 = last ? SPDM_CHUNK_LAST_CHUNK : 0;
		cs->hdr.param2 = h;
		cs->chunk_seq_no = cpu_to_le16(seq);
		cs->chunk_size = cpu_to_le32(csize);
		if (!seq)
			cs->large_message_size = cpu_to_le32(req_len);
		memcpy(chunk + hdr, req + off, csize);
		n = spdm_exchange_raw(s, step, chunk, hdr + csize, NULL);
		if (n < 0)
			return n;
		n = spdm_check_rsp(s, step, ver, n, SPDM_CHUNK_SEND_ACK,
				   sizeof(*ack));
		if (n < 0)
			return n;
		if (ack->hdr.param2 != h || le16_to_cpu(ack->chunk_seq_no) != seq)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_SEND_ACK for Handle 0x%02x ChunkSeqNo %u, sent 0x%02x %u",
					 step, ack->hdr.param2,
					 le16_to_cpu(ack->chunk_seq_no), h, seq);
		off += csize;
		if (!last) {
			if (ack->hdr.param1 & SPDM_CHUNK_EARLY_ERROR_DETECTED)
				return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EIO,
						 "%s: device detected an error in CHUNK_SEND %u",
						 step, seq);
			rc = spdm_check_len(s, step, n, sizeof(*ack));
			if (rc)
				return rc;
		}
	}
	/* the response to the large request follows the last ACK's header */
	n -= sizeof(*ack);
	memmove(s->rbuf, s->rbuf + sizeof(*ack), n);
	memset(s->rbuf + n, 0, sizeof(*ack));
	if ((size_t)n < sizeof(struct spdm_header))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: CHUNK_SEND_ACK carries %zd response bytes, shorter than a header",
				 step, n);
	if (err->hdr.request_response_code != SPDM_ERROR)
		return n;
	if (err->hdr.param1 == SPDM_ERR_LARGE_RESPONSE)
		return spdm_large_response(s, step, n, ver, handle);
	return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EIO,
			 "%s: device answered the chunked request with ERROR %s (0x%02x, data 0x%02x)",
			 step, spdm_error_code_name(err->hdr.param1),
			 err->hdr.param1, err->hdr.param2);
}

/**
 * spdm_chunk_get() - retrieve the large response announced with @handle
 * @s: session
 * @step: the step, for messages
 * @handle: the Handle of the ERROR LargeResponse
 *
 * CHUNK_GET from ChunkSeqNo 0 until LAST_CHUNK, every CHUNK_RESPONSE header
 * checked, into s->large.  Bounded by the MaxSPDMmsgSize we advertised, the
 * memory budget, 65536 chunks and the operation's deadline (the check op
 * before every exchange).  s->resp then points at the reassembled message,
 * which is what the caller parses and records in its transcript.
 *
 * Return: LargeMessageSize or a negative errno.
 */
ssize_t spdm_chunk_get(struct spdm_session *s, const char *step, u8 handle)
{
	const struct spdm_chunk_hdr *cr = (const void *)s->rbuf;
	size_t got = 0, lms = 0, hdr, csize;
	u32 seq;
	ssize_t n;
	int rc;

	for (seq = 0; ; seq++) {
		struct spdm_chunk_get_req req = {
			.hdr = {
				.spdm_version = s->version,
				.request_response_code = SPDM_CHUNK_GET,
				.param2 = handle,
			},
		};
		bool last;

		if (seq > SPDM_MAX_CHUNK_SEQ_NO)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_GET: no LAST_CHUNK after %u chunks",
					 step, seq);
		req.chunk_seq_no = cpu_to_le16(seq);
		s->resp = s->rbuf;
		n = spdm_exchange_raw(s, step, &req, sizeof(req), NULL);
		if (n < 0)
			return n;
		hdr = seq ? SPDM_CHUNK_HDR_LEN : SPDM_CHUNK_HDR0_LEN;
		n = spdm_check_rsp(s, step, s->version, n, SPDM_CHUNK_RESPONSE,
				   hdr);
		if (n < 0)
			return n;
		if (cr->hdr.param2 != handle)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_RESPONSE %u has Handle 0x%02x, LargeResponse gave 0x%02x",
					 step, seq, cr->hdr.param2, handle);
		if (le16_to_cpu(cr->chunk_seq_no) != seq)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_RESPONSE has ChunkSeqNo %u, expected %u",
					 step, le16_to_cpu(cr->chunk_seq_no), seq);
		csize = le32_to_cpu(cr->chunk_size);
		last = cr->hdr.param1 & SPDM_CHUNK_LAST_CHUNK;
		if (!seq) {
			lms = le32_to_cpu(cr->large_message_size);
			if (lms < 4 || lms > s->p.max_msg)
				return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
						 "%s: LargeMessageSize %zu outside 4..%zu (our MaxSPDMmsgSize)",
						 step, lms, s->p.max_msg);
			rc = spdm_buf_reserve(s, step, &s->large, lms);
			if (rc)
				return rc;
		}
		if (csize > s->resp_cap - hdr)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_RESPONSE %u: ChunkSize %zu exceeds our DataTransferSize %zu less its %zu byte header",
					 step, seq, csize, s->resp_cap, hdr);
		if (!csize)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_RESPONSE %u: empty chunk at %zu of %zu bytes (no progress)",
					 step, seq, got, lms);
		rc = spdm_check_len(s, step, n, hdr + csize);
		if (rc)
			return rc;
		if (csize > lms - got)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_RESPONSE %u: ChunkSize %zu at %zu overruns LargeMessageSize %zu",
					 step, seq, csize, got, lms);
		memcpy(s->large.data + got, s->rbuf + hdr, csize);
		got += csize;
		s->large.len = got;
		if (last && got != lms)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_RESPONSE %u: LAST_CHUNK at %zu of LargeMessageSize %zu",
					 step, seq, got, lms);
		if (last)
			break;
		if (got == lms)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: CHUNK_RESPONSE %u: LargeMessageSize %zu reached without LAST_CHUNK",
					 step, seq, lms);
	}
	s->resp = s->large.data;
	return got;
}
