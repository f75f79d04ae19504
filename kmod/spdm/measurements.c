// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: GET_MEASUREMENTS of all blocks, signed, and the
 * verification of MEASUREMENTS over L1 = (1.2+: VCA ||) GET_MEASUREMENTS ||
 * MEASUREMENTS without its signature.  The record's blocks are framed here;
 * meas.c reads them.
 *
 * References: DMTF DSP0274 1.0.x - 1.3.x.
 */
#include "spdm_core.h"

static size_t spdm_dmtf_value_size(const struct spdm_meas_dmtf_hdr *d)
{
	return le16_to_cpu(d->dmtf_spec_measurement_value_size);
}

/* The MeasurementRecord: @nblocks blocks exactly filling @rec_len bytes. */
static int spdm_walk_record(struct spdm_session *s, const char *step,
			    unsigned int nblocks, size_t rec_len)
{
	const size_t start = sizeof(struct spdm_measurements_rsp);
	size_t off = start;
	unsigned int i;

	for (i = 0; i < nblocks; i++) {
		const struct spdm_meas_block_hdr *b;
		size_t msize;

		if (off + sizeof(*b) > start + rec_len)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: block %u overruns the record",
					 step, i);
		b = (const void *)(s->resp + off);
		msize = le16_to_cpu(b->measurement_size);
		if (off + sizeof(*b) + msize > start + rec_len)
			return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
					 "%s: block %u (index %u, %zu bytes) overruns the record",
					 step, i, b->index, msize);
		if (b->measurement_specification & SPDM_MEAS_SPEC_DMTF) {
			const struct spdm_meas_dmtf_hdr *d = (const void *)(b + 1);

			/* *d is read only once MeasurementSize covers it */
			if (msize < sizeof(*d) ||
			    sizeof(*d) + spdm_dmtf_value_size(d) != msize)
				return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
						 "%s: block %u DMTF value size disagrees with MeasurementSize",
						 step, i);
		}
		off += sizeof(*b) + msize;
	}
	if (off != start + rec_len)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: %u blocks fill %zu of %zu record bytes",
				 step, nblocks, off - start, rec_len);
	return 0;
}

/**
 * spdm_measurements() - GET_MEASUREMENTS of all blocks, signed, verified
 * @s: session (spdm_get_measurements() checked it may)
 * @nonce: the nonce, or NULL for a random one
 *
 * Return: 0 or a negative errno.
 */
int spdm_measurements(struct spdm_session *s, const u8 *nonce)
{
	static const char step[] = "GET_MEASUREMENTS";
	struct spdm_get_measurements_req req = {
		.hdr = {
			.spdm_version = s->version,
			.request_response_code = SPDM_GET_MEASUREMENTS,
			.param1 = SPDM_MEAS_ATTR_SIGNATURE_REQUESTED,
			.param2 = SPDM_MEAS_OPERATION_ALL,
		},
	};
	size_t req_len = SPDM_GET_MEASUREMENTS_REQ_LEN_10, rec_len, off, body;
	const struct spdm_measurements_rsp *rsp;
	unsigned int nblocks;
	ssize_t n;
	int rc;

	rc = spdm_get_nonce(s, step, s->meas_nonce, nonce);
	if (rc)
		return rc;
	memcpy(req.nonce, s->meas_nonce, SPDM_NONCE_LEN);
	if (s->version >= SPDM_VER_11) {
		req.slot_id_param = s->conn.slot;
		req_len = SPDM_GET_MEASUREMENTS_REQ_LEN_11;
	}
	if (s->version >= SPDM_VER_13) {
		rc = spdm_get_req_ctx(s, step, s->meas_ctx);
		if (rc)
			return rc;
		memcpy(req.requester_context, s->meas_ctx, SPDM_REQ_CTX_LEN);
		req_len = sizeof(req);
	}
	n = spdm_exchange(s, step, &req, req_len, SPDM_MEASUREMENTS,
			  sizeof(*rsp));
	if (n < 0)
		return n;
	rsp = (const void *)s->resp;
	nblocks = rsp->number_of_blocks;
	rec_len = get_unaligned_le24(rsp->measurement_record_length);
	if (sizeof(*rsp) + rec_len + SPDM_NONCE_LEN +
	    sizeof(struct spdm_opaque_hdr) > (size_t)n)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: MeasurementRecordLength %zu exceeds the %zd byte response",
				 step, rec_len, n);
	rc = spdm_walk_record(s, step, nblocks, rec_len);
	if (rc)
		return rc;
	off = sizeof(*rsp) + rec_len;
	/* on 1.3 the request ended with the RequesterContext to be echoed */
	rc = spdm_parse_signed_tail(s, step, n, off + SPDM_NONCE_LEN,
				    s->meas_ctx, &body);
	if (rc)
		return rc;
	if (s->version >= SPDM_VER_12 &&
	    (rsp->hdr.param2 & SPDM_SLOT_ID_MASK) != s->conn.slot)
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EPROTO,
				 "%s: answer for slot %u, asked %u", step,
				 rsp->hdr.param2 & SPDM_SLOT_ID_MASK, s->conn.slot);
	/* L1 = (1.2+: A ||) these messages: A is not copied */
	rc = spdm_transcript_append(s, step, &s->l1, &req, req_len);
	s->meas_off = s->l1.len + sizeof(*rsp);
	if (!rc)
		rc = spdm_transcript_append(s, step, &s->l1, s->resp, body);
	if (!rc)
		rc = spdm_transcript_append(s, step, &s->meas_sig, s->resp + body,
					    s->slen);
	if (rc)
		return rc;
	s->meas_len = rec_len;
	s->meas_count = nblocks;
	return spdm_verify_signature(s, step,
				     s->version >= SPDM_VER_12 ? &s->vca : NULL,
				     &s->l1, NULL, SPDM_CTX_MEASUREMENTS,
				     &s->meas_sig);
}
