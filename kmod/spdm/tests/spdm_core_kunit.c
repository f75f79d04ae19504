// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the SPDM requester core, built as its own module
 * (spdm_core_kunit.ko) when the kernel has CONFIG_KUNIT.  The core is
 * compiled into this module (the #includes below), so the tests exercise
 * the kernel build of the same files the userspace Catch2 suite
 * (tests/unit/core) runs: kernel headers, byte order, unaligned access.
 * The responder is a script of canned responses.
 *
 * The session crypto runs through the kernel's platform ops
 * (platform-kernel.c, also compiled in): kpp ECDH, gcm(aes),
 * rfc7539(chacha20,poly1305) and the sha2 HMAC library, checked against
 * known answers that do not come from this project (session_kat.h, made by
 * tests/kat/gen_session_kat.py with python3-cryptography; RFC 5869).  A
 * transform the kernel lacks (-ENOENT) makes its case a KUnit skip.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../exchange.c"
#include "../chunk.c"
#include "../transcript.c"
#include "../vca.c"
#include "../auth.c"
#include "../measurements.c"
#include "../session.c"
#include "../der.c"
#include "../meas.c"
#include "../hkdf.c"
#include "../secmsg.c"
#include "../keyex.c"
#include "../secure.c"
#include "../platform-kernel.c"
#include "session_kat.h"

struct spdm_kunit_rsp {
	const u8 *data;
	size_t len;
};

/* The responder: the same canned response to every request, counted. */
struct spdm_kunit_dev {
	struct spdm_kunit_rsp rsp;
	unsigned int requests;
	u8 last_req[SPDM_MAX_REQ];
};

static ssize_t spdm_kunit_exchange(void *priv, enum spdm_transport_type type,
				   const void *req, size_t req_len, void *resp,
				   size_t resp_cap)
{
	struct spdm_kunit_dev *dev = priv;

	if (type != SPDM_TRANSPORT_SPDM)
		return -EOPNOTSUPP;
	dev->requests++;
	memcpy(dev->last_req, req, min(req_len, sizeof(dev->last_req)));
	if (dev->rsp.len > resp_cap)
		return -EOVERFLOW;
	memcpy(resp, dev->rsp.data, dev->rsp.len);
	return dev->rsp.len;
}

static int spdm_kunit_hash(void *priv, u32 alg, const void *data, size_t len,
			   u8 *out)
{
	return -EOPNOTSUPP;
}

static int spdm_kunit_key_load(void *priv, u32 asym, u32 hash,
			       const u8 *spki, size_t spki_len, const u8 *pub,
			       size_t pub_len, void **key)
{
	return -EOPNOTSUPP;
}

static int spdm_kunit_verify(void *priv, void *key, const u8 *digest,
			     size_t digest_len, const u8 *sig, size_t sig_len)
{
	return -EKEYREJECTED;
}

static void spdm_kunit_key_free(void *priv, void *key)
{
}

static int spdm_kunit_random(void *priv, void *buf, size_t len)
{
	memset(buf, 0x5a, len);
	return 0;
}

static void *spdm_kunit_zalloc(void *priv, size_t len)
{
	return kzalloc(len, GFP_KERNEL);
}

static void spdm_kunit_free(void *priv, void *p, size_t len)
{
	kfree_sensitive(p);
}

static const struct spdm_ops spdm_kunit_ops = {
	.exchange = spdm_kunit_exchange,
	.hash = spdm_kunit_hash,
	.key_load = spdm_kunit_key_load,
	.verify = spdm_kunit_verify,
	.key_free = spdm_kunit_key_free,
	.random = spdm_kunit_random,
	.zalloc = spdm_kunit_zalloc,
	.free = spdm_kunit_free,
};

/* A session against @dev answering @rsp; released by the test's end. */
static struct spdm_session *spdm_kunit_session(struct kunit *test,
					       struct spdm_kunit_dev *dev,
					       const u8 *rsp, size_t len)
{
	struct spdm_params p = {
		.ops = &spdm_kunit_ops,
		.priv = dev,
	};
	struct spdm_session *s;

	dev->rsp.data = rsp;
	dev->rsp.len = len;
	KUNIT_ASSERT_EQ(test, spdm_session_create(&p, &s), 0);
	return s;
}

/* Offsets DSP0274 gives, independent of the struct sizes asserted. */
static void spdm_kunit_layouts(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_version_rsp,
				       version_number_entry_count), 5);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_capabilities_rsp, flags), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_capabilities_rsp,
				       max_spdm_msg_size), 16);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_negotiate_algorithms_req,
				       base_hash_algo), 12);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_algorithms_rsp,
				       base_hash_sel), 16);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_algorithms_rsp,
				       ext_asym_sel_count), 32);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_certificate_rsp,
				       remainder_length), 6);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_get_measurements_req,
				       slot_id_param), 36);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_measurements_rsp,
				       measurement_record_length), 5);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_chunk_hdr, chunk_size), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_error_response_not_ready,
				       token), 6);
}

