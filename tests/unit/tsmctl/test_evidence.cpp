// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/policy.hpp"
#include "spdmtsm/verify.hpp"

#include <linux/spdm_tsm.h>

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

using namespace spdmtsm;

TEST_CASE("hex and unhex round-trip and reject junk")
{
	Bytes b{0x00, 0x7f, 0x80, 0xff};
	CHECK(hex(b) == "007f80ff");
	CHECK(unhex("007F80ff") == b);
	CHECK_THROWS_AS(unhex("abc"), std::invalid_argument);
	CHECK_THROWS_AS(unhex("zz"), std::invalid_argument);
	CHECK(unhex("").empty());
}

TEST_CASE("base64 matches RFC 4648 test vectors")
{
	auto b = [](const std::string &s) { return base64(Bytes(s.begin(), s.end())); };
	CHECK(b("") == "");
	CHECK(b("f") == "Zg==");
	CHECK(b("fo") == "Zm8=");
	CHECK(b("foo") == "Zm9v");
	CHECK(b("foob") == "Zm9vYg==");
	CHECK(b("fooba") == "Zm9vYmE=");
	CHECK(b("foobar") == "Zm9vYmFy");
}

TEST_CASE("split_der_certs walks a DER sequence and rejects malformed input")
{
	Bytes one{0x30, 0x03, 1, 2, 3};
	Bytes two{0x30, 0x81, 0x02, 9, 9};
	Bytes chain = one;
	chain.insert(chain.end(), two.begin(), two.end());
	auto certs = split_der_certs(chain);
	REQUIRE(certs.size() == 2);
	CHECK(certs[0] == one);
	CHECK(certs[1] == two);
	CHECK_THROWS(split_der_certs(Bytes{0x31, 0x00}));             // not a SEQUENCE
	CHECK_THROWS(split_der_certs(Bytes{0x30, 0x05, 1, 2}));       // runs past the end
	CHECK_THROWS(split_der_certs(Bytes{0x30, 0x80}));             // indefinite length
	CHECK_THROWS(split_der_certs(Bytes{0x30, 0x84, 0, 0, 0, 1})); // 4-byte length
}

TEST_CASE("algorithm names follow the SPDM bits")
{
	CHECK(std::string(asym_name(1u << 4)) == "ecdsa-p256");
	CHECK(std::string(asym_name(1u << 2)) == "rsassa-3072");
	CHECK(std::string(hash_name(1u << 1)) == "sha384");
	CHECK(hash_len(1u << 2) == 64);
	CHECK(version_text(0x13) == "1.3");
	CHECK(version_text(0x14) == "1.4");
	CHECK(version_text(0).empty()); // none negotiated (devsim's status shows it so)
}

