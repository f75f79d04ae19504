// SPDX-License-Identifier: GPL-2.0
// Secured sessions: the key schedule and secured-message record against
// known answers from python3-cryptography (tests/kat/gen_session_kat.py),
// then sessions established with devsim by a test-side requester, and each
// session fault as that requester sees it.
#include "common.hpp"
#include "session_requester.hpp"
#include "session_vectors.h"

#include <catch2/catch_test_macros.hpp>

#include <cstring>

using devsim::Bytes;
using tst::B;
namespace sess = devsim::sess;

namespace {

devsim::Hash hash_of(const char *n) {
    return !strcmp(n, "sha256") ? devsim::Hash::Sha256 : !strcmp(n, "sha384") ? devsim::Hash::Sha384
                                                                              : devsim::Hash::Sha512;
}
sess::Aead aead_of(const char *n) {
    return !strcmp(n, "aes-128-gcm") ? sess::Aead::Aes128Gcm : !strcmp(n, "aes-256-gcm") ? sess::Aead::Aes256Gcm
                                                                                         : sess::Aead::ChaCha20Poly1305;
}

devsim::Responder make(devsim::Config c = {}) { return devsim::Responder(c, tst::identity(devsim::Asym::EcdsaP384)); }

}  // namespace

TEST_CASE("devsim session key schedule matches python3-cryptography", "[devsim][session][kat]") {
    for (const auto &v : kat::session::all) {
        CAPTURE(v.name);
        auto d = !strcmp(v.dhe, "secp256r1") ? sess::Dhe::Secp256r1 : sess::Dhe::Secp384r1;
        CHECK(sess::ecdh_public(d, v.req_priv) == v.req_pub);
        CHECK(sess::ecdh_public(d, v.rsp_priv) == v.rsp_pub);
        CHECK(sess::ecdh_shared(d, v.rsp_priv, v.req_pub) == v.shared);
        CHECK(sess::ecdh_shared(d, v.req_priv, v.rsp_pub) == v.shared);
        sess::KeySchedule ks;
        ks.hash = hash_of(v.hash);
        ks.aead = aead_of(v.aead);
        ks.version = v.version;
        ks.handshake(v.shared, v.th1);
        CHECK(ks.handshake_secret == v.handshake_secret);
        CHECK(ks.req_hs.secret == v.req_hs_secret);
        CHECK(ks.rsp_hs.secret == v.rsp_hs_secret);
        CHECK(ks.req_finished_key == v.req_finished_key);
        CHECK(ks.rsp_finished_key == v.rsp_finished_key);
        CHECK(ks.req_hs.key == v.req_hs_key);
        CHECK(ks.req_hs.iv == v.req_hs_iv);
        CHECK(ks.rsp_hs.key == v.rsp_hs_key);
        CHECK(ks.rsp_hs.iv == v.rsp_hs_iv);
        CHECK(sess::hmac(ks.hash, ks.rsp_finished_key, v.th1) == v.rsp_verify);
        ks.data(v.th2);
        CHECK(ks.master_secret == v.master_secret);
        CHECK(ks.req_data.secret == v.req_data_secret);
        CHECK(ks.rsp_data.secret == v.rsp_data_secret);
        CHECK(ks.req_data.key == v.req_data_key);
        CHECK(ks.req_data.iv == v.req_data_iv);
        CHECK(ks.rsp_data.key == v.rsp_data_key);
        CHECK(ks.rsp_data.iv == v.rsp_data_iv);
        // secured messages under the response data key, sequence number 5
        sess::Keys k = ks.rsp_data;
        k.seq = v.seq;
        CHECK(sess::seal(ks.aead, true, k, v.session_id, v.app) == v.record_enc);
        CHECK(sess::seal(ks.aead, false, k, v.session_id, v.app) == v.record_mac);
        CHECK(sess::open(ks.aead, true, k, v.record_enc) == v.app);
        CHECK(sess::open(ks.aead, false, k, v.record_mac) == v.app);
        for (const Bytes *rec : {&v.record_enc, &v.record_mac}) {
            bool enc = rec == &v.record_enc;
            Bytes bad = *rec;
            bad.back() ^= 1;   // tag
            CHECK_FALSE(sess::open(ks.aead, enc, k, bad));
            bad = *rec;
            bad[0] ^= 1;       // SessionID is authenticated
            CHECK_FALSE(sess::open(ks.aead, enc, k, bad));
            sess::Keys other = k;
            other.seq = v.seq + 1;   // another sequence number: another nonce
            CHECK_FALSE(sess::open(ks.aead, enc, other, *rec));
            CHECK_FALSE(sess::open(ks.aead, enc, k, Bytes(rec->begin(), rec->end() - 1)));
        }
        // KEY_UPDATE: "traffic upd"
        ks.update(ks.req_data);
        CHECK(ks.req_data.secret == v.req_upd_secret);
        CHECK(ks.req_data.key == v.req_upd_key);
        CHECK(ks.req_data.iv == v.req_upd_iv);
        CHECK(ks.req_data.seq == 0);
    }
    // BinConcat: Length LE16 || "spdm1.2 " || label || context
    CHECK(sess::bin_concat(48, 0x12, "key") == B({48, 0, 's', 'p', 'd', 'm', '1', '.', '2', ' ', 'k', 'e', 'y'}));
    // not a point on the curve
    CHECK_FALSE(sess::ecdh_shared(sess::Dhe::Secp256r1, kat::session::all[0].req_priv, Bytes(64, 0x11)));
}