/*
 * The SPDM 1.4 fields the core reads or sends: PqcAsymAlgo / PqcAsymSel in
 * what 1.3 reserved, MELspecification(Sel) unmoved, LargeCertChain in Param1.
 */
static void spdm_kunit_layouts_14(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_negotiate_algorithms_req,
				       pqc_asym_algo), 16);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_negotiate_algorithms_req,
				       ext_asym_count), 28);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_negotiate_algorithms_req,
				       mel_specification), 31);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_algorithms_rsp,
				       pqc_asym_sel), 20);
	KUNIT_EXPECT_EQ(test, offsetof(struct spdm_algorithms_rsp,
				       mel_specification_sel), 31);
	KUNIT_EXPECT_EQ(test, sizeof(struct spdm_algorithms_rsp), 36);
	KUNIT_EXPECT_EQ(test, SPDM_CERT_LARGE_CERT_CHAIN, 0x80);
	KUNIT_EXPECT_EQ(test, SPDM_CAP_LARGE_RESP, 0x80000000u);
}

/* A DMTF block and a raw block, then a DMTF block that lies about its size */
static void spdm_kunit_meas_next(struct kunit *test)
{
	static const u8 rec[] = {
		/* Index 1, DMTF, MeasurementSize 5: type 0x01, size 2, value */
		0x01, 0x01, 0x05, 0x00, 0x01, 0x02, 0x00, 0xaa, 0xbb,
		/* Index 2, not DMTF, MeasurementSize 3, raw bytes */
		0x02, 0x02, 0x03, 0x00, 0x11, 0x22, 0x33,
		/* Index 3, DMTF, MeasurementSize 4 but a value size of 2 */
		0x03, 0x01, 0x04, 0x00, 0x00, 0x02, 0x00, 0xcc,
	};
	struct spdm_meas_block b;
	size_t off = 0;

	KUNIT_ASSERT_EQ(test, spdm_meas_next(rec, sizeof(rec), &off, &b), 1);
	KUNIT_EXPECT_EQ(test, b.index, 1);
	KUNIT_EXPECT_TRUE(test, b.dmtf);
	KUNIT_EXPECT_EQ(test, b.dmtf_type, 1);
	KUNIT_EXPECT_EQ(test, b.value_len, 2);
	KUNIT_EXPECT_EQ(test, b.value[0], 0xaa);
	KUNIT_EXPECT_EQ(test, off, 9);
	KUNIT_ASSERT_EQ(test, spdm_meas_next(rec, sizeof(rec), &off, &b), 1);
	KUNIT_EXPECT_EQ(test, b.index, 2);
	KUNIT_EXPECT_FALSE(test, b.dmtf);
	KUNIT_EXPECT_EQ(test, b.value_len, 3);
	KUNIT_EXPECT_EQ(test, b.value[2], 0x33);
	KUNIT_EXPECT_EQ(test, spdm_meas_next(rec, sizeof(rec), &off, &b), -EPROTO);
	off = 16 + 8;
	KUNIT_EXPECT_EQ(test, spdm_meas_next(rec, sizeof(rec), &off, &b), 0);
}

