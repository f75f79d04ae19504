// SPDX-License-Identifier: GPL-2.0
#include "common.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using namespace devsim;
using tst::B;

namespace {
Responder make() { return Responder(Config{}, tst::identity(Asym::EcdsaP256)); }
}

TEST_CASE("devsim fault busy=N answers ERROR Busy N times", "[devsim][faults]") {
    auto r = make();
    r.apply_fault("busy=2");
    for (int i = 0; i < 2; i++) {
        Bytes e = r.handle(B({0x10, 0x84, 0, 0}));
        CHECK(e == B({0x10, 0x7F, 0x03, 0}));
    }
    CHECK(r.handle(B({0x10, 0x84, 0, 0}))[1] == 0x04);
    // Busy does not disturb negotiated state
    rq::Requester q(r, 0x12);
    q.connect();
    r.apply_fault("busy");
    CHECK(r.handle(B({0x12, 0x81, 0, 0})) == B({0x12, 0x7F, 0x03, 0}));
    CHECK(q.digests()[1] == 0x01);
}

TEST_CASE("devsim one-shot response faults", "[devsim][faults]") {
    auto r = make();
    Bytes gv = B({0x10, 0x84, 0, 0});
    Bytes good = r.handle(gv);
    SECTION("truncate") {
        r.apply_fault("truncate");
        CHECK(r.handle(gv) == Bytes(good.begin(), good.begin() + good.size() / 2));
        CHECK(r.handle(gv) == good);
    }
    SECTION("oversize pads to the transport cap") {
        r.apply_fault("oversize");
        Bytes o = r.handle(gv);
        CHECK(o.size() == 0x1200 - 8);
        CHECK(Bytes(o.begin(), o.begin() + good.size()) == good);
        CHECK(r.handle(gv) == good);
    }
    SECTION("garbage") {
        r.apply_fault("garbage=2");
        Bytes g = r.handle(gv);
        CHECK(g.size() == good.size());
        CHECK(g[0] == 0xEE);
        CHECK(r.handle(gv) != good);
        CHECK(r.handle(gv) == good);
    }
    SECTION("wrong-version") {
        r.apply_fault("wrong-version");
        Bytes w = r.handle(gv);
        CHECK(w[0] != 0x10);
        CHECK(Bytes(w.begin() + 1, w.end()) == Bytes(good.begin() + 1, good.end()));
    }
    SECTION("no-answer") {
        r.apply_fault("no-answer");
        CHECK(r.handle(gv).empty());
        CHECK(r.handle(gv) == good);
    }
    SECTION("sticky with =always, off with =0 and clear") {
        r.apply_fault("truncate=always");
        CHECK(r.handle(gv).size() < good.size());
        CHECK(r.handle(gv).size() < good.size());
        r.apply_fault("truncate=0");
        CHECK(r.handle(gv) == good);
        r.apply_fault("garbage=-1");
        r.apply_fault("clear");
        CHECK(r.handle(gv) == good);
        CHECK(r.faults().describe() == "none");
    }
}

TEST_CASE("devsim fault bad-signature is sticky by default", "[devsim][faults]") {
    auto r = make();
    r.apply_fault("bad-signature");
    rq::Requester q(r, 0x12);
    q.connect();
    q.get_chain(0);
    CHECK_FALSE(q.challenge(0, 0));
    q.get_chain(0);
    CHECK_FALSE(q.challenge(0, 0));
    CHECK_FALSE(q.measurements(1, true));
    r.faults().clear();
    q.get_chain(0);
    CHECK(q.challenge(0, 0));
}

TEST_CASE("devsim fault chain-overlong", "[devsim][faults]") {
    auto r = make();
    r.apply_fault("chain-overlong");
    rq::Requester q(r, 0x12);
    q.offer_hash = 1;
    q.connect();
    q.get_chain(0);
    Bytes normal = r.identity().spdm_chain(0, Hash::Sha256);
    CHECK(q.chain.size() == normal.size() + 64);
    CHECK(rq::le16(q.chain, 0) == normal.size());
}

