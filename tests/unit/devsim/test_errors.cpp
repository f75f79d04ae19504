// SPDX-License-Identifier: GPL-2.0
// devsim's ERROR responses: the codes (DSP0274's ERROR-code table, written
// out here as numbers, not taken from the shared header), their error data
// and ExtendedErrorData; ResponseNotReady / RESPOND_IF_READY and
// RequestResynch as faults.
#include "common.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using namespace devsim;
using tst::B;

namespace {
Responder make(Config c = {}) { return Responder(std::move(c), tst::identity(Asym::EcdsaP256)); }
bool is_error(const Bytes &r, uint8_t code) { return r.size() >= 4 && r[1] == 0x7F && r[2] == code; }
}  // namespace

TEST_CASE("devsim ERROR codes are DSP0274's numbers", "[devsim][errors]") {
    // The table devsim answers from is the kernel core's; its values against
    // the spec are checked in tests/unit/core/test_error_codes.cpp.  Here:
    // the codes devsim sends, each provoked, against the spec's numbers.
    auto r = make();
    SECTION("InvalidRequest 0x01") {
        CHECK(r.handle(B({0x10, 0x84})) == B({0x10, 0x7F, 0x01, 0}));  // shorter than a header
    }
    SECTION("Busy 0x03") {
        r.apply_fault("busy");
        CHECK(r.handle(B({0x10, 0x84, 0, 0})) == B({0x10, 0x7F, 0x03, 0}));
    }
    SECTION("UnexpectedRequest 0x04") {
        CHECK(r.handle(B({0x10, 0xE1, 0, 0})) == B({0x10, 0x7F, 0x04, 0}));  // before GET_VERSION
    }
    SECTION("UnsupportedRequest 0x07, Param2 = the request code") {
        rq::Requester q(r, 0x12);
        q.connect();
        CHECK(r.handle(B({0x12, 0xE6, 0, 0})) == B({0x12, 0x7F, 0x07, 0xE6}));   // PSK_EXCHANGE
    }
    SECTION("VersionMismatch 0x41") {
        CHECK(r.handle(B({0x11, 0x84, 0, 0})) == B({0x10, 0x7F, 0x41, 0}));
    }
    SECTION("ResponseTooLarge 0x0D (not LargeResponse 0x0F), ExtendedErrorData = the response's size") {
        rq::Requester q(r, 0x12);
        q.dts = 42;
        q.max_msg = 42;
        q.connect();
        // DIGESTS with one SHA-384 digest: 4 + 48 = 52 bytes > 42
        CHECK(r.handle(B({0x12, 0x81, 0, 0})) == B({0x12, 0x7F, 0x0D, 0, 52, 0, 0, 0}));
        Bytes ch{0x12, 0x83, 0, 0};
        ch.resize(36, 0x11);
        // CHALLENGE_AUTH: 4 + 48 + 32 + 2 + 64 (P-256) = 150
        CHECK(r.handle(ch) == B({0x12, 0x7F, 0x0D, 0, 150, 0, 0, 0}));
    }
    SECTION("before 1.2 a response too large is Unspecified 0x05 (ResponseTooLarge is 1.2)") {
        Config c;
        c.transport_cap = 8 + 40;  // DataTransferSize 40
        auto small = make(c);
        rq::Requester q(small, 0x11);
        q.connect();
        CHECK(small.handle(B({0x11, 0x81, 0, 0})) == B({0x11, 0x7F, 0x05, 0}));
    }
    SECTION("ResponseNotReady 0x42 and RequestResynch 0x43") {
        rq::Requester q(r, 0x12);
        q.connect();
        r.apply_fault("not-ready=1:12:3:0x00");
        CHECK(r.handle(B({0x12, 0x81, 0, 0})) == B({0x12, 0x7F, 0x42, 0, 12, 0x81, 0, 3}));
        r.apply_fault("resynch");
        CHECK(r.handle(B({0x12, 0x81, 0, 0})) == B({0x12, 0x7F, 0x43, 0}));
    }
}

TEST_CASE("devsim Busy to GET_VERSION is in version 1.0 after a 1.2 connection", "[devsim][errors]") {
    auto r = make();
    rq::Requester q(r, 0x12);
    q.connect();
    r.apply_fault("busy");
    CHECK(r.handle(B({0x12, 0x81, 0, 0})) == B({0x12, 0x7F, 0x03, 0}));
    r.apply_fault("busy");
    CHECK(r.handle(B({0x10, 0x84, 0, 0})) == B({0x10, 0x7F, 0x03, 0}));
}

