// SPDX-License-Identifier: GPL-2.0
// Strict request validation (DSP0274 1.0-1.3, and 1.4 where devsim has it):
// each rule provoked with a hand-built request, the exact ERROR asserted
// (SPDMVersion, ErrorCode, ErrorData), and the legal neighbour accepted.
// ERROR codes are written as DSP0274's numbers: InvalidRequest 0x01,
// UnexpectedRequest 0x04, UnsupportedRequest 0x07, VersionMismatch 0x41.
#include "common.hpp"

#include <catch2/catch_test_macros.hpp>

#include <utility>

using namespace devsim;
using tst::B;

namespace {

Responder make(Config c = {}) { return Responder(std::move(c), tst::identity(Asym::EcdsaP256)); }
Bytes err(uint8_t v, uint8_t code, uint8_t data = 0) { return Bytes{v, 0x7F, code, data}; }
void put32(Bytes &b, uint32_t v) { for (int i = 0; i < 4; i++) b.push_back(uint8_t(v >> (8 * i))); }

// GET_CAPABILITIES as version v: CTExponent ct, Flags, DataTransferSize,
// MaxSPDMmsgSize (1.2+), Param1.
Bytes caps(uint8_t v, uint32_t flags = 0x06, uint8_t ct = 10, uint32_t dts = 0x1000, uint32_t max = 0x1000,
           uint8_t param1 = 0) {
    Bytes c{v, 0xE1, param1, 0};
    if (v >= 0x11) {
        Bytes m{0, ct, 0, 0};
        c.insert(c.end(), m.begin(), m.end());
        put32(c, flags);
    }
    if (v >= 0x12) {
        put32(c, dts);
        put32(c, max);
    }
    return c;
}

// NEGOTIATE_ALGORITHMS as version v with A ExtAsym and E ExtHash entries and
// the given (AlgType, AlgCount) structures; Length = what is built.
Bytes algs(uint8_t v, std::vector<std::pair<uint8_t, uint8_t>> structs = {}, uint8_t a = 0, uint8_t e = 0) {
    Bytes n{v, 0xE3, uint8_t(structs.size()), 0, 0, 0, 0x01, uint8_t(v >= 0x12 ? 0x02 : 0)};
    put32(n, 0x10);  // ECDSA P-256
    put32(n, 0x01);  // SHA-256
    n.resize(32, 0);
    n[28] = a;
    n[29] = e;
    n.resize(32 + 4 * (a + e), 0);
    for (auto [type, count] : structs) {
        Bytes s{type, count, 0x01, 0};
        s.resize(4 + 4 * (count & 0xF), 0);
        n.insert(n.end(), s.begin(), s.end());
    }
    n[4] = uint8_t(n.size());
    n[5] = uint8_t(n.size() >> 8);
    return n;
}

// GET_VERSION, then GET_CAPABILITIES as version v.
void to_caps(Responder &r, uint8_t v) {
    REQUIRE(r.handle(B({0x10, 0x84, 0, 0}))[1] == 0x04);
    REQUIRE(r.handle(caps(v))[1] == 0x61);
}

}  // namespace