TEST_CASE("devsim fault swap-identity replaces the device", "[devsim][faults]") {
    auto r = make();
    rq::Requester q(r, 0x12);
    q.connect();
    Bytes d1 = q.digests();
    uint64_t seed = r.identity().seed;
    r.apply_fault("swap-identity");
    CHECK(r.identity().seed == seed + 1);
    CHECK(r.handle(B({0x12, 0x81, 0, 0}))[2] == SPDM_ERR_UNEXPECTED_REQUEST);  // state dropped
    q.connect();
    Bytes d2 = q.digests();
    CHECK(d1 != d2);
    q.get_chain(0);
    CHECK(q.challenge(0, 0));   // the new identity signs consistently
    r.apply_fault("swap-identity=" + std::to_string(seed));
    q.connect();
    CHECK(q.digests() == d1);
}

TEST_CASE("devsim fault reset and bad specs", "[devsim][faults]") {
    auto r = make();
    rq::Requester q(r, 0x12);
    q.connect();
    r.apply_fault("reset");
    CHECK(r.negotiated_version() == 0);
    CHECK_THROWS_AS(r.apply_fault("frobnicate"), std::invalid_argument);
    CHECK_THROWS_AS(r.apply_fault("busy=x"), std::invalid_argument);
    CHECK_THROWS_AS(r.apply_fault("delay"), std::invalid_argument);
    CHECK_THROWS_AS(r.apply_fault("measurement=1"), std::invalid_argument);
    CHECK_THROWS_AS(r.apply_fault("measurement=0:00"), std::invalid_argument);
    CHECK_THROWS_AS(r.apply_fault("measurement=1:abc"), std::invalid_argument);
    CHECK_THROWS_AS(r.apply_fault("measurement=9:none"), std::invalid_argument);  // no block 9
    // a new index adds a block, IDX:none removes it again
    r.apply_fault("measurement=9:00ff");
    CHECK_THAT(r.status_json(), Catch::Matchers::ContainsSubstring("\"9\""));
    r.apply_fault("measurement=9:none");
    CHECK_THAT(r.status_json(), !Catch::Matchers::ContainsSubstring("\"9\""));
    CHECK_THROWS_AS(r.apply_fault("swap-identity=notaseed"), std::invalid_argument);
    r.apply_fault("delay=25");
    CHECK(r.faults().delay_ms == 25);
    CHECK(r.faults().describe() == "delay=25");
}

TEST_CASE("devsim robustness: truncated and mutated requests get ERRORs, never crash", "[devsim][robustness]") {
    Responder r(Config{}, tst::identity(Asym::EcdsaP256, 2));
    std::vector<Bytes> reqs;
    for (uint8_t ver : {0x10, 0x11, 0x12, 0x13}) {
        rq::Requester q(r, ver);
        q.connect(4);
        // the requests of a whole session, each valid in its place
        reqs.push_back(B({ver, 0x81, 0, 0}));
        reqs.push_back(B({ver, 0x82, 1, 0, 0, 0, 0x00, 0x01}));
        Bytes ch = B({ver, 0x83, 1, 0xFF});
        ch.resize(ver >= 0x13 ? 44 : 36, 0x33);
        reqs.push_back(ch);
        Bytes gm = B({ver, 0xE0, 1, 0xFF});
        gm.resize(4 + 32 + (ver >= 0x11 ? 1 : 0) + (ver >= 0x13 ? 8 : 0), 0);
        reqs.push_back(gm);
    }
    uint32_t x = 12345;
    auto rnd = [&] { x = x * 1103515245 + 12345; return x >> 16; };
    size_t answered = 0;
    for (auto &req : reqs) {
        for (size_t cut = 0; cut <= req.size(); cut++) {
            for (int m = 0; m < 4; m++) {
                uint8_t ver = req[0];
                rq::Requester q(r, ver);
                q.connect(ver >= 0x11 ? 4 : 0);
                Bytes bad(req.begin(), req.begin() + cut);
                if (m && !bad.empty())
                    bad[rnd() % bad.size()] ^= uint8_t(1 + rnd() % 255);
                Bytes out = r.handle(bad);
                REQUIRE(out.size() >= 4);
                // a mutation may hit a session-only request code (HEARTBEAT,
                // KEY_UPDATE, END_SESSION 0xEC): SessionRequired (1.2+)
                INFO("request " << int(bad.size() > 1 ? bad[1] : 0) << " error " << int(out[2]));
                if (out[1] == 0x7F)
                    CHECK((out[2] == SPDM_ERR_INVALID_REQUEST || out[2] == SPDM_ERR_UNEXPECTED_REQUEST ||
                           out[2] == SPDM_ERR_UNSUPPORTED_REQUEST || out[2] == SPDM_ERR_VERSION_MISMATCH ||
                           out[2] == SPDM_ERR_SESSION_REQUIRED));
                answered++;
            }
        }
    }
    CHECK(answered > 500);
    // random garbage in every state
    for (int i = 0; i < 2000; i++) {
        Bytes g(rnd() % 64);
        for (auto &b : g) b = uint8_t(rnd());
        if (i % 3 == 0 && g.size() > 1) { g[0] = 0x12; }
        Bytes out = r.handle(g);
        REQUIRE(out.size() >= 4);
    }
}

