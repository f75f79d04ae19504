// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the SPDM requester core, built as its own module
 * (spdm_core_kunit.ko) when the kernel has CONFIG_KUNIT.  The core is
 * compiled into this module (the #includes below), so the tests exercise
 * the kernel build of the same files the userspace Catch2 suite
 * (tests/unit/core) runs: kernel headers, byte order, unaligned access.
 * The responder is a script of canned responses; no crypto is reached.
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

static struct kunit_case spdm_core_cases[] = {
	KUNIT_CASE(spdm_kunit_layouts),
	KUNIT_CASE(spdm_kunit_layouts_14),
	KUNIT_CASE(spdm_kunit_meas_next),
	KUNIT_CASE(spdm_kunit_no_common_version),
	KUNIT_CASE(spdm_kunit_truncated_version),
	KUNIT_CASE(spdm_kunit_busy),
	KUNIT_CASE(spdm_kunit_large_without_chunk),
	{}
};

static struct kunit_suite spdm_core_suite = {
	.name = "spdm-core",
	.test_cases = spdm_core_cases,
};

kunit_test_suite(spdm_core_suite);

MODULE_DESCRIPTION("KUnit tests of the spdm-tsm SPDM requester core");
MODULE_LICENSE("GPL");
