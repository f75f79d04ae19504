// SPDX-License-Identifier: GPL-2.0
// The SPDM core against hand-built (mostly malformed) responses.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cerrno>
#include <cstring>
#include <deque>
#include <string>
#include <utility>

#include "canned.h"
#include "platform_user.h"

using namespace spdmtest;
namespace c = spdmtest::canned;
using Catch::Matchers::ContainsSubstring;

namespace {

// Replies in order; runs out -> no answer.
struct Script {
    std::deque<Bytes> replies;
    Platform plat;
    Script(std::initializer_list<Bytes> r) : replies(r)
    {
        plat.set_reply([this](std::span<const uint8_t>) {
            if (replies.empty())
                return Bytes{};
            Bytes b = replies.front();
            replies.pop_front();
            return b;
        });
    }
};

struct Run {
    int rc;
    std::string msg;
    spdm_failure cls;
    unsigned exchanges;
    spdm_evidence ev;
};

Run run(Script &s, size_t max_resp = 0, size_t budget = 0, uint8_t maxv = 0)
{
    Run r{};
    {
        auto sess = make_session(s.plat, max_resp, budget, maxv);
        r.rc = spdm_authenticate(sess.get(), 0, nullptr);
        r.msg = spdm_last_error(sess.get());
        r.cls = spdm_last_failure(sess.get());
        r.exchanges = spdm_exchange_count(sess.get());
        spdm_get_evidence(sess.get(), &r.ev);
        r.ev.chain = {};  // pointers die with the session
        r.ev.transcript = {};
    }
    REQUIRE(s.plat.live_allocs == 0);
    return r;
}

Bytes digests(uint8_t v, uint8_t mask, size_t h, uint8_t fill = 0xaa)
{
    Bytes b{v, 0x01, 0, mask};
    for (int i = 0; i < __builtin_popcount(mask); i++)
        b.insert(b.end(), h, fill);
    return b;
}

}  // namespace

TEST_CASE("core: VCA negotiates the highest common version", "[core][canned]")
{
    Script s{c::version({0x10, 0x11, 0x12, 0x13, 0x14}), c::caps(0x14), c::algs(0x14),
             digests(0x14, 0, 48)};
    auto r = run(s);
    CHECK(r.rc == -EPROTO);
    CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: no certificate slot"));
    CHECK(r.ev.version == 0x14);
    CHECK(r.ev.asym == SPDM_ASYM_ECDSA_P384);
    CHECK(r.ev.hash == SPDM_HASH_SHA384);
    CHECK(r.exchanges == 4);
    // GET_CAPABILITIES for 1.2+ carries our DataTransferSize
    REQUIRE(s.plat.requests.size() == 4);
    CHECK(s.plat.requests[1].size() == 20);
    CHECK(s.plat.requests[2].size() == 32);
    CHECK(s.plat.requests[2][7] == 0x02);
    for (size_t i = 1; i < s.plat.requests.size(); i++)
        CHECK(s.plat.requests[i][0] == 0x14);
}

