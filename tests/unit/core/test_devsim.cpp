// SPDX-License-Identifier: GPL-2.0
// The SPDM core against spdm-devsim in-process: full handshakes for every
// version and algorithm, faults, exchange counts, the memory budget,
// revalidation and offline re-verification of the exported evidence.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cerrno>
#include <cstring>

#include "devsim_fixture.h"

using namespace spdmtest;
using Catch::Matchers::ContainsSubstring;
using devsim::Asym;
using devsim::Hash;

namespace {

const devsim::Identity &identity(Asym a, Hash h, int slots = 2) { return devsim_identity(a, h, slots, 42); }

const char *name(Asym a) { return devsim::to_string(a).data(); }

}  // namespace

TEST_CASE("core: full handshake against devsim", "[core][devsim]")
{
    auto v = GENERATE(as<uint8_t>{}, 0x10, 0x11, 0x12, 0x13, 0x14);
    auto [asym, hash] = GENERATE(std::make_pair(Asym::EcdsaP256, Hash::Sha256),
                                 std::make_pair(Asym::EcdsaP384, Hash::Sha384),
                                 std::make_pair(Asym::EcdsaP521, Hash::Sha512),
                                 std::make_pair(Asym::Rsa2048, Hash::Sha256),
                                 std::make_pair(Asym::Rsa3072, Hash::Sha384),
                                 std::make_pair(Asym::Rsa4096, Hash::Sha512));
    CAPTURE(unsigned(v), name(asym));
    Device dev(config_for(v), identity(asym, hash));
    {
        auto s = make_session(dev.plat);
        int rc = spdm_authenticate(s.get(), 0, nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        CHECK(std::string(spdm_last_error(s.get())).empty());
        CHECK(spdm_exchange_count(s.get()) == 6);

        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        CHECK(ev.version == v);
        CHECK(ev.asym == devsim::asym_bit(asym));
        CHECK(ev.hash == devsim::hash_bit(hash));
        CHECK(ev.slot_mask == 0x03);
        CHECK(ev.sig_len == devsim::signature_size(asym));
        CHECK(ev.nonce.len == 32);
        CHECK((ev.context != nullptr) == (v >= 0x12));
        // the chain is exactly devsim's SPDM chain
        Bytes want = dev.rsp.identity().spdm_chain(0, hash);
        REQUIRE(ev.chain.len == want.size());
        CHECK(std::memcmp(ev.chain.data, want.data(), want.size()) == 0);
        // transcript starts with GET_VERSION and ends with the challenge
        REQUIRE(ev.transcript.len > 4);
        CHECK(flat(ev.transcript)[1] == 0x84);
        CHECK(verify_offline(ev) == "");

        // signed measurements
        rc = spdm_get_measurements(s.get(), nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        CHECK(spdm_exchange_count(s.get()) == 7);
        spdm_get_evidence(s.get(), &ev);
        CHECK(ev.meas_count == devsim::default_measurements().size());
        REQUIRE(ev.meas_blocks.len > 4);
        CHECK(ev.meas_blocks.data[1] == 0x01);  // DMTF
        CHECK(verify_offline(ev, true) == "");

        // revalidate: CHALLENGE alone, signed over A || C (B empty)
        size_t vca_len = ev.transcript.len;
        rc = spdm_revalidate(s.get(), nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        CHECK(spdm_exchange_count(s.get()) == 8);
        CHECK(dev.plat.requests.back()[1] == 0x83);
        spdm_get_evidence(s.get(), &ev);
        CHECK(verify_offline(ev) == "");
        CHECK(ev.transcript.len < vca_len);  // no DIGESTS, no CERTIFICATE
        CHECK(ev.meas_transcript.len == 0);
        // and again: the device reset B after each CHALLENGE_AUTH
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        CHECK(spdm_exchange_count(s.get()) == 9);
        // measurements in between change nothing
        REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        CHECK(spdm_exchange_count(s.get()) == 11);

        // the caller knows the device lost its state: VCA, then CHALLENGE
        dev.rsp.reset();
        spdm_state_lost(s.get());
        CHECK(spdm_get_measurements(s.get(), nullptr) == -ENOKEY);
        rc = spdm_revalidate(s.get(), nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        CHECK(spdm_exchange_count(s.get()) == 11 + 4);
        spdm_get_evidence(s.get(), &ev);
        CHECK(verify_offline(ev) == "");

        // it lost its state unseen: the lone CHALLENGE is refused
        // (UnexpectedRequest), VCA and CHALLENGE once more
        dev.rsp.reset();
        rc = spdm_revalidate(s.get(), nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        CHECK(spdm_exchange_count(s.get()) == 15 + 1 + 3 + 1);
        spdm_get_evidence(s.get(), &ev);
        CHECK(verify_offline(ev) == "");
        CHECK(spdm_mem_used(s.get()) <= SPDM_DEFAULT_BUDGET);
    }
    CHECK(dev.plat.live_allocs == 0);
}

namespace {
uint32_t le32_at(const Bytes &b, size_t off)
{
    return uint32_t(b[off]) | uint32_t(b[off + 1]) << 8 | uint32_t(b[off + 2]) << 16 |
           uint32_t(b[off + 3]) << 24;
}
}  // namespace

TEST_CASE("core: SPDM 1.4: a device offering 1.0-1.4 negotiates 1.4, CHALLENGE and signed MEASUREMENTS",
          "[core][devsim][v14]")
{
    // devsim's default VERSION lists 1.0 .. 1.4; the core must pick 1.4
    Device dev(devsim::Config{}, identity(Asym::EcdsaP384, Hash::Sha384));
    auto s = make_session(dev.plat);
    int rc = spdm_authenticate(s.get(), 0, nullptr);
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.version == 0x14);
    CHECK(ev.asym == SPDM_ASYM_ECDSA_P384);
    CHECK(ev.hash == SPDM_HASH_SHA384);
    // GET_VERSION in 1.0, everything after it in 1.4
    const auto &rq = dev.plat.requests;
    REQUIRE(rq.size() == 6);
    CHECK(rq[0][0] == 0x10);
    for (size_t i = 1; i < rq.size(); i++)
        CHECK(rq[i][0] == 0x14);
    // GET_CAPABILITIES: the 1.2+ request (20 bytes), no LARGE_RESP_CAP (bit 31)
    REQUIRE(rq[1].size() == 20);
    CHECK((le32_at(rq[1], 8) & 0x80000000u) == 0);
    // NEGOTIATE_ALGORITHMS: 32 bytes, PqcAsymAlgo (offset 16) 0: no PQC offered
    REQUIRE(rq[2].size() == 32);
    CHECK(le32_at(rq[2], 16) == 0);
    // GET_CERTIFICATE without LargeCertChain (Param1 bit 7), the small form
    CHECK(rq[4][1] == 0x82);
    CHECK(rq[4].size() == 8);
    CHECK((rq[4][2] & 0x80) == 0);
    // CHALLENGE with the RequesterContext (1.3+)
    CHECK(rq[5].size() == 44);
    // signed over "dmtf-spdm-v1.4.*" x4 || context || Hash(M1)
    CHECK(verify_offline(ev) == "");

    rc = spdm_get_measurements(s.get(), nullptr);
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    CHECK(rq.back().size() == 45);
    CHECK(rq.back()[0] == 0x14);
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.meas_count == devsim::default_measurements().size());
    CHECK(verify_offline(ev, true) == "");
    REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
    spdm_get_evidence(s.get(), &ev);
    CHECK(verify_offline(ev) == "");
}

TEST_CASE("core: SPDM 1.4: a device offering up to 1.3 still negotiates 1.3", "[core][devsim][v14]")
{
    Device dev(config_for(0x13), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_session(dev.plat);
    int rc = spdm_authenticate(s.get(), 0, nullptr);
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.version == 0x13);
    REQUIRE(dev.plat.requests.size() >= 2);
    CHECK(dev.plat.requests[1][0] == 0x13);
    CHECK(verify_offline(ev) == "");
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    spdm_get_evidence(s.get(), &ev);
    CHECK(verify_offline(ev, true) == "");
}

TEST_CASE("core: 3-certificate P-384 chain takes 6 exchanges; small chunks take more", "[core][devsim]")
{
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    REQUIRE(id.slots[0].certs.size() == 3);
    SECTION("whole chain in one CERTIFICATE") {
        devsim::Config c;
        c.transport_cap = 0x10000 + 8;
        Device dev(c, id);
        auto s = make_session(dev.plat, 0x10000);
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        CHECK(spdm_exchange_count(s.get()) == 6);
    }
    SECTION("device limits portions to 200 bytes") {
        devsim::Config c;
        c.max_chunk = 200;
        Device dev(c, id);
        auto s = make_session(dev.plat);
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        size_t chain = id.spdm_chain(0, Hash::Sha384).size();
        CHECK(spdm_exchange_count(s.get()) == 5 + (chain + 199) / 200);
    }
    SECTION("1.2 device with a 256-byte DataTransferSize") {
        devsim::Config c = config_for(0x12);
        c.data_transfer_size = 256;
        Device dev(c, id);
        auto s = make_session(dev.plat);
        int rc = spdm_authenticate(s.get(), 0, nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        size_t chain = id.spdm_chain(0, Hash::Sha384).size();
        CHECK(spdm_exchange_count(s.get()) == 5 + (chain + 247) / 248);
        for (auto &r : dev.plat.requests)
            if (r[1] == 0x82)
                CHECK((r[6] | r[7] << 8) <= 248);
    }
}

TEST_CASE("core: another slot, caller-supplied nonce", "[core][devsim]")
{
    Device dev(devsim::Config{}, identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_session(dev.plat);
    uint8_t nonce[32];
    for (int i = 0; i < 32; i++)
        nonce[i] = uint8_t(i * 7);
    REQUIRE(spdm_authenticate(s.get(), 1, nonce) == 0);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.slot == 1);
    REQUIRE(ev.nonce.len == 32);
    CHECK(std::memcmp(ev.nonce.data, nonce, 32) == 0);
    CHECK(verify_offline(ev) == "");
    CHECK(spdm_authenticate(s.get(), 5, nullptr) == -ENOENT);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("slot 5 is not provisioned"));
}

TEST_CASE("core: faults injected by devsim", "[core][devsim]")
{
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    Device dev(devsim::Config{}, id);
    auto s = make_session(dev.plat);
    auto auth = [&] { return spdm_authenticate(s.get(), 0, nullptr); };
    auto msg = [&] { return std::string(spdm_last_error(s.get())); };
    auto cls = [&] { return spdm_last_failure(s.get()); };

    SECTION("bad signature") {
        dev.rsp.faults().bad_signature = 1;
        CHECK(auth() == -EKEYREJECTED);
        CHECK(msg() == "CHALLENGE_AUTH: signature does not verify");
        CHECK(cls() == SPDM_FAIL_SIGNATURE);
        // the next attempt is fine again, and the message is cleared
        CHECK(auth() == 0);
        CHECK(msg().empty());
        CHECK(cls() == SPDM_FAIL_NONE);
    }
    SECTION("bad measurement signature") {
        REQUIRE(auth() == 0);
        dev.rsp.faults().bad_signature = 1;
        CHECK(spdm_get_measurements(s.get(), nullptr) == -EKEYREJECTED);
        CHECK(msg() == "GET_MEASUREMENTS: signature does not verify");
        CHECK(cls() == SPDM_FAIL_SIGNATURE);
        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        CHECK(ev.meas_transcript.len == 0);
    }
    SECTION("bad signature on revalidate") {
        REQUIRE(auth() == 0);
        dev.rsp.faults().bad_signature = 1;
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK(msg() == "CHALLENGE_AUTH: signature does not verify");
        CHECK(cls() == SPDM_FAIL_SIGNATURE);
        CHECK(spdm_revalidate(s.get(), nullptr) == 0);
        CHECK(cls() == SPDM_FAIL_NONE);
    }
    SECTION("CertChainHash of CHALLENGE_AUTH differs from the connect's") {
        REQUIRE(auth() == 0);
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == 0x83 && r.size() > 8)
                r[4] ^= 0x01;
        };
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK_THAT(msg(), ContainsSubstring("CHALLENGE_AUTH: CertChainHash does not match"));
        CHECK(cls() == SPDM_FAIL_CERT_DIGEST);
    }
    SECTION("overlong chain") {
        dev.rsp.faults().chain_overlong = true;
        CHECK(auth() == -EPROTO);
        CHECK_THAT(msg(), ContainsSubstring("GET_CERTIFICATE: device returned"));
        CHECK_THAT(msg(), ContainsSubstring("chain header says"));
        CHECK(cls() == SPDM_FAIL_PROTOCOL);
    }
    SECTION("truncated CERTIFICATE") {
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == 0x82)
                r.resize(r.size() - 100);
        };
        CHECK(auth() == -EPROTO);
        CHECK_THAT(msg(), ContainsSubstring("GET_CERTIFICATE: truncated response"));
        CHECK(cls() == SPDM_FAIL_PROTOCOL);
    }
    SECTION("certificate body corrupted but hashes consistent is impossible: digest catches it") {
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == 0x82)
                r[r.size() - 10] ^= 0x40;
        };
        CHECK(auth() == -EKEYREJECTED);
        CHECK_THAT(msg(), ContainsSubstring("chain hash does not match the slot 0 digest"));
        CHECK(cls() == SPDM_FAIL_PROTOCOL);  // inconsistent at connect, not a changed identity
    }
    SECTION("garbage") {
        dev.rsp.faults().garbage = -1;
        CHECK(auth() == -EPROTO);
        CHECK_THAT(msg(), ContainsSubstring("GET_VERSION: "));
        CHECK(cls() == SPDM_FAIL_PROTOCOL);
    }
    SECTION("garbage later") {
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == 0x83)
                for (size_t i = 2; i < r.size(); i++)
                    r[i] = uint8_t(i * 31);
        };
        CHECK(auth() < 0);
        CHECK_THAT(msg(), ContainsSubstring("CHALLENGE_AUTH: "));
        CHECK(cls() != SPDM_FAIL_NONE);
    }
    SECTION("busy forever is bounded") {
        dev.rsp.faults().busy = -1;
        CHECK(auth() == -ETIMEDOUT);
        CHECK_THAT(msg(), ContainsSubstring("GET_VERSION: device still Busy after"));
        CHECK(cls() == SPDM_FAIL_TIMEOUT);
        CHECK(spdm_exchange_count(s.get()) == SPDM_BUSY_RETRIES + 1);
    }
    SECTION("busy a few times is absorbed") {
        dev.rsp.faults().busy = 3;
        CHECK(auth() == 0);
        CHECK(cls() == SPDM_FAIL_NONE);
        CHECK(spdm_exchange_count(s.get()) == 9);
    }
    SECTION("no answer") {
        dev.rsp.faults().no_answer = 1;
        CHECK(auth() == -ETIMEDOUT);
        CHECK_THAT(msg(), ContainsSubstring("GET_VERSION: transport error"));
        CHECK(cls() == SPDM_FAIL_TRANSPORT);
    }
    SECTION("wrong version") {
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == 0x81)
                r[0] = 0x11;
        };
        CHECK(auth() == -EPROTO);
        CHECK_THAT(msg(), ContainsSubstring("GET_DIGESTS: response has version 0x11, expected 0x14"));
        CHECK(cls() == SPDM_FAIL_PROTOCOL);
    }
    SECTION("oversize response") {
        dev.rsp.faults().oversize = 1;
        CHECK(auth() == -EPROTO);
        CHECK_THAT(msg(), ContainsSubstring("unexpected trailing bytes"));
        CHECK(cls() == SPDM_FAIL_PROTOCOL);
    }
    SECTION("identity replaced: revalidate refuses") {
        REQUIRE(auth() == 0);
        dev.rsp.swap_identity(devsim::make_identity(Asym::EcdsaP384, Hash::Sha384, 2, 7));
        size_t n0 = dev.plat.requests.size();
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK(msg() == "CHALLENGE_AUTH: CertChainHash does not match the slot 0 digest");
        CHECK(cls() == SPDM_FAIL_CERT_DIGEST);
        // the swap reset devsim: CHALLENGE refused, VCA, CHALLENGE; no chain
        CHECK(dev.plat.requests.size() == n0 + 5);
        for (size_t i = n0; i < dev.plat.requests.size(); i++)
            CHECK(dev.plat.requests[i][1] != 0x82);
        // the next one (the device's transcript unknown): GET_DIGESTS first
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK(msg() == "GET_DIGESTS: slot 0 digest changed since authentication");
        CHECK(cls() == SPDM_FAIL_CERT_DIGEST);
    }
    SECTION("device downgraded its algorithms: revalidate refuses") {
        REQUIRE(auth() == 0);
        dev.rsp.swap_identity(identity(Asym::EcdsaP256, Hash::Sha256));
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK(msg() == "revalidate: downgrade: device negotiated SPDM 1.4, sha256, ecdsa-p256; "
                       "connect had SPDM 1.4, sha384, ecdsa-p384");
        CHECK(cls() == SPDM_FAIL_DOWNGRADE);
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK_THAT(msg(), ContainsSubstring("revalidate: downgrade: "));
        CHECK(cls() == SPDM_FAIL_DOWNGRADE);
    }
    CHECK(spdm_mem_used(s.get()) <= SPDM_DEFAULT_BUDGET);
}

