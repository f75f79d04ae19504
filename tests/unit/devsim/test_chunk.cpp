// SPDX-License-Identifier: GPL-2.0
// devsim's large-message transfer (DSP0274 1.2+), driven with hand-built
// messages: CHUNK_CAP in CAPABILITIES, ERROR LargeResponse + CHUNK_GET for
// responses over the DataTransferSize, CHUNK_SEND for large requests, the
// checks on what the requester sends, and the chunk-lie faults.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "common.hpp"

using devsim::Bytes;
using tst::B;

namespace {

uint32_t le32(const Bytes &b, size_t o) { return b.at(o) | b.at(o + 1) << 8 | b.at(o + 2) << 16 | uint32_t(b.at(o + 3)) << 24; }
void put32(Bytes &b, uint32_t v) { for (int i = 0; i < 4; i++) b.push_back(uint8_t(v >> (8 * i))); }

devsim::Config chunk_cfg(uint8_t v, uint32_t dts)
{
    devsim::Config c;
    c.versions = {v};
    c.data_transfer_size = dts;
    c.chunk_cap = true;
    return c;
}

// VCA as a requester with CHUNK_CAP (or not), DataTransferSize req_dts.
Bytes vca(devsim::Responder &d, uint8_t v, bool chunk, uint32_t req_dts = 0x1200, uint32_t req_max = 0x10000)
{
    REQUIRE(d.handle(B({0x10, 0x84, 0, 0}))[1] == 0x04);
    Bytes caps{v, 0xE1, 0, 0, 0, 0, 0, 0};
    put32(caps, chunk ? 1u << 17 : 0);
    put32(caps, req_dts);
    put32(caps, chunk ? req_max : req_dts);
    Bytes c = d.handle(caps);
    REQUIRE(c[1] == 0x61);
    Bytes alg{v, 0xE3, 0, 0, 32, 0, 0x01, 0x02};
    put32(alg, 1u << 7);  // ECDSA P-384
    put32(alg, 1u << 1);  // SHA-384
    alg.resize(32, 0);
    REQUIRE(d.handle(alg)[1] == 0x63);
    return c;
}

// CHUNK_GET until LAST_CHUNK; checks every header; returns the message.
Bytes chunk_get_all(devsim::Responder &d, uint8_t v, uint8_t handle, size_t limit)
{
    Bytes msg;
    size_t lms = 0;
    for (uint16_t seq = 0;; seq++) {
        Bytes r = d.handle(B({v, 0x86, 0, handle, seq & 0xff, seq >> 8}));
        CAPTURE(seq);
        REQUIRE(r.size() >= 12);
        REQUIRE(r[1] == 0x06);
        CHECK(r[3] == handle);
        CHECK((r[4] | r[5] << 8) == seq);
        CHECK(r.size() <= limit);
        size_t hdr = seq ? 12 : 16;
        if (!seq)
            lms = le32(r, 12);
        size_t csize = le32(r, 8);
        REQUIRE(csize > 0);
        REQUIRE(r.size() == hdr + csize);
        msg.insert(msg.end(), r.begin() + long(hdr), r.end());
        if (r[2] & 1)
            break;
        REQUIRE(msg.size() < lms);
    }
    CHECK(msg.size() == lms);
    return msg;
}

const Bytes get_cert_all{0x13, 0x82, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

TEST_CASE("devsim CHUNK_CAP in CAPABILITIES", "[devsim][chunk]")
{
    SECTION("1.2+ with --data-transfer-size: CHUNK_CAP, DataTransferSize N, MaxSPDMmsgSize 64 KiB") {
        devsim::Responder d(chunk_cfg(0x12, 256), tst::identity(devsim::Asym::EcdsaP384));
        Bytes c = vca(d, 0x12, true);
        CHECK((le32(c, 8) & (1u << 17)) != 0);
        CHECK(le32(c, 12) == 256);
        CHECK(le32(c, 16) == 0x10000);
    }
    SECTION("1.1: no CHUNK_CAP") {
        devsim::Responder d(chunk_cfg(0x11, 256), tst::identity(devsim::Asym::EcdsaP384));
        REQUIRE(d.handle(B({0x10, 0x84, 0, 0}))[1] == 0x04);
        Bytes c = d.handle(B({0x11, 0xE1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        REQUIRE(c[1] == 0x61);
        CHECK((le32(c, 8) & (1u << 17)) == 0);
    }
    SECTION("by default: no CHUNK_CAP, MaxSPDMmsgSize = DataTransferSize") {
        devsim::Responder d(devsim::Config{}, tst::identity(devsim::Asym::EcdsaP384));
        Bytes c = vca(d, 0x13, true);
        CHECK((le32(c, 8) & (1u << 17)) == 0);
        CHECK(le32(c, 12) == le32(c, 16));
    }
}

TEST_CASE("devsim LargeResponse and CHUNK_GET", "[devsim][chunk]")
{
    const auto &id = tst::identity(devsim::Asym::EcdsaP384);
    devsim::Responder d(chunk_cfg(0x13, 256), id);
    vca(d, 0x13, true);
    Bytes e = d.handle(get_cert_all);
    REQUIRE(e.size() == 5);
    CHECK(e == B({0x13, 0x7f, 0x0f, 0x00, e[4]}));  // ExtendedErrorData = Handle
    uint8_t h = e[4];
    SECTION("the chunks reassemble to the whole CERTIFICATE, each within 256 bytes") {
        Bytes m = chunk_get_all(d, 0x13, h, 256);
        Bytes chain = id.spdm_chain(0, devsim::Hash::Sha384);
        REQUIRE(m.size() == 8 + chain.size());
        CHECK(m[1] == 0x02);
        CHECK(size_t(m[4] | m[5] << 8) == chain.size());
        CHECK((m[6] | m[7] << 8) == 0);
        CHECK(Bytes(m.begin() + 8, m.end()) == chain);
        // delivered: nothing left to get
        CHECK(d.handle(B({0x13, 0x86, 0, h, 0, 0}))[2] == 0x04);  // UnexpectedRequest
    }
    SECTION("a wrong Handle or ChunkSeqNo is InvalidRequest") {
        CHECK(d.handle(B({0x13, 0x86, 0, uint8_t(h + 1), 0, 0}))[2] == 0x01);
        CHECK(d.handle(B({0x13, 0x86, 0, h, 1, 0}))[2] == 0x01);
        CHECK(d.handle(B({0x13, 0x86, 0, h, 0}))[2] == 0x01);  // short
        CHECK(d.handle(B({0x13, 0x86, 0, h, 0, 0}))[1] == 0x06);  // still there
    }
    SECTION("another request abandons the large response") {
        CHECK(d.handle(B({0x13, 0x81, 0, 0}))[1] == 0x01);  // DIGESTS
        CHECK(d.handle(B({0x13, 0x86, 0, h, 0, 0}))[2] == 0x04);
    }
    SECTION("each LargeResponse has a new Handle") {
        Bytes e2 = d.handle(get_cert_all);
        REQUIRE(e2.size() == 5);
        CHECK(e2[4] != h);
    }
}

TEST_CASE("devsim without a chunking requester", "[devsim][chunk]")
{
    devsim::Responder d(chunk_cfg(0x13, 256), tst::identity(devsim::Asym::EcdsaP384));
    vca(d, 0x13, false);
    // a CERTIFICATE portion within one message, no LargeResponse
    Bytes r = d.handle(get_cert_all);
    REQUIRE(r[1] == 0x02);
    CHECK(r.size() <= 256);
    CHECK(d.handle(B({0x13, 0x86, 0, 1, 0, 0}))[2] == 0x04);  // UnexpectedRequest
    devsim::Config nochunk;
    nochunk.versions = {0x13};
    devsim::Responder d2(nochunk, tst::identity(devsim::Asym::EcdsaP384));
    vca(d2, 0x13, true);
    CHECK(d2.handle(B({0x13, 0x86, 0, 1, 0, 0})) == B({0x13, 0x7f, 0x07, 0x86}));  // UnsupportedRequest
}

TEST_CASE("devsim CHUNK_SEND", "[devsim][chunk]")
{
    // DataTransferSize 42 (the minimum): a 1.3 signed GET_MEASUREMENTS
    // (45 bytes) does not fit one message
    devsim::Responder d(chunk_cfg(0x13, 42), tst::identity(devsim::Asym::EcdsaP384));
    vca(d, 0x13, true);
    Bytes req{0x13, 0xE0, 0x01, 0xFF};
    req.resize(4 + 32, 0x11);  // nonce
    req.push_back(0);          // slot
    req.resize(45, 0x22);      // RequesterContext
    auto chunk = [&](uint16_t seq, bool last, size_t off, size_t n, uint8_t handle = 7) {
        Bytes c{0x13, 0x85, uint8_t(last ? 1 : 0), handle, uint8_t(seq), uint8_t(seq >> 8), 0, 0};
        put32(c, uint32_t(n));
        if (!seq)
            put32(c, uint32_t(req.size()));
        c.insert(c.end(), req.begin() + long(off), req.begin() + long(off + n));
        return c;
    };
    SECTION("two chunks; the last ACK carries the response (a LargeResponse here)") {
        Bytes a0 = d.handle(chunk(0, false, 0, 26));
        CHECK(a0 == B({0x13, 0x05, 0, 7, 0, 0}));
        Bytes a1 = d.handle(chunk(1, true, 26, 19));
        REQUIRE(a1.size() == 6 + 5);
        CHECK(Bytes(a1.begin(), a1.begin() + 6) == B({0x13, 0x05, 0, 7, 1, 0}));
        CHECK(Bytes(a1.begin() + 6, a1.begin() + 10) == B({0x13, 0x7f, 0x0f, 0}));
        Bytes m = chunk_get_all(d, 0x13, a1[10], 42);
        REQUIRE(m.size() > 8);
        CHECK(m[1] == 0x60);   // MEASUREMENTS
        CHECK(m[4] == 4);      // all four default blocks
        // the RequesterContext of the reassembled request is echoed before the signature
        size_t sig = devsim::signature_size(devsim::Asym::EcdsaP384);
        CHECK(Bytes(m.end() - long(sig) - 8, m.end() - long(sig)) == Bytes(8, 0x22));
    }
    SECTION("DOE padding (up to 3 bytes) after a chunk is not part of it") {
        Bytes c0 = chunk(0, false, 0, 26);
        Bytes c1 = chunk(1, true, 26, 19);
        c1.push_back(0);  // 31 bytes -> 32
        REQUIRE(d.handle(c0)[1] == 0x05);
        Bytes a1 = d.handle(c1);
        REQUIRE(a1.size() == 11);
        Bytes m = chunk_get_all(d, 0x13, a1[10], 42);
        CHECK(m[1] == 0x60);
    }
    SECTION("a chunk that lies is InvalidRequest and drops the transfer") {
        SECTION("ChunkSize more than came") {
            Bytes c = chunk(0, false, 0, 26);
            c[8] = 27;
            CHECK(d.handle(c)[2] == 0x01);
        }
        SECTION("ChunkSize 4 less than came (more than DOE padding)") {
            Bytes c = chunk(0, false, 0, 26);
            c[8] = 22;
            CHECK(d.handle(c)[2] == 0x01);
        }
        SECTION("ChunkSeqNo skipped") {
            REQUIRE(d.handle(chunk(0, false, 0, 26))[1] == 0x05);
            CHECK(d.handle(chunk(2, true, 26, 19))[2] == 0x01);
            CHECK(d.handle(chunk(1, true, 26, 19))[2] == 0x01);  // the transfer is gone
        }
        SECTION("another Handle") {
            REQUIRE(d.handle(chunk(0, false, 0, 26))[1] == 0x05);
            CHECK(d.handle(chunk(1, true, 26, 19, 8))[2] == 0x01);
        }
        SECTION("LastChunk before LargeMessageSize") {
            CHECK(d.handle(chunk(0, true, 0, 26))[2] == 0x01);
        }
        SECTION("LargeMessageSize reached without LastChunk") {
            REQUIRE(d.handle(chunk(0, false, 0, 26))[1] == 0x05);
            CHECK(d.handle(chunk(1, false, 26, 19))[2] == 0x01);
        }
        SECTION("a chunk larger than the DataTransferSize") {
            Bytes c = chunk(0, false, 0, 27);
            CHECK(d.handle(c)[2] == 0x01);
        }
        SECTION("LargeMessageSize beyond MaxSPDMmsgSize") {
            Bytes c = chunk(0, false, 0, 26);
            c[12] = 0, c[13] = 0, c[14] = 0x10, c[15] = 0;  // 1 MiB
            CHECK(d.handle(c)[2] == 0x01);
        }
        SECTION("an empty chunk") {
            REQUIRE(d.handle(chunk(0, false, 0, 26))[1] == 0x05);
            CHECK(d.handle(chunk(1, false, 26, 0))[2] == 0x01);
        }
    }
}

TEST_CASE("devsim chunk-lie fault", "[devsim][chunk][faults]")
{
    devsim::Responder d(chunk_cfg(0x13, 256), tst::identity(devsim::Asym::EcdsaP384));
    CHECK_THROWS_WITH(d.apply_fault("chunk-lie=bogus"), Catch::Matchers::ContainsSubstring("expected chunk-lie=KIND"));
    d.apply_fault("chunk-lie=seq-skip");
    CHECK(d.faults().describe() == "chunk-lie=seq-skip");
    vca(d, 0x13, true);
    Bytes e = d.handle(get_cert_all);
    REQUIRE(e.size() == 5);
    Bytes r0 = d.handle(B({0x13, 0x86, 0, e[4], 0, 0}));
    CHECK((r0[4] | r0[5] << 8) == 0);
    Bytes r1 = d.handle(B({0x13, 0x86, 0, e[4], 1, 0}));
    CHECK((r1[4] | r1[5] << 8) == 2);  // the lie
    d.apply_fault("chunk-lie=none");
    CHECK(d.faults().describe() == "none");
    d.apply_fault("chunk-lie=no-cap");
    Bytes c = vca(d, 0x13, true);
    CHECK((le32(c, 8) & (1u << 17)) == 0);
    CHECK(d.handle(get_cert_all).size() == 5);  // chunks anyway
}
