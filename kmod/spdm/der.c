// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal, strict DER walker for SPDM certificate chains.
 *
 * Only what is needed to find the leaf's SubjectPublicKeyInfo: the chain is
 * checked to be a back-to-back sequence of DER SEQUENCEs, and the last one is
 * descended into (Certificate -> tbsCertificate -> subjectPublicKeyInfo).
 * Nothing else in the chain is trusted or interpreted; chain validation
 * against a trust anchor is done by userspace.
 */
#include "spdm.h"

#define DER_INTEGER	0x02
#define DER_BIT_STRING	0x03
#define DER_NULL	0x05
#define DER_OID		0x06
#define DER_SEQUENCE	0x30
#define DER_CTX0	0xa0

struct der_tlv {
	u8 tag;
	size_t hdr;	/* tag + length octets */
	size_t len;	/* contents length */
};

/*
 * Parse one TLV at @p (@avail bytes available).  Strict DER: single-octet
 * tags (no high-tag-number form), definite minimal lengths, at most 4 length
 * octets, contents within @avail.
 */
static int der_tlv(const u8 *p, size_t avail, struct der_tlv *t)
{
	size_t n, i, len;

	if (avail < 2)
		return -EBADMSG;
	t->tag = p[0];
	if ((t->tag & 0x1f) == 0x1f)
		return -EBADMSG;
	if (!(p[1] & 0x80)) {
		t->hdr = 2;
		t->len = p[1];
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 4 || avail < 2 + n)
			return -EBADMSG;	/* indefinite or absurd */
		if (p[2] == 0)
			return -EBADMSG;	/* leading zero: not minimal */
		len = 0;
		for (i = 0; i < n; i++)
			len = (len << 8) | p[2 + i];
		if (len < 0x80)
			return -EBADMSG;	/* should have used short form */
		t->hdr = 2 + n;
		t->len = len;
	}
	if (t->len > avail - t->hdr)
		return -EBADMSG;
	return 0;
}

/* Expect a TLV with @tag at *@off within [0, @end); advance past it. */
static int der_expect(const u8 *p, size_t end, size_t *off, u8 tag,
		      struct der_tlv *t)
{
	int rc;

	if (*off > end)
		return -EBADMSG;
	rc = der_tlv(p + *off, end - *off, t);
	if (rc)
		return rc;
	if (t->tag != tag)
		return -EBADMSG;
	return 0;
}

static const u8 oid_ec_pub[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const u8 oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const u8 oid_p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const u8 oid_p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const u8 oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };

static bool oid_eq(const u8 *p, const struct der_tlv *t, const u8 *oid,
		   size_t len)
{
	return t->len == len && !memcmp(p + t->hdr, oid, len);
}

/* Check an RSAPublicKey and return the modulus size in bits (rounded). */
static int der_rsa_bits(const u8 *p, size_t len, unsigned int *bits)
{
	struct der_tlv seq, n, e;
	size_t off = 0, end, nlen;
	const u8 *nv;
	int rc;

	rc = der_expect(p, len, &off, DER_SEQUENCE, &seq);
	if (rc || seq.hdr + seq.len != len)
		return -EBADMSG;
	off = seq.hdr;
	end = len;
	rc = der_expect(p, end, &off, DER_INTEGER, &n);
	if (rc || n.len == 0)
		return -EBADMSG;
	nv = p + off + n.hdr;
	nlen = n.len;
	if (nv[0] & 0x80)
		return -EBADMSG;	/* negative modulus */
	if (nv[0] == 0) {
		if (nlen < 2 || !(nv[1] & 0x80))
			return -EBADMSG;	/* non-minimal */
		nv++;
		nlen--;
	}
	off += n.hdr + n.len;
	rc = der_expect(p, end, &off, DER_INTEGER, &e);
	if (rc || e.len == 0 || e.len > 8 || (p[off + e.hdr] & 0x80))
		return -EBADMSG;
	off += e.hdr + e.len;
	if (off != end)
		return -EBADMSG;
	*bits = nlen * 8;
	return 0;
}

/**
 * spdm_der_parse_spki() - check a SubjectPublicKeyInfo and classify the key
 * @spki: DER SubjectPublicKeyInfo (the whole TLV)
 * @len: its length
 * @pub_off: set to the offset of the subjectPublicKey contents
 * @pub_len: set to their length
 * @asym: set to the SPDM_ASYM_* bit the key serves
 * @why: set to a static reason on failure (may be NULL)
 *
 * Return: 0, -EBADMSG for malformed DER, -EOPNOTSUPP for an unsupported key.
 */
