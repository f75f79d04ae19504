// SPDX-License-Identifier: GPL-2.0
#include "common.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace devsim;
using tst::B;

namespace {
Responder make(Config c = Config{}, int slots = 1) { return Responder(std::move(c), tst::identity(Asym::EcdsaP256, slots)); }
bool is_error(const Bytes &r, uint8_t code) { return r.size() == 4 && r[1] == 0x7F && r[2] == code; }
}  // namespace

TEST_CASE("devsim GET_VERSION lists the configured versions", "[devsim][protocol]") {
    auto r = make();
    Bytes v = r.handle(B({0x10, 0x84, 0, 0}));
    REQUIRE(v.size() == 6 + 2 * 5);
    CHECK(v[0] == 0x10);
    CHECK(v[1] == 0x04);
    CHECK(v[5] == 5);
    CHECK(rq::le16(v, 6) == 0x1000);
    CHECK(rq::le16(v, 12) == 0x1300);
    CHECK(rq::le16(v, 14) == 0x1400);
    Config c;
    c.versions = {0x11, 0x12};
    auto r2 = make(c);
    v = r2.handle(B({0x10, 0x84, 0, 0}));
    REQUIRE(v.size() == 10);
    CHECK(rq::le16(v, 6) == 0x1100);
    CHECK(rq::le16(v, 8) == 0x1200);
    // GET_VERSION must be sent as version 1.0
    CHECK(is_error(r2.handle(B({0x11, 0x84, 0, 0})), SPDM_ERR_VERSION_MISMATCH));
    // a version the device does not offer
    r2.handle(B({0x10, 0x84, 0, 0}));
    Bytes caps = B({0x13, 0xE1, 0, 0, 0, 10, 0, 0, 6, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0});
    CHECK(is_error(r2.handle(caps), SPDM_ERR_VERSION_MISMATCH));
}

TEST_CASE("devsim CAPABILITIES per version", "[devsim][protocol]") {
    for (uint8_t ver : {0x10, 0x11, 0x12, 0x13, 0x14}) {
        auto r = make();
        rq::Requester q(r, ver);
        r.handle(B({0x10, 0x84, 0, 0}));
        Bytes caps{ver, 0xE1, 0, 0};
        if (ver >= 0x11) { Bytes m = B({0, 10, 0, 0, 6, 0, 0, 0}); rq::cat(caps, m); }
        if (ver >= 0x12) { Bytes m = B({0, 0x10, 0, 0, 0, 0x10, 0, 0}); rq::cat(caps, m); }
        Bytes c = r.handle(caps);
        CAPTURE(int(ver));
        REQUIRE(c.size() == (ver >= 0x12 ? 20u : 12u));
        CHECK(c[0] == ver);
        CHECK(c[1] == 0x61);
        uint32_t flags = rq::le32(c, 8);
        CHECK((flags & 0x02) != 0);        // CERT_CAP
        CHECK((flags & 0x04) != 0);        // CHAL_CAP
        CHECK(((flags >> 3) & 3) == 2);    // MEAS_CAP with signature
        if (ver >= 0x12) {
            CHECK(rq::le32(c, 12) == 0x1200 - 8);  // DataTransferSize fits QEMU's limit
            CHECK(rq::le32(c, 16) == 0x1200 - 8);
        }
        CHECK(r.negotiated_version() == ver);
    }
    // 1.2: DataTransferSize below MinDataTransferSize (42) is invalid
    auto r = make();
    r.handle(B({0x10, 0x84, 0, 0}));
    CHECK(is_error(r.handle(B({0x12, 0xE1, 0, 0, 0, 10, 0, 0, 6, 0, 0, 0, 41, 0, 0, 0, 41, 0, 0, 0})), SPDM_ERR_INVALID_REQUEST));
    // short request
    CHECK(is_error(r.handle(B({0x12, 0xE1, 0, 0, 0, 10, 0, 0})), SPDM_ERR_INVALID_REQUEST));
    // MaxSPDMmsgSize != DataTransferSize needs CHUNK_CAP
    CHECK(is_error(r.handle(B({0x12, 0xE1, 0, 0, 0, 10, 0, 0, 6, 0, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0})), SPDM_ERR_INVALID_REQUEST));
    CHECK(is_error(r.handle(B({0x12, 0xE1, 0, 0, 0, 10, 0, 0, 6, 0, 0, 0, 0, 8, 0, 0, 0, 4, 0, 0})), SPDM_ERR_INVALID_REQUEST));
    CHECK(r.handle(B({0x12, 0xE1, 0, 0, 0, 10, 0, 0, 6, 0, 2, 0, 0, 4, 0, 0, 0, 8, 0, 0}))[1] == 0x61);
}