TEST_CASE("core: memory budget", "[core][devsim]")
{
    const auto &id = identity(Asym::Rsa3072, Hash::Sha384);
    size_t chain = id.spdm_chain(0, Hash::Sha384).size();
    Device dev(devsim::Config{}, id);
    size_t full;
    {
        auto s = make_session(dev.plat);
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        full = spdm_mem_used(s.get());
        CHECK(full > chain);
    }
    // a budget that fits the session and VCA but not the chain (kept once)
    auto s = make_session(dev.plat, 0, full - chain);
    CHECK(spdm_authenticate(s.get(), 0, nullptr) == -EDQUOT);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("memory budget exhausted"));
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_BUDGET);
    CHECK(spdm_mem_used(s.get()) <= full - chain);
    // an exact budget works
    auto s2 = make_session(dev.plat, 0, full);
    CHECK(spdm_authenticate(s2.get(), 0, nullptr) == 0);
    CHECK(spdm_mem_used(s2.get()) <= full);
}

TEST_CASE("core: allocation failures at every point are clean", "[core][devsim]")
{
    const auto &id = identity(Asym::EcdsaP256, Hash::Sha256);
    for (long n = 2; n < 30; n++) {
        Device dev(devsim::Config{}, id);
        {
            auto s = make_session(dev.plat);
            dev.plat.fail_alloc_at = n;
            dev.plat.alloc_calls = 2;
            int rc = spdm_authenticate(s.get(), 0, nullptr);
            if (rc) {
                CHECK(rc == -ENOMEM);
                CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("out of memory"));
                CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_NOMEM);
            }
            if (rc == 0)
                rc = spdm_get_measurements(s.get(), nullptr);
            if (rc)
                CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_NOMEM);
        }
        CHECK(dev.plat.live_allocs == 0);
    }
}