TEST_CASE("devsim fault not-ready: ResponseNotReady, then the answer to RESPOND_IF_READY", "[devsim][errors]") {
    auto r = make();
    rq::Requester q(r, 0x12);
    q.connect();
    Bytes direct = r.handle(B({0x12, 0x81, 0, 0}));
    REQUIRE(direct[1] == 0x01);
    SECTION("one NotReady, the token echoed, the same DIGESTS") {
        r.apply_fault("not-ready=1:10:2:0x5a");
        CHECK(r.handle(B({0x12, 0x81, 0, 0})) == B({0x12, 0x7F, 0x42, 0, 10, 0x81, 0x5a, 2}));
        CHECK(r.handle(B({0x12, 0xFF, 0x81, 0x5a})) == direct);
        auto st = r.ready_stats();
        CHECK(st.not_ready == 1);
        CHECK(st.respond_if_ready == 1);
        CHECK(st.rir_matched == 1);
        CHECK(st.last_token == 0x5a);
        CHECK_THAT(r.status_json(), Catch::Matchers::ContainsSubstring("\"rir_matched\":1,\"last_token\":90"));
        // nothing pending any more
        CHECK(is_error(r.handle(B({0x12, 0xFF, 0x81, 0x5a})), 0x04));
    }
    SECTION("N NotReady: the RESPOND_IF_READYs get NotReady until N are sent") {
        r.apply_fault("not-ready=3");
        Bytes e = r.handle(B({0x12, 0x81, 0, 0}));
        REQUIRE(is_error(e, 0x42));
        CHECK(e.size() == 8);
        CHECK(e[4] == 10);  // default RDTExponent
        CHECK(e[7] == 2);   // default RDTM
        uint8_t tok = e[6];
        Bytes rir{0x12, 0xFF, 0x81, tok};
        CHECK(r.handle(rir) == e);
        CHECK(r.handle(rir) == e);
        CHECK(r.handle(rir) == direct);
        CHECK(r.ready_stats().not_ready == 3);
        CHECK(r.ready_stats().rir_matched == 3);
        // default tokens change per deferred request
        r.apply_fault("not-ready");
        CHECK(r.handle(B({0x12, 0x81, 0, 0}))[6] != tok);
    }
    SECTION("the signed CHALLENGE_AUTH comes through RESPOND_IF_READY and verifies") {
        q.digests();
        q.get_chain(0);
        r.apply_fault("not-ready=2");
        Bytes ch{0x12, 0x83, 0, 0};
        ch.resize(36, 0x33);
        Bytes e = r.handle(ch);
        REQUIRE(is_error(e, 0x42));
        CHECK(e[5] == 0x83);
        Bytes rir{0x12, 0xFF, 0x83, e[6]};
        REQUIRE(is_error(r.handle(rir), 0x42));
        Bytes auth = r.handle(rir);
        REQUIRE(auth[1] == 0x03);
        // M1 = VCA || B || CHALLENGE || CHALLENGE_AUTH (no ERROR, no RESPOND_IF_READY)
        Bytes m = q.vca;
        rq::cat(m, B({0x12, 0x81, 0, 0}));  // the direct GET_DIGESTS above
        rq::cat(m, direct);
        rq::cat(m, q.msg_b);
        rq::cat(m, ch);
        size_t sig = 64, off = auth.size() - sig;
        rq::cat(m, Bytes(auth.begin(), auth.begin() + off));
        CHECK(q.verify(m, Bytes(auth.begin() + off, auth.end()), "responder-challenge_auth signing"));
    }
    SECTION("endless: not-ready=always never answers") {
        r.apply_fault("not-ready=always");
        Bytes e = r.handle(B({0x12, 0x81, 0, 0}));
        for (int i = 0; i < 20; i++)
            CHECK(r.handle(B({0x12, 0xFF, 0x81, e[6]})) == e);
    }
    SECTION("a wrong token or request code is InvalidRequest, the request stays pending") {
        r.apply_fault("not-ready=1:10:2:7");
        REQUIRE(is_error(r.handle(B({0x12, 0x81, 0, 0})), 0x42));
        CHECK(r.handle(B({0x12, 0xFF, 0x81, 8})) == B({0x12, 0x7F, 0x01, 0}));
        CHECK(r.handle(B({0x12, 0xFF, 0x82, 7})) == B({0x12, 0x7F, 0x01, 0}));
        CHECK(r.handle(B({0x11, 0xFF, 0x81, 7})) == B({0x12, 0x7F, 0x41, 0}));
        CHECK(r.handle(B({0x12, 0xFF, 0x81, 7})) == direct);
        CHECK(r.ready_stats().respond_if_ready == 4);
        CHECK(r.ready_stats().rir_matched == 1);
    }
    SECTION("another request abandons the deferred one") {
        r.apply_fault("not-ready=1:10:2:7");
        REQUIRE(is_error(r.handle(B({0x12, 0x81, 0, 0})), 0x42));
        CHECK(r.handle(B({0x12, 0x81, 0, 0})) == direct);
        CHECK(is_error(r.handle(B({0x12, 0xFF, 0x81, 7})), 0x04));
    }
    SECTION("VCA requests are never deferred") {
        r.apply_fault("not-ready");
        CHECK(r.handle(B({0x10, 0x84, 0, 0}))[1] == 0x04);
        CHECK(r.faults().not_ready == 1);
    }
    SECTION("RESPOND_IF_READY with nothing deferred is UnexpectedRequest") {
        CHECK(r.handle(B({0x12, 0xFF, 0x81, 0})) == B({0x12, 0x7F, 0x04, 0}));
    }
    SECTION("bad specs") {
        CHECK_THROWS_WITH(r.apply_fault("not-ready=1:32"), Catch::Matchers::ContainsSubstring("RDTEXP"));
        CHECK_THROWS_WITH(r.apply_fault("not-ready=1:1:0"), Catch::Matchers::ContainsSubstring("RDTM"));
        CHECK_THROWS_WITH(r.apply_fault("not-ready=1:1:1:256"), Catch::Matchers::ContainsSubstring("TOKEN"));
        CHECK_THROWS(r.apply_fault("not-ready=x"));
        CHECK_THROWS(r.apply_fault("not-ready=1:1:1:1:1"));
        r.apply_fault("not-ready=2:4:5:6");
        CHECK(r.faults().describe() == "not-ready=2:4:5:6");
    }
}