TEST_CASE("devsim session capabilities and algorithms", "[devsim][session]") {
    for (uint8_t ver : {0x10, 0x11, 0x12, 0x13}) {
        CAPTURE(int(ver));
        auto r = make();
        r.handle(B({0x10, 0x84, 0, 0}));
        Bytes caps{ver, 0xE1, 0, 0};
        if (ver >= 0x11) rq::cat(caps, B({0, 10, 0, 0, 6, 0, 0, 0}));
        if (ver >= 0x12) rq::cat(caps, B({0, 0x10, 0, 0, 0, 0x10, 0, 0}));
        Bytes c = r.handle(caps);
        REQUIRE(c.size() >= 12);
        uint32_t f = rq::le32(c, 8);
        uint32_t want = ver >= 0x11 ? (sq::kEncrypt | sq::kMac | sq::kKeyEx | sq::kHbeat | sq::kKeyUpd) : 0;
        CHECK((f & 0xFFC0u) == want);   // no PSK, MUT_AUTH, ENCAP, HANDSHAKE_IN_THE_CLEAR
    }
    devsim::Config off;
    off.sessions = false;
    auto r = make(off);
    sq::SessionRequester s(r);
    s.connect();
    CHECK((s.rsp_caps & (sq::kKeyEx | sq::kEncrypt | sq::kMac | sq::kHbeat | sq::kKeyUpd)) == 0);
    CHECK(s.dhe == 0);
    CHECK(s.aead == 0);
    Bytes kx = s.q.xfer(B({0x12, 0xE4, 0, 0}));
    CHECK(kx == B({0x12, 0x7F, SPDM_ERR_UNSUPPORTED_REQUEST, 0xE4}));
    CHECK(r.handle_secured(Bytes(32, 0)).data[2] == SPDM_ERR_INVALID_REQUEST);

    // selection: the strongest of what both have
    auto r2 = make();
    sq::SessionRequester s2(r2);
    s2.connect();
    CHECK(s2.dhe == 0x10);    // secp384r1
    CHECK(s2.aead == 0x02);   // AES-256-GCM
    auto r3 = make();
    sq::SessionRequester s3(r3);
    s3.dhe_offer = 0x08;
    s3.aead_offer = 0x04;
    s3.connect();
    CHECK(s3.dhe == 0x08);
    CHECK(s3.aead == 0x04);
    // a requester without KEY_EX_CAP: nothing selected (and no KEY_EXCHANGE)
    auto r4 = make();
    sq::SessionRequester s4(r4);
    s4.caps = sq::kCert | sq::kChal;
    s4.connect();
    CHECK(s4.dhe == 0);
    CHECK(s4.q.xfer(B({0x12, 0xE4, 0, 0}))[2] == SPDM_ERR_UNEXPECTED_REQUEST);
}