TEST_CASE("core: revalidate with a cached identity on a fresh session", "[core][devsim]")
{
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    Device dev(devsim::Config{}, id);
    Bytes spki, digest;
    uint8_t version;
    {
        auto s = make_session(dev.plat);
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        spki.assign(ev.leaf_spki.data, ev.leaf_spki.data + ev.leaf_spki.len);
        digest.assign(ev.digests[0], ev.digests[0] + ev.hash_len);
        version = ev.version;
    }
    auto s = make_session(dev.plat);
    REQUIRE(spdm_set_cached_identity(s.get(), version, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, 0,
                                     digest.data(), spki.data(), spki.size()) == 0);
    int rc = spdm_revalidate(s.get(), nullptr);
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    CHECK(spdm_exchange_count(s.get()) == 4);  // VCA, CHALLENGE
    // wrong algorithm for the key
    CHECK(spdm_set_cached_identity(s.get(), version, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA384, 0,
                                   digest.data(), spki.data(), spki.size()) == -EINVAL);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_UNSUPPORTED);
    CHECK(spdm_revalidate(s.get(), nullptr) == -ENOKEY);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_UNSUPPORTED);
}

TEST_CASE("core: device without signed measurements", "[core][devsim]")
{
    devsim::Config c;
    c.meas_sig = false;
    Device dev(c, identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_session(dev.plat);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    CHECK(spdm_get_measurements(s.get(), nullptr) == -EOPNOTSUPP);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("cannot sign measurements"));
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_UNSUPPORTED);
}