/* VERSION lists only 0.9: no common version, after one exchange */
static void spdm_kunit_no_common_version(struct kunit *test)
{
	static const u8 rsp[] = { 0x10, SPDM_VERSION, 0, 0, 0, 1, 0x00, 0x09 };
	struct spdm_kunit_dev dev = {};
	struct spdm_session *s = spdm_kunit_session(test, &dev, rsp, sizeof(rsp));

	KUNIT_EXPECT_EQ(test, spdm_authenticate(s, 0, NULL), -EPROTO);
	KUNIT_EXPECT_EQ(test, spdm_last_failure(s), SPDM_FAIL_PROTOCOL);
	KUNIT_EXPECT_STREQ(test, spdm_last_error(s),
			   "GET_VERSION: no common version in 1 entries (we accept 0x10-0x14)");
	KUNIT_EXPECT_EQ(test, dev.requests, 1);
	KUNIT_EXPECT_EQ(test, spdm_exchange_count(s), 1);
	/* GET_VERSION is SPDMVersion 1.0 */
	KUNIT_EXPECT_EQ(test, dev.last_req[0], 0x10);
	KUNIT_EXPECT_EQ(test, dev.last_req[1], SPDM_GET_VERSION);
	spdm_session_free(s);
}

/* VersionNumberEntryCount 2 with one entry: truncated */
static void spdm_kunit_truncated_version(struct kunit *test)
{
	static const u8 rsp[] = { 0x10, SPDM_VERSION, 0, 0, 0, 2, 0x00, 0x12 };
	struct spdm_kunit_dev dev = {};
	struct spdm_session *s = spdm_kunit_session(test, &dev, rsp, sizeof(rsp));

	KUNIT_EXPECT_EQ(test, spdm_authenticate(s, 0, NULL), -EPROTO);
	KUNIT_EXPECT_STREQ(test, spdm_last_error(s),
			   "GET_VERSION: truncated response (8 bytes, fields say 10)");
	spdm_session_free(s);
}

/* ERROR Busy forever: SPDM_BUSY_RETRIES retries, then a timeout */
static void spdm_kunit_busy(struct kunit *test)
{
	static const u8 rsp[] = { 0x10, SPDM_ERROR, SPDM_ERR_BUSY, 0 };
	struct spdm_kunit_dev dev = {};
	struct spdm_session *s = spdm_kunit_session(test, &dev, rsp, sizeof(rsp));

	KUNIT_EXPECT_EQ(test, spdm_authenticate(s, 0, NULL), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, spdm_last_failure(s), SPDM_FAIL_TIMEOUT);
	KUNIT_EXPECT_STREQ(test, spdm_last_error(s),
			   "GET_VERSION: device still Busy after 8 retries");
	KUNIT_EXPECT_EQ(test, dev.requests, SPDM_BUSY_RETRIES + 1);
	spdm_session_free(s);
}

/* ERROR LargeResponse before CHUNK_CAP was negotiated */
static void spdm_kunit_large_without_chunk(struct kunit *test)
{
	static const u8 rsp[] = {
		0x10, SPDM_ERROR, SPDM_ERR_LARGE_RESPONSE, 0, 0x01
	};
	struct spdm_kunit_dev dev = {};
	struct spdm_session *s = spdm_kunit_session(test, &dev, rsp, sizeof(rsp));

	KUNIT_EXPECT_EQ(test, spdm_authenticate(s, 0, NULL), -EPROTO);
	KUNIT_EXPECT_STREQ(test, spdm_last_error(s),
			   "GET_VERSION: device answered ERROR LargeResponse (0x0f), but chunking was not negotiated");
	KUNIT_EXPECT_EQ(test, dev.requests, 1);
	spdm_session_free(s);
}

/* Session crypto: known answers through the kernel's platform ops */