TEST_CASE("the 1.2+ signed message has the DSP0274 layout")
{
	Evidence e;
	e.version = 0x12;
	e.hash = 1u << 0; // SHA-256
	Bytes t{'a', 'b', 'c'};
	std::string ctx = "responder-challenge_auth signing";
	Bytes m = signed_message(e, t, ctx);
	REQUIRE(m.size() == 64 + 36 + 32);
	CHECK(std::string(m.begin(), m.begin() + 16) == "dmtf-spdm-v1.2.*");
	CHECK(std::string(m.begin() + 48, m.begin() + 64) == "dmtf-spdm-v1.2.*");
	CHECK(m[64] == 0);
	CHECK(m[67] == 0);
	CHECK(std::string(m.begin() + 68, m.begin() + 100) == ctx);
	// SHA-256("abc")
	CHECK(hex(Bytes(m.begin() + 100, m.end())) ==
	      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	// 1.4: the same layout, its own version in the prefix
	e.version = 0x14;
	Bytes m14 = signed_message(e, t, ctx);
	REQUIRE(m14.size() == m.size());
	for (int i = 0; i < 4; i++)
		CHECK(std::string(m14.begin() + 16 * i, m14.begin() + 16 * (i + 1)) == "dmtf-spdm-v1.4.*");
	CHECK(std::equal(m14.begin() + 64, m14.end(), m.begin() + 64));
	e.version = 0x11;
	CHECK(signed_message(e, t, "") == t);
}

TEST_CASE("verify_signature refuses garbage keys and wrong lengths")
{
	CHECK_FALSE(verify_signature(Bytes{1, 2, 3}, 1u << 4, 1u << 0, Bytes{1}, Bytes(64)).empty());
}

TEST_CASE("verify_evidence fails cleanly on an empty bundle")
{
	Evidence e;
	auto r = verify_evidence(e, nullptr);
	CHECK_FALSE(r.ok());
	REQUIRE_FALSE(r.checks.empty());
	CHECK(r.checks[0].name == "chain");
}

TEST_CASE("policy JSON shape and names")
{
	Policy p;
	p.bdf = "0000:01:00.0";
	p.serial = 0x1122334455667788ULL;
	p.cert_digest = Bytes{0xab, 0xcd};
	p.meas.push_back({1, Bytes{0x01}, false});
	p.meas.push_back({3, Bytes{}, true});
	p.action = SPDM_TSM_ACTION_UNBIND;
	p.revalidate_mode = SPDM_TSM_REVALIDATE_MODE_ANNOUNCE;
	CHECK(json_text(json_of(p)) == R"({"bdf":"0000:01:00.0","serial":"1122334455667788","slot":0,"cert_digest":"abcd",)"
			 R"("measurements":[{"index":1,"digest":"01","volatile":false},)"
			 R"({"index":3,"digest":null,"volatile":true}],"meas_baseline":false,"action":"unbind",)"
			 R"("revalidate":"announce"})");
	p.meas_baseline = true;
	CHECK(json_text(json_of(p)).find(R"("meas_baseline":true,)") != std::string::npos);
	CHECK(action_from_name("disable-bus-master") == SPDM_TSM_ACTION_DISABLE_BUS_MASTER);
	CHECK_FALSE(action_from_name("reboot").has_value());
	CHECK(std::string(event_name(SPDM_TSM_EVENT_REVALIDATION_FAILED)) == "revalidation-failed");
	CHECK(std::string(reason_name(SPDM_TSM_REASON_CERT_DIGEST)) == "cert-digest");
	CHECK(std::string(reason_name(999)) == "unknown");
}

namespace {

// A generic-netlink message as the kernel sends it: headers + attributes.
struct NlMsg {
	std::vector<std::uint8_t> buf = std::vector<std::uint8_t>(20, 0); // nlmsghdr + genlmsghdr
	NlMsg &attr(std::uint16_t type, const Bytes &data, bool pad = true)
	{
		std::uint16_t len = static_cast<std::uint16_t>(4 + data.size());
		buf.push_back(len & 0xff);
		buf.push_back(len >> 8);
		buf.push_back(type & 0xff);
		buf.push_back(type >> 8);
		buf.insert(buf.end(), data.begin(), data.end());
		while (pad && buf.size() % 4)
			buf.push_back(0);
		return *this;
	}
	NlMsg &str(std::uint16_t type, const std::string &s) { return attr(type, Bytes(s.begin(), s.end() + 1)); }
	const nlmsghdr *hdr()
	{
		std::uint32_t len = static_cast<std::uint32_t>(buf.size());
		std::memcpy(buf.data(), &len, 4);
		return reinterpret_cast<const nlmsghdr *>(buf.data());
	}
};

} // namespace

TEST_CASE("policy and event replies: well-formed ones parse")
{
	NlMsg m;
	m.str(SPDM_TSM_A_POLICY_BDF, "0000:01:00.0")
		.attr(SPDM_TSM_A_POLICY_SLOT, {3})
		.attr(SPDM_TSM_A_POLICY_ACTION, {1, 0, 0, 0})
		.attr(SPDM_TSM_A_POLICY_SERIAL, {0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01});
	Policy p = policy_from_msg(m.hdr());
	CHECK(p.bdf == "0000:01:00.0");
	CHECK(p.slot == 3);
	CHECK(p.action == 1);
	CHECK(p.serial == 0x0123456789abcdefULL);
	NlMsg e;
	e.str(SPDM_TSM_A_DEV_BDF, "0000:02:00.0").attr(SPDM_TSM_A_DEV_REASON, {6, 0, 0, 0});
	auto ev = dev_event_from_msg(e.hdr());
	REQUIRE(ev);
	CHECK(ev->dev.bdf == "0000:02:00.0");
	CHECK(ev->reason == 6);
}

TEST_CASE("policy and event replies: short or unterminated attributes are rejected")
{
	// found by fuzz_policy: a string attribute without its NUL made
	// nla_get_string() run past the message; a u8/u32/u64 shorter than
	// its type read past the attribute
	NlMsg unterminated;
	unterminated.attr(SPDM_TSM_A_POLICY_BDF, {'0', '0', ':', '0'}, false);
	CHECK_THROWS_AS(policy_from_msg(unterminated.hdr()), std::runtime_error);
	NlMsg short_slot;
	short_slot.str(SPDM_TSM_A_POLICY_BDF, "0000:01:00.0").attr(SPDM_TSM_A_POLICY_SLOT, {}, false);
	CHECK_THROWS_AS(policy_from_msg(short_slot.hdr()), std::runtime_error);
	NlMsg short_action;
	short_action.str(SPDM_TSM_A_POLICY_BDF, "0000:01:00.0").attr(SPDM_TSM_A_POLICY_ACTION, {1, 0}, false);
	CHECK_THROWS_AS(policy_from_msg(short_action.hdr()), std::runtime_error);
	NlMsg short_serial;
	short_serial.str(SPDM_TSM_A_POLICY_BDF, "0000:01:00.0").attr(SPDM_TSM_A_POLICY_SERIAL, {1}, false);
	CHECK_THROWS_AS(policy_from_msg(short_serial.hdr()), std::runtime_error);
	NlMsg short_reason;
	short_reason.str(SPDM_TSM_A_DEV_BDF, "0000:02:00.0").attr(SPDM_TSM_A_DEV_REASON, {6, 0}, false);
	CHECK_THROWS_AS(dev_event_from_msg(short_reason.hdr()), std::runtime_error);
	NlMsg short_vendor;
	short_vendor.str(SPDM_TSM_A_DEV_BDF, "0000:02:00.0").attr(SPDM_TSM_A_DEV_VENDOR_ID, {6}, false);
	CHECK_THROWS_AS(dev_event_from_msg(short_vendor.hdr()), std::runtime_error);
}

TEST_CASE("session vocabulary: DHE and AEAD bits, events, reasons")
{
	CHECK(std::string(dhe_name(1u << 3)) == "secp256r1");
	CHECK(std::string(dhe_name(1u << 4)) == "secp384r1");
	CHECK(std::string(dhe_name(0)) == "unknown");
	CHECK(std::string(aead_name(1u << 0)) == "aes-128-gcm");
	CHECK(std::string(aead_name(1u << 1)) == "aes-256-gcm");
	CHECK(std::string(aead_name(1u << 2)) == "chacha20-poly1305");
	CHECK(std::string(aead_name(1u << 7)) == "unknown");
	CHECK(std::string(event_name(SPDM_TSM_EVENT_SESSION_ESTABLISHED)) == "session-established");
	CHECK(std::string(event_name(SPDM_TSM_EVENT_SESSION_ENDED)) == "session-ended");
	CHECK(std::string(reason_name(SPDM_TSM_REASON_HEARTBEAT)) == "heartbeat");
	CHECK(std::string(reason_name(SPDM_TSM_REASON_KEY_UPDATE)) == "key-update");
	CHECK(std::string(reason_name(SPDM_TSM_REASON_SESSION)) == "session");
	// every reason of the UAPI has its name
	for (std::uint32_t r = SPDM_TSM_REASON_NONE; r <= SPDM_TSM_REASON_SESSION; r++)
		if (r != SPDM_TSM_REASON_UNKNOWN)
			CHECK(std::string(reason_name(r)) != "unknown");
	CHECK(std::string(reason_name(SPDM_TSM_REASON_UNKNOWN)) == "unknown");
}

TEST_CASE("tsmctl evidence shows the session's KEY_EXCHANGE_RSP signature and transcript hash")
{
	Evidence e;
	e.bdf = "0000:01:00.0";
	e.version = 0x12;
	SessionEvidence s;
	s.id = 0xfffe0001;
	s.dhe = 1u << 4;
	s.aead = 1u << 1;
	s.ke_signature = Bytes{0xaa, 0xbb};
	s.ke_th_hash = Bytes{0x01, 0x02};
	s.ke_context = "responder-key_exchange_rsp signing\x1b[2J";
	e.session = s;
	char *buf = nullptr;
	std::size_t len = 0;
	std::FILE *f = open_memstream(&buf, &len);
	REQUIRE(f);
	print_evidence(f, e, {});
	std::fclose(f);
	std::string out(buf, len);
	std::free(buf);
	CHECK(out.find("session:     id 0xfffe0001, secp384r1, aes-256-gcm (KEY_EXCHANGE_RSP)\n") != std::string::npos);
	CHECK(out.find("  th hash:   0102\n") != std::string::npos);
	CHECK(out.find("  signature: aabb\n") != std::string::npos);
	CHECK(out.find("\x1b") == std::string::npos); // the device's context is escaped
	e.session.reset();
	f = open_memstream(&buf, &len);
	print_evidence(f, e, {});
	std::fclose(f);
	CHECK(std::string(buf, len).find("session:") == std::string::npos);
	std::free(buf);
}