TEST_CASE("core: device without CHAL_CAP is refused", "[core][devsim]")
{
    devsim::Config c;
    c.chal_cap = false;
    Device dev(c, identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_session(dev.plat);
    CHECK(spdm_authenticate(s.get(), 0, nullptr) == -EOPNOTSUPP);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_UNSUPPORTED);
}

TEST_CASE("core: DOE dword padding on every response is tolerated and not signed", "[core][devsim]")
{
    auto v = GENERATE(as<uint8_t>{}, 0x10, 0x11, 0x12, 0x13, 0x14);
    CAPTURE(unsigned(v));
    Device dev(config_for(v), identity(Asym::EcdsaP384, Hash::Sha384));
    unsigned padded = 0;
    dev.filter = [&](std::span<const uint8_t>, Bytes &r) {
        if (r.size() % 4) {
            r.resize((r.size() + 3) & ~size_t(3), 0);
            padded++;
        }
    };
    auto s = make_session(dev.plat);
    int rc = spdm_authenticate(s.get(), 0, nullptr);
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(verify_offline(ev, true) == "");
    // a revalidation starts a new evidence set: measurements taken after it
    REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    CHECK(padded > 0);
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.complete);
    CHECK(verify_offline(ev) == "");
    CHECK(verify_offline(ev, true) == "");
}