static void spdm_kunit_kat_desc(const struct spdm_session_kat *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(spdm_kunit_kat, spdm_session_kats, spdm_kunit_kat_desc);

static void spdm_kunit_aead_desc(const struct spdm_aead_kat *v, char *desc)
{
	strscpy(desc, v->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(spdm_kunit_aead, spdm_aead_kats, spdm_kunit_aead_desc);

KUNIT_DEFINE_ACTION_WRAPPER(spdm_kunit_kpp_free, crypto_free_kpp,
			    struct crypto_kpp *);
KUNIT_DEFINE_ACTION_WRAPPER(spdm_kunit_session_free, spdm_session_free,
			    struct spdm_session *);

/* A transform the kernel lacks is a skip; any other error a failure. */
static void spdm_kunit_need(struct kunit *test, int rc, const char *what)
{
	if (rc == -ENOENT)
		kunit_skip(test, "%s: not in this kernel (-ENOENT)", what);
	KUNIT_ASSERT_EQ_MSG(test, rc, 0, "%s", what);
}

/* The kpp of @dhe with the fixed private key @priv (big-endian) */
static struct crypto_kpp *spdm_kunit_kpp(struct kunit *test, u32 dhe,
					 const struct spdm_kat_bytes *priv)
{
	const char *name = spdm_k_dhe_alg(dhe);
	struct spdm_k_ecdh_secret hdr = {
		.secret = {
			.type = CRYPTO_KPP_SECRET_TYPE_ECDH,
			.len = sizeof(hdr) + priv->len,
		},
		.key_size = priv->len,
	};
	struct crypto_kpp *tfm;
	u8 *buf;

	KUNIT_ASSERT_NOT_NULL(test, name);
	tfm = crypto_alloc_kpp(name, 0, 0);
	spdm_kunit_need(test, PTR_ERR_OR_ZERO(tfm), name);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							spdm_kunit_kpp_free,
							tfm), 0);
	buf = kunit_kzalloc(test, sizeof(hdr) + priv->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), priv->p, priv->len);
	KUNIT_ASSERT_EQ(test, crypto_kpp_set_secret(tfm, buf, sizeof(hdr) +
						    priv->len), 0);
	return tfm;
}

/*
 * ECDH P-256 / P-384.  The op the core calls (spdm_k_dhe_gen) draws its
 * private key, which the kpp API does not let a caller fix, so: the same
 * kpp with a fixed private key gives the known public key (X || Y) and,
 * through spdm_k_dhe_shared(), the known shared secret, both ways; then a
 * key from spdm_k_dhe_gen() agrees with the fixed one, and a peer point off
 * the curve is refused.
 */
static void spdm_kunit_kat_ecdh(struct kunit *test)
{
	const struct spdm_session_kat *v = test->param_value;
	size_t n = v->shared.len;
	struct crypto_kpp *req, *rsp;
	u8 pub[2 * 48], sec[48], sec2[48], bad[2 * 48];
	void *key = NULL;
	int rc;

	KUNIT_ASSERT_EQ(test, v->req_pub.len, 2 * n);
	req = spdm_kunit_kpp(test, v->dhe, &v->req_priv);
	rsp = spdm_kunit_kpp(test, v->dhe, &v->rsp_priv);
	KUNIT_ASSERT_EQ(test, crypto_kpp_maxsize(req), 2 * n);

	KUNIT_ASSERT_EQ(test, spdm_k_kpp(req, NULL, 0, pub, 2 * n), 0);
	KUNIT_EXPECT_MEMEQ(test, pub, v->req_pub.p, 2 * n);
	KUNIT_ASSERT_EQ(test, spdm_k_kpp(rsp, NULL, 0, pub, 2 * n), 0);
	KUNIT_EXPECT_MEMEQ(test, pub, v->rsp_pub.p, 2 * n);
	KUNIT_ASSERT_EQ(test, spdm_k_dhe_shared(NULL, req, v->rsp_pub.p,
						2 * n, sec, n), 0);
	KUNIT_EXPECT_MEMEQ(test, sec, v->shared.p, n);
	KUNIT_ASSERT_EQ(test, spdm_k_dhe_shared(NULL, rsp, v->req_pub.p,
						2 * n, sec, n), 0);
	KUNIT_EXPECT_MEMEQ(test, sec, v->shared.p, n);

	/* the core's op: a drawn key, its public key, the shared secret */
	rc = spdm_k_dhe_gen(NULL, v->dhe, &key, pub, 2 * n);
	spdm_kunit_need(test, rc, "spdm_k_dhe_gen");
	rc = spdm_k_dhe_shared(NULL, key, v->rsp_pub.p, 2 * n, sec, n);
	KUNIT_EXPECT_EQ(test, rc, 0);
	KUNIT_EXPECT_EQ(test, spdm_k_dhe_shared(NULL, rsp, pub, 2 * n, sec2,
						n), 0);
	KUNIT_EXPECT_MEMEQ(test, sec, sec2, n);
	KUNIT_EXPECT_MEMNEQ(test, sec, v->shared.p, n);
	/* Y + 1: not on the curve */
	memcpy(bad, v->rsp_pub.p, 2 * n);
	bad[2 * n - 1] ^= 0x01;
	KUNIT_EXPECT_NE(test, spdm_k_dhe_shared(NULL, key, bad, 2 * n, sec, n),
			0);
	spdm_k_dhe_free(NULL, key);
}

