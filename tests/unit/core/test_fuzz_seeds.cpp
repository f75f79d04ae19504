// SPDX-License-Identifier: GPL-2.0
// Writes the fuzz seed corpus (tests/fuzz/corpus) from devsim handshakes when
// SPDM_FUZZ_SEED_DIR is set; otherwise only checks that recording works.
//   SPDM_FUZZ_SEED_DIR=tests/fuzz/corpus build/.../core_tests "core: fuzz seeds"
#include <catch2/catch_test_macros.hpp>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <devsim/responder.hpp>

#include "../../fuzz/fuzz_common.h"
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
    Bytes out{uint8_t((maxv - 0x10) | cfg_bits), 0};
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