TEST_CASE("devsim session: establish, heartbeat, measurements, key update, end", "[devsim][session]") {
    struct Case { uint8_t ver; uint16_t dhe, aead; bool encrypt; };
    for (Case c : {Case{0x11, 0x08, 0x01, true}, Case{0x12, 0x10, 0x02, true}, Case{0x12, 0x08, 0x04, true},
                   Case{0x13, 0x10, 0x02, true}, Case{0x12, 0x10, 0x01, false}}) {
        CAPTURE(int(c.ver), c.dhe, c.aead, c.encrypt);
        auto r = make();
        sq::SessionRequester s(r, c.ver);
        s.dhe_offer = c.dhe;
        s.aead_offer = c.aead;
        if (!c.encrypt)
            s.caps &= ~sq::kEncrypt;   // MAC only
        s.connect();
        REQUIRE(s.key_exchange(0xFF) == sq::SessionRequester::Kx::Ok);
        CHECK(s.heartbeat_period == 10);
        CHECK(r.session_count() == 1);
        sq::Reply fr;
        REQUIRE(s.finish(&fr));
        CHECK(fr.secured);
        for (int i = 0; i < 3; i++) {
            auto h = s.heartbeat();
            REQUIRE(h.opened);
            CHECK(h.msg == Bytes{c.ver, 0x68, 0, 0});
        }
        // measurements inside the session
        Bytes gm{c.ver, 0xE0, 0, 0xFF};
        if (c.ver >= 0x13) gm.resize(12, 0);
        auto m = s.send(gm);
        REQUIRE(m.opened);
        CHECK(m.msg[1] == 0x60);
        CHECK(m.msg[4] == 4);   // four blocks
        // key updates keep the traffic flowing
        CHECK(s.key_update(false));
        CHECK(s.heartbeat().opened);
        CHECK(s.key_update(true));
        CHECK(s.heartbeat().opened);
        CHECK(r.status_json().find("\"key_updates\":2") != std::string::npos);
        // requests that do not belong in a session
        auto gv = s.send(B({0x10, 0x84, 0, 0}));
        REQUIRE(gv.opened);
        CHECK(sq::is_error(gv, SPDM_ERR_UNEXPECTED_REQUEST));
        auto ku = s.send(Bytes{c.ver, 0xE9, 9, 0});   // no such KeyOperation
        CHECK(sq::is_error(ku, SPDM_ERR_INVALID_REQUEST));
        auto vk = s.send(Bytes{c.ver, 0xE9, 3, 0});   // VerifyNewKey without an update
        CHECK(sq::is_error(vk, SPDM_ERR_INVALID_REQUEST));
        // 0xEA is GET_ENCAPSULATED_REQUEST, not END_SESSION (0xEC): the
        // session stays (devsim answered 0xEA with END_SESSION_ACK 0x6A once)
        size_t before = r.session_count();
        auto enc = s.send(Bytes{c.ver, 0xEA, 0, 0});
        REQUIRE(enc.opened);
        CHECK(enc.msg[1] == 0x7F);
        CHECK(r.session_count() == before);
        auto e = s.end_session();
        REQUIRE(e.opened);
        CHECK(e.msg == Bytes{c.ver, 0x6C, 0, 0});
        CHECK(r.session_count() == 0);
        auto gone = s.heartbeat();
        CHECK_FALSE(gone.secured);
        CHECK(sq::is_error(gone, SPDM_ERR_INVALID_SESSION));
        CHECK(rq::le32(gone.msg, 4) == s.sid);   // ExtendedErrorData: the SessionID
        // HEARTBEAT outside a session
        CHECK(r.handle(Bytes{c.ver, 0xE8, 0, 0})[2] ==
              (c.ver >= 0x12 ? SPDM_ERR_SESSION_REQUIRED : SPDM_ERR_UNEXPECTED_REQUEST));
    }
}