/* A session with the kernel ops and @v's algorithms, and its s->sec */
static struct spdm_session *spdm_kunit_ks_session(struct kunit *test,
						  const struct spdm_session_kat *v)
{
	struct spdm_kernel_ctl *ctl;
	struct spdm_params p = { .ops = &spdm_kernel_ops };
	struct spdm_session *s;

	ctl = kunit_kzalloc(test, sizeof(*ctl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctl);
	spdm_kernel_ctl_init(ctl, NULL, NULL);
	p.priv = ctl;
	KUNIT_ASSERT_EQ(test, spdm_session_create(&p, &s), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							spdm_kunit_session_free,
							s), 0);
	s->version = v->version;
	s->hash = v->hash;
	s->hlen = spdm_hash_len(v->hash);
	s->aead = v->aead;
	s->caps |= SPDM_CAP_ENCRYPT;
	KUNIT_ASSERT_EQ(test, spdm_secure_alloc(s, "kat"), 0);
	return s;
}

/*
 * The DSP0274 key schedule (hkdf.c over spdm_k_hmac): HKDF-Extract of the
 * handshake secret, the BinConcat HKDF-Expand derivations of the handshake
 * and data secrets, finished keys, keys and IVs, ResponderVerifyData and a
 * KEY_UPDATE, for SHA-256, SHA-384 and SHA-512.
 */
static void spdm_kunit_kat_key_schedule(struct kunit *test)
{
	const struct spdm_session_kat *v = test->param_value;
	struct spdm_session *s = spdm_kunit_ks_session(test, v);
	struct spdm_secure *sec = s->sec;
	size_t h = s->hlen, kl = v->req_hs_key.len;
	u8 mac[SPDM_MAX_HASH];

	KUNIT_ASSERT_EQ(test, h, v->th1.len);
	KUNIT_ASSERT_EQ(test, spdm_ks_handshake(s, "kat", v->shared.p,
						v->shared.len, v->th1.p), 0);
	KUNIT_EXPECT_MEMEQ(test, sec->handshake_secret, v->handshake_secret.p,
			   h);
	KUNIT_EXPECT_MEMEQ(test, sec->req_secret, v->req_hs_secret.p, h);
	KUNIT_EXPECT_MEMEQ(test, sec->rsp_secret, v->rsp_hs_secret.p, h);
	KUNIT_EXPECT_MEMEQ(test, sec->req_finished, v->req_finished_key.p, h);
	KUNIT_EXPECT_MEMEQ(test, sec->rsp_finished, v->rsp_finished_key.p, h);
	KUNIT_EXPECT_EQ(test, sec->req.key_len, kl);
	KUNIT_EXPECT_MEMEQ(test, sec->req.key, v->req_hs_key.p, kl);
	KUNIT_EXPECT_MEMEQ(test, sec->req.iv, v->req_hs_iv.p, SPDM_AEAD_IV_LEN);
	KUNIT_EXPECT_MEMEQ(test, sec->rsp.key, v->rsp_hs_key.p, kl);
	KUNIT_EXPECT_MEMEQ(test, sec->rsp.iv, v->rsp_hs_iv.p, SPDM_AEAD_IV_LEN);

	KUNIT_EXPECT_EQ(test, spdm_hmac_make(s, "kat", sec->rsp_finished,
					     v->th1.p, mac), 0);
	KUNIT_EXPECT_MEMEQ(test, mac, v->rsp_verify.p, h);
	KUNIT_EXPECT_EQ(test, spdm_hmac_verify(s, "kat", sec->rsp_finished,
					       v->th1.p, v->rsp_verify.p), 0);
	mac[h - 1] ^= 0x80;
	KUNIT_EXPECT_EQ(test, spdm_hmac_verify(s, "kat", sec->rsp_finished,
					       v->th1.p, mac), -EBADMSG);

	KUNIT_ASSERT_EQ(test, spdm_ks_data(s, "kat", v->th2.p), 0);
	KUNIT_EXPECT_MEMEQ(test, sec->req_secret, v->req_data_secret.p, h);
	KUNIT_EXPECT_MEMEQ(test, sec->rsp_secret, v->rsp_data_secret.p, h);
	KUNIT_EXPECT_MEMEQ(test, sec->req.key, v->req_data_key.p, kl);
	KUNIT_EXPECT_MEMEQ(test, sec->req.iv, v->req_data_iv.p,
			   SPDM_AEAD_IV_LEN);
	KUNIT_EXPECT_MEMEQ(test, sec->rsp.key, v->rsp_data_key.p, kl);
	KUNIT_EXPECT_MEMEQ(test, sec->rsp.iv, v->rsp_data_iv.p,
			   SPDM_AEAD_IV_LEN);

	KUNIT_ASSERT_EQ(test, spdm_ks_update(s, "kat", sec->req_secret,
					     &sec->req), 0);
	KUNIT_EXPECT_MEMEQ(test, sec->req_secret, v->req_upd_secret.p, h);
	KUNIT_EXPECT_MEMEQ(test, sec->req.key, v->req_upd_key.p, kl);
	KUNIT_EXPECT_MEMEQ(test, sec->req.iv, v->req_upd_iv.p,
			   SPDM_AEAD_IV_LEN);
}