TEST_CASE("core: a device listing up to 1.3 (or an update version of 1.4) is served", "[core][canned][v14]")
{
    SECTION("1.3 is the highest common version") {
        Script s{c::version({0x10, 0x12, 0x13}), c::caps(0x13), c::algs(0x13), digests(0x13, 0, 48)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: no certificate slot"));
        CHECK(r.ev.version == 0x13);
    }
    SECTION("VersionNumberEntry 1.4.1.0 is 1.4 (UpdateVersionNumber and Alpha ignored)") {
        Bytes v{0x10, 0x04, 0, 0, 0, 2};
        c::put16(v, 0x1300);
        c::put16(v, 0x1410);
        Script s{v, c::caps(0x14), c::algs(0x14), digests(0x14, 0, 48)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: no certificate slot"));
        CHECK(r.ev.version == 0x14);
    }
    SECTION("max_version 1.3 does not negotiate 1.4") {
        Script s{c::version({0x13, 0x14}), c::caps(0x13), c::algs(0x13), digests(0x13, 0, 48)};
        auto r = run(s, 0, 0, 0x13);
        CHECK(r.ev.version == 0x13);
        REQUIRE(s.plat.requests.size() >= 2);
        CHECK(s.plat.requests[1][0] == 0x13);
    }
}

TEST_CASE("core: SPDM 1.4 responses with a malformed 1.4 field are refused", "[core][canned][v14]")
{
    auto vca = [](uint8_t v, Bytes al) {
        Script s{c::version({v}), c::caps(v), std::move(al), digests(v, 0, 48)};
        return run(s);
    };
    auto put32_at = [](Bytes &b, size_t off, uint32_t val) {
        for (int i = 0; i < 4; i++)
            b[off + i] = uint8_t(val >> (8 * i));
    };
    SECTION("PqcAsymSel beside BaseAsymSel") {
        Bytes al = c::algs(0x14);
        put32_at(al, 20, 1u << 0);
        auto r = vca(0x14, al);
        CHECK(r.rc == -EPROTO);
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
        CHECK_THAT(r.msg, ContainsSubstring("NEGOTIATE_ALGORITHMS: PqcAsymSel 0x00000001 not offered"));
    }
    SECTION("PqcAsymSel alone, BaseAsymSel 0") {
        Bytes al = c::algs(0x14, 0);
        put32_at(al, 20, 1u << 3);
        auto r = vca(0x14, al);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("PqcAsymSel 0x00000008 not offered"));
    }
    SECTION("the same bytes are Reserved in 1.3: ignored") {
        Bytes al = c::algs(0x13);
        put32_at(al, 20, 1u << 0);
        auto r = vca(0x13, al);
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: no certificate slot"));
        CHECK(r.ev.version == 0x13);
    }
    SECTION("MELspecificationSel without an offer") {
        Bytes al = c::algs(0x14);
        al[31] = 0x01;
        auto r = vca(0x14, al);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("MELspecificationSel 0x01 not offered"));
    }
    auto with_structs = [](uint8_t v, std::initializer_list<uint8_t> types) {
        Bytes al = c::algs(v);
        al[2] = uint8_t(types.size());
        al[4] = uint8_t(36 + 4 * types.size());
        for (uint8_t t : types)
            al.insert(al.end(), {t, 0x20, 0, 0});
        return al;
    };
    SECTION("KEMAlg (AlgType 7) is a 1.4 structure") {
        auto r = vca(0x14, with_structs(0x14, {2, 7}));
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: no certificate slot"));
        CHECK(r.ev.version == 0x14);
        r = vca(0x13, with_structs(0x13, {2, 7}));
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("AlgStruct 1 has AlgType 7, not defined in SPDM 1.3"));
    }
    SECTION("AlgType 8 is not defined in 1.4") {
        auto r = vca(0x14, with_structs(0x14, {8}));
        CHECK_THAT(r.msg, ContainsSubstring("AlgStruct 0 has AlgType 8, not defined in SPDM 1.4"));
    }
    SECTION("AlgType out of order or repeated") {
        auto r = vca(0x14, with_structs(0x14, {6, 3}));
        CHECK_THAT(r.msg, ContainsSubstring("AlgStruct 1 has AlgType 3 after AlgType 6"));
        r = vca(0x14, with_structs(0x14, {6, 6}));
        CHECK_THAT(r.msg, ContainsSubstring("AlgStruct 1 has AlgType 6 after AlgType 6"));
    }
    SECTION("CAPABILITIES of 1.1 size") {
        Script s{c::version({0x14}), c::caps(0x11)};
        s.replies[1][0] = 0x14;
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CAPABILITIES: truncated response"));
    }
    SECTION("MaxSPDMmsgSize larger than DataTransferSize without CHUNK_CAP") {
        Script s{c::version({0x14}), c::caps(0x14, 0x16, 0x400, 0x1000)};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("MaxSPDMmsgSize 4096 differs from DataTransferSize 1024 without CHUNK_CAP"));
    }
    SECTION("LARGE_RESP_CAP alone changes nothing: the core does not ask for large responses") {
        Script s{c::version({0x14}), c::caps(0x14, 0x16 | (1u << 17) | (1u << 31), 0x400, 0x10000),
                 c::algs(0x14), digests(0x14, 0, 48)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: no certificate slot"));
        CHECK(r.ev.version == 0x14);
        REQUIRE(s.plat.requests.size() >= 2);
        CHECK((s.plat.requests[1][11] & 0x80) == 0);  // our flags: no LARGE_RESP_CAP
    }
    SECTION("CERTIFICATE in the LargeCertChain form we did not ask for") {
        Bytes cert{0x14, 0x02, 0x80, 0};
        c::put16(cert, 0);  // the small fields are zero in that form
        c::put16(cert, 0);
        c::put32(cert, 16);  // LargePortionLength
        c::put32(cert, 0);   // LargeRemainderLength
        cert.insert(cert.end(), 16, 0x30);
        Script s{c::version({0x14}), c::caps(0x14), c::algs(0x14), digests(0x14, 1, 48), cert};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: LargeCertChain response (Param1 0x80)"));
        REQUIRE(s.plat.requests.size() == 5);
        CHECK(s.plat.requests[4].size() == 8);
        CHECK((s.plat.requests[4][2] & 0x80) == 0);
    }
    SECTION("LargeResponse from a device without CHUNK_CAP") {
        Bytes large = c::error(0x14, 0x0f);
        large.push_back(1);  // Handle
        Script s{c::version({0x14}), c::caps(0x14), c::algs(0x14), large};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring(
                              "GET_DIGESTS: device answered ERROR LargeResponse (0x0f), but chunking was not negotiated"));
    }
    SECTION("a response in another version than the negotiated one") {
        Script s{c::version({0x13}), c::caps(0x13), c::algs(0x13), digests(0x14, 1, 48)};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: response has version 0x14, expected 0x13"));
        Script t{c::version({0x14}), c::caps(0x14), c::algs(0x14), digests(0x13, 1, 48)};
        r = run(t);
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: response has version 0x13, expected 0x14"));
    }
}

