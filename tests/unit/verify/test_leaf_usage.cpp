// SPDX-License-Identifier: GPL-2.0
// tsmctl verify's leaf checks (DSP0274 "Leaf certificate"): keyUsage must
// allow digitalSignature, an extendedKeyUsage must name SPDM responder
// authentication; and the SAN otherNames libspdmtsm reads through mbedTLS.
// The certificates are written here with mbedTLS's x509write.
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/mbed.hpp"
#include "spdmtsm/verify.hpp"
#include "spdmtsm/x509.hpp"

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <optional>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using spdmtsm::Bytes;

namespace {

struct LeafSpec {
	std::optional<unsigned> key_usage;  // keyUsage bits, or no extension
	std::vector<Bytes> ekus;            // extendedKeyUsage OIDs, none: no extension
	std::optional<std::string> dmtf_id; // SAN otherName id-DMTF-device-info
	std::optional<std::string> cma;     // SAN otherName 2.23.147
};

// DER SubjectAltName value with the otherNames asked for, written backwards
// with mbedtls_asn1_write_*.
Bytes san(const LeafSpec &s)
{
	unsigned char buf[512];
	unsigned char *p = buf + sizeof(buf);
	std::size_t total = 0;
	auto other_name = [&](const Bytes &oid, const std::string &v) {
		std::size_t len = 0;
		int r = mbedtls_asn1_write_utf8_string(&p, buf, v.data(), v.size());
		REQUIRE(r > 0);
		len += r;
		len += mbedtls_asn1_write_len(&p, buf, len);
		len += mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0);
		r = mbedtls_asn1_write_oid(&p, buf, reinterpret_cast<const char *>(oid.data()), oid.size());
		REQUIRE(r > 0);
		len += r;
		len += mbedtls_asn1_write_len(&p, buf, len);
		len += mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0);
		total += len;
	};
	if (s.dmtf_id)
		other_name(spdmtsm::oid_dmtf_device_info, *s.dmtf_id);
	if (s.cma)
		other_name(spdmtsm::oid_pcie_cma, *s.cma);
	total += mbedtls_asn1_write_len(&p, buf, total);
	total += mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
	return Bytes(p, buf + sizeof(buf));
}

// A self-signed EC P-256 leaf (not a CA) as spec says.
Bytes leaf_cert(const LeafSpec &s)
{
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509write_cert crt;
	spdmtsm::mbed::Pk key;
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_x509write_crt_init(&crt);
	REQUIRE(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, nullptr, 0) == 0);
	REQUIRE(mbedtls_pk_setup(key.get(), mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) == 0);
	REQUIRE(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key.get()), mbedtls_ctr_drbg_random,
				    &drbg) == 0);
	mbedtls_x509write_crt_set_subject_key(&crt, key.get());
	mbedtls_x509write_crt_set_issuer_key(&crt, key.get());
	REQUIRE(mbedtls_x509write_crt_set_subject_name(&crt, "CN=leaf") == 0);
	REQUIRE(mbedtls_x509write_crt_set_issuer_name(&crt, "CN=leaf") == 0);
	const unsigned char serial[] = {1};
	REQUIRE(mbedtls_x509write_crt_set_serial_raw(&crt, const_cast<unsigned char *>(serial), 1) == 0);
	REQUIRE(mbedtls_x509write_crt_set_validity(&crt, "20250101000000", "20491231235959") == 0);
	REQUIRE(mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1) == 0);
	if (s.key_usage)
		REQUIRE(mbedtls_x509write_crt_set_key_usage(&crt, *s.key_usage) == 0);
	std::vector<mbedtls_asn1_sequence> ekus(s.ekus.size());
	for (std::size_t i = 0; i < s.ekus.size(); i++) {
		ekus[i].buf.tag = MBEDTLS_ASN1_OID;
		ekus[i].buf.p = const_cast<unsigned char *>(s.ekus[i].data());
		ekus[i].buf.len = s.ekus[i].size();
		ekus[i].next = i + 1 < s.ekus.size() ? &ekus[i + 1] : nullptr;
	}
	if (!ekus.empty())
		REQUIRE(mbedtls_x509write_crt_set_ext_key_usage(&crt, ekus.data()) == 0);
	if (s.dmtf_id || s.cma) {
		Bytes v = san(s);
		REQUIRE(mbedtls_x509write_crt_set_extension(&crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
							    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, v.data(),
							    v.size()) == 0);
	}
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	unsigned char buf[2048];
	int n = mbedtls_x509write_crt_der(&crt, buf, sizeof(buf), mbedtls_ctr_drbg_random, &drbg);
	REQUIRE(n > 0);
	Bytes der(buf + sizeof(buf) - n, buf + sizeof(buf));
	mbedtls_x509write_crt_free(&crt);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return der;
}

const Bytes server_auth(MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SERVER_AUTH + MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));

// verify_evidence on a chain of just this leaf (no anchors: the chain check
// is skipped; the signature check fails for lack of one, not looked at).
spdmtsm::VerifyReport verify_leaf(const Bytes &der)
{
	spdmtsm::Evidence e;
	e.version = 0x12;
	e.asym = 1u << 4;
	e.hash = 1u << 0;
	e.cert_chain = der;
	spdmtsm::mbed::Crt c;
	REQUIRE(c.add_der(der.data(), der.size()) == 0);
	e.leaf_spki.assign(c->pk_raw.p, c->pk_raw.p + c->pk_raw.len);
	return spdmtsm::verify_evidence(e, nullptr);
}

