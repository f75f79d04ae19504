// SPDX-License-Identifier: GPL-2.0
// The SPDM core's large-message transfer (DSP0274 1.2+: ERROR LargeResponse,
// CHUNK_GET / CHUNK_RESPONSE) against spdm-devsim in-process: responses
// larger than the device's 256-byte DataTransferSize are reassembled,
// recorded whole in the transcripts and verify offline; every lie in a
// chunk header is refused with a message naming the step.
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

constexpr uint8_t kChunkGet = 0x86, kGetCertificate = 0x82;

const devsim::Identity &ident(Asym a, Hash h) { return devsim_identity(a, h, 1, 7); }

// A device whose DataTransferSize is 256 and that chunks what does not fit,
// with measurement records far larger than one message.
devsim::Config chunking_config(uint8_t v, uint32_t dts = 256)
{
    devsim::Config c;
    c.versions = {v};
    c.data_transfer_size = dts;
    c.chunk_cap = true;
    c.measurements.push_back({5, 0x04, true, false, Bytes(700, 0xa5)});   // raw, 700 bytes
    c.measurements.push_back({6, 0x05, true, false, Bytes(1500, 0x3c)});  // raw, 1500 bytes
    return c;
}

struct Outcome {
    int rc;
    std::string msg;
    spdm_failure cls;
};

Outcome connect(Device &d, size_t max_resp = 0, bool meas = true)
{
    auto s = make_session(d.plat, max_resp);
    int rc = spdm_authenticate(s.get(), 0, nullptr);
    if (!rc && meas)
        rc = spdm_get_measurements(s.get(), nullptr);
    return {rc, spdm_last_error(s.get()), spdm_last_failure(s.get())};
}

}  // namespace