TEST_CASE("core: max_version caps negotiation; 1.0 requests are short", "[core][canned]")
{
    Script s{c::version({0x10, 0x11, 0x12}), c::caps(0x10), c::algs(0x10), digests(0x10, 0, 48)};
    auto r = run(s, 0, 0, 0x10);
    CHECK(r.ev.version == 0x10);
    REQUIRE(s.plat.requests.size() == 4);
    CHECK(s.plat.requests[1].size() == 4);
    CHECK(s.plat.requests[2][7] == 0);
}

TEST_CASE("core: malformed VERSION responses", "[core][canned]")
{
    SECTION("no entries") {
        Script s{c::version({})};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_VERSION: device lists no version"));
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
    }
    SECTION("entry count overruns the message") {
        Bytes v = c::version({0x12});
        v[5] = 200;
        Script s{v};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_VERSION: truncated response"));
    }
    SECTION("no common version") {
        Script s{c::version({0x09, 0x20})};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("no common version"));
    }
    SECTION("wrong header version") {
        Script s{c::version({0x12}, 0x12)};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_VERSION: response has version 0x12"));
    }
    SECTION("too short for a header") {
        Script s{Bytes{0x10, 0x04}};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("shorter than a header"));
    }
    SECTION("wrong response code") {
        Bytes v = c::version({0x12});
        v[1] = 0x61;
        Script s{v};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_VERSION: unexpected response code 0x61"));
    }
    SECTION("more than DOE padding of trailing bytes") {
        Bytes v = c::version({0x12});
        v.resize(v.size() + 4);
        Script s{v};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_VERSION: 4 unexpected trailing bytes"));
    }
}