const spdmtsm::CheckResult &check(const spdmtsm::VerifyReport &r, const std::string &name)
{
	for (const auto &c : r.checks)
		if (c.name == name)
			return c;
	FAIL("no check named " << name);
	static spdmtsm::CheckResult none;
	return none;
}

} // namespace

TEST_CASE("leaf keyUsage: digitalSignature required when the extension is present")
{
	auto ok = verify_leaf(leaf_cert({MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {}, {}, {}}));
	CHECK(check(ok, "key-usage").ok);
	CHECK(check(ok, "leaf-key").ok);
	auto absent = verify_leaf(leaf_cert({std::nullopt, {}, {}, {}}));
	CHECK(check(absent, "key-usage").ok);
	CHECK_THAT(check(absent, "key-usage").detail, ContainsSubstring("no keyUsage"));
	auto bad = verify_leaf(leaf_cert({MBEDTLS_X509_KU_KEY_AGREEMENT | MBEDTLS_X509_KU_KEY_CERT_SIGN, {}, {}, {}}));
	CHECK_FALSE(check(bad, "key-usage").ok);
	CHECK_THAT(check(bad, "key-usage").detail, ContainsSubstring("digitalSignature"));
	CHECK_FALSE(bad.ok());
	// its own line in JSON too
	auto j = spdmtsm::json_of("0000:01:00.0", bad);
	bool seen = false;
	for (const auto &c : j["checks"])
		if (c["check"] == "key-usage") {
			seen = true;
			CHECK(c["ok"] == false);
		}
	CHECK(seen);
}

TEST_CASE("leaf extendedKeyUsage: SPDM responder authentication required when present")
{
	const auto &rsp = spdmtsm::oid_dmtf_eku_responder_auth;
	const auto &req = spdmtsm::oid_dmtf_eku_requester_auth;
	auto none = verify_leaf(leaf_cert({MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {}, {}, {}}));
	CHECK(check(none, "eku").ok);
	auto both = verify_leaf(leaf_cert({MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {req, rsp}, {}, {}}));
	CHECK(check(both, "eku").ok);
	CHECK(check(both, "key-usage").ok);
	auto responder = verify_leaf(leaf_cert({MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {server_auth, rsp}, {}, {}}));
	CHECK(check(responder, "eku").ok);
	auto requester = verify_leaf(leaf_cert({MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {req}, {}, {}}));
	CHECK_FALSE(check(requester, "eku").ok);
	CHECK_THAT(check(requester, "eku").detail, ContainsSubstring("requester authentication only"));
	auto other = verify_leaf(leaf_cert({MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {server_auth}, {}, {}}));
	CHECK_FALSE(check(other, "eku").ok);
	CHECK_THAT(check(other, "eku").detail, ContainsSubstring("1.3.6.1.4.1.412.274.3"));
	CHECK_FALSE(other.ok());
}

TEST_CASE("SAN otherNames through mbedTLS: the DMTF device-info and the PCIe CMA name")
{
	auto c = spdmtsm::describe_cert(leaf_cert(
		{MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {}, std::string("ACME:widget:1234"), std::string("Vendor=1")}));
	REQUIRE(c.device_info.has_value());
	CHECK(*c.device_info == "ACME:widget:1234");
	REQUIRE(c.cma_name.has_value());
	CHECK(*c.cma_name == "Vendor=1");
	auto j = spdmtsm::json_of(c);
	CHECK(j["device_info"] == "ACME:widget:1234");
	auto none = spdmtsm::describe_cert(leaf_cert({MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {}, {}, {}}));
	CHECK_FALSE(none.device_info.has_value());
	CHECK(spdmtsm::json_of(none)["device_info"].is_null());
}

TEST_CASE("base64, PEM and the DER chain split are mbedTLS's")
{
	CHECK(spdmtsm::base64(Bytes{}) == "");
	CHECK(spdmtsm::base64(Bytes{'f'}) == "Zg==");
	CHECK(spdmtsm::base64(Bytes{'f', 'o'}) == "Zm8=");
	CHECK(spdmtsm::base64(Bytes{'f', 'o', 'o'}) == "Zm9v");
	Bytes der = leaf_cert({MBEDTLS_X509_KU_DIGITAL_SIGNATURE, {}, {}, {}});
	std::string p = spdmtsm::pem(der);
	CHECK(p.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
	CHECK(p.size() >= 26);
	CHECK(p.substr(p.size() - 26) == "-----END CERTIFICATE-----\n");
	CHECK(p.find('\0') == std::string::npos);
	spdmtsm::mbed::Crt back;
	Bytes pz(p.begin(), p.end());
	pz.push_back(0); // mbedTLS parses PEM with its NUL
	CHECK(mbedtls_x509_crt_parse(back.get(), pz.data(), pz.size()) == 0);
	CHECK(Bytes(back->raw.p, back->raw.p + back->raw.len) == der);
	Bytes two = der;
	two.insert(two.end(), der.begin(), der.end());
	CHECK(spdmtsm::split_der_certs(two).size() == 2);
	Bytes cut(two.begin(), two.end() - 1);
	CHECK_THROWS_WITH(spdmtsm::split_der_certs(cut), ContainsSubstring("runs past the end"));
	CHECK_THROWS_WITH(spdmtsm::split_der_certs(Bytes{0x31, 0x00}), ContainsSubstring("expected a DER SEQUENCE"));
}