TEST_CASE("devsim GET_CAPABILITIES: illegal Requester flag combinations are InvalidRequest",
          "[devsim][validation]") {
    // DSP0274 1.3 Table 13 and the text after Table 14: an illegal
    // combination reported by the Requester gets ERROR InvalidRequest; the
    // connection stays after VERSION, so a legal request then succeeds.
    struct Case {
        const char *what;
        uint8_t from, to;  // versions the rule applies to
        uint32_t flags;
    };
    const Case bad[] = {
        {"KEY_EX_CAP without ENCRYPT_CAP or MAC_CAP", 0x11, 0x14, 0x06 | 1u << 9},
        {"PSK_CAP 01b without ENCRYPT_CAP or MAC_CAP", 0x11, 0x14, 0x06 | 1u << 10},
        {"PSK_CAP 10b (reserved for a Requester)", 0x11, 0x14, 0x06 | 1u << 7 | 2u << 10},
        {"ENCRYPT_CAP without KEY_EX_CAP or PSK_CAP", 0x11, 0x14, 0x06 | 1u << 6},
        {"MAC_CAP without KEY_EX_CAP or PSK_CAP", 0x11, 0x14, 0x06 | 1u << 7},
        {"HBEAT_CAP without a session", 0x11, 0x14, 0x06 | 1u << 13},
        {"KEY_UPD_CAP without a session", 0x11, 0x14, 0x06 | 1u << 14},
        {"HANDSHAKE_IN_THE_CLEAR_CAP with PSK_CAP and no KEY_EX_CAP", 0x11, 0x14,
         0x06 | 1u << 7 | 1u << 10 | 1u << 15},
        {"CERT_CAP and PUB_KEY_ID_CAP", 0x11, 0x14, 0x06 | 1u << 16},
        {"CHAL_CAP without CERT_CAP or PUB_KEY_ID_CAP", 0x11, 0x14, 0x04},
        {"MUT_AUTH_CAP without CERT_CAP or PUB_KEY_ID_CAP", 0x11, 0x14, 1u << 8 | 1u << 12},
        {"CERT_CAP with nothing to use the key for", 0x11, 0x14, 0x02},
        {"MUT_AUTH_CAP without ENCAP_CAP (1.1)", 0x11, 0x11, 0x06 | 1u << 8},
        {"EVENT_CAP without a session (1.3)", 0x13, 0x14, 0x06 | 1u << 25},
        {"MULTI_KEY_CAP 11b (1.3)", 0x13, 0x14, 0x06 | 3u << 26},
        {"EP_INFO_CAP 11b (1.3)", 0x13, 0x14, 0x06 | 3u << 22},
        {"MULTI_KEY_CAP with PUB_KEY_ID_CAP (1.3)", 0x13, 0x14, 0x04 | 1u << 16 | 1u << 26},
    };
    for (uint8_t v : {0x11, 0x12, 0x13, 0x14}) {
        for (const Case &c : bad) {
            if (v < c.from || v > c.to)
                continue;
            CAPTURE(int(v), c.what);
            auto r = make();
            r.handle(B({0x10, 0x84, 0, 0}));
            CHECK(r.handle(caps(v, c.flags)) == err(v, 0x01));
            CHECK(r.negotiated_version() == 0);
            // still after VERSION: the legal request is answered
            CHECK(r.handle(caps(v))[1] == 0x61);
        }
    }
    SECTION("the same bits where they are reserved or legal are accepted") {
        struct Ok {
            const char *what;
            uint8_t v;
            uint32_t flags;
        };
        const Ok ok[] = {
            {"CERT_CAP|CHAL_CAP", 0x11, 0x06},
            {"no flags at all", 0x12, 0},
            {"CHUNK_CAP alone (the kernel's requester)", 0x12, 1u << 17},
            {"bits 5:3 are reserved for a Requester", 0x12, 0x06 | 7u << 3},
            {"MUT_AUTH_CAP without ENCAP_CAP is 1.1 only", 0x12, 0x06 | 1u << 8},
            {"a full session Requester", 0x12, 0x06 | 3u << 6 | 1u << 8 | 1u << 9 | 1u << 10 | 1u << 12 |
                                                   1u << 13 | 1u << 14 | 1u << 15},
            {"PUB_KEY_ID_CAP with CHAL_CAP", 0x12, 0x04 | 1u << 16},
            {"MULTI_KEY_CAP 11b is a reserved field before 1.3", 0x12, 0x06 | 3u << 26},
            {"CERT_CAP used for signed ENDPOINT_INFO (1.3)", 0x13, 0x02 | 2u << 22},
            {"MULTI_KEY_CAP 01b with CERT_CAP (1.3)", 0x13, 0x06 | 1u << 26},
        };
        for (const Ok &c : ok) {
            CAPTURE(c.what);
            auto r = make();
            r.handle(B({0x10, 0x84, 0, 0}));
            Bytes rsp = r.handle(caps(c.v, c.flags));
            CHECK(rsp[0] == c.v);
            CHECK(rsp[1] == 0x61);
        }
    }
}