/* RFC 5869 A.1 (SHA-256): HKDF-Extract by the HMAC op, spdm_hkdf_expand() */
static void spdm_kunit_rfc5869(struct kunit *test)
{
	static const u8 salt[] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
		0x0a, 0x0b, 0x0c,
	};
	static const u8 info[] = {
		0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
	};
	static const u8 prk_want[] = {
		0x07, 0x77, 0x09, 0x36, 0x2c, 0x2e, 0x32, 0xdf, 0x0d, 0xdc,
		0x3f, 0x0d, 0xc4, 0x7b, 0xba, 0x63, 0x90, 0xb6, 0xc7, 0x3b,
		0xb5, 0x0f, 0x9c, 0x31, 0x22, 0xec, 0x84, 0x4a, 0xd7, 0xc2,
		0xb3, 0xe5,
	};
	static const u8 okm_want[] = {
		0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43,
		0x4f, 0x64, 0xd0, 0x36, 0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90,
		0xcf, 0x1a, 0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4,
		0xc5, 0xbf, 0x34, 0x00, 0x72, 0x08, 0xd5, 0xb8, 0x87, 0x18,
		0x58, 0x65,
	};
	const struct spdm_session_kat *v = &spdm_session_kats[0];
	struct spdm_session *s;
	u8 ikm[22], prk[32], okm[sizeof(okm_want)];

	KUNIT_ASSERT_EQ(test, v->hash, SPDM_HASH_SHA256);
	s = spdm_kunit_ks_session(test, v);
	memset(ikm, 0x0b, sizeof(ikm));
	KUNIT_ASSERT_EQ(test, spdm_k_hmac(NULL, SPDM_HASH_SHA256, salt,
					  sizeof(salt), ikm, sizeof(ikm), prk),
			0);
	KUNIT_EXPECT_MEMEQ(test, prk, prk_want, sizeof(prk));
	KUNIT_EXPECT_EQ(test, spdm_hkdf_expand(s, "kat", prk, info,
					       sizeof(info), okm, sizeof(okm)),
			0);
	KUNIT_EXPECT_MEMEQ(test, okm, okm_want, sizeof(okm));
}

/*
 * AEAD seal and open (spdm_k_aead_seal / spdm_k_aead_open): AES-128-GCM,
 * AES-256-GCM, ChaCha20-Poly1305 over 70 bytes and 13 of AAD, and a MAC
 * over AAD only; a flipped tag, ciphertext or AAD byte does not open.
 */