TEST_CASE("devsim ALGORITHMS selects from what the requester offers", "[devsim][protocol]") {
    SECTION("hash choice follows the offer, asym the identity") {
        for (uint32_t offer : {1u, 2u, 4u, 7u}) {
            auto r = make();
            rq::Requester q(r, 0x12);
            q.offer_hash = offer;
            q.connect(4);
            Bytes &a = q.last;
            CAPTURE(offer);
            CHECK(q.sel_asym == (1u << 4));  // ECDSA P-256
            CHECK(q.sel_hash == (offer == 7 ? 2u : offer));  // identity prefers SHA-384
            CHECK(a[6] == 1);                                 // DMTF measurement spec
            CHECK(rq::le32(a, 8) == q.sel_hash << 1);         // measurement hash = base hash
            CHECK(a[2] == 4);                                 // four alg structs echoed
            CHECK(a.size() == 36 + 16);
            CHECK(rq::le16(a, 4) == a.size());
            CHECK(a[36] == 2);
            CHECK(rq::le16(a, 38) == 0);                      // DHE not supported
        }
    }
    SECTION("1.0 has no algorithm structures") {
        auto r = make();
        rq::Requester q(r, 0x10);
        q.connect(0);
        CHECK(q.last.size() == 36);
        CHECK(q.last[2] == 0);
    }
    SECTION("no common asym or hash is InvalidRequest") {
        auto r = make();
        rq::Requester q(r, 0x12);
        q.offer_asym = 1u << 7;  // only P-384; device has P-256
        CHECK_THROWS(q.connect());
        CHECK(is_error(q.last, SPDM_ERR_INVALID_REQUEST));
        auto r2 = make();
        rq::Requester q2(r2, 0x12);
        q2.offer_hash = 1u << 3;  // SHA3-256
        CHECK_THROWS(q2.connect());
        CHECK(is_error(q2.last, SPDM_ERR_INVALID_REQUEST));
    }
    SECTION("Length field inconsistent with the message") {
        auto r = make();
        r.handle(B({0x10, 0x84, 0, 0}));
        r.handle(B({0x11, 0xE1, 0, 0, 0, 10, 0, 0, 6, 0, 0, 0}));
        Bytes na(32, 0);
        na[0] = 0x11; na[1] = 0xE3; na[4] = 40; na[6] = 1; na[8] = 0x10; na[12] = 1;
        CHECK(is_error(r.handle(na), SPDM_ERR_INVALID_REQUEST));
        na[4] = 32;
        na[2] = 1;  // claims a struct that is not there
        CHECK(is_error(r.handle(na), SPDM_ERR_INVALID_REQUEST));
        na[2] = 0;
        CHECK(r.handle(na)[1] == 0x63);
    }
}