TEST_CASE("devsim GET_CAPABILITIES: CTExponent, lengths, transfer sizes, Param1", "[devsim][validation]") {
    auto r = make();
    auto fresh = [&] { r.handle(B({0x10, 0x84, 0, 0})); };
    SECTION("CTExponent above 31 is InvalidRequest (1.1+)") {
        fresh();
        CHECK(r.handle(caps(0x11, 0x06, 32)) == err(0x11, 0x01));
        CHECK(r.handle(caps(0x13, 0x06, 0xFF)) == err(0x13, 0x01));
        CHECK(r.handle(caps(0x12, 0x06, 31))[1] == 0x61);
    }
    SECTION("a request shorter than its version's format is InvalidRequest, in that version") {
        fresh();
        Bytes c11 = caps(0x11);
        c11.pop_back();
        CHECK(r.handle(c11) == err(0x11, 0x01));
        Bytes c12 = caps(0x12);
        c12.resize(12);  // a 1.1-sized request in 1.2
        CHECK(r.handle(c12) == err(0x12, 0x01));
        // 1.0 has the header only: 4 bytes are enough
        CHECK(r.handle(B({0x10, 0xE1, 0, 0}))[1] == 0x61);
    }
    SECTION("1.2+ DataTransferSize and MaxSPDMmsgSize (Table 11)") {
        fresh();
        CHECK(r.handle(caps(0x12, 0x06, 10, 41, 41)) == err(0x12, 0x01));              // < MinDataTransferSize
        CHECK(r.handle(caps(0x12, 0x06 | 1u << 17, 10, 0x1000, 0xFFF)) == err(0x12, 0x01));  // Max < DTS
        CHECK(r.handle(caps(0x13, 0x06, 10, 0x1000, 0x2000)) == err(0x13, 0x01));     // no CHUNK_CAP: Max != DTS
        CHECK(r.handle(caps(0x13, 0x06, 10, 42, 42))[1] == 0x61);
    }
    SECTION("1.3 Param1 bit 0 (Supported Algorithms) needs CHUNK_CAP on both sides") {
        fresh();
        CHECK(r.handle(caps(0x13, 0x06, 10, 0x1000, 0x1000, 1)) == err(0x13, 0x01));  // Requester without CHUNK_CAP
        // devsim (by default) without CHUNK_CAP: "shall send ... InvalidRequest"
        CHECK(r.handle(caps(0x13, 0x06 | 1u << 17, 10, 0x1000, 0x10000, 1)) == err(0x13, 0x01));
        // before 1.3 Param1 is reserved: ignored
        CHECK(r.handle(caps(0x12, 0x06, 10, 0x1000, 0x1000, 1))[1] == 0x61);
        Config c;
        c.chunk_cap = true;
        auto rc = make(c);
        rc.handle(B({0x10, 0x84, 0, 0}));
        Bytes rsp = rc.handle(caps(0x13, 0x06 | 1u << 17, 10, 0x1000, 0x10000, 1));
        REQUIRE(rsp.size() == 20);  // no Supported Algorithms Block: devsim does not offer it
        CHECK(rsp[1] == 0x61);
        CHECK(rsp[2] == 0);         // Param1 bit 0 clear
    }
    SECTION("a version VERSION did not list is VersionMismatch, in 1.0") {
        Config c;
        c.versions = {0x11, 0x12};
        auto r2 = make(c);
        r2.handle(B({0x10, 0x84, 0, 0}));
        CHECK(r2.handle(caps(0x13)) == err(0x10, 0x41));
        CHECK(r2.handle(caps(0x10)) == err(0x10, 0x41));
        CHECK(r2.handle(caps(0x12))[1] == 0x61);
    }
    SECTION("reserved fields are ignored (DSP0274 'Reserved and unassigned values')") {
        CHECK(r.handle(B({0x10, 0x84, 0xAA, 0x55}))[1] == 0x04);  // GET_VERSION Param1/Param2
        Bytes c = caps(0x13);
        c[3] = 0xFF;  // Param2
        c[4] = 0xFF;  // Reserved
        c[6] = c[7] = 0xFF;
        CHECK(r.handle(c)[1] == 0x61);
    }
}