static void spdm_kunit_kat_aead(struct kunit *test)
{
	const struct spdm_aead_kat *v = test->param_value;
	size_t len = v->plain.len;
	u8 *out, *tag, *in, *aad;
	int rc;

	KUNIT_ASSERT_EQ(test, v->sealed.len, len + SPDM_AEAD_TAG_LEN);
	out = kunit_kzalloc(test, len + 1, GFP_KERNEL);
	in = kunit_kzalloc(test, v->sealed.len, GFP_KERNEL);
	aad = kunit_kzalloc(test, v->aad.len, GFP_KERNEL);
	tag = kunit_kzalloc(test, SPDM_AEAD_TAG_LEN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, out && in && aad && tag);

	rc = spdm_k_aead_seal(NULL, v->aead, v->key.p, v->key.len, v->nonce.p,
			      v->aad.p, v->aad.len, v->plain.p, len, out, tag);
	spdm_kunit_need(test, rc, v->aead == SPDM_AEAD_CHACHA20_POLY1305 ?
			"rfc7539(chacha20,poly1305)" : "gcm(aes)");
	KUNIT_EXPECT_MEMEQ(test, out, v->sealed.p, len);
	KUNIT_EXPECT_MEMEQ(test, tag, v->sealed.p + len, SPDM_AEAD_TAG_LEN);

	memset(out, 0, len + 1);
	KUNIT_EXPECT_EQ(test, spdm_k_aead_open(NULL, v->aead, v->key.p,
					       v->key.len, v->nonce.p,
					       v->aad.p, v->aad.len,
					       v->sealed.p, len, out,
					       v->sealed.p + len), 0);
	if (len)
		KUNIT_EXPECT_MEMEQ(test, out, v->plain.p, len);

	/* the last tag byte flipped: refused, nothing released */
	memcpy(in, v->sealed.p, v->sealed.len);
	in[v->sealed.len - 1] ^= 0x01;
	KUNIT_EXPECT_EQ(test, spdm_k_aead_open(NULL, v->aead, v->key.p,
					       v->key.len, v->nonce.p,
					       v->aad.p, v->aad.len, in, len,
					       out, in + len), -EBADMSG);
	if (len) {
		KUNIT_EXPECT_TRUE(test, !memchr_inv(out, 0, len));
		/* a ciphertext byte flipped */
		memcpy(in, v->sealed.p, v->sealed.len);
		in[len / 2] ^= 0x40;
		KUNIT_EXPECT_EQ(test, spdm_k_aead_open(NULL, v->aead, v->key.p,
						       v->key.len, v->nonce.p,
						       v->aad.p, v->aad.len,
						       in, len, out, in + len),
				-EBADMSG);
	}
	/* an AAD byte flipped */
	memcpy(aad, v->aad.p, v->aad.len);
	aad[0] ^= 0x02;
	KUNIT_EXPECT_EQ(test, spdm_k_aead_open(NULL, v->aead, v->key.p,
					       v->key.len, v->nonce.p, aad,
					       v->aad.len, v->sealed.p, len,
					       out, v->sealed.p + len),
			-EBADMSG);
}

/*
 * The DSP0277 record (secmsg.c over the kernel's AEAD): HEARTBEAT_ACK
 * under the response data key at sequence number 5, encrypted and MAC-only,
 * sealed to the known bytes and opened; a replay (sequence number 6) and a
 * flipped tag byte are refused.
 */