TEST_CASE("core: SPDM 1.3 RequesterContext must be echoed in CHALLENGE_AUTH and MEASUREMENTS", "[core][devsim]")
{
    // The RequesterContext sits right before the signature (96 bytes, P-384).
    auto code = GENERATE(as<uint8_t>{}, 0x83 /* CHALLENGE */, 0xE0 /* GET_MEASUREMENTS */);
    CAPTURE(unsigned(code));
    Device dev(config_for(0x13), identity(Asym::EcdsaP384, Hash::Sha384));
    dev.filter = [&](std::span<const uint8_t> req, Bytes &r) {
        if (req.size() > 1 && req[1] == code && r.size() > 96 + 8)
            r[r.size() - 96 - 8] ^= 0x01;
    };
    auto s = make_session(dev.plat);
    int rc = spdm_authenticate(s.get(), 0, nullptr);
    if (code == 0xE0) {
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        rc = spdm_get_measurements(s.get(), nullptr);
    }
    CHECK(rc == -EPROTO);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("RequesterContext not echoed"));
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_PROTOCOL);
}

TEST_CASE("core: connect-time parameters are frozen: a downgrade fails every revalidation", "[core][devsim]")
{
    // Connect at SPDM 1.3 with P-384/SHA-384; then the device is replaced
    // (same keys) by one that offers only 1.0, or only 1.0 and SHA-256.
    auto only_sha256 = GENERATE(false, true);
    CAPTURE(only_sha256);
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    devsim::Responder good(config_for(0x13), id);
    devsim::Config weak_cfg = config_for(0x10);
    if (only_sha256)
        weak_cfg.hash_algos = 0x1;
    devsim::Responder weak(weak_cfg, id);
    devsim::Responder *cur = &good;
    Platform plat([&](std::span<const uint8_t> req) { return cur->handle(req); });
    auto s = make_session(plat);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);

    cur = &weak;
    size_t first = plat.requests.size();
    std::string want = std::string("revalidate: downgrade: device negotiated SPDM 1.0, ") +
                       (only_sha256 ? "sha256" : "sha384") +
                       ", ecdsa-p384; connect had SPDM 1.3, sha384, ecdsa-p384";
    for (int i = 0; i < 3; i++) {
        CAPTURE(i);
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK(std::string(spdm_last_error(s.get())) == want);
        CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_DOWNGRADE);
    }
    // nothing was challenged on the weaker connection: the one CHALLENGE
    // went out on the connect's VCA (the lone revalidation), refused
    REQUIRE(plat.requests.size() > first);
    CHECK(plat.requests[first][1] == 0x83);
    for (size_t i = first + 1; i < plat.requests.size(); i++)
        CHECK(plat.requests[i][1] != 0x83);
    // the measurements refuse too: the session has no valid connection
    CHECK(spdm_get_measurements(s.get(), nullptr) < 0);

    // the original device is back: revalidation renegotiates and passes
    cur = &good;
    good.reset();
    int rc = spdm_revalidate(s.get(), nullptr);
    INFO(spdm_last_error(s.get()));
    CHECK(rc == 0);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_NONE);
}