TEST_CASE("devsim NEGOTIATE_ALGORITHMS: Length, counts, structure order and duplicates", "[devsim][validation]") {
    SECTION("structures must be in strictly increasing AlgType order (1.1+, Table 15)") {
        for (uint8_t v : {0x11, 0x12, 0x13, 0x14}) {
            CAPTURE(int(v));
            auto r = make();
            to_caps(r, v);
            CHECK(r.handle(algs(v, {{3, 0x20}, {2, 0x20}})) == err(v, 0x01));  // out of order
            CHECK(r.handle(algs(v, {{2, 0x20}, {2, 0x20}})) == err(v, 0x01));  // repeated
            CHECK(r.handle(algs(v, {{1, 0x20}})) == err(v, 0x01));              // reserved type
            CHECK(r.handle(algs(v, {{2, 0x10}})) == err(v, 0x01));              // FixedAlgCount 1
            CHECK(r.handle(algs(v, {{2, 0x30}})) == err(v, 0x01));              // FixedAlgCount 3
            Bytes ok = r.handle(algs(v, {{2, 0x20}, {3, 0x20}, {4, 0x21}, {5, 0x20}}));
            REQUIRE(ok[1] == 0x63);
            CHECK(ok[2] == 4);  // the structures echoed, nothing selected
            REQUIRE(ok.size() == 36 + 16);
            for (int i = 0; i < 4; i++)
                CHECK(Bytes(ok.begin() + 36 + 4 * i, ok.begin() + 40 + 4 * i) == B({2 + i, 0x20, 0, 0}));
        }
    }
    SECTION("AlgType 6 and 7 are reserved before 1.4, ReqPqcAsymAlg and KEM in 1.4") {
        auto r = make();
        to_caps(r, 0x13);
        CHECK(r.handle(algs(0x13, {{2, 0x20}, {6, 0x20}})) == err(0x13, 0x01));
        auto r4 = make();
        to_caps(r4, 0x14);
        Bytes ok = r4.handle(algs(0x14, {{2, 0x20}, {6, 0x20}, {7, 0x20}}));
        REQUIRE(ok[1] == 0x63);
        CHECK(ok[2] == 3);
        CHECK(rq::le32(ok, 20) == 0);  // 1.4 PqcAsymSel: devsim has no PQC key
        CHECK(rq::le32(ok, 12) == 0x10);
    }
    SECTION("at most 20 extended algorithms in all (1.1+)") {
        auto r = make();
        to_caps(r, 0x12);
        CHECK(r.handle(algs(0x12, {}, 21)) == err(0x12, 0x01));
        CHECK(r.handle(algs(0x12, {}, 11, 10)) == err(0x12, 0x01));
        CHECK(r.handle(algs(0x12, {{2, 0x25}}, 16)) == err(0x12, 0x01));  // 16 + 5 in a structure
        CHECK(r.handle(algs(0x12, {{2, 0x24}}, 16))[1] == 0x63);         // 20
    }
    SECTION("1.0: Length at most 64, at most 8 extended algorithms, Param1 reserved") {
        auto r = make();
        to_caps(r, 0x10);
        CHECK(r.handle(algs(0x10, {}, 9)) == err(0x10, 0x01));  // Length 68
        Bytes n = algs(0x10, {}, 8);                             // Length 64
        n[2] = 2;  // Param1 is reserved in 1.0: no structures follow, nothing to walk
        Bytes ok = r.handle(n);
        REQUIRE(ok[1] == 0x63);
        CHECK(ok[2] == 0);
        CHECK(ok.size() == 36);
    }
    SECTION("Length disagreeing with the message is InvalidRequest") {
        auto r = make();
        to_caps(r, 0x12);
        Bytes n = algs(0x12, {{2, 0x20}});
        Bytes shorter = n, longer = n;
        shorter[4]--;
        CHECK(r.handle(shorter) == err(0x12, 0x01));
        longer[4]++;
        CHECK(r.handle(longer) == err(0x12, 0x01));
        n.resize(32);
        n[4] = 32;  // Param1 says one structure, Length none
        CHECK(r.handle(n) == err(0x12, 0x01));
        CHECK(r.handle(algs(0x12, {{2, 0x20}}))[1] == 0x63);
    }
}

TEST_CASE("devsim connection state machine: UnexpectedRequest and VersionMismatch", "[devsim][validation]") {
    auto r = make();
    SECTION("before GET_VERSION every other request is UnexpectedRequest, in 1.0") {
        CHECK(r.handle(B({0x12, 0x81, 0, 0})) == err(0x10, 0x04));
        CHECK(r.handle(algs(0x12)) == err(0x10, 0x04));
    }
    SECTION("NEGOTIATE_ALGORITHMS before GET_CAPABILITIES, in 1.0") {
        r.handle(B({0x10, 0x84, 0, 0}));
        CHECK(r.handle(algs(0x12)) == err(0x10, 0x04));
        CHECK(r.handle(B({0x12, 0x81, 0, 0})) == err(0x10, 0x04));
    }
    SECTION("a second GET_CAPABILITIES, and GET_DIGESTS before ALGORITHMS, in the selected version") {
        to_caps(r, 0x12);
        CHECK(r.handle(caps(0x12)) == err(0x12, 0x04));
        CHECK(r.handle(B({0x12, 0x81, 0, 0})) == err(0x12, 0x04));
        CHECK(r.handle(B({0x12, 0x83, 0, 0})) == err(0x12, 0x04));
        REQUIRE(r.handle(algs(0x12))[1] == 0x63);
        CHECK(r.handle(algs(0x12)) == err(0x12, 0x04));  // and a second NEGOTIATE_ALGORITHMS
        CHECK(r.handle(B({0x12, 0x81, 0, 0}))[1] == 0x01);
    }
    SECTION("a request in another version than the selected one is VersionMismatch, in the selected one") {
        to_caps(r, 0x12);
        CHECK(r.handle(algs(0x13)) == err(0x12, 0x41));
        CHECK(r.handle(algs(0x11)) == err(0x12, 0x41));
        REQUIRE(r.handle(algs(0x12))[1] == 0x63);
        CHECK(r.handle(B({0x13, 0x81, 0, 0})) == err(0x12, 0x41));
        CHECK(r.handle(B({0x10, 0x81, 0, 0})) == err(0x12, 0x41));
        CHECK(r.handle(B({0x12, 0x81, 0, 0}))[1] == 0x01);
    }
    SECTION("an invalid GET_VERSION leaves the connection as it was") {
        rq::Requester q(r, 0x13);
        q.connect();
        CHECK(r.handle(B({0x13, 0x84, 0, 0})) == err(0x10, 0x41));
        CHECK(r.negotiated_version() == 0x13);
        q.get_chain(0);
        CHECK(q.challenge(0, 0));  // transcripts intact
    }
    SECTION("unknown request codes are UnsupportedRequest with the code in ErrorData") {
        to_caps(r, 0x12);
        REQUIRE(r.handle(algs(0x12))[1] == 0x63);
        CHECK(r.handle(B({0x12, 0xE6, 0, 0})) == err(0x12, 0x07, 0xE6));   // PSK_EXCHANGE
        CHECK(r.handle(B({0x12, 0x87, 0, 0})) == err(0x12, 0x07, 0x87));
    }
}