int spdm_der_parse_spki(const u8 *spki, size_t len, size_t *pub_off,
			size_t *pub_len, u32 *asym, const char **why)
{
	struct der_tlv seq, alg, oid, par, bits;
	size_t off = 0, aend, poff, plen;
	const char *dummy;
	unsigned int rbits;
	const u8 *pub;

	if (!why)
		why = &dummy;
	*why = "malformed SubjectPublicKeyInfo";
	if (der_expect(spki, len, &off, DER_SEQUENCE, &seq) ||
	    seq.hdr + seq.len != len)
		return -EBADMSG;
	off = seq.hdr;
	if (der_expect(spki, len, &off, DER_SEQUENCE, &alg))
		return -EBADMSG;
	aend = off + alg.hdr + alg.len;
	off += alg.hdr;
	if (der_expect(spki, aend, &off, DER_OID, &oid))
		return -EBADMSG;
	{
		const u8 *op = spki + off;
		size_t pstart = off + oid.hdr + oid.len;
		bool have_par = pstart < aend;

		if (have_par && der_tlv(spki + pstart, aend - pstart, &par))
			return -EBADMSG;
		if (have_par && pstart + par.hdr + par.len != aend)
			return -EBADMSG;
		off = aend;
		if (der_expect(spki, len, &off, DER_BIT_STRING, &bits) ||
		    off + bits.hdr + bits.len != len || bits.len < 2)
			return -EBADMSG;
		if (spki[off + bits.hdr] != 0) {
			*why = "subjectPublicKey has unused bits";
			return -EBADMSG;
		}
		poff = off + bits.hdr + 1;
		plen = bits.len - 1;
		pub = spki + poff;

		*why = "unsupported public key algorithm";
		if (oid_eq(op, &oid, oid_ec_pub, sizeof(oid_ec_pub))) {
			const u8 *pp = spki + pstart;
			size_t want;

			if (!have_par || par.tag != DER_OID)
				return -EOPNOTSUPP;
			if (oid_eq(pp, &par, oid_p256, sizeof(oid_p256))) {
				*asym = SPDM_ASYM_ECDSA_P256;
				want = 65;
			} else if (oid_eq(pp, &par, oid_p384, sizeof(oid_p384))) {
				*asym = SPDM_ASYM_ECDSA_P384;
				want = 97;
			} else if (oid_eq(pp, &par, oid_p521, sizeof(oid_p521))) {
				*asym = SPDM_ASYM_ECDSA_P521;
				want = 133;
			} else {
				*why = "unsupported EC curve";
				return -EOPNOTSUPP;
			}
			if (plen != want || pub[0] != 0x04) {
				*why = "EC point is not uncompressed or has the wrong size";
				return -EBADMSG;
			}
		} else if (oid_eq(op, &oid, oid_rsa, sizeof(oid_rsa))) {
			if (have_par && (par.tag != DER_NULL || par.len != 0))
				return -EBADMSG;
			if (der_rsa_bits(pub, plen, &rbits)) {
				*why = "malformed RSAPublicKey";
				return -EBADMSG;
			}
			if (rbits == 2048) {
				*asym = SPDM_ASYM_RSASSA_2048;
			} else if (rbits == 3072) {
				*asym = SPDM_ASYM_RSASSA_3072;
			} else if (rbits == 4096) {
				*asym = SPDM_ASYM_RSASSA_4096;
			} else {
				*why = "unsupported RSA modulus size";
				return -EOPNOTSUPP;
			}
		} else {
			return -EOPNOTSUPP;
		}
	}
	*pub_off = poff;
	*pub_len = plen;
	*why = NULL;
	return 0;
}

/* Find the SPKI inside one Certificate TLV at [@off, @off + @len). */
static int der_cert_spki(const u8 *p, size_t off, size_t len, size_t *spki_off,
			 size_t *spki_len)
{
	struct der_tlv cert, tbs, t;
	size_t end = off + len, tend;
	int i;

	if (der_expect(p, end, &off, DER_SEQUENCE, &cert) ||
	    off + cert.hdr + cert.len != end)
		return -EBADMSG;
	off += cert.hdr;
	if (der_expect(p, end, &off, DER_SEQUENCE, &tbs))
		return -EBADMSG;
	tend = off + tbs.hdr + tbs.len;
	off += tbs.hdr;
	/* [0] EXPLICIT version OPTIONAL */
	if (off < tend && p[off] == DER_CTX0) {
		if (der_expect(p, tend, &off, DER_CTX0, &t))
			return -EBADMSG;
		off += t.hdr + t.len;
	}
	/* serialNumber INTEGER */
	if (der_expect(p, tend, &off, DER_INTEGER, &t))
		return -EBADMSG;
	off += t.hdr + t.len;
	/* signature, issuer, validity, subject: four SEQUENCEs */
	for (i = 0; i < 4; i++) {
		if (der_expect(p, tend, &off, DER_SEQUENCE, &t))
			return -EBADMSG;
		off += t.hdr + t.len;
	}
	if (der_expect(p, tend, &off, DER_SEQUENCE, &t))
		return -EBADMSG;
	*spki_off = off;
	*spki_len = t.hdr + t.len;
	return 0;
}

/**
 * spdm_der_walk_chain() - walk the certificates of an SPDM chain body
 * @certs: the certificates (after the chain header and root hash)
 * @len: their total length
 * @leaf: filled with the leaf's SPKI location and key type
 * @why: set to a static reason on failure (may be NULL)
 *
 * Return: 0, -EBADMSG or -EOPNOTSUPP.
 */
int spdm_der_walk_chain(const u8 *certs, size_t len,
			struct spdm_der_cert_info *leaf, const char **why)
{
	size_t off = 0, last_off = 0, last_len = 0, po, pl;
	const char *dummy;
	struct der_tlv t;
	unsigned int n = 0;
	u32 asym;
	int rc;

	if (!why)
		why = &dummy;
	memset(leaf, 0, sizeof(*leaf));
	while (off < len) {
		if (der_expect(certs, len, &off, DER_SEQUENCE, &t)) {
			*why = "certificate chain is not a sequence of DER certificates";
			return -EBADMSG;
		}
		last_off = off;
		last_len = t.hdr + t.len;
		off += last_len;
		n++;
	}
	if (!n) {
		*why = "certificate chain holds no certificate";
		return -EBADMSG;
	}
	if (der_cert_spki(certs, last_off, last_len, &leaf->spki_off,
			  &leaf->spki_len)) {
		*why = "leaf certificate is malformed";
		return -EBADMSG;
	}
	rc = spdm_der_parse_spki(certs + leaf->spki_off, leaf->spki_len, &po,
				 &pl, &asym, why);
	if (rc)
		return rc;
	leaf->pub_off = leaf->spki_off + po;
	leaf->pub_len = pl;
	leaf->asym = asym;
	leaf->ncerts = n;
	*why = NULL;
	return 0;
}