TEST_CASE("devsim session: handshake in the clear", "[devsim][session]") {
    devsim::Config cfg;
    cfg.handshake_in_clear = true;
    auto r = make(cfg);
    sq::SessionRequester s(r, 0x13);
    s.caps |= sq::kInClear;
    s.connect();
    CHECK((s.rsp_caps & sq::kInClear) != 0);
    REQUIRE(s.key_exchange() == sq::SessionRequester::Kx::Ok);
    CHECK(s.in_clear);
    sq::Reply fr;
    REQUIRE(s.finish(&fr));   // FINISH_RSP in the clear with a ResponderVerifyData that verifies
    CHECK(s.heartbeat().opened);
    // a requester without HANDSHAKE_IN_THE_CLEAR_CAP gets the encrypted handshake
    auto r2 = make(cfg);
    sq::SessionRequester s2(r2);
    REQUIRE(s2.establish());
    CHECK_FALSE(s2.in_clear);
}

TEST_CASE("devsim session faults as the requester sees them", "[devsim][session][faults]") {
    using Kx = sq::SessionRequester::Kx;
    SECTION("bad-verify-data") {
        auto r = make();
        r.apply_fault("bad-verify-data");
        sq::SessionRequester s(r);
        s.connect();
        CHECK(s.key_exchange() == Kx::BadVerifyData);
        CHECK(s.key_exchange() == Kx::Ok);   // once
    }
    SECTION("bad-verify-data, handshake in the clear: FINISH_RSP's") {
        devsim::Config cfg;
        cfg.handshake_in_clear = true;
        auto r = make(cfg);
        r.apply_fault("bad-verify-data");
        sq::SessionRequester s(r);
        s.caps |= sq::kInClear;
        s.connect();
        REQUIRE(s.key_exchange() == Kx::Ok);
        CHECK_FALSE(s.finish());
    }
    SECTION("bad-kex-signature") {
        auto r = make();
        r.apply_fault("bad-kex-signature");
        sq::SessionRequester s(r);
        s.connect();
        CHECK(s.key_exchange() == Kx::BadSignature);
        CHECK(s.key_exchange() == Kx::Ok);
        CHECK(r.faults().describe() == "none");
    }
    SECTION("bad-tag") {
        auto r = make();
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        r.apply_fault("bad-tag");
        auto h = s.heartbeat();
        CHECK(h.secured);
        CHECK_FALSE(h.opened);
    }
    SECTION("wrong-session-id") {
        auto r = make();
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        r.apply_fault("wrong-session-id");
        auto h = s.heartbeat();
        CHECK(h.secured);
        CHECK_FALSE(h.opened);
        CHECK(rq::le32(h.raw, 0) != s.sid);
    }
    SECTION("replay-seq") {
        auto r = make();
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        auto h1 = s.heartbeat();
        REQUIRE(h1.opened);
        r.apply_fault("replay-seq");
        auto h2 = s.heartbeat();
        CHECK(h2.secured);
        CHECK(h2.raw == h1.raw);   // the same record again
        CHECK_FALSE(h2.opened);    // its sequence number is spent
    }
    SECTION("no-heartbeat") {
        auto r = make();
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        r.apply_fault("no-heartbeat");
        CHECK_FALSE(s.heartbeat().answered);
        CHECK_FALSE(s.heartbeat().answered);   // sticky
        r.apply_fault("no-heartbeat=0");
        CHECK(s.heartbeat().opened);
    }
    SECTION("no-key-update") {
        auto r = make();
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        r.apply_fault("no-key-update");
        CHECK(s.heartbeat().opened);                     // heartbeats still answered
        Bytes req{s.ver, 0xE9, 1, 7};                    // UpdateKey
        Bytes rec = sess::seal(s.ks.aead, s.encrypt(), s.tx(), s.sid, req);
        s.tx().seq++;
        CHECK(r.handle_secured(rec).data.empty());       // no answer
        CHECK(s.heartbeat().opened);                     // under the old keys still
        CHECK(s.key_update(false));                      // once
        CHECK(s.heartbeat().opened);
    }
    SECTION("session-drop, reset and GET_VERSION lose the session") {
        for (int how = 0; how < 3; how++) {
            auto r = make();
            sq::SessionRequester s(r);
            REQUIRE(s.establish());
            if (how == 0)
                r.apply_fault("session-drop");
            else if (how == 1)
                r.reset();
            else
                r.handle(B({0x10, 0x84, 0, 0}));
            CHECK(r.session_count() == 0);
            auto h = s.heartbeat();
            CHECK_FALSE(h.secured);
            CHECK(h.msg[1] == 0x7F);
            if (how == 0)
                CHECK(sq::is_error(h, SPDM_ERR_INVALID_SESSION));
        }
    }
    SECTION("a corrupted or replayed request ends the session with DecryptError") {
        auto r = make();
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        Bytes rec = sess::seal(s.ks.aead, true, s.ks.req_data, s.sid, Bytes{0x12, 0xE8, 0, 0});
        s.ks.req_data.seq++;
        auto ok = s.take(r.handle_secured(rec));
        REQUIRE(ok.opened);
        auto again = s.take(r.handle_secured(rec));   // replayed
        CHECK_FALSE(again.secured);
        CHECK(sq::is_error(again, SPDM_ERR_DECRYPT_ERROR));
        CHECK(r.session_count() == 0);
        auto r2 = make();
        sq::SessionRequester s2(r2);
        REQUIRE(s2.establish());
        Bytes bad = sess::seal(s2.ks.aead, true, s2.ks.req_data, s2.sid, Bytes{0x12, 0xE8, 0, 0});
        bad.back() ^= 0x80;
        CHECK(sq::is_error(s2.take(r2.handle_secured(bad)), SPDM_ERR_DECRYPT_ERROR));
        CHECK(r2.session_count() == 0);
    }
    SECTION("bad RequesterVerifyData: DecryptError, no session") {
        auto r = make();
        sq::SessionRequester s(r);
        s.connect();
        REQUIRE(s.key_exchange() == Kx::Ok);
        s.ks.req_finished_key[0] ^= 1;
        sq::Reply fr;
        CHECK_FALSE(s.finish(&fr));
        CHECK(sq::is_error(fr, SPDM_ERR_DECRYPT_ERROR));
        CHECK(r.session_count() == 0);
    }
    SECTION("SessionLimitExceeded") {
        devsim::Config cfg;
        cfg.max_sessions = 1;
        auto r = make(cfg);
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        s.req_id = 0x4321;
        CHECK(s.key_exchange() == Kx::Error);
        CHECK(s.last_error[2] == SPDM_ERR_SESSION_LIMIT_EXCEEDED);
    }
    SECTION("malformed KEY_EXCHANGE") {
        auto r = make();
        sq::SessionRequester s(r);
        s.connect();
        CHECK(s.q.xfer(B({0x12, 0xE4, 0, 0, 1, 0}))[2] == SPDM_ERR_INVALID_REQUEST);   // short
        Bytes kx{0x12, 0xE4, 0, 5, 1, 0, 0, 0};   // slot 5 does not exist
        kx.resize(8 + 32 + 96 + 2, 0);
        CHECK(s.q.xfer(kx)[2] == SPDM_ERR_INVALID_REQUEST);
        kx[3] = 0;   // ExchangeData all zero: not a point (with a good OpaqueData)
        Bytes o = s.supported_versions();
        kx[8 + 32 + 96] = uint8_t(o.size());
        rq::cat(kx, o);
        CHECK(s.q.xfer(kx)[2] == SPDM_ERR_INVALID_REQUEST);
        CHECK(r.session_count() == 0);
    }
}