TEST_CASE("core: DOE padding (up to 3 bytes) is tolerated and not recorded", "[core][canned]")
{
    Bytes v = c::version({0x12});  // 8 bytes
    Bytes cp = c::caps(0x12);
    Bytes al = c::algs(0x12);
    v.resize(v.size() + 2, 0);     // as if dword-padded
    Script s{v, cp, al, digests(0x12, 0, 48)};
    auto r = run(s);
    CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS"));
    CHECK(r.ev.version == 0x12);
}

TEST_CASE("core: CAPABILITIES checks", "[core][canned]")
{
    SECTION("no CHAL_CAP") {
        Script s{c::version({0x12}), c::caps(0x12, 0x02)};
        auto r = run(s);
        CHECK(r.rc == -EOPNOTSUPP);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CAPABILITIES: device lacks CERT_CAP or CHAL_CAP"));
        CHECK(r.cls == SPDM_FAIL_UNSUPPORTED);
    }
    SECTION("DataTransferSize below 42") {
        Script s{c::version({0x12}), c::caps(0x12, 0x16, 16, 16)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("invalid DataTransferSize 16"));
    }
    SECTION("MaxSPDMmsgSize below DataTransferSize") {
        Script s{c::version({0x12}), c::caps(0x12, 0x16, 0x1000, 0x100)};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
    }
    SECTION("MEAS_CAP 3") {
        Script s{c::version({0x11}), c::caps(0x11, 0x1e)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("invalid MEAS_CAP"));
    }
    SECTION("1.2 response of 1.1 size") {
        Script s{c::version({0x12}), c::caps(0x11)};
        Bytes &b = s.replies[1];
        b[0] = 0x12;
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CAPABILITIES: truncated response"));
    }
}

TEST_CASE("core: ALGORITHMS selection must be exactly one offered algorithm", "[core][canned]")
{
    auto with = [](Bytes al) {
        Script s{c::version({0x12}), c::caps(0x12), al};
        return run(s);
    };
    CHECK_THAT(with(c::algs(0x12, (1u << 7) | (1u << 4))).msg,
               ContainsSubstring("NEGOTIATE_ALGORITHMS: BaseAsymSel 0x00000090 is not exactly one"));
    CHECK_THAT(with(c::algs(0x12, 1u << 1)).msg, ContainsSubstring("BaseAsymSel 0x00000002"));  // PSS
    CHECK_THAT(with(c::algs(0x12, 1u << 7, 0)).msg, ContainsSubstring("BaseHashSel 0x00000000"));
    CHECK_THAT(with(c::algs(0x12, 1u << 7, 1u << 3)).msg, ContainsSubstring("BaseHashSel 0x00000008"));
    CHECK_THAT(with(c::algs(0x12, 1u << 7, 2, 2)).msg, ContainsSubstring("MeasurementSpecificationSel"));
    CHECK_THAT(with(c::algs(0x12, 1u << 7, 2, 1, 6)).msg, ContainsSubstring("invalid for a measuring device"));
    Bytes ext = c::algs(0x12);
    ext[32] = 1;
    CHECK_THAT(with(ext).msg, ContainsSubstring("extended algorithms"));
    Bytes len = c::algs(0x12);
    len[4] = 40;
    CHECK_THAT(with(len).msg, ContainsSubstring("truncated"));
    Bytes st = c::algs(0x12);
    st[2] = 1;  // claims an AlgStruct that is not there
    CHECK_THAT(with(st).msg, ContainsSubstring("AlgStruct 0 overruns Length"));
    Bytes other = c::algs(0x12);
    other[7] = 0x04;
    CHECK_THAT(with(other).msg, ContainsSubstring("OtherParamsSelection"));
}

