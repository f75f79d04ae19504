// SPDX-License-Identifier: GPL-2.0
// Writes the fuzz seed corpus (tests/fuzz/corpus) from devsim handshakes when
// SPDM_FUZZ_SEED_DIR is set; otherwise only checks that recording works.
//   SPDM_FUZZ_SEED_DIR=tests/fuzz/corpus build/.../core_tests "core: fuzz seeds"
#include <catch2/catch_test_macros.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <devsim/responder.hpp>

#include "../../fuzz/fuzz_common.h"
#include "../../fuzz/session_replay.h"
#include "platform_user.h"

using namespace spdmtest;

namespace {

void write(const std::string &dir, const std::string &name, const Bytes &b)
{
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/" + name, std::ios::binary).write(reinterpret_cast<const char *>(b.data()), long(b.size()));
}

// 1.3: make a signed response echo the RequesterContext the harness's
// random() makes (it sits right before the signature).
[[gnu::noinline]] void echo_harness_req_ctx(Bytes &r, size_t sig_len)
{
    if (r.size() <= sig_len + fuzzfmt::kReqCtxLen || r[0] < 0x13 || (r[1] != 0x03 && r[1] != 0x60))
        return;
    for (size_t i = r.size() - sig_len - fuzzfmt::kReqCtxLen; i < r.size() - sig_len; i++)
        r[i] = fuzzfmt::kRandomByte;
}

// Record devsim's responses to a real session, then rewrite them for the
// harness's fake crypto (all-zero hashes).
Bytes record(devsim::Asym a, devsim::Hash h, uint8_t maxv, uint8_t cfg_bits, uint32_t chunk, uint32_t dts)
{
    devsim::Config c;
    c.max_chunk = chunk;
    // dts: a device with that DataTransferSize and CHUNK_CAP (LargeResponse,
    // CHUNK_GET), measurement records larger than one message
    if (dts) {
        c.data_transfer_size = dts;
        c.chunk_cap = true;
        c.measurements.push_back({5, 0x04, true, false, Bytes(300, 0xa5)});
    }
    auto id = devsim::make_identity(a, h, 1, 1);
    devsim::Responder rsp(c, id);
    std::vector<Bytes> rs;
    Platform p([&](std::span<const uint8_t> req) {
        Bytes r = rsp.handle(req);
        rs.push_back(r);
        return r;
    });
    auto s = make_session(p, fuzzfmt::kMaxResp[(cfg_bits >> 4) & 3], 0, maxv);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    size_t hl = devsim::hash_size(h);
    Bytes out{uint8_t(fuzzfmt::version_bits(maxv) | cfg_bits), 0};
    for (Bytes r : rs) {
        if (r.size() > 4 && r[1] == 0x01)
            std::fill(r.begin() + 4, r.end(), 0);
        if (r.size() > 4 + hl && r[1] == 0x03)
            std::fill(r.begin() + 4, r.begin() + 4 + long(hl), 0);
        echo_harness_req_ctx(r, devsim::signature_size(a));
        fuzzfmt::frame(out, r);
    }
    return out;
}

}  // namespace

TEST_CASE("core: fuzz seeds", "[core][fuzz]")
{
    const char *dir = std::getenv("SPDM_FUZZ_SEED_DIR");
    using devsim::Asym;
    using devsim::Hash;
    struct {
        const char *name;
        Asym a;
        Hash h;
        uint8_t v;
        uint8_t cfg;
        uint32_t chunk;
        uint32_t dts;
    } seeds[] = {
        {"p256-v10", Asym::EcdsaP256, Hash::Sha256, 0x10, 0, 0, 0},
        {"p256-v11", Asym::EcdsaP256, Hash::Sha256, 0x11, 0, 0, 0},
        {"p384-v12-chunked", Asym::EcdsaP384, Hash::Sha384, 0x12, 0, 200, 0},
        {"p384-v13", Asym::EcdsaP384, Hash::Sha384, 0x13, 0, 0, 0},
        {"rsa2048-v12", Asym::Rsa2048, Hash::Sha256, 0x12, 0, 0, 0},
        {"p384-v13-large", Asym::EcdsaP384, Hash::Sha384, 0x13, 0, 0, 256},
        {"p384-v14", Asym::EcdsaP384, Hash::Sha384, 0x14, 0, 0, 0},
    };
    for (auto &sd : seeds) {
        Bytes b = record(sd.a, sd.h, sd.v, sd.cfg, sd.chunk, sd.dts);
        CHECK(b.size() > 100);
        if (dir)
            write(std::string(dir) + "/handshake", sd.name, b);
    }
    {
        // mode 1: cached identity (SPKI in the first frame) + revalidate x2
        devsim::Responder rsp(devsim::Config{}, devsim::make_identity(Asym::EcdsaP384, Hash::Sha384, 1, 1));
        std::vector<Bytes> rs;
        Platform p([&](std::span<const uint8_t> req) {
            Bytes r = rsp.handle(req);
            rs.push_back(r);
            return r;
        });
        Bytes spki, digest;
        {
            auto s = make_session(p, 0, 0, 0x12);
            REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
            spdm_evidence ev;
            spdm_get_evidence(s.get(), &ev);
            spki.assign(ev.leaf_spki.data, ev.leaf_spki.data + ev.leaf_spki.len);
            digest.assign(ev.digests[0], ev.digests[0] + ev.hash_len);
        }
        rs.clear();
        rsp.reset();
        auto s = make_session(p, 0, 0, 0x12);
        REQUIRE(spdm_set_cached_identity(s.get(), 0x12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, 0,
                                         digest.data(), spki.data(), spki.size()) == 0);
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        Bytes out{uint8_t(0x02 | 0x04), 0};
        fuzzfmt::frame(out, spki);
        for (Bytes r : rs) {
            // index loops: GCC 14 misreads std::fill here (-Wstringop-overflow)
            for (size_t i = 4; r.size() > 4 && r[1] == 0x01 && i < r.size(); i++)
                r[i] = 0;
            for (size_t i = 4; r.size() > 4 + 48 && r[1] == 0x03 && i < 4 + 48; i++)
                r[i] = 0;
            fuzzfmt::frame(out, r);
        }
        if (dir)
            write(std::string(dir) + "/handshake", "p384-v12-cached-revalidate", out);
    }
    if (dir) {
        for (auto a : {Asym::EcdsaP256, Asym::EcdsaP384, Asym::Rsa2048}) {
            auto id = devsim::make_identity(a, Hash::Sha256, 1, 1);
            write(std::string(dir) + "/der", std::string(devsim::to_string(a)), id.slots[0].der_chain());
        }
    }
}

