// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/verify.hpp"
#include "spdmtsm/x509.hpp"

#include "devsim/responder.hpp"
#include "platform_user.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using Catch::Matchers::ContainsSubstring;
using spdmtsm::Bytes;

namespace {

// Authenticate a devsim identity with the kernel's core (userspace build)
// and convert its evidence into the bundle tsmctl gets over netlink.
spdmtsm::Evidence authenticate(const devsim::Identity &id, std::uint8_t version)
{
	devsim::Config cfg;
	cfg.versions = {version};
	devsim::Responder rsp(cfg, id);
	spdmtest::Platform plat([&](std::span<const std::uint8_t> req) { return rsp.handle(req); });
	auto s = spdmtest::make_session(plat);
	int rc = spdm_authenticate(s.get(), 0, nullptr);
	INFO(spdm_last_error(s.get()));
	REQUIRE(rc == 0);
	spdm_evidence ev;
	spdm_get_evidence(s.get(), &ev);
	spdmtsm::Evidence e;
	e.version = ev.version;
	e.asym = ev.asym;
	e.hash = ev.hash;
	e.slot = ev.slot;
	std::size_t hdr = 4 + ev.hash_len;
	REQUIRE(ev.chain.len > hdr);
	e.cert_chain.assign(ev.chain.data + hdr, ev.chain.data + ev.chain.len);
	e.transcript = spdmtest::flat(ev.transcript);
	e.signature.assign(ev.signature.data, ev.signature.data + ev.signature.len);
	e.leaf_spki.assign(ev.leaf_spki.data, ev.leaf_spki.data + ev.leaf_spki.len);
	e.nonce.assign(ev.nonce.data, ev.nonce.data + ev.nonce.len);
	if (ev.context)
		e.context = ev.context;
	return e;
}

// A temporary PEM file holding one certificate.
struct TempPem {
	std::string path;
	explicit TempPem(const Bytes &der)
	{
		char tmpl[] = "/tmp/spdm-tsm-verify-XXXXXX";
		int fd = mkstemp(tmpl);
		REQUIRE(fd >= 0);
		close(fd);
		path = tmpl;
		std::ofstream(path) << spdmtsm::pem(der);
	}
	~TempPem() { std::remove(path.c_str()); }
};

const spdmtsm::CheckResult &check(const spdmtsm::VerifyReport &r, const std::string &name)
{
	for (const auto &c : r.checks)
		if (c.name == name)
			return c;
	FAIL("no check named " << name);
	static spdmtsm::CheckResult none;
	return none;
}

const devsim::Identity &p256()
{
	static const auto id = devsim::make_identity(devsim::Asym::EcdsaP256, devsim::Hash::Sha256, 1, 11);
	return id;
}

const devsim::Identity &other()
{
	static const auto id = devsim::make_identity(devsim::Asym::EcdsaP256, devsim::Hash::Sha256, 1, 12);
	return id;
}

// A self-signed EC certificate that expired in 2001.
Bytes expired_cert()
{
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	mbedtls_x509write_cert crt;
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	REQUIRE(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, nullptr, 0) == 0);
	REQUIRE(mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0);
	REQUIRE(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg) == 0);
	mbedtls_x509write_crt_set_subject_key(&crt, &key);
	mbedtls_x509write_crt_set_issuer_key(&crt, &key);
	REQUIRE(mbedtls_x509write_crt_set_subject_name(&crt, "CN=expired") == 0);
	REQUIRE(mbedtls_x509write_crt_set_issuer_name(&crt, "CN=expired") == 0);
	const unsigned char serial[] = {1};
	REQUIRE(mbedtls_x509write_crt_set_serial_raw(&crt, const_cast<unsigned char *>(serial), 1) == 0);
	REQUIRE(mbedtls_x509write_crt_set_validity(&crt, "20000101000000", "20010101000000") == 0);
	REQUIRE(mbedtls_x509write_crt_set_basic_constraints(&crt, 1, -1) == 0);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	unsigned char buf[2048];
	int n = mbedtls_x509write_crt_der(&crt, buf, sizeof(buf), mbedtls_ctr_drbg_random, &drbg);
	REQUIRE(n > 0);
	Bytes der(buf + sizeof(buf) - n, buf + sizeof(buf));
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return der;
}

} // namespace

TEST_CASE("a good chain and signature are trusted, at SPDM 1.1, 1.2 and 1.3")
{
	TempPem root(p256().slots[0].certs.front());
	auto anchors = spdmtsm::load_anchors({root.path});
	for (std::uint8_t v : {0x11, 0x12, 0x13}) {
		CAPTURE(unsigned(v));
		auto e = authenticate(p256(), v);
		auto r = spdmtsm::verify_evidence(e, anchors.get());
		for (const auto &c : r.checks)
			INFO(c.name << ": " << c.detail);
		CHECK(r.ok());
		CHECK(check(r, "chain").ok);
		CHECK(check(r, "leaf-key").ok);
		CHECK(check(r, "signature").ok);
	}
}

