// SPDX-License-Identifier: GPL-2.0
/*
 * Measurement records (DSP0274 MEASUREMENTS, MeasurementRecord): the walk
 * over their blocks and the comparison with what a policy expects.
 *
 * A block is Index (1), MeasurementSpecification (1), MeasurementSize (2,
 * little endian) and Measurement (MeasurementSize bytes).  Only a block
 * whose MeasurementSpecification has the DMTF bit (bit 0) is read as a
 * DMTF measurement: DMTFSpecMeasurementValueType (1),
 * DMTFSpecMeasurementValueSize (2) and the value.  Any other block is
 * compared as raw bytes, never parsed.
 */
#include "spdm_msg.h"

/**
 * spdm_meas_next() - the next block of a measurement record
 * @rec: the record
 * @len: its length
 * @off: in: offset of the block to read; out: offset of the next one
 * @b: receives the block
 *
 * Return: 1 with a block, 0 at the end of the record, -EPROTO when the
 * block overruns the record or a DMTF block's value size disagrees with its
 * MeasurementSize.
 */
int spdm_meas_next(const u8 *rec, size_t len, size_t *off, struct spdm_meas_block *b)
{
	const struct spdm_meas_block_hdr *h;
	const struct spdm_meas_dmtf_hdr *d;
	size_t o = *off, msize;

	if (o >= len)
		return 0;
	if (len - o < sizeof(*h))
		return -EPROTO;
	h = (const void *)(rec + o);
	msize = le16_to_cpu(h->measurement_size);
	if (msize > len - o - sizeof(*h))
		return -EPROTO;
	memset(b, 0, sizeof(*b));
	b->index = h->index;
	b->spec = h->measurement_specification;
	b->raw = rec + o;
	b->raw_len = sizeof(*h) + msize;
	b->value = (const u8 *)(h + 1);
	b->value_len = msize;
	if (b->spec & SPDM_MEAS_SPEC_DMTF) {
		size_t vsize;

		if (msize < sizeof(*d))
			return -EPROTO;
		d = (const void *)(h + 1);
		vsize = le16_to_cpu(d->dmtf_spec_measurement_value_size);
		if (vsize != msize - sizeof(*d))
			return -EPROTO;
		b->dmtf = true;
		b->dmtf_type = d->dmtf_spec_measurement_value_type;
		b->value = (const u8 *)(d + 1);
		b->value_len = vsize;
	}
	*off = o + b->raw_len;
	return 1;
}

/* The block with @index, or 0 when there is none; -EPROTO when malformed. */
static int spdm_meas_find(const u8 *rec, size_t len, u8 index, struct spdm_meas_block *out)
{
	struct spdm_meas_block b;
	size_t off = 0;
	int rc;

	while ((rc = spdm_meas_next(rec, len, &off, &b)) > 0) {
		if (b.index == index) {
			*out = b;
			return 1;
		}
	}
	return rc;
}

static bool spdm_meas_is_volatile(const struct spdm_meas_policy *p, u8 index)
{
	return p->volatile_map[index / 8] & BIT(index % 8);
}

static int spdm_meas_bad(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "MEASUREMENTS: %s", what);
	return -EPROTO;
}

/**
 * spdm_meas_check() - does a signed measurement record match a policy?
 * @p: expected digests per index, volatile indices, and optionally the
 *	baseline record taken at connect
 * @rec: the record just taken (already validated by the core)
 * @len: its length
 * @err: receives the reason of a mismatch
 * @errlen: size of @err
 *
 * With a baseline, every block of the baseline must be present in @rec
 * with the same bytes, and @rec may hold no block the baseline lacks,
 * except at volatile indices.  Each expected digest must equal the value
 * of the block at its index (the DMTF value, or a non-DMTF block's raw
 * Measurement); volatile indices are not compared.
 *
 * Return: 0 on a match, -EKEYREJECTED on a mismatch, -EPROTO when a record
 * is malformed; @err says which index and why.
 */
int spdm_meas_check(const struct spdm_meas_policy *p, const u8 *rec, size_t len,
		    char *err, size_t errlen)
{
	struct spdm_meas_block b, o;
	unsigned int i;
	size_t off;
	int rc;

	for (i = 0; i < p->n_expect; i++) {
		const struct spdm_meas_expect *e = &p->expect[i];

		if (spdm_meas_is_volatile(p, e->index))
			continue;
		rc = spdm_meas_find(rec, len, e->index, &b);
		if (rc < 0)
			return spdm_meas_bad(err, errlen, "malformed record");
		if (!rc) {
			snprintf(err, errlen, "MEASUREMENTS: the device reports no index %u",
				 e->index);
			return -EKEYREJECTED;
		}
		if (b.value_len != e->len || memcmp(b.value, e->digest, e->len)) {
			snprintf(err, errlen, "MEASUREMENTS: index %u differs from the policy",
				 e->index);
			return -EKEYREJECTED;
		}
	}
	if (!p->baseline)
		return 0;

	/* every baseline block present and equal ... */
	off = 0;
	while ((rc = spdm_meas_next(p->baseline, p->baseline_len, &off, &o)) > 0) {
		if (spdm_meas_is_volatile(p, o.index))
			continue;
		rc = spdm_meas_find(rec, len, o.index, &b);
		if (rc < 0)
			return spdm_meas_bad(err, errlen, "malformed record");
		if (!rc) {
			snprintf(err, errlen,
				 "MEASUREMENTS: index %u seen at connect is gone", o.index);
			return -EKEYREJECTED;
		}
		if (b.raw_len != o.raw_len || memcmp(b.raw, o.raw, o.raw_len)) {
			snprintf(err, errlen,
				 "MEASUREMENTS: index %u differs from the one seen at connect",
				 o.index);
			return -EKEYREJECTED;
		}
	}
	if (rc < 0)
		return spdm_meas_bad(err, errlen, "malformed baseline");
	/* ... and nothing new */
	off = 0;
	while ((rc = spdm_meas_next(rec, len, &off, &b)) > 0) {
		if (spdm_meas_is_volatile(p, b.index))
			continue;
		rc = spdm_meas_find(p->baseline, p->baseline_len, b.index, &o);
		if (rc < 0)
			return spdm_meas_bad(err, errlen, "malformed baseline");
		if (!rc) {
			snprintf(err, errlen,
				 "MEASUREMENTS: index %u was not there at connect", b.index);
			return -EKEYREJECTED;
		}
	}
	if (rc < 0)
		return spdm_meas_bad(err, errlen, "malformed record");
	return 0;
}