TEST_CASE("core: chunked CERTIFICATE, CHALLENGE_AUTH and MEASUREMENTS reassemble and verify", "[core][chunk]")
{
    auto v = GENERATE(as<uint8_t>{}, 0x12, 0x13);
    auto [asym, hash] = GENERATE(std::make_pair(Asym::EcdsaP384, Hash::Sha384),
                                 std::make_pair(Asym::Rsa3072, Hash::Sha256));
    CAPTURE(unsigned(v), devsim::to_string(asym));
    Device dev(chunking_config(v), ident(asym, hash));
    {
        auto s = make_session(dev.plat);
        int rc = spdm_authenticate(s.get(), 0, nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        CHECK((ev.caps & SPDM_CAP_CHUNK) != 0);
        // the whole chain in one GET_CERTIFICATE, which came in chunks
        CHECK(dev.count(kGetCertificate) == 1);
        CHECK(dev.count(kChunkGet) > 4);
        Bytes want = dev.rsp.identity().spdm_chain(0, hash);
        REQUIRE(ev.chain.len == want.size());
        CHECK(std::memcmp(ev.chain.data, want.data(), want.size()) == 0);
        CHECK(verify_offline(ev) == "");
        unsigned before = dev.count(kChunkGet);

        rc = spdm_get_measurements(s.get(), nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        CHECK(dev.count(kChunkGet) > before + 8);  // > 2200 record bytes, < 256 a chunk
        spdm_get_evidence(s.get(), &ev);
        CHECK(ev.meas_count == 6);
        CHECK(ev.meas_blocks.len > 2200);
        // the transcript holds the reassembled MEASUREMENTS, not the chunks:
        // the device signed that, and an independent verifier agrees
        CHECK(verify_offline(ev, true) == "");
        CHECK(ev.complete);
        // the reassembly buffer is not kept after the operation
        size_t used = spdm_mem_used(s.get());
        CHECK(used < 4 * 4608 + ev.meas_transcript.len + ev.transcript.len + ev.chain.len);

        rc = spdm_revalidate(s.get(), nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        spdm_get_evidence(s.get(), &ev);
        CHECK(verify_offline(ev) == "");
    }
    CHECK(dev.plat.live_allocs == 0);
}

TEST_CASE("core: without chunking, nothing changes", "[core][chunk]")
{
    SECTION("a 1.1 device: no CHUNK_GET") {
        devsim::Config c;
        c.versions = {0x10, 0x11};
        Device dev(c, ident(Asym::EcdsaP384, Hash::Sha384));
        auto r = connect(dev);
        INFO(r.msg);
        REQUIRE(r.rc == 0);
        CHECK(dev.count(kChunkGet) == 0);
    }
    SECTION("a 1.3 device without CHUNK_CAP: portions within its DataTransferSize") {
        devsim::Config c;
        c.data_transfer_size = 512;
        Device dev(c, ident(Asym::EcdsaP384, Hash::Sha384));
        auto r = connect(dev);
        INFO(r.msg);
        REQUIRE(r.rc == 0);
        CHECK(dev.count(kChunkGet) == 0);
        CHECK(dev.count(kGetCertificate) > 2);
    }
    SECTION("the requester advertises CHUNK_CAP and MaxSPDMmsgSize on 1.2+") {
        Device dev(chunking_config(0x13), ident(Asym::EcdsaP384, Hash::Sha384));
        REQUIRE(connect(dev, 0, false).rc == 0);
        const Bytes &caps = dev.plat.requests.at(1);
        REQUIRE(caps.size() == 20);
        CHECK(caps[1] == 0xe1);
        uint32_t flags = caps[8] | caps[9] << 8 | caps[10] << 16 | uint32_t(caps[11]) << 24;
        uint32_t dts = caps[12] | caps[13] << 8 | caps[14] << 16 | uint32_t(caps[15]) << 24;
        uint32_t max = caps[16] | caps[17] << 8 | caps[18] << 16 | uint32_t(caps[19]) << 24;
        CHECK(flags == SPDM_CAP_CHUNK);
        CHECK(dts == SPDM_DEFAULT_MAX_RESP);
        CHECK(max == SPDM_DEFAULT_MAX_MSG);
    }
}

TEST_CASE("core: a device that lies in a chunk header is refused", "[core][chunk]")
{
    struct Lie {
        const char *kind;
        const char *msg;
    } lies[] = {
        {"handle", "GET_CERTIFICATE: CHUNK_RESPONSE 0 has Handle 0x02, LargeResponse gave 0x01"},
        {"seq-skip", "GET_CERTIFICATE: CHUNK_RESPONSE has ChunkSeqNo 2, expected 1"},
        {"seq-repeat", "GET_CERTIFICATE: CHUNK_RESPONSE has ChunkSeqNo 0, expected 1"},
        {"size", "GET_CERTIFICATE: CHUNK_RESPONSE 0: ChunkSize 4608 exceeds our DataTransferSize 4608 less its 16 byte header"},
        {"lms-big", "GET_CERTIFICATE: LargeMessageSize 262145 outside 4..262144 (our MaxSPDMmsgSize)"},
        {"lms-long", "GET_CERTIFICATE: CHUNK_RESPONSE"},
        {"overrun", "overruns LargeMessageSize"},
        {"no-last", "without LAST_CHUNK"},
        {"stall", "GET_CERTIFICATE: CHUNK_RESPONSE 0: empty chunk at 0 of"},
        // without CHUNK_CAP its MaxSPDMmsgSize (64 KiB) must be its
        // DataTransferSize (256): refused before it can send a LargeResponse
        // (the canned "LargeResponse without CHUNK_CAP" case covers that)
        {"no-cap", "GET_CAPABILITIES: MaxSPDMmsgSize 65536 differs from DataTransferSize 256 without CHUNK_CAP"},
    };
    for (auto &l : lies) {
        CAPTURE(l.kind);
        Device dev(chunking_config(0x13), ident(Asym::EcdsaP384, Hash::Sha384));
        dev.rsp.apply_fault(std::string("chunk-lie=") + l.kind);
        auto r = connect(dev);
        CHECK(r.rc < 0);
        CHECK_THAT(r.msg, ContainsSubstring(l.msg));
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
        // the stalling device is dropped at its first empty chunk
        if (std::string(l.kind) == "stall")
            CHECK(dev.count(kChunkGet) == 1);
        CHECK(dev.plat.live_allocs == 0);
    }
    SECTION("lms-long: LAST_CHUNK before LargeMessageSize") {
        Device dev(chunking_config(0x13), ident(Asym::EcdsaP384, Hash::Sha384));
        dev.rsp.apply_fault("chunk-lie=lms-long");
        auto r = connect(dev);
        CHECK_THAT(r.msg, ContainsSubstring(": LAST_CHUNK at "));
        CHECK_THAT(r.msg, ContainsSubstring("of LargeMessageSize"));
    }
}

TEST_CASE("core: hand-made chunk lies", "[core][chunk]")
{
    Device dev(chunking_config(0x13), ident(Asym::EcdsaP384, Hash::Sha384));
    SECTION("LargeMessageSize outside the first chunk: 4 trailing bytes") {
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == kChunkGet && req[4] == 1 && r.size() > 12 && r[1] == 0x06)
                r.insert(r.begin() + 12, {0x10, 0, 0, 0});
        };
        auto r = connect(dev);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: 4 unexpected trailing bytes"));
    }
    SECTION("ChunkSize larger than the bytes that came") {
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == kChunkGet && req[4] == 2 && r.size() > 12 && r[1] == 0x06)
                r[8] += 8;
        };
        auto r = connect(dev);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: truncated response"));
    }
    SECTION("CHUNK_GET answered with LargeResponse") {
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == kChunkGet && req[4] == 1)
                r = Bytes{0x13, 0x7f, 0x0f, 0x00, 0x09};
        };
        auto r = connect(dev);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: device answered CHUNK_GET with ERROR LargeResponse (0x0f)"));
    }
    SECTION("an ERROR to CHUNK_GET ends the operation, named") {
        dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == kChunkGet && req[4] == 3)
                r = Bytes{0x13, 0x7f, 0x01, 0x00};
        };
        auto r = connect(dev);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: device answered ERROR InvalidRequest"));
    }
}