static void spdm_kunit_kat_record(struct kunit *test)
{
	const struct spdm_session_kat *v = test->param_value;
	struct spdm_secmsg_keys k = {
		.aead = v->aead,
		.key_len = v->rsp_data_key.len,
	};
	const struct spdm_kat_bytes *want[] = { &v->record_mac,
						&v->record_enc };
	u8 plain[SPDM_SECMSG_APP_LEN + 8], ct[SPDM_SECMSG_APP_LEN + 8];
	u8 rec[64], out[64], tag[SPDM_AEAD_TAG_LEN];
	const char *why = NULL;
	size_t alen = v->app.len;
	ssize_t n;
	int rc, enc;

	KUNIT_ASSERT_LE(test, alen, 8);
	memcpy(k.key, v->rsp_data_key.p, k.key_len);
	memcpy(k.iv, v->rsp_data_iv.p, SPDM_AEAD_IV_LEN);

	/* the AEAD op alone on the encrypted record: nonce = IV ^ 5 */
	put_unaligned_le16(alen, plain);
	memcpy(plain + SPDM_SECMSG_APP_LEN, v->app.p, alen);
	rc = spdm_k_aead_seal(NULL, v->aead, k.key, k.key_len,
			      v->record_nonce.p, v->record_enc.p,
			      SPDM_SECMSG_HDR_LEN, plain,
			      SPDM_SECMSG_APP_LEN + alen, ct, tag);
	spdm_kunit_need(test, rc, "AEAD");
	KUNIT_EXPECT_MEMEQ(test, ct, v->record_enc.p + SPDM_SECMSG_HDR_LEN,
			   SPDM_SECMSG_APP_LEN + alen);
	KUNIT_EXPECT_MEMEQ(test, tag, v->record_enc.p + v->record_enc.len -
			   SPDM_AEAD_TAG_LEN, SPDM_AEAD_TAG_LEN);

	for (enc = 0; enc < 2; enc++) {
		const struct spdm_kat_bytes *w = want[enc];

		KUNIT_ASSERT_LE(test, w->len, sizeof(rec));
		k.encrypt = enc;
		k.seq = v->seq;
		n = spdm_secmsg_seal(&spdm_kernel_ops, NULL, &k, v->session_id,
				     v->app.p, alen, rec, sizeof(rec));
		KUNIT_ASSERT_EQ(test, n, (ssize_t)w->len);
		KUNIT_EXPECT_MEMEQ(test, rec, w->p, w->len);
		KUNIT_EXPECT_EQ(test, k.seq, v->seq + 1);

		k.seq = v->seq;
		n = spdm_secmsg_open(&spdm_kernel_ops, NULL, &k, v->session_id,
				     w->p, w->len, out, sizeof(out), &why);
		KUNIT_ASSERT_EQ_MSG(test, n, (ssize_t)alen, "%s", why);
		KUNIT_EXPECT_MEMEQ(test, out, v->app.p, alen);
		KUNIT_EXPECT_EQ(test, k.seq, v->seq + 1);

		/* replayed: the next sequence number's nonce */
		n = spdm_secmsg_open(&spdm_kernel_ops, NULL, &k, v->session_id,
				     w->p, w->len, out, sizeof(out), &why);
		KUNIT_EXPECT_EQ(test, n, -EBADMSG);
		KUNIT_EXPECT_EQ(test, k.seq, v->seq + 1);

		k.seq = v->seq;
		memcpy(rec, w->p, w->len);
		rec[w->len - 1] ^= 0x01;
		n = spdm_secmsg_open(&spdm_kernel_ops, NULL, &k, v->session_id,
				     rec, w->len, out, sizeof(out), &why);
		KUNIT_EXPECT_EQ(test, n, -EBADMSG);
		KUNIT_EXPECT_EQ(test, k.seq, v->seq);
	}
}

static struct kunit_case spdm_core_cases[] = {
	KUNIT_CASE(spdm_kunit_layouts),
	KUNIT_CASE(spdm_kunit_layouts_14),
	KUNIT_CASE(spdm_kunit_meas_next),
	KUNIT_CASE(spdm_kunit_no_common_version),
	KUNIT_CASE(spdm_kunit_truncated_version),
	KUNIT_CASE(spdm_kunit_busy),
	KUNIT_CASE(spdm_kunit_large_without_chunk),
	KUNIT_CASE_PARAM(spdm_kunit_kat_ecdh, spdm_kunit_kat_gen_params),
	KUNIT_CASE_PARAM(spdm_kunit_kat_key_schedule,
			 spdm_kunit_kat_gen_params),
	KUNIT_CASE(spdm_kunit_rfc5869),
	KUNIT_CASE_PARAM(spdm_kunit_kat_aead, spdm_kunit_aead_gen_params),
	KUNIT_CASE_PARAM(spdm_kunit_kat_record, spdm_kunit_kat_gen_params),
	{}
};

static struct kunit_suite spdm_core_suite = {
	.name = "spdm-core",
	.test_cases = spdm_core_cases,
};

kunit_test_suite(spdm_core_suite);

MODULE_DESCRIPTION("KUnit tests of the spdm-tsm SPDM requester core");
MODULE_LICENSE("GPL");