namespace {
// A requester connected at ver and the whole chain of slot 0, fetched
// before any certificate fault.
struct WithChain {
    Responder r = make();
    rq::Requester q;
    Bytes whole;
    explicit WithChain(uint8_t ver) : q(r, ver) {
        q.connect();
        whole = q.get_chain(0);
    }
    // GET_CERTIFICATE slot 0 at offset (Param2 = 1: 1.3 SlotSizeRequested)
    Bytes cert(unsigned offset, unsigned length = 0xFFFF, int param2 = 0) {
        return r.handle(B({q.ver, 0x82, 0, param2, int(offset & 0xFF), int(offset >> 8), int(length & 0xFF),
                           int(length >> 8)}));
    }
};

// The versions a VERSION response lists.
std::vector<uint8_t> version_entries(const Bytes &v) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i < v.at(5); i++)
        out.push_back(v.at(6 + 2 * i + 1));
    return out;
}
}  // namespace

TEST_CASE("devsim fault offer-versions narrows VERSION from the next GET_VERSION", "[devsim][faults]") {
    auto r = make();
    rq::Requester q(r, 0x13);
    q.connect();
    r.apply_fault("offer-versions=1.0");
    CHECK(q.digests()[1] == code::DIGESTS);   // the negotiated connection goes on
    CHECK(r.negotiated_version() == 0x13);
    r.apply_fault("reset");                    // as a PCI reset or 'ctl reset' would
    Bytes v = r.handle(B({0x10, 0x84, 0, 0}));
    CHECK(version_entries(v) == std::vector<uint8_t>{0x10});
    // a requester that insists on 1.3 gets VersionMismatch
    CHECK(r.handle(B({0x13, 0xE1, 0, 0, 0, 10, 0, 0, 0x06, 0, 0, 0, 0, 0x12, 0, 0, 0, 0x12, 0, 0})) ==
          B({0x10, 0x7F, SPDM_ERR_VERSION_MISMATCH, 0}));
    rq::Requester q10(r, 0x10);
    q10.connect();
    CHECK(r.negotiated_version() == 0x10);
    q10.get_chain(0);
    CHECK(q10.challenge(0, 0));

    r.apply_fault("offer-versions=1.1,1.0");   // Config order, not the list's
    CHECK(version_entries(r.handle(B({0x10, 0x84, 0, 0}))) == std::vector<uint8_t>{0x10, 0x11});
    CHECK(r.faults().describe() == "offer-versions=1.1,1.0");
    // a change between GET_VERSION and GET_CAPABILITIES waits for the next VERSION
    r.apply_fault("offer-versions=1.2");
    CHECK(r.handle(B({0x11, 0xE1, 0, 0, 0, 10, 0, 0, 0x06, 0, 0, 0}))[1] == code::CAPABILITIES);
    CHECK(version_entries(r.handle(B({0x10, 0x84, 0, 0}))) == std::vector<uint8_t>{0x12});
    r.apply_fault("clear");
    CHECK(version_entries(r.handle(B({0x10, 0x84, 0, 0}))) == std::vector<uint8_t>{0x10, 0x11, 0x12, 0x13, 0x14});

    Config only12;
    only12.versions = {0x12, 0x13};
    Responder r12(only12, tst::identity(Asym::EcdsaP256));
    CHECK_THROWS_WITH(r12.apply_fault("offer-versions=1.0,1.1"),
                      "bad fault 'offer-versions=1.0,1.1': none of them is offered (--version 1.2,1.3)");
    r12.apply_fault("offer-versions=1.0,1.2");  // intersected
    CHECK(version_entries(r12.handle(B({0x10, 0x84, 0, 0}))) == std::vector<uint8_t>{0x12});
    for (const char *bad : {"offer-versions", "offer-versions=", "offer-versions=2.0", "offer-versions=1.0,,1.1",
                            "offer-versions=1.0,"})
        CHECK_THROWS_AS(r.apply_fault(bad), std::invalid_argument);
}