TEST_CASE("devsim fault resynch: RequestResynch drops the state", "[devsim][errors]") {
    auto r = make();
    rq::Requester q(r, 0x12);
    q.connect();
    r.apply_fault("resynch");
    CHECK(r.handle(B({0x12, 0x81, 0, 0})) == B({0x12, 0x7F, 0x43, 0}));
    CHECK(r.negotiated_version() == 0);
    CHECK(is_error(r.handle(B({0x12, 0x81, 0, 0})), 0x04));  // needs GET_VERSION now
    q.connect();
    CHECK(q.digests()[1] == 0x01);
    // GET_VERSION itself is never answered RequestResynch
    r.apply_fault("resynch");
    CHECK(r.handle(B({0x10, 0x84, 0, 0}))[1] == 0x04);
}

TEST_CASE("devsim transcripts are bounded under repeated requests", "[devsim][errors][bounds]") {
    auto transcript = [](const Responder &r, const char *which) {
        std::string s = r.status_json(), key = std::string("\"") + which + "\":";
        size_t at = s.find("\"transcript\":{");
        REQUIRE(at != std::string::npos);
        at = s.find(key, at);
        REQUIRE(at != std::string::npos);
        return std::stoul(s.substr(at + key.size()));
    };
    SECTION("default cap: 20000 GET_DIGESTS without a CHALLENGE") {
        auto r = make();
        rq::Requester q(r, 0x12);
        q.connect();
        size_t errors = 0;
        for (int i = 0; i < 20000; i++) {
            Bytes d = r.handle(B({0x12, 0x81, 0, 0}));
            if (is_error(d, 0x05))
                errors++;
            else
                REQUIRE(d[1] == 0x01);
        }
        CHECK(transcript(r, "b") <= 256 * 1024);
        CHECK(errors > 0);
        // a CHALLENGE consumes B: the device answers again
        Bytes ch{0x12, 0x83, 0, 0};
        ch.resize(36, 0x11);
        CHECK(r.handle(ch)[1] == 0x03);
        CHECK(transcript(r, "b") == 0);
        CHECK(r.handle(B({0x12, 0x81, 0, 0}))[1] == 0x01);
    }
    SECTION("a small cap: B and L refuse with Unspecified once full, and never exceed it") {
        Config c;
        c.max_transcript = 1024;
        auto r = make(c);
        rq::Requester q(r, 0x12);
        q.connect();
        for (int i = 0; i < 100; i++)
            r.handle(B({0x12, 0x82, 0, 0, 0, 0, 0x40, 0}));  // 64-byte portions
        CHECK(transcript(r, "b") <= 1024);
        CHECK(is_error(r.handle(B({0x12, 0x82, 0, 0, 0, 0, 0x40, 0})), 0x05));
        for (int i = 0; i < 100; i++)
            r.handle(B({0x12, 0xE0, 0, 0xFF}));  // unsigned, all blocks
        CHECK(transcript(r, "l") <= 1024);
        Bytes m = r.handle(B({0x12, 0xE0, 0, 0xFF}));
        CHECK((is_error(m, 0x05) || transcript(r, "l") <= 1024));
        CHECK(transcript(r, "a") < 1024);
    }
}