TEST_CASE("devsim out-of-order and malformed requests", "[devsim][protocol]") {
    auto r = make();
    CHECK(is_error(r.handle(B({0x10, 0xE1, 0, 0})), SPDM_ERR_UNEXPECTED_REQUEST));  // before GET_VERSION
    CHECK(is_error(r.handle(B({0x12, 0x81})), SPDM_ERR_INVALID_REQUEST));           // too short
    r.handle(B({0x10, 0x84, 0, 0}));
    CHECK(is_error(r.handle(B({0x10, 0x81, 0, 0})), SPDM_ERR_UNEXPECTED_REQUEST));  // GET_DIGESTS before caps
    CHECK(is_error(r.handle(B({0x10, 0xE3, 0, 0})), SPDM_ERR_UNEXPECTED_REQUEST));  // algorithms before caps
    rq::Requester q(r, 0x12);
    q.connect();
    CHECK(is_error(r.handle(B({0x12, 0xE1, 0, 0, 0, 10, 0, 0, 6, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0})),
                   SPDM_ERR_UNEXPECTED_REQUEST));  // second GET_CAPABILITIES
    CHECK(is_error(r.handle(B({0x11, 0x81, 0, 0})), SPDM_ERR_VERSION_MISMATCH));
    Bytes ke = r.handle(B({0x12, 0xE6, 0, 0}));   // PSK_EXCHANGE: no PSK_CAP
    CHECK(is_error(ke, SPDM_ERR_UNSUPPORTED_REQUEST));
    CHECK(ke[3] == 0xE6);
    CHECK(ke[0] == 0x12);
    // KEY_EXCHANGE from a requester that did not say KEY_EX_CAP (test_session.cpp has the rest)
    CHECK(is_error(r.handle(B({0x12, 0xE4, 0, 0})), SPDM_ERR_UNEXPECTED_REQUEST));
    CHECK(is_error(r.handle(B({0x12, 0x04, 0, 0})), SPDM_ERR_INVALID_REQUEST));  // a response code
    CHECK(is_error(r.handle(B({0x12, 0x82, 1, 0, 0, 0, 0x10, 0})), SPDM_ERR_INVALID_REQUEST));     // empty slot
    CHECK(is_error(r.handle(B({0x12, 0x82, 0, 0, 0, 0x40, 0x10, 0})), SPDM_ERR_INVALID_REQUEST));  // offset past end
    CHECK(is_error(r.handle(B({0x12, 0x82, 0, 0, 0, 0})), SPDM_ERR_INVALID_REQUEST));              // short
    Bytes ch = B({0x12, 0x83, 0, 2});
    ch.resize(36, 0);
    CHECK(is_error(r.handle(ch), SPDM_ERR_INVALID_REQUEST));  // bad measurement summary type
    ch[3] = 0; ch[2] = 0xFF;
    CHECK(is_error(r.handle(ch), SPDM_ERR_INVALID_REQUEST));  // no pre-provisioned public key
    ch.resize(20);
    ch[2] = 0;
    CHECK(is_error(r.handle(ch), SPDM_ERR_INVALID_REQUEST));  // short CHALLENGE
    CHECK(is_error(r.handle(B({0x12, 0xE0, 0, 9})), SPDM_ERR_INVALID_REQUEST));  // no measurement 9
    // GET_VERSION resets: digests are unexpected again afterwards
    r.handle(B({0x10, 0x84, 0, 0}));
    CHECK(is_error(r.handle(B({0x12, 0x81, 0, 0})), SPDM_ERR_UNEXPECTED_REQUEST));
    CHECK(r.negotiated_version() == 0);
    // reset() too
    q.connect();
    r.reset();
    CHECK(is_error(r.handle(B({0x12, 0x81, 0, 0})), SPDM_ERR_UNEXPECTED_REQUEST));
}

TEST_CASE("devsim capabilities can be switched off", "[devsim][protocol]") {
    Config c;
    c.meas_cap = false;
    auto r = make(c);
    rq::Requester q(r, 0x12);
    q.connect();
    CHECK(q.last[6] == 0);  // no measurement spec selected
    Bytes m = r.handle(B({0x12, 0xE0, 0, 0, 0, 0, 0, 0}));
    CHECK(is_error(m, SPDM_ERR_UNSUPPORTED_REQUEST));
    Config c2;
    c2.meas_sig = false;
    auto r2 = make(c2);
    rq::Requester q2(r2, 0x12);
    q2.connect();
    CHECK_THROWS(q2.measurements(1, true));
    CHECK(is_error(q2.last, SPDM_ERR_INVALID_REQUEST));
    CHECK(q2.measurements(1, false));
}