TEST_CASE("core: SPDM 1.4: a device that connected at 1.3 and negotiates 1.4 later (or the reverse) is refused",
          "[core][devsim][v14]")
{
    // An "upgrade" is a change of the frozen version like any other: the
    // connect's evidence, key and chain were obtained under the connect's
    // rules, and a device that changes its version has changed.
    auto [from, to] = GENERATE(std::make_pair(uint8_t(0x13), uint8_t(0x14)),
                               std::make_pair(uint8_t(0x14), uint8_t(0x13)));
    CAPTURE(unsigned(from), unsigned(to));
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    devsim::Responder first(config_for(from), id);
    devsim::Responder later(config_for(to), id);
    devsim::Responder *cur = &first;
    Platform plat([&](std::span<const uint8_t> req) { return cur->handle(req); });
    auto s = make_session(plat);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    REQUIRE(ev.version == from);

    cur = &later;
    auto name = [](uint8_t v) { return std::string(v == 0x14 ? "1.4" : "1.3"); };
    std::string want = "revalidate: downgrade: device negotiated SPDM " + name(to) +
                       ", sha384, ecdsa-p384; connect had SPDM " + name(from) + ", sha384, ecdsa-p384";
    for (int i = 0; i < 2; i++) {
        CAPTURE(i);
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK(std::string(spdm_last_error(s.get())) == want);
        CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_DOWNGRADE);
    }
    CHECK(spdm_get_measurements(s.get(), nullptr) < 0);
    // the first device again: renegotiated at the connect's version, passes
    cur = &first;
    first.reset();
    int rc = spdm_revalidate(s.get(), nullptr);
    INFO(spdm_last_error(s.get()));
    CHECK(rc == 0);
}

TEST_CASE("core: exceeding the budget is the device's fault (-EDQUOT), not the allocator's", "[core][devsim]")
{
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    Device dev(devsim::Config{}, id);
    size_t after_connect;
    {
        auto s = make_session(dev.plat);
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        after_connect = spdm_mem_used(s.get());
    }
    // connect fits, the measurement transcript (VCA || request || response) does not
    auto s = make_session(dev.plat, 0, after_connect + 64);
    int rc = spdm_authenticate(s.get(), 0, nullptr);
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.complete);
    CHECK(spdm_get_measurements(s.get(), nullptr) == -EDQUOT);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("GET_MEASUREMENTS: memory budget exhausted ("));
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring(" bytes used, "));
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_BUDGET);
    spdm_get_evidence(s.get(), &ev);
    CHECK_FALSE(ev.complete);
    CHECK(ev.meas_transcript.len == 0);
    CHECK(spdm_mem_used(s.get()) <= after_connect + 64);
    // the allocator failing is still -ENOMEM
    dev.plat.fail_alloc_at = 1 << 30;  // count allocations, fail none
    dev.plat.alloc_calls = 0;
    auto s2 = make_session(dev.plat);
    dev.plat.fail_alloc_at = dev.plat.alloc_calls;  // the next allocation
    CHECK(spdm_authenticate(s2.get(), 0, nullptr) == -ENOMEM);
    CHECK(spdm_last_failure(s2.get()) == SPDM_FAIL_NOMEM);
}