// DSP0277: the responder selects the secured message version from the
// requester's SupportedVersionList in KEY_EXCHANGE's OpaqueData (the
// general opaque data format on 1.2+ with OpaqueDataFmt1, DSP0277's table
// on 1.1); a missing, malformed or disjoint list is an invalid request.
TEST_CASE("devsim session: secured message version from the requester's list", "[devsim][session]") {
    using Kx = sq::SessionRequester::Kx;
    for (uint8_t ver : {0x11, 0x12, 0x13}) {
        CAPTURE(int(ver));
        struct Offer { std::vector<uint16_t> list; uint16_t want; };
        for (const Offer &o : {Offer{{0x1000}, 0x1000}, Offer{{0x1100}, 0x1100}, Offer{{0x1000, 0x1100}, 0x1100},
                               Offer{{0x1100, 0x1000}, 0x1100}, Offer{{0x1105, 0x1200}, 0x1100},
                               Offer{{0x1200}, 0}, Offer{{}, 0}}) {
            CAPTURE(o.list, o.want);
            auto r = make();
            sq::SessionRequester s(r, ver);
            s.sm_offer = o.list;
            s.connect();
            if (!o.want) {
                REQUIRE(s.key_exchange() == Kx::Error);
                CHECK(s.last_error[2] == SPDM_ERR_INVALID_REQUEST);
                CHECK(r.session_count() == 0);
                continue;
            }
            REQUIRE(s.key_exchange() == Kx::Ok);
            CHECK(s.sm_selected == o.want);
            CHECK(s.finish());
            CHECK(s.heartbeat().opened);
        }
    }
    auto rejected = [](uint8_t ver, const Bytes &opaque) {
        auto r = make();
        sq::SessionRequester s(r, ver);
        s.opaque_raw = opaque;
        s.connect();
        bool err = s.key_exchange() == Kx::Error && s.last_error[2] == SPDM_ERR_INVALID_REQUEST;
        return err && r.session_count() == 0;
    };
    // what a good 1.2 OpaqueData looks like, and that it is accepted
    const Bytes good = B({1, 0, 0, 0, 0, 0, 7, 0, 1, 1, 2, 0x00, 0x10, 0x00, 0x11, 0});
    {
        auto r = make();
        sq::SessionRequester s(r, 0x12);
        CHECK(s.supported_versions() == good);
        s.opaque_raw = good;
        s.connect();
        CHECK(s.key_exchange() == Kx::Ok);
    }
    SECTION("absent: OpaqueDataLength 0") { CHECK(rejected(0x12, {})); }
    SECTION("absent: no DMTF element") {
        // one element of registry 1 (vendor 2 bytes), no version list
        CHECK(rejected(0x12, B({1, 0, 0, 0, 1, 2, 0xAA, 0xBB, 2, 0, 0x55, 0x66})));
    }
    SECTION("another registry's element is skipped") {
        Bytes o = B({2, 0, 0, 0, 1, 2, 0xAA, 0xBB, 2, 0, 0x55, 0x66});
        o.insert(o.end(), good.begin() + 4, good.end());
        auto r = make();
        sq::SessionRequester s(r, 0x12);
        s.opaque_raw = o;
        s.connect();
        CHECK(s.key_exchange() == sq::SessionRequester::Kx::Ok);
        CHECK(s.sm_selected == 0x1100);
    }
    SECTION("malformed") {
        Bytes m = good;
        m[0] = 2;   // TotalElements says 2, one there
        CHECK(rejected(0x12, m));
        m = good;
        m[1] = 1;   // Reserved not zero
        CHECK(rejected(0x12, m));
        m = good;
        m[6] = 9;   // OpaqueElementDataLen past the end
        CHECK(rejected(0x12, m));
        m = good;
        m[6] = 5;   // VersionCount 2 in 5 bytes (then zero padding)
        m[13] = m[14] = m[15] = 0;
        CHECK(rejected(0x12, m));
        m = good;
        m[10] = 0;   // VersionCount 0
        m[6] = 3;
        m.resize(12);
        CHECK(rejected(0x12, m));
        m = good;
        m[15] = 1;   // AlignPadding not zero
        CHECK(rejected(0x12, m));
        m = good;
        m.push_back(0);   // trailing bytes
        m.push_back(0);
        m.push_back(0);
        m.push_back(0);
        CHECK(rejected(0x12, m));
        m = good;
        m.resize(15);   // padding cut
        CHECK(rejected(0x12, m));
        m = good;
        m[8] = 2;   // SMDataVersion 2
        CHECK(rejected(0x12, m));
        m = good;
        m[0] = 2;   // two version lists
        m.insert(m.end(), good.begin() + 4, good.end());
        CHECK(rejected(0x12, m));
        CHECK(rejected(0x12, B({1, 0, 0})));   // shorter than the header
        CHECK(rejected(0x12, B({1, 0, 0, 0, 0})));   // element header cut
        // 1.1: DSP0277's table header (SpecID "DMTF"), not the general format
        CHECK(rejected(0x11, good));
        Bytes t = B({0x46, 0x54, 0x4D, 0x44, 1, 1, 0, 0});
        t.insert(t.end(), good.begin() + 4, good.end());
        CHECK_FALSE(rejected(0x11, t));
        t[4] = 2;   // OpaqueVersion 2
        CHECK(rejected(0x11, t));
        t[4] = 1;
        t[0] = 0x47;   // SpecID
        CHECK(rejected(0x11, t));
    }
}