namespace {

// A devsim session recorded for fuzz_session (real crypto): the platform's
// random op fills nonces with kRandomByte, as the harness's does, so the
// responses stay valid when the harness replays them.
// fuzz_evidence's input for what the kernel would export of ev (see
// tests/fuzz/fuzz_evidence.cpp; the chain without its SPDM header)
Bytes evidence_seed(const spdm_evidence &ev)
{
    auto bit = [](uint32_t v) { return uint8_t(v ? __builtin_ctz(v) : 32); };
    Bytes out{ev.version, ev.slot, ev.meas_count, bit(ev.asym), bit(ev.hash)};
    auto view = [&](const spdm_buf_view &v, size_t skip = 0) {
        fuzzfmt::frame(out, v.len > skip ? Bytes(v.data + skip, v.data + v.len) : Bytes{});
    };
    auto segs = [&](const spdm_seg_view &v) { fuzzfmt::frame(out, spdmtest::flat(v)); };
    auto str = [&](const char *c) { fuzzfmt::frame(out, c ? Bytes(c, c + std::strlen(c)) : Bytes{}); };
    view(ev.chain, 4 + ev.hash_len);
    view(ev.meas_blocks);
    view(ev.nonce);
    view(ev.signature);
    str(ev.context);
    segs(ev.transcript);
    view(ev.leaf_spki);
    view(ev.meas_signature);
    str(ev.meas_context);
    segs(ev.meas_transcript);
    for (unsigned i = 0; i < SPDM_SLOTS; i++)
        if (ev.slot_mask & (1u << i))
            fuzzfmt::frame(out, Bytes(ev.digests[i], ev.digests[i] + ev.hash_len));
    return out;
}

Bytes record_real(devsim::Asym a, devsim::Hash h, uint8_t maxv, uint8_t mode, uint32_t chunk,
                  Bytes *evidence = nullptr)
{
    devsim::Config c;
    c.max_chunk = chunk;
    devsim::Responder rsp(c, devsim::make_identity(a, h, 1, 1));
    std::vector<Bytes> rs;
    Platform p([&](std::span<const uint8_t> req) {
        Bytes r = rsp.handle(req);
        rs.push_back(r);
        return r;
    });
    p.random = [](uint8_t *buf, size_t len) {
        std::memset(buf, fuzzfmt::kRandomByte, len);
        return 0;
    };
    Bytes out{uint8_t(fuzzfmt::version_bits(maxv) | mode << 2), 0};
    if (mode == 1) {
        // the identity a first session established, then a new session
        // that starts from it (what a resume does)
        Bytes spki, digest;
        {
            auto s = make_session(p, fuzzfmt::kMaxResp[0], 0, maxv);
            REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
            spdm_evidence ev;
            spdm_get_evidence(s.get(), &ev);
            spki.assign(ev.leaf_spki.data, ev.leaf_spki.data + ev.leaf_spki.len);
            digest.assign(ev.digests[0], ev.digests[0] + ev.hash_len);
        }
        rs.clear();
        rsp.reset();
        auto s = make_session(p, fuzzfmt::kMaxResp[0], 0, maxv);
        uint32_t hash = digest.size() == 32 ? SPDM_HASH_SHA256 : digest.size() == 64 ? SPDM_HASH_SHA512
                                                                                       : SPDM_HASH_SHA384;
        uint32_t asym = 0;
        size_t po, pl;
        REQUIRE(spdm_der_parse_spki(spki.data(), spki.size(), &po, &pl, &asym, nullptr) == 0);
        REQUIRE(spdm_set_cached_identity(s.get(), 0, asym, hash, 0, digest.data(), spki.data(),
                                         spki.size()) == 0);
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        fuzzfmt::frame(out, spki);
        fuzzfmt::frame(out, digest);
    } else {
        auto s = make_session(p, fuzzfmt::kMaxResp[0], 0, maxv);
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
        REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
        REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
        if (mode & 2)
            REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        if (evidence) {
            spdm_evidence ev;
            spdm_get_evidence(s.get(), &ev);
            *evidence = evidence_seed(ev);
        }
    }
    for (const Bytes &r : rs)
        fuzzfmt::frame(out, r);
    return out;
}

// What a seed must do in fuzz_session: every step of its mode succeeds.
void require_valid_session(const Bytes &b)
{
    auto r = fuzzfmt::replay_session(b.data(), b.size(), [](const fuzzfmt::SessionResult &) {});
    CAPTURE(r.mode, r.auth, r.meas, r.reval, r.meas2, r.reval2, r.auth2);
    if (r.mode == 1) {
        CHECK(r.reval == 0);
        CHECK(r.reval2 == 0);
    } else {
        CHECK(r.auth == 0);
        CHECK(r.meas == 0);
        CHECK(r.reval == 0);
        CHECK(r.meas2 == 0);
        if (r.mode & 2)
            CHECK(r.auth2 == 0);
    }
    CHECK(r.live_allocs == 0);
}

Bytes read_file(const std::filesystem::path &f)
{
    std::ifstream in(f, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("core: real-crypto fuzz seeds", "[core][fuzz]")
{
    const char *dir = std::getenv("SPDM_FUZZ_SEED_DIR");
    using devsim::Asym;
    using devsim::Hash;
    struct {
        const char *name;
        Asym a;
        Hash h;
        uint8_t v;
        uint8_t mode;
        uint32_t chunk;
    } seeds[] = {
        {"p256-v10", Asym::EcdsaP256, Hash::Sha256, 0x10, 0, 0},
        {"p256-v11-reauth", Asym::EcdsaP256, Hash::Sha256, 0x11, 2, 0},
        {"p384-v12-chunked", Asym::EcdsaP384, Hash::Sha384, 0x12, 0, 200},
        {"p256-v13", Asym::EcdsaP256, Hash::Sha256, 0x13, 0, 0},
        {"p384-v14-reauth", Asym::EcdsaP384, Hash::Sha384, 0x14, 2, 0},
        {"rsa2048-v12", Asym::Rsa2048, Hash::Sha256, 0x12, 0, 0},
        {"p384-v12-cached-revalidate", Asym::EcdsaP384, Hash::Sha384, 0x12, 1, 0},
    };
    SECTION("a fresh recording replays as a valid session")
    {
        for (auto &sd : seeds) {
            CAPTURE(sd.name);
            Bytes evidence;
            Bytes b = record_real(sd.a, sd.h, sd.v, sd.mode, sd.chunk, &evidence);
            require_valid_session(b);
            if (dir) {
                write(std::string(dir) + "/session", sd.name, b);
                if (!evidence.empty())
                    write(std::string(dir) + "/evidence", sd.name, evidence);
            }
        }
    }
    SECTION("the checked-in seeds replay as valid sessions")
    {
        // a seed that stopped verifying would leave fuzz_session stuck
        // before the first signature check
        std::filesystem::path d = SPDM_FUZZ_CORPUS_DIR "/session";
        int n = 0;
        for (const auto &e : std::filesystem::directory_iterator(d)) {
            CAPTURE(e.path().string());
            require_valid_session(read_file(e.path()));
            n++;
        }
        CHECK(n >= int(std::size(seeds)));
    }
    SECTION("a mutated signature does not verify")
    {
        // the harness's crypto is real: flipping a byte of the
        // CHALLENGE_AUTH signature (the end of that frame) fails authenticate
        Bytes b = record_real(Asym::EcdsaP256, Hash::Sha256, 0x12, 0, 0);
        fuzzfmt::Frames f{b.data() + 2, b.size() - 2};
        const uint8_t *m;
        size_t l;
        bool flipped = false;
        while (f.next(&m, &l)) {
            if (l > 64 && m[1] == 0x03) {
                b[size_t(m - b.data()) + l - 1] ^= 1;
                flipped = true;
                break;
            }
        }
        REQUIRE(flipped);
        auto r = fuzzfmt::replay_session(b.data(), b.size(), [](const fuzzfmt::SessionResult &) {});
        CHECK(r.auth != 0);
        CHECK(r.live_allocs == 0);
    }
}