TEST_CASE("core: evidence is complete only when it comes from one successful handshake", "[core][devsim]")
{
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    Device dev(devsim::Config{}, id);
    auto s = make_session(dev.plat);
    auto complete = [&] {
        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        return ev.complete;
    };
    CHECK_FALSE(complete());  // nothing yet
    dev.rsp.faults().bad_signature = 1;
    CHECK(spdm_authenticate(s.get(), 0, nullptr) == -EKEYREJECTED);
    CHECK_FALSE(complete());
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    CHECK(complete());
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    CHECK(complete());

    SECTION("a failed revalidation, then measurements: still not one handshake") {
        dev.rsp.faults().bad_signature = 1;
        CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
        CHECK_FALSE(complete());
        // the measurements verify, but the challenge evidence beside them failed
        REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
        CHECK_FALSE(complete());
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        CHECK(complete());
        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        CHECK(ev.meas_transcript.len == 0);  // not carried over from before
        REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
        CHECK(complete());
    }
    SECTION("failed measurements") {
        dev.rsp.faults().bad_signature = 1;
        CHECK(spdm_get_measurements(s.get(), nullptr) == -EKEYREJECTED);
        CHECK_FALSE(complete());
        REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
        CHECK(complete());
    }
    SECTION("a revalidation that fails before changing anything keeps nothing half-done") {
        dev.rsp.faults().no_answer = 1;
        CHECK(spdm_revalidate(s.get(), nullptr) < 0);
        CHECK_FALSE(complete());
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        CHECK(complete());
    }
}

TEST_CASE("core: a chain served a few bytes at a time succeeds; the check op bounds it", "[core][devsim]")
{
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    size_t chain = id.spdm_chain(0, Hash::Sha384).size();
    devsim::Config c;
    c.max_chunk = 16;  // short portions are legal
    Device dev(c, id);
    auto s = make_session(dev.plat);
    auto msg = [&] { return std::string(spdm_last_error(s.get())); };

    SECTION("no deadline: every portion is fetched") {
        int rc = spdm_authenticate(s.get(), 0, nullptr);
        INFO(msg());
        REQUIRE(rc == 0);
        CHECK(spdm_exchange_count(s.get()) == 5 + (chain + 15) / 16);
        CHECK(dev.plat.checks >= spdm_exchange_count(s.get()));
    }
    SECTION("the deadline passes mid-chain") {
        dev.plat.expire_after = 4 + 20;  // VCA, DIGESTS, 20 portions
        CHECK(spdm_authenticate(s.get(), 0, nullptr) == -ETIME);
        CHECK(msg() == "GET_CERTIFICATE: operation deadline exceeded");
        CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_DEADLINE);
        CHECK(spdm_exchange_count(s.get()) == 24);  // not one exchange more
    }
    SECTION("the device is removed mid-chain") {
        dev.plat.expire_after = 4 + 3;
        dev.plat.check_errno = -ENODEV;
        CHECK(spdm_authenticate(s.get(), 0, nullptr) == -ENODEV);
        CHECK(msg() == "GET_CERTIFICATE: aborted (device removed)");
        CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_ABORTED);
        CHECK(spdm_exchange_count(s.get()) == 7);
    }
    SECTION("a slow device meets a deadline on the fake clock") {
        dev.plat.exchange_us = 10000;     // 10 ms per exchange
        dev.plat.deadline_us = 500000;    // 500 ms
        CHECK(spdm_authenticate(s.get(), 0, nullptr) == -ETIME);
        CHECK(msg() == "GET_CERTIFICATE: operation deadline exceeded");
        CHECK(spdm_exchange_count(s.get()) == 50);
    }
    SECTION("an aborted revalidation") {
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        dev.plat.aborted = true;
        CHECK(spdm_revalidate(s.get(), nullptr) == -ENODEV);
        CHECK(msg() == "CHALLENGE_AUTH: aborted (device removed)");  // the lone CHALLENGE
        CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_ABORTED);
        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        CHECK_FALSE(ev.complete);
    }
}

TEST_CASE("core: a Busy storm ends at the deadline, not after the retries", "[core][devsim]")
{
    Device dev(devsim::Config{}, identity(Asym::EcdsaP256, Hash::Sha256));
    REQUIRE(spdm_authenticate(make_session(dev.plat).get(), 0, nullptr) == 0);
    dev.rsp.faults().busy = -1;
    dev.plat.requests.clear();
    dev.plat.now_us = 0;
    dev.plat.deadline_us = 100000;  // 100 ms; the backoff would sleep 510 ms
    auto s = make_session(dev.plat);
    CHECK(spdm_authenticate(s.get(), 0, nullptr) == -ETIME);
    CHECK(std::string(spdm_last_error(s.get())) == "GET_VERSION: operation deadline exceeded");
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_DEADLINE);
    CHECK(spdm_exchange_count(s.get()) < SPDM_BUSY_RETRIES + 1);
    CHECK(dev.plat.now_us == 100000);  // slept up to the deadline, not past it
}

