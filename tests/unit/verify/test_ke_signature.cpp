// SPDX-License-Identifier: GPL-2.0
// tsmctl verify's offline check of a secured session's KEY_EXCHANGE_RSP
// signature, against vectors signed independently with python3-cryptography
// (tests/kat/gen_ke_sig_kat.py from DSP0274's signing rules, not with devsim
// or the kernel core).
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/verify.hpp"

#include "ke_sig_vectors.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using Catch::Matchers::ContainsSubstring;
using spdmtsm::Bytes;

namespace {

spdmtsm::Evidence evidence_of(const kat::ke_sig::Vector &v)
{
	spdmtsm::Evidence e;
	e.version = v.version;
	e.asym = v.asym;
	e.hash = v.hash;
	e.leaf_spki = v.spki;
	spdmtsm::SessionEvidence s;
	s.ke_signature = v.signature;
	s.ke_th_hash = v.th_hash;
	if (v.version >= 0x12)
		s.ke_context = spdmtsm::key_exchange_context;
	e.session = s;
	return e;
}

} // namespace

TEST_CASE("KEY_EXCHANGE_RSP: independently signed vectors verify (1.1, 1.2, 1.3; ECDSA and RSA)")
{
	REQUIRE(kat::ke_sig::vectors().size() >= 4);
	for (const auto &v : kat::ke_sig::vectors()) {
		CAPTURE(v.name);
		auto c = spdmtsm::verify_key_exchange(evidence_of(v));
		INFO(c.detail);
		CHECK(c.ok);
		CHECK(c.name == "session-signature");
		// the kernel may leave the context out: DSP0274's is used all the same
		auto e = evidence_of(v);
		e.session->ke_context.clear();
		CHECK(spdmtsm::verify_key_exchange(e).ok);
	}
}

TEST_CASE("KEY_EXCHANGE_RSP: a flipped byte fails the check")
{
	for (const auto &v : kat::ke_sig::vectors()) {
		CAPTURE(v.name);
		for (std::size_t at : {std::size_t(0), v.signature.size() / 2, v.signature.size() - 1}) {
			CAPTURE(at);
			auto e = evidence_of(v);
			e.session->ke_signature[at] ^= 0x01;
			auto c = spdmtsm::verify_key_exchange(e);
			CHECK_FALSE(c.ok);
			CHECK_THAT(c.detail, ContainsSubstring("KEY_EXCHANGE_RSP"));
		}
		for (std::size_t at : {std::size_t(0), v.th_hash.size() - 1}) {
			CAPTURE(at);
			auto e = evidence_of(v);
			e.session->ke_th_hash[at] ^= 0x80;
			auto c = spdmtsm::verify_key_exchange(e);
			CHECK_FALSE(c.ok);
			CHECK_THAT(c.detail, ContainsSubstring("does not verify"));
		}
	}
}

TEST_CASE("KEY_EXCHANGE_RSP: the version's prefix, the context and the key all matter")
{
	const auto &vs = kat::ke_sig::vectors();
	const kat::ke_sig::Vector *v12 = nullptr, *v11 = nullptr;
	for (const auto &v : vs) {
		if (v.version == 0x12 && !v12 && v.asym != (1u << 2))
			v12 = &v;
		if (v.version == 0x11 && !v11)
			v11 = &v;
	}
	REQUIRE(v12);
	REQUIRE(v11);
	// a 1.2 signature presented as 1.3: another combined_spdm_prefix
	auto e = evidence_of(*v12);
	e.version = 0x13;
	CHECK_FALSE(spdmtsm::verify_key_exchange(e).ok);
	// ... or as 1.1: no prefix at all
	e.version = 0x11;
	CHECK_FALSE(spdmtsm::verify_key_exchange(e).ok);
	// a 1.1 signature read as 1.2
	auto f = evidence_of(*v11);
	f.version = 0x12;
	CHECK_FALSE(spdmtsm::verify_key_exchange(f).ok);
	// another context than DSP0274's is refused and named
	auto g = evidence_of(*v12);
	g.session->ke_context = "responder-challenge_auth signing";
	auto cg = spdmtsm::verify_key_exchange(g);
	CHECK_FALSE(cg.ok);
	CHECK_THAT(cg.detail, ContainsSubstring("not DSP0274's"));
	// another key (the other vector's)
	auto h = evidence_of(*v12);
	h.leaf_spki = v11->spki;
	CHECK_FALSE(spdmtsm::verify_key_exchange(h).ok);
	// a transcript hash of the wrong size, and a missing signature
	auto i = evidence_of(*v12);
	i.session->ke_th_hash.pop_back();
	CHECK_THAT(spdmtsm::verify_key_exchange(i).detail, ContainsSubstring("transcript hash of"));
	auto k = evidence_of(*v12);
	k.session->ke_signature.clear();
	CHECK_FALSE(spdmtsm::verify_key_exchange(k).ok);
	spdmtsm::Evidence none;
	CHECK_FALSE(spdmtsm::verify_key_exchange(none).ok);
}

TEST_CASE("verify_evidence reports the session's signature as its own line, only with a session")
{
	const auto &v = kat::ke_sig::vectors().at(1);
	auto e = evidence_of(v);
	e.cert_chain = v.cert; // a chain of one, the leaf of the vector's key
	auto r = spdmtsm::verify_evidence(e, nullptr);
	const spdmtsm::CheckResult *found = nullptr;
	for (const auto &c : r.checks)
		if (c.name == "session-signature")
			found = &c;
	REQUIRE(found);
	CHECK(found->ok);
	for (const auto &c : r.checks)
		if (c.name == "leaf-key")
			CHECK(c.ok);
	e.session->ke_signature[5] ^= 1;
	bool failed = false;
	for (const auto &c : spdmtsm::verify_evidence(e, nullptr).checks)
		if (c.name == "session-signature")
			failed = !c.ok;
	CHECK(failed);
	e.session.reset();
	for (const auto &c : spdmtsm::verify_evidence(e, nullptr).checks)
		CHECK(c.name != "session-signature");
}