TEST_CASE("devsim DIGESTS covers every provisioned slot", "[devsim][protocol]") {
    Responder r(Config{}, tst::identity(Asym::EcdsaP256, 3));
    for (uint8_t ver : {0x12, 0x13, 0x14}) {
        rq::Requester q(r, ver);
        q.offer_hash = 1;
        q.connect();
        Bytes d = q.digests();
        REQUIRE(d.size() == 4 + 3 * 32);
        CHECK(d[3] == 0x07);
        CHECK(d[2] == (ver >= 0x13 ? 0x07 : 0));
        for (int s = 0; s < 3; s++)
            CHECK(Bytes(d.begin() + 4 + 32 * s, d.begin() + 4 + 32 * (s + 1)) ==
                  rq::H(MBEDTLS_MD_SHA256, r.identity().spdm_chain(s, Hash::Sha256)));
    }
}

TEST_CASE("devsim GET_CERTIFICATE chunking", "[devsim][protocol]") {
    SECTION("requested length is honoured") {
        auto r = make();
        rq::Requester q(r, 0x11);
        q.connect();
        q.get_chain(0, 100);
        CHECK(q.chain == r.identity().spdm_chain(0, Hash::Sha384));
        Bytes c = r.handle(B({0x11, 0x82, 0, 0, 10, 0, 33, 0}));
        REQUIRE(c.size() == 8 + 33);
        CHECK(rq::le16(c, 4) == 33);
        CHECK(rq::le16(c, 6) == q.chain.size() - 10 - 33);
        CHECK(Bytes(c.begin() + 8, c.end()) == Bytes(q.chain.begin() + 10, q.chain.begin() + 43));
    }
    SECTION("device maximum chunk") {
        Config cfg;
        cfg.max_chunk = 200;
        auto r = make(cfg);
        rq::Requester q(r, 0x12);
        q.connect();
        Bytes c = r.handle(B({0x12, 0x82, 0, 0, 0, 0, 0xFF, 0xFF}));
        CHECK(rq::le16(c, 4) == 200);
        q.get_chain(0);
        CHECK(q.chain == r.identity().spdm_chain(0, Hash::Sha384));
    }
    SECTION("requester DataTransferSize (1.2+)") {
        auto r = make();
        rq::Requester q(r, 0x12);
        q.dts = 64;
        q.max_msg = 64;
        q.connect();
        Bytes c = r.handle(B({0x12, 0x82, 0, 0, 0, 0, 0xFF, 0xFF}));
        CHECK(c.size() == 64);
        q.get_chain(0);
        CHECK(q.chain == r.identity().spdm_chain(0, Hash::Sha384));
    }
    SECTION("default: every reply fits QEMU's 0x1200-byte mailbox with the DOE header") {
        Responder r(Config{}, tst::identity(Asym::Rsa4096));
        rq::Requester q(r, 0x10);
        q.connect();
        Bytes c = r.handle(B({0x10, 0x82, 0, 0, 0, 0, 0xFF, 0xFF}));
        CHECK(c.size() + 8 <= 0x1200);
        CHECK(rq::le16(c, 6) == 0);  // the RSA-4096 chain still fits in one chunk
        Config small;
        small.transport_cap = 0x400;
        Responder r2(small, tst::identity(Asym::Rsa4096));
        rq::Requester q2(r2, 0x10);
        q2.connect();
        Bytes c2 = r2.handle(B({0x10, 0x82, 0, 0, 0, 0, 0xFF, 0xFF}));
        CHECK(c2.size() == 0x400 - 8);
        q2.get_chain(0);
        CHECK(q2.chain == r2.identity().spdm_chain(0, Hash::Sha384));
    }
    SECTION("1.3 SlotSizeRequested") {
        auto r = make();
        rq::Requester q(r, 0x13);
        q.connect();
        Bytes c = r.handle(B({0x13, 0x82, 0, 1, 0, 0, 0, 0}));
        REQUIRE(c.size() == 8);
        CHECK(rq::le16(c, 4) == 0);
        CHECK(rq::le16(c, 6) == r.identity().spdm_chain(0, Hash::Sha384).size());
    }
}