// DSP0274 KEY_UPDATE: the responder keeps the previous keys until
// VerifyNewKey so that a KEY_UPDATE whose KEY_UPDATE_ACK was lost can be
// retried (same KeyOperation, same Tag) under the old request key; the
// retry gets the same ACK and the same new keys.  Anything else under the
// old key still ends the session.
TEST_CASE("devsim session: KEY_UPDATE retried after a lost ACK", "[devsim][session]") {
    auto lost_ack = [](sq::SessionRequester &s, bool all, uint8_t tag) {
        Bytes req{s.ver, 0xE9, uint8_t(all ? 2 : 1), tag};
        Bytes rec = sess::seal(s.ks.aead, s.encrypt(), s.tx(), s.sid, req);
        s.tx().seq++;
        auto lost = s.dev.handle_secured(rec);   // answered, never seen
        return !lost.data.empty() && lost.secured;
    };
    for (bool all : {false, true}) {
        for (bool encrypt : {true, false}) {
            CAPTURE(all, encrypt);
            auto r = make();
            sq::SessionRequester s(r);
            if (!encrypt)
                s.caps &= ~sq::kEncrypt;
            REQUIRE(s.establish());
            REQUIRE(s.heartbeat().opened);
            REQUIRE(lost_ack(s, all, 0x21));
            // the retry: the old request key, the next sequence number;
            // the ACK under the responder's key as the first one was
            if (all)
                s.ks.update(s.ks.rsp_data);
            auto again = s.send(Bytes{s.ver, 0xE9, uint8_t(all ? 2 : 1), 0x21});
            REQUIRE(again.opened);
            CHECK(again.msg == Bytes{s.ver, 0x69, uint8_t(all ? 2 : 1), 0x21});
            s.ks.update(s.ks.req_data);
            auto v = s.send(Bytes{s.ver, 0xE9, 3, 0x22});
            REQUIRE(v.opened);
            CHECK(v.msg == Bytes{s.ver, 0x69, 3, 0x22});
            CHECK(s.heartbeat().opened);
            CHECK(r.status_json().find("\"key_updates\":1,\"key_update_retries\":1") != std::string::npos);
        }
    }
    SECTION("after VerifyNewKey the old key is refused") {
        auto r = make();
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        sess::Keys old_req = s.ks.req_data;
        REQUIRE(s.key_update(false, 0x30));
        old_req.seq++;   // where a retry would be
        Bytes rec = sess::seal(s.ks.aead, s.encrypt(), old_req, s.sid, Bytes{s.ver, 0xE9, 1, 0x30});
        auto rep = s.take(r.handle_secured(rec));
        CHECK(sq::is_error(rep, SPDM_ERR_DECRYPT_ERROR));
        CHECK(r.session_count() == 0);
    }
    SECTION("under the old key, only the same KEY_UPDATE") {
        struct Other { const char *what; Bytes msg; };
        for (const Other &o : {Other{"heartbeat", Bytes{0x12, 0xE8, 0, 0}}, Other{"another tag", Bytes{0x12, 0xE9, 1, 0x42}},
                               Other{"another operation", Bytes{0x12, 0xE9, 2, 0x41}}}) {
            CAPTURE(o.what);
            auto r = make();
            sq::SessionRequester s(r);
            REQUIRE(s.establish());
            REQUIRE(lost_ack(s, false, 0x41));
            auto rep = s.send(o.msg);
            CHECK_FALSE(rep.secured);
            CHECK(sq::is_error(rep, SPDM_ERR_DECRYPT_ERROR));
            CHECK(r.session_count() == 0);
        }
    }
    SECTION("the new key works without a retry (the ACK was not lost)") {
        auto r = make();
        sq::SessionRequester s(r);
        REQUIRE(s.establish());
        CHECK(s.key_update(true, 0x50));
        CHECK(s.key_update(false, 0x52));
        CHECK(s.heartbeat().opened);
        CHECK(r.status_json().find("\"key_updates\":2,\"key_update_retries\":0") != std::string::npos);
    }
}