TEST_CASE("devsim GET_MEASUREMENTS RawBitStreamRequested (1.2+)", "[devsim][validation]") {
    auto r = make();
    const Measurement &m1 = r.config().measurements.front();
    REQUIRE_FALSE(m1.raw);
    for (uint8_t v : {0x11, 0x12, 0x13}) {
        CAPTURE(int(v));
        rq::Requester q(r, v);
        q.offer_hash = 1;
        q.connect();
        Bytes req{v, 0xE0, 0x02, m1.index};  // unsigned, RawBitStreamRequested
        if (v >= 0x13)
            req.resize(12, 0x5A);  // RequesterContext
        Bytes rsp = r.handle(req);
        REQUIRE(rsp[1] == 0x60);
        REQUIRE(rsp[4] == 1);
        // block: Index, MeasurementSpecification, Size(2), then the DMTF
        // measurement: Type (bit 7 = raw), ValueSize(2), Value
        uint8_t type = rsp[8 + 4];
        size_t size = rq::le16(rsp, 8 + 5);
        Bytes value(rsp.begin() + 8 + 7, rsp.begin() + 8 + 7 + size);
        if (v >= 0x12) {
            CHECK((type & 0x80) != 0);
            CHECK(value == m1.data);
        } else {  // Param1 bit 1 is reserved in 1.1: ignored
            CHECK((type & 0x80) == 0);
            CHECK(value == rq::H(MBEDTLS_MD_SHA256, m1.data));
        }
    }
}

TEST_CASE("devsim SPDM 1.4: VERSION lists it, a 1.3 requester still gets 1.3", "[devsim][validation]") {
    auto r = make();
    Bytes v = r.handle(B({0x10, 0x84, 0, 0}));
    REQUIRE(v[5] == 5);
    CHECK(rq::le16(v, 14) == 0x1400);
    SECTION("a requester that stops at 1.3 (as the kernel does) negotiates 1.3") {
        rq::Requester q(r, 0x13);
        q.connect();
        CHECK(r.negotiated_version() == 0x13);
        q.get_chain(0);
        CHECK(q.challenge(0, 0));
    }
    SECTION("1.4 end to end, signed with the dmtf-spdm-v1.4.* context") {
        rq::Requester q(r, 0x14);
        q.connect(4);
        CHECK(r.negotiated_version() == 0x14);
        q.digests();
        CHECK(q.last[0] == 0x14);
        CHECK(q.last[2] == 0x01);  // 1.3+ DIGESTS Param1: supported slot mask
        q.get_chain(0);
        CHECK(q.challenge(0, 0xFF));
        CHECK(q.measurements(0xFF, true, 0));
        CHECK(q.last[0] == 0x14);
    }
    SECTION("offer-versions=1.3 takes 1.4 away again") {
        r.apply_fault("offer-versions=1.3");
        Bytes v13 = r.handle(B({0x10, 0x84, 0, 0}));
        REQUIRE(v13[5] == 1);
        CHECK(rq::le16(v13, 6) == 0x1300);
        CHECK(r.handle(caps(0x14)) == err(0x10, 0x41));
    }
}