TEST_CASE("devsim MEASUREMENTS blocks: count/single/all", "[devsim][protocol]") {
    auto r = make();
    rq::Requester q(r, 0x12);
    q.offer_hash = 1;
    q.connect();
    q.get_chain(0);
    uint8_t count = 0;
    Bytes rec;
    CHECK(q.measurements(0, false, 0, &rec, &count));
    CHECK(count == 4);
    CHECK(rec.empty());
    CHECK(q.measurements(2, false, 0, &rec));
    auto defaults = default_measurements();
    // Index, DMTF spec, size, type 1 (mutable firmware, digest), size, SHA-256 digest
    Bytes want = B({2, 1, 35, 0, 0x01, 32, 0});
    rq::cat(want, rq::H(MBEDTLS_MD_SHA256, defaults[1].data));
    CHECK(rec == want);
    CHECK(q.measurements(4, false, 0, &rec));
    CHECK(rec == B({4, 1, 11, 0, 0x83, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8}));  // raw bit stream
    CHECK(q.measurements(0xFF, true, 0, &rec));
    CHECK(q.last[4] == 4);  // NumberOfBlocks
    size_t n = 0, off = 0;
    while (off < rec.size()) { off += 4 + rq::le16(rec, off + 2); n++; }
    CHECK(n == 4);
    CHECK(off == rec.size());
    // changing a measurement changes its block
    r.apply_fault("measurement=2:deadbeef");
    CHECK(q.measurements(2, false, 0, &rec));
    Bytes want2 = B({2, 1, 35, 0, 0x01, 32, 0});
    rq::cat(want2, rq::H(MBEDTLS_MD_SHA256, B({0xde, 0xad, 0xbe, 0xef})));
    CHECK(rec == want2);
    // and a new index appears in the count
    r.set_measurement(9, B({1}));
    CHECK(q.measurements(0, false, 0, nullptr, &count));
    CHECK(count == 5);
}

TEST_CASE("devsim CHALLENGE_AUTH measurement summary hash", "[devsim][protocol]") {
    for (uint8_t ver : {0x11, 0x12}) {
        auto r = make();
        rq::Requester q(r, ver);
        q.offer_hash = 1;
        q.connect();
        q.get_chain(0);
        // fetch all blocks and compute the summaries independently
        Bytes rec;
        REQUIRE(q.measurements(0xFF, false, 0, &rec));
        Bytes all, tcb;
        for (size_t off = 0; off < rec.size();) {
            size_t len = 4 + rq::le16(rec, off + 2);
            Bytes blk(rec.begin() + off, rec.begin() + off + len);
            Bytes part = blk;  // summary = Hash(concatenated whole blocks)
            rq::cat(all, part);
            if (blk[0] <= 2)  // default TCB measurements: 1 and 2
                rq::cat(tcb, part);
            off += len;
        }
        q.get_chain(0);
        Bytes s;
        CHECK(q.challenge(0, 0xFF, &s));
        CHECK(s == rq::H(MBEDTLS_MD_SHA256, all));
        CHECK(q.challenge(0, 1, &s));
        CHECK(s == rq::H(MBEDTLS_MD_SHA256, tcb));
        CHECK(q.challenge(0, 0));
        CHECK(q.last.size() == 4 + 32 + 32 + 2 + 64);
    }
}