TEST_CASE("core: SPDM 1.3 RequesterContext is random, and a device echoing zeros is refused", "[core][devsim]")
{
    auto code = GENERATE(as<uint8_t>{}, 0x83 /* CHALLENGE */, 0xE0 /* GET_MEASUREMENTS */);
    CAPTURE(unsigned(code));
    Device dev(config_for(0x13), identity(Asym::EcdsaP384, Hash::Sha384));
    auto s = make_session(dev.plat);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
    // the context is the last 8 bytes of both requests; never zero, never repeated
    std::vector<Bytes> ctxs;
    for (auto &r : dev.plat.requests)
        if (r[1] == 0x83 || r[1] == 0xE0) {
            REQUIRE(r.size() > 8);
            ctxs.emplace_back(r.end() - 8, r.end());
        }
    REQUIRE(ctxs.size() == 3);
    for (size_t i = 0; i < ctxs.size(); i++) {
        CHECK(ctxs[i] != Bytes(8, 0));
        for (size_t j = 0; j < i; j++)
            CHECK(ctxs[i] != ctxs[j]);
    }
    // a responder that puts zeros where the echo belongs (P-384: 96-byte signature)
    dev.filter = [&](std::span<const uint8_t> req, Bytes &r) {
        if (req[1] == code && r.size() > 96 + 8)
            std::fill(r.end() - 96 - 8, r.end() - 96, 0);
    };
    int rc = code == 0x83 ? spdm_revalidate(s.get(), nullptr) : spdm_get_measurements(s.get(), nullptr);
    CHECK(rc == -EPROTO);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("RequesterContext not echoed"));
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_PROTOCOL);
}

TEST_CASE("core: ResponseNotReady from devsim: RESPOND_IF_READY with the token, bounded", "[core][devsim]")
{
    Device dev(devsim::Config{}, identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_session(dev.plat);
    SECTION("a few NotReady: the connect succeeds, each RESPOND_IF_READY names the request and its token") {
        dev.rsp.apply_fault("not-ready=3:12:4:0x99");
        CHECK(spdm_authenticate(s.get(), 0, nullptr) == 0);
        auto st = dev.rsp.ready_stats();
        CHECK(st.not_ready == 3);
        CHECK(st.respond_if_ready == 3);
        CHECK(st.rir_matched == 3);
        CHECK(dev.plat.now_us == 3 * 4096);  // waited RDT = 2^12 us each time
    }
    SECTION("NotReady on every request of the handshake (not VCA)") {
        dev.rsp.apply_fault("not-ready=always");
        dev.plat.deadline_us = 2000000;
        CHECK(spdm_authenticate(s.get(), 0, nullptr) == -ETIMEDOUT);
        CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("device still ResponseNotReady after 8 retries"));
        CHECK(dev.rsp.ready_stats().rir_matched == SPDM_BUSY_RETRIES);
    }
    SECTION("endless NotReady with long RDT ends at the deadline") {
        dev.rsp.apply_fault("not-ready=always:20:2");
        dev.plat.deadline_us = 2500000;
        CHECK(spdm_authenticate(s.get(), 0, nullptr) == -ETIME);
        CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("operation deadline exceeded"));
        CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_DEADLINE);
        CHECK(dev.plat.now_us == 2500000);
    }
    SECTION("RequestResynch: the device lost its state; the connect fails and the next one succeeds") {
        dev.rsp.apply_fault("resynch");
        CHECK(spdm_authenticate(s.get(), 0, nullptr) == -ECONNRESET);
        CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("RequestResynch (0x43)"));
        CHECK(spdm_authenticate(s.get(), 0, nullptr) == 0);
    }
}

// issue 15: what an authenticated device keeps.  The module's DOE transfer
// size (65600 bytes), a 3-certificate P-384 chain, signed measurements: the
// session must hold at most 8 KiB after each operation, every byte of it
// charged (the allocator's count equals spdm_mem_used()), and not grow
// with revalidations; the evidence it keeps still verifies offline.
TEST_CASE("core: memory kept per device after connect and revalidation is at most 8 KiB", "[core][devsim][memory]")
{
    constexpr size_t kModuleMaxResp = 65536 + 64;
    constexpr size_t kBound = 8192;
    auto v = GENERATE(as<uint8_t>{}, 0x11, 0x12, 0x13);
    CAPTURE(unsigned(v));
    const auto &id = identity(Asym::EcdsaP384, Hash::Sha384);
    Device dev(config_for(v), id);
    auto s = make_session(dev.plat, kModuleMaxResp);
    auto kept = [&](const char *what) {
        INFO(what);
        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        CHECK(ev.complete);
        CHECK(verify_offline(ev) == "");
        CHECK(verify_offline(ev, true) == "");
        CHECK(dev.plat.live_bytes == spdm_mem_used(s.get()));
        CHECK(spdm_mem_used(s.get()) <= kBound);
        return spdm_mem_used(s.get());
    };
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.chain.len > 1400);  // root, intermediate, leaf
    CHECK(ev.meas_count == devsim::default_measurements().size());
    kept("connect with measurements");
    REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    size_t after = kept("revalidation with measurements");
    for (int i = 0; i < 8; i++) {
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    }
    CHECK(kept("eight more revalidations") <= after);
    spdm_state_lost(s.get());
    REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    CHECK(kept("revalidation after a reset") <= after);
}