TEST_CASE("core: chunk retrieval is bounded", "[core][chunk]")
{
    SECTION("by the memory budget") {
        devsim::Config c = chunking_config(0x13);
        c.measurements.push_back({7, 0x05, true, false, Bytes(60000, 0x11)});
        Device dev(c, ident(Asym::EcdsaP384, Hash::Sha384));
        auto s = make_session(dev.plat, 0, 96 * 1024);
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        CHECK(spdm_get_measurements(s.get(), nullptr) == -EDQUOT);
        CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_BUDGET);
        CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("GET_MEASUREMENTS: memory budget exhausted"));
    }
    SECTION("by the MaxSPDMmsgSize we advertised") {
        Device dev(chunking_config(0x13), ident(Asym::EcdsaP384, Hash::Sha384));
        spdm_params p = dev.plat.params(512);
        p.max_msg = 1024;
        spdm_session *raw = nullptr;
        REQUIRE(spdm_session_create(&p, &raw) == 0);
        SessionPtr s(raw);
        // devsim keeps within 1024: the chain comes in portions
        REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
        CHECK(dev.count(kGetCertificate) > 1);
        // the 2200-byte record cannot: devsim refuses to build it
        CHECK(spdm_get_measurements(s.get(), nullptr) < 0);
        CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("GET_MEASUREMENTS: "));
    }
    SECTION("by the operation's deadline") {
        Device dev(chunking_config(0x13, 42), ident(Asym::EcdsaP384, Hash::Sha384));
        dev.plat.expire_after = 20;
        auto r = connect(dev);
        CHECK(r.rc == -ETIME);
        CHECK(r.cls == SPDM_FAIL_DEADLINE);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: operation deadline exceeded"));
        CHECK(dev.plat.requests.size() == 20);
    }
}

TEST_CASE("core: requests larger than the device's DataTransferSize go in CHUNK_SEND", "[core][chunk]")
{
    constexpr uint8_t kChunkSend = 0x85;
    // DataTransferSize 42: the 1.3 CHALLENGE (44 bytes) and GET_MEASUREMENTS
    // (45 bytes) do not fit; every large response comes in chunks of <= 42
    devsim::Config c = chunking_config(0x13, 42);
    SECTION("they connect, with measurements, and verify") {
        Device dev(c, ident(Asym::EcdsaP384, Hash::Sha384));
        auto s = make_session(dev.plat);
        int rc = spdm_authenticate(s.get(), 0, nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        CHECK(dev.count(kChunkSend) == 2);  // 26 + 18 bytes
        rc = spdm_get_measurements(s.get(), nullptr);
        INFO(spdm_last_error(s.get()));
        REQUIRE(rc == 0);
        CHECK(dev.count(kChunkSend) == 4);  // 26 + 19
        for (auto &r : dev.plat.requests)
            CHECK(r.size() <= 42);
        spdm_evidence ev;
        spdm_get_evidence(s.get(), &ev);
        // the transcripts hold the requests whole
        CHECK(verify_offline(ev) == "");
        CHECK(verify_offline(ev, true) == "");
    }
    SECTION("an ACK that names another ChunkSeqNo or Handle is refused") {
        auto off = GENERATE(3, 4);  // Handle, ChunkSeqNo
        CAPTURE(off);
        Device dev(c, ident(Asym::EcdsaP384, Hash::Sha384));
        dev.filter = [off](std::span<const uint8_t> req, Bytes &r) {
            if (req[1] == kChunkSend && r.size() >= 6 && r[1] == 0x05)
                r[size_t(off)] ^= 1;
        };
        auto r = connect(dev);
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
        CHECK_THAT(r.msg, ContainsSubstring("CHALLENGE_AUTH: CHUNK_SEND_ACK for Handle"));
    }
    SECTION("an early error, or an ERROR for the reassembled request, ends it") {
        Device dev(c, ident(Asym::EcdsaP384, Hash::Sha384));
        SECTION("EarlyErrorDetected") {
            dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
                if (req[1] == kChunkSend && r.size() >= 6 && r[1] == 0x05)
                    r[2] = 1;
            };
            CHECK_THAT(connect(dev).msg, ContainsSubstring("CHALLENGE_AUTH: device detected an error in CHUNK_SEND 0"));
        }
        SECTION("ERROR in the last ACK") {
            dev.filter = [](std::span<const uint8_t> req, Bytes &r) {
                if (req[1] == kChunkSend && (req[2] & 1))
                    r = Bytes{0x13, 0x05, 0, req[3], req[4], req[5], 0x13, 0x7f, 0x05, 0x00};
            };
            CHECK_THAT(connect(dev).msg,
                       ContainsSubstring("CHALLENGE_AUTH: device answered the chunked request with ERROR Unspecified"));
        }
    }
    SECTION("without chunking a large request is refused, named") {
        devsim::Config nc = c;
        nc.chunk_cap = false;
        nc.max_spdm_msg_size = 42;
        // SHA-256, one slot: DIGESTS (36 bytes) fits, CHALLENGE does not
        Device dev(nc, ident(Asym::EcdsaP256, Hash::Sha256));
        auto r = connect(dev, 0, false);
        CHECK(r.rc == -EMSGSIZE);
        CHECK_THAT(r.msg, ContainsSubstring("request of 44 bytes exceeds the device's DataTransferSize 42"));
    }
}