TEST_CASE("a foreign trust anchor is refused")
{
	TempPem root(other().slots[0].certs.front());
	auto anchors = spdmtsm::load_anchors({root.path});
	auto r = spdmtsm::verify_evidence(authenticate(p256(), 0x12), anchors.get());
	CHECK_FALSE(r.ok());
	CHECK_FALSE(check(r, "chain").ok);
	CHECK(check(r, "signature").ok); // the device did sign; it is just not trusted
}

TEST_CASE("an expired certificate is refused and the reason says so")
{
	Bytes cert = expired_cert();
	TempPem root(cert);
	auto anchors = spdmtsm::load_anchors({root.path});
	spdmtsm::Evidence e = authenticate(p256(), 0x12);
	e.cert_chain = cert; // an evidence bundle whose only certificate expired
	auto r = spdmtsm::verify_evidence(e, anchors.get());
	CHECK_FALSE(r.ok());
	CHECK_THAT(check(r, "chain").detail, ContainsSubstring("expired"));
}

TEST_CASE("a leaf key different from the kernel's cached key is refused")
{
	TempPem root(p256().slots[0].certs.front());
	auto anchors = spdmtsm::load_anchors({root.path});
	spdmtsm::Evidence e = authenticate(p256(), 0x12);
	e.leaf_spki = authenticate(other(), 0x12).leaf_spki;
	auto r = spdmtsm::verify_evidence(e, anchors.get());
	CHECK_FALSE(r.ok());
	CHECK_FALSE(check(r, "leaf-key").ok);
	CHECK_THAT(check(r, "leaf-key").detail, ContainsSubstring("differs"));
}

TEST_CASE("a tampered transcript or signature is refused")
{
	TempPem root(p256().slots[0].certs.front());
	auto anchors = spdmtsm::load_anchors({root.path});
	for (std::uint8_t v : {0x11, 0x13}) {
		CAPTURE(unsigned(v));
		spdmtsm::Evidence e = authenticate(p256(), v);
		e.transcript[e.transcript.size() / 2] ^= 1;
		auto r = spdmtsm::verify_evidence(e, anchors.get());
		CHECK_FALSE(check(r, "signature").ok);
		CHECK_THAT(check(r, "signature").detail, ContainsSubstring("does not verify"));
		spdmtsm::Evidence f = authenticate(p256(), v);
		f.signature[3] ^= 0x80;
		CHECK_FALSE(check(spdmtsm::verify_evidence(f, anchors.get()), "signature").ok);
		spdmtsm::Evidence g = authenticate(p256(), v);
		if (!g.context.empty()) {
			g.context = "responder-measurements signing"; // wrong context string
			CHECK_FALSE(check(spdmtsm::verify_evidence(g, anchors.get()), "signature").ok);
		}
	}
}

TEST_CASE("RSA-3072 evidence verifies too")
{
	static const auto rsa = devsim::make_identity(devsim::Asym::Rsa3072, devsim::Hash::Sha256, 1, 13);
	TempPem root(rsa.slots[0].certs.front());
	auto anchors = spdmtsm::load_anchors({root.path});
	auto r = spdmtsm::verify_evidence(authenticate(rsa, 0x12), anchors.get());
	for (const auto &c : r.checks)
		INFO(c.name << ": " << c.detail);
	CHECK(r.ok());
}

TEST_CASE("load_anchors names a missing file")
{
	CHECK_THROWS_WITH(spdmtsm::load_anchors({"/nonexistent/root.pem"}), ContainsSubstring("/nonexistent/root.pem"));
}

TEST_CASE("certificate display: subject, issuer, key and the PCIe CMA otherName")
{
	const auto &slot = p256().slots[0];
	auto leaf = spdmtsm::describe_cert(slot.certs.back());
	auto root = spdmtsm::describe_cert(slot.certs.front());
	CHECK(leaf.key == "EC P-256");
	CHECK_FALSE(leaf.is_ca);
	CHECK(root.is_ca);
	CHECK(root.subject == root.issuer);
	CHECK(leaf.issuer != leaf.subject);
	REQUIRE(leaf.cma_name.has_value());
	CHECK_THAT(*leaf.cma_name, ContainsSubstring("Vendor=1b36"));
	CHECK_FALSE(root.cma_name.has_value());
	CHECK_THROWS(spdmtsm::describe_cert(Bytes{0x30, 0x00}));
	// A hand-made GeneralNames with a DNS name and the CMA otherName.
	Bytes names{0x30, 0x16, 0x82, 0x03, 'a', '.', 'b', 0xa0, 0x0f, 0x06, 0x03, 0x67, 0x81, 0x13,
		    0xa0, 0x08, 0x0c, 0x06, 'V', 'e', 'n', 'd', 'o', 'r'};
	CHECK(spdmtsm::find_cma_other_name(names) == "Vendor");
	names[11] = 0x12; // another OID
	CHECK_FALSE(spdmtsm::find_cma_other_name(names).has_value());
	CHECK_FALSE(spdmtsm::find_cma_other_name(Bytes{0x30, 0x05, 0xa0}).has_value()); // truncated
}