TEST_CASE("core: restricted offer is honoured", "[core][canned]")
{
    Script s{c::version({0x12}), c::caps(0x12), c::algs(0x12, SPDM_ASYM_ECDSA_P384)};
    Run r{};
    {
        auto sess = make_session(s.plat, 0, 0, 0, SPDM_ASYM_ECDSA_P256, 0);
        r.rc = spdm_authenticate(sess.get(), 0, nullptr);
        r.msg = spdm_last_error(sess.get());
    }
    CHECK_THAT(r.msg, ContainsSubstring("BaseAsymSel 0x00000080 is not exactly one of offered 0x00000010"));
    REQUIRE(s.plat.requests.size() == 3);
    CHECK(s.plat.requests[2][8] == 0x10);
}

TEST_CASE("core: ERROR handling", "[core][canned]")
{
    SECTION("Busy forever is bounded") {
        Platform p([](std::span<const uint8_t>) { return c::error(0x10, 0x03); });
        auto sess = make_session(p);
        CHECK(spdm_authenticate(sess.get(), 0, nullptr) == -ETIMEDOUT);
        CHECK_THAT(spdm_last_error(sess.get()), ContainsSubstring("GET_VERSION: device still Busy after 8 retries"));
        CHECK(spdm_last_failure(sess.get()) == SPDM_FAIL_TIMEOUT);
        CHECK(spdm_exchange_count(sess.get()) == SPDM_BUSY_RETRIES + 1);
        CHECK(p.delays == SPDM_BUSY_RETRIES);
    }
    SECTION("Busy once, then fine") {
        Script s{c::error(0x10, 0x03), c::version({0x11}), c::caps(0x11), c::algs(0x11), digests(0x11, 0, 48)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS"));
        CHECK(r.exchanges == 5);
        CHECK(s.plat.requests[0] == s.plat.requests[1]);
    }
    SECTION("ResponseNotReady leads to RESPOND_IF_READY with the token") {
        Script s{c::version({0x11}), c::caps(0x11), c::algs(0x11),
                 Bytes{0x11, 0x7f, 0x42, 0, 3, 0x81, 0x5a, 1}, digests(0x11, 0, 48)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_DIGESTS: no certificate slot"));
        REQUIRE(s.plat.requests.size() == 5);
        CHECK(s.plat.requests[4] == Bytes{0x11, 0xff, 0x81, 0x5a});
    }
    SECTION("ResponseNotReady: RESPOND_IF_READY after RDT, not at WTMax = RDT * RDTM") {
        // RDTExponent 10 (RDT 1024 us), RDTM 200: the device may drop the
        // response after 204.8 ms; the requester asks at RDT, as libspdm does.
        Script s{c::version({0x12}), c::caps(0x12), c::algs(0x12),
                 Bytes{0x12, 0x7f, 0x42, 0, 10, 0x81, 0x07, 200}, digests(0x12, 0, 48)};
        auto r = run(s);
        REQUIRE(s.plat.requests.size() == 5);
        CHECK(s.plat.requests[4] == Bytes{0x12, 0xff, 0x81, 0x07});
        CHECK(s.plat.delays == 1);
        CHECK(s.plat.now_us == 1024);
    }
    SECTION("ResponseNotReady forever ends at the deadline") {
        // RDExponent 20 (~1 s per wait, the core's cap), RDTM 1
        Platform p([](std::span<const uint8_t> req) {
            if (req[1] == 0x84)
                return c::version({0x11});
            if (req[1] == 0xe1 || (req[1] == 0xff && req[2] == 0xe1))
                return Bytes{0x11, 0x7f, 0x42, 0, 20, 0xe1, 0x01, 1};
            return Bytes{};
        });
        p.deadline_us = 1500000;  // 1.5 s
        auto sess = make_session(p);
        CHECK(spdm_authenticate(sess.get(), 0, nullptr) == -ETIME);
        CHECK(std::string(spdm_last_error(sess.get())) == "GET_CAPABILITIES: operation deadline exceeded");
        CHECK(spdm_last_failure(sess.get()) == SPDM_FAIL_DEADLINE);
        CHECK(p.delays == 2);
        CHECK(p.now_us == 1500000);
        CHECK(spdm_exchange_count(sess.get()) == 3);
    }
    SECTION("ResponseNotReady for another request") {
        Script s{c::version({0x11}), c::caps(0x11), c::algs(0x11), Bytes{0x11, 0x7f, 0x42, 0, 3, 0x82, 0x5a, 1}};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("ResponseNotReady names request 0x82"));
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
    }
    SECTION("Unspecified error is named") {
        Script s{c::version({0x11}), c::error(0x11, 0x05, 0x77)};
        auto r = run(s);
        CHECK(r.rc == -EIO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CAPABILITIES: device answered ERROR Unspecified (0x05, data 0x77)"));
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
    }
    SECTION("UnsupportedRequest (0x07) is named as such, not DecryptError") {
        Script s{c::version({0x11}), c::error(0x11, 0x07, 0xe1)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CAPABILITIES: device answered ERROR UnsupportedRequest (0x07"));
        CHECK(r.rc == -EOPNOTSUPP);
        CHECK(r.cls == SPDM_FAIL_UNSUPPORTED);
    }
    SECTION("every named code between 0x06 and 0x11 keeps its own name") {
        // DSP0274 ERROR codes; the old table was shifted by one from 0x07 on
        const std::pair<uint8_t, const char *> want[] = {
            {0x06, "DecryptError"},        {0x08, "RequestInFlight"},
            {0x09, "InvalidResponseCode"}, {0x0a, "SessionLimitExceeded"},
            {0x0b, "SessionRequired"},     {0x0c, "ResetRequired"},
            {0x0d, "ResponseTooLarge"},    {0x0e, "RequestTooLarge"},
            {0x0f, "LargeResponse"},       {0x10, "MessageLost"},
        };
        for (auto [code, name] : want) {
            CAPTURE(unsigned(code));
            Script s{c::version({0x11}), c::error(0x11, code)};
            auto r = run(s);
            CHECK_THAT(r.msg, ContainsSubstring(std::string("device answered ERROR ") + name + " ("));
        }
    }
    SECTION("an unknown ERROR code prints as unknown, with its number") {
        Script s{c::version({0x11}), c::error(0x11, 0x3a, 0x01)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CAPABILITIES: device answered ERROR unknown (0x3a, data 0x01)"));
    }
    SECTION("transport errors propagate") {
        Platform p;
        p.exchange = [](std::span<const uint8_t>, std::span<uint8_t>) -> ssize_t { return -ETIMEDOUT; };
        auto sess = make_session(p);
        CHECK(spdm_authenticate(sess.get(), 0, nullptr) == -ETIMEDOUT);
        CHECK_THAT(spdm_last_error(sess.get()), ContainsSubstring("GET_VERSION: transport error -110"));
        CHECK(spdm_last_failure(sess.get()) == SPDM_FAIL_TRANSPORT);
    }
    SECTION("transport claiming more bytes than the buffer") {
        Platform p;
        p.exchange = [](std::span<const uint8_t>, std::span<uint8_t> r) -> ssize_t { return ssize_t(r.size() + 1); };
        auto sess = make_session(p);
        CHECK(spdm_authenticate(sess.get(), 0, nullptr) == -EIO);
        CHECK(spdm_last_failure(sess.get()) == SPDM_FAIL_TRANSPORT);
    }
}

namespace {
// A chain whose body is the given bytes, with matching header and digest.
Bytes chain_of(const Bytes &body, size_t h = 48)
{
    Bytes ch;
    c::put16(ch, uint32_t(4 + h + body.size()));
    c::put16(ch, 0);
    ch.insert(ch.end(), h, 0x11);
    ch.insert(ch.end(), body.begin(), body.end());
    return ch;
}
Bytes dig_of(uint8_t v, const Bytes &chain)
{
    Bytes d{v, 0x01, 0, 0x01};
    uint8_t h[64];
    user_hash(SPDM_HASH_SHA384, chain.data(), chain.size(), h);
    d.insert(d.end(), h, h + 48);
    return d;
}
Bytes cert_rsp(uint8_t v, const Bytes &chain, size_t off, size_t portion, size_t remainder, uint8_t slot = 0)
{
    Bytes b{v, 0x02, slot, 0};
    c::put16(b, uint32_t(portion));
    c::put16(b, uint32_t(remainder));
    b.insert(b.end(), chain.begin() + off, chain.begin() + off + portion);
    return b;
}
}  // namespace

TEST_CASE("core: GET_CERTIFICATE checks", "[core][canned]")
{
    Bytes body(100, 0x04);
    Bytes ch = chain_of(body);
    auto vca = [] { return std::initializer_list<Bytes>{}; };
    (void)vca;
    SECTION("chain header disagrees with the transferred length") {
        Bytes bad = ch;
        bad[0] = 0x00;
        bad[1] = 0x08;  // 2048
        Script s{c::version({0x12}), c::caps(0x12), c::algs(0x12), dig_of(0x12, bad),
                 cert_rsp(0x12, bad, 0, bad.size(), 0)};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: device returned 152 bytes, chain header says 2048"));
    }
    SECTION("portion larger than asked") {
        Script s{c::version({0x12}), c::caps(0x12, 0x16, 64, 64), c::algs(0x12), dig_of(0x12, ch),
                 cert_rsp(0x12, ch, 0, 57, ch.size() - 57)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("PortionLength 57 invalid (asked for 56)"));
    }
    SECTION("zero portion") {
        Script s{c::version({0x12}), c::caps(0x12), c::algs(0x12), dig_of(0x12, ch), cert_rsp(0x12, ch, 0, 0, 10)};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: empty portion at offset 0 with 10 bytes remaining"));
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
    }
    SECTION("a stalled transfer (empty portions) fails at once, not after 4096 requests") {
        Script s{c::version({0x12}), c::caps(0x12, 0x16, 64, 64), c::algs(0x12), dig_of(0x12, ch),
                 cert_rsp(0x12, ch, 0, 56, ch.size() - 56), cert_rsp(0x12, ch, 56, 0, ch.size() - 56),
                 cert_rsp(0x12, ch, 56, 0, ch.size() - 56)};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: empty portion at offset 56 with 96 bytes remaining"));
        CHECK(r.exchanges == 6);
    }
    SECTION("a remainder that does not shrink by the portion") {
        Script s{c::version({0x12}), c::caps(0x12, 0x16, 64, 64), c::algs(0x12), dig_of(0x12, ch),
                 cert_rsp(0x12, ch, 0, 56, ch.size() - 56), cert_rsp(0x12, ch, 56, 56, ch.size() - 56)};
        auto r = run(s);
        CHECK(r.rc == -EPROTO);
        CHECK_THAT(r.msg, ContainsSubstring(
            "GET_CERTIFICATE: RemainderLength 96 after 56 bytes at offset 56, expected 40 (chain of 152 bytes)"));
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
    }
    SECTION("inconsistent remainder across chunks") {
        Script s{c::version({0x12}), c::caps(0x12, 0x16, 64, 64), c::algs(0x12), dig_of(0x12, ch),
                 cert_rsp(0x12, ch, 0, 56, ch.size() - 56), cert_rsp(0x12, ch, 56, 56, 5)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("RemainderLength 5 after 56 bytes at offset 56, expected 40"));
    }
    SECTION("chunked transfer honours the device DataTransferSize") {
        Script s{c::version({0x12}), c::caps(0x12, 0x16, 64, 64), c::algs(0x12), dig_of(0x12, ch),
                 cert_rsp(0x12, ch, 0, 56, ch.size() - 56), cert_rsp(0x12, ch, 56, 56, ch.size() - 112),
                 cert_rsp(0x12, ch, 112, ch.size() - 112, 0)};
        auto r = run(s);
        // the body is not DER: that is the next failure
        CHECK(r.rc == -EBADMSG);
        CHECK_THAT(r.msg, ContainsSubstring("GET_CERTIFICATE: certificate chain is not a sequence of DER certificates"));
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
        REQUIRE(s.plat.requests.size() == 7);
        CHECK(s.plat.requests[6][4] == 112);  // offset
        CHECK(s.plat.requests[6][6] == 40);   // length = what remains
    }
    SECTION("chain does not hash to the slot digest") {
        Bytes d = dig_of(0x12, ch);
        d[10] ^= 1;
        Script s{c::version({0x12}), c::caps(0x12), c::algs(0x12), d, cert_rsp(0x12, ch, 0, ch.size(), 0)};
        auto r = run(s);
        CHECK(r.rc == -EKEYREJECTED);
        CHECK_THAT(r.msg, ContainsSubstring("chain hash does not match the slot 0 digest"));
        CHECK(r.cls == SPDM_FAIL_PROTOCOL);
    }
    SECTION("answer for another slot") {
        Script s{c::version({0x12}), c::caps(0x12), c::algs(0x12), dig_of(0x12, ch),
                 cert_rsp(0x12, ch, 0, ch.size(), 0, 3)};
        auto r = run(s);
        CHECK_THAT(r.msg, ContainsSubstring("answer for slot 3, asked for 0"));
    }
    SECTION("slot not provisioned") {
        Bytes d = dig_of(0x12, ch);
        d[3] = 0x02;
        Script s{c::version({0x12}), c::caps(0x12), c::algs(0x12), d};
        auto r = run(s);
        CHECK(r.rc == -ENOENT);
        CHECK_THAT(r.msg, ContainsSubstring("slot 0 is not provisioned"));
        CHECK(r.cls == SPDM_FAIL_UNSUPPORTED);
    }
}

TEST_CASE("core: session parameters are validated", "[core][canned]")
{
    Platform p;
    spdm_params prm = p.params(32);
    spdm_session *s = nullptr;
    CHECK(spdm_session_create(&prm, &s) == -EINVAL);
    prm = p.params(0, 1024);
    CHECK(spdm_session_create(&prm, &s) == -ENOMEM);
    prm = p.params();
    prm.max_version = 0x15;
    CHECK(spdm_session_create(&prm, &s) == -EINVAL);
    prm = p.params();
    prm.max_version = 0x14;
    REQUIRE(spdm_session_create(&prm, &s) == 0);
    spdm_session_free(s);
    s = nullptr;
    prm = p.params();
    prm.asym_mask = 1u << 1;  // PSS only: nothing we can verify
    CHECK(spdm_session_create(&prm, &s) == -EINVAL);
    prm = p.params();
    // the response buffer: allocated by an operation's first exchange, not kept
    p.fail_alloc_at = 1;
    REQUIRE(spdm_session_create(&prm, &s) == 0);
    CHECK(p.live_allocs == 1);  // the session alone
    CHECK(spdm_authenticate(s, 0, nullptr) == -ENOMEM);
    CHECK(spdm_last_failure(s) == SPDM_FAIL_NOMEM);
    CHECK(p.live_allocs == 1);
    spdm_session_free(s);
    CHECK(p.live_allocs == 0);
}

TEST_CASE("core: revalidate needs an identity", "[core][canned]")
{
    Platform p;
    auto sess = make_session(p);
    CHECK(spdm_revalidate(sess.get(), nullptr) == -ENOKEY);
    CHECK(spdm_get_measurements(sess.get(), nullptr) == -ENOKEY);
    CHECK_THAT(spdm_last_error(sess.get()), ContainsSubstring("GET_MEASUREMENTS: session is not authenticated"));
}