TEST_CASE("devsim fault offer-hash narrows the base hash from the next NEGOTIATE_ALGORITHMS", "[devsim][faults]") {
    auto r = make();   // identity hash sha384: preferred
    rq::Requester q(r, 0x12);
    q.connect();
    CHECK(q.sel_hash == hash_bit(Hash::Sha384));
    r.apply_fault("offer-hash=sha256,sha512");
    q.get_chain(0);                            // the connection keeps SHA-384
    CHECK(q.challenge(0, 0));
    q.connect();
    CHECK(q.sel_hash == hash_bit(Hash::Sha512));
    r.apply_fault("offer-hash=sha256");
    q.connect();
    CHECK(q.sel_hash == hash_bit(Hash::Sha256));
    q.get_chain(0);
    CHECK(q.chain == r.identity().spdm_chain(0, Hash::Sha256));
    CHECK(q.challenge(0, 1));
    CHECK(q.measurements(0xFF, true));
    // the requester offers none of them: no common algorithm
    q.offer_hash = hash_bit(Hash::Sha384) | hash_bit(Hash::Sha512);
    CHECK_THROWS(q.connect());
    CHECK(q.last == B({0x12, 0x7F, SPDM_ERR_INVALID_REQUEST, 0}));
    CHECK(r.faults().describe() == "offer-hash=sha256");
    r.apply_fault("clear");
    CHECK_NOTHROW(q.connect());
    CHECK(q.sel_hash == hash_bit(Hash::Sha384));

    Config c;
    c.hash_algos = hash_bit(Hash::Sha384);
    Responder r384(c, tst::identity(Asym::EcdsaP256));
    CHECK_THROWS_WITH(r384.apply_fault("offer-hash=sha256"),
                      "bad fault 'offer-hash=sha256': none of them is supported (--hash-algos sha384)");
    CHECK_THROWS_WITH(r.apply_fault("offer-hash=md5"),
                      "bad fault 'offer-hash=md5': unknown 'md5' (sha256,sha384,sha512)");
    CHECK_THROWS_AS(r.apply_fault("offer-hash"), std::invalid_argument);
}

TEST_CASE("devsim fault offer-asym: only the identity's algorithm, and only when listed", "[devsim][faults]") {
    auto r = make();   // ecdsa-p256
    rq::Requester q(r, 0x12);
    r.apply_fault("offer-asym=rsa-3072,ecdsa-p256");
    q.connect();
    CHECK(q.sel_asym == asym_bit(Asym::EcdsaP256));
    CHECK(r.faults().describe() == "offer-asym=ecdsa-p256,rsa-3072");
    r.apply_fault("offer-asym=rsa-3072");      // no key for it: no common algorithm
    CHECK_THROWS(q.connect());
    CHECK(q.last == B({0x12, 0x7F, SPDM_ERR_INVALID_REQUEST, 0}));
    CHECK_THROWS_AS(r.apply_fault("offer-asym=dsa"), std::invalid_argument);
}

TEST_CASE("devsim fault cert-portion: many small CERTIFICATE responses", "[devsim][faults]") {
    WithChain w(0x12);
    auto &[r, q, whole] = w;
    r.apply_fault("cert-portion=100");
    unsigned offset = 0;
    size_t responses = 0;
    for (;;) {
        Bytes c = w.cert(offset);
        REQUIRE(c[1] == code::CERTIFICATE);
        uint32_t portion = rq::le16(c, 4), remainder = rq::le16(c, 6);
        responses++;
        CHECK(portion == std::min<size_t>(100, whole.size() - offset));
        CHECK(remainder == whole.size() - offset - portion);
        CHECK(Bytes(c.begin() + 8, c.end()) == Bytes(whole.begin() + offset, whole.begin() + offset + portion));
        offset += portion;
        if (!remainder)
            break;
    }
    CHECK(responses == (whole.size() + 99) / 100);
    CHECK(r.faults().describe() == "cert-portion=100");
    // sticky, a smaller request still wins, and the transcript stays signable
    q.connect();
    CHECK(q.get_chain(0, 40) == whole);
    CHECK(q.challenge(0, 0));
    CHECK(rq::le16(w.cert(0), 4) == 100);
    r.apply_fault("cert-portion=0");
    CHECK(rq::le16(w.cert(0), 4) == whole.size());
    for (const char *bad : {"cert-portion", "cert-portion=x", "cert-portion=65536", "cert-portion=always"})
        CHECK_THROWS_AS(r.apply_fault(bad), std::invalid_argument);
}

TEST_CASE("devsim fault cert-stall: PortionLength 0 with RemainderLength left", "[devsim][faults]") {
    WithChain w(0x13);
    auto &[r, q, whole] = w;
    r.apply_fault("cert-stall");
    // 1.3 SlotSizeRequested (a legal PortionLength 0) does not use it up
    Bytes size = w.cert(0, 0, 1);
    CHECK(rq::le16(size, 4) == 0);
    CHECK(rq::le16(size, 6) == whole.size());
    Bytes s = w.cert(16);
    CHECK(s == B({0x13, code::CERTIFICATE, 0, 0, 0, 0, int((whole.size() - 16) & 0xFF), int((whole.size() - 16) >> 8)}));
    CHECK(r.faults().describe() == "none");    // once by default
    CHECK(rq::le16(w.cert(16), 4) == whole.size() - 16);
    r.apply_fault("cert-stall=always");
    CHECK_THROWS(q.get_chain(0));              // never progresses
    CHECK(r.faults().cert_stall == -1);
    CHECK_THROWS_AS(r.apply_fault("cert-stall=x"), std::invalid_argument);
}

TEST_CASE("devsim fault cert-remainder-lie: RemainderLength does not shrink", "[devsim][faults]") {
    WithChain w(0x12);
    auto &[r, q, whole] = w;
    REQUIRE(whole.size() > 300);
    r.apply_fault("cert-portion=100");
    r.apply_fault("cert-remainder-lie");
    auto get = [&](unsigned offset) {
        Bytes c = w.cert(offset);
        REQUIRE(c[1] == code::CERTIFICATE);
        return std::make_pair(rq::le16(c, 4), rq::le16(c, 6));
    };
    auto first = get(0);                       // Offset 0: truthful, the fault waits
    CHECK(first == std::make_pair(100u, uint32_t(whole.size() - 100)));
    CHECK(r.faults().cert_remainder_lie == 1);
    auto second = get(100);
    CHECK(second.first == 100);
    CHECK(second.second == first.second);      // stays at the initial value
    CHECK(r.faults().cert_remainder_lie == 0);
    CHECK(get(200).second == whole.size() - 300);  // once by default
    r.apply_fault("cert-remainder-lie=always");
    CHECK_THROWS(q.get_chain(0));              // the last portion claims more to come
}

TEST_CASE("devsim fault serial: parsed, described, cleared", "[devsim][faults]") {
    auto r = make();
    r.apply_fault("serial=0123456789abcdef");
    CHECK(r.faults().serial == 0x0123456789abcdefull);
    CHECK(r.faults().describe() == "serial=0123456789abcdef");
    r.apply_fault("serial=0x2a");
    CHECK(r.faults().serial == 0x2a);
    for (const char *bad : {"serial", "serial=", "serial=xyz", "serial=0x", "serial=10000000000000000", "serial=-1",
                            "serial=12 34"})
        CHECK_THROWS_AS(r.apply_fault(bad), std::invalid_argument);
    CHECK(r.faults().serial == 0x2a);
    r.apply_fault("clear");
    CHECK_FALSE(r.faults().serial);
}
