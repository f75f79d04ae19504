// SPDX-License-Identifier: GPL-2.0
// Secured sessions of the SPDM core (KEY_EXCHANGE, FINISH, DSP0277 records,
// HEARTBEAT, KEY_UPDATE, END_SESSION) against spdm-devsim in-process, its
// session faults, and the record known answers of tests/kat/session_vectors.h.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cerrno>
#include <cstring>
#include <string>

#include "devsim_fixture.h"
#include "session_vectors.h"

using namespace spdmtest;
using Catch::Matchers::ContainsSubstring;
using devsim::Asym;
using devsim::Hash;

namespace {

const devsim::Identity &identity(Asym a, Hash h, int seed = 42) { return devsim_identity(a, h, 1, seed); }

SessionPtr make_secure(Platform &p, uint8_t maxv = 0, uint32_t dhe = 0, uint32_t aead = 0)
{
    spdm_params prm = p.params();
    prm.max_version = maxv;
    prm.secure = true;
    prm.dhe_mask = dhe;
    prm.aead_mask = aead;
    spdm_session *s = nullptr;
    int rc = spdm_session_create(&prm, &s);
    if (rc)
        throw std::runtime_error("spdm_session_create: " + std::to_string(rc));
    return SessionPtr(s);
}

spdm_secure_info info(spdm_session *s)
{
    spdm_secure_info i;
    spdm_secure_get_info(s, &i);
    return i;
}

// connect, then KEY_EXCHANGE + FINISH
void establish(spdm_session *s)
{
    int rc = spdm_authenticate(s, 0, nullptr);
    INFO(spdm_last_error(s));
    REQUIRE(rc == 0);
    rc = spdm_secure_start(s);
    INFO(spdm_last_error(s));
    REQUIRE(rc == 0);
    REQUIRE(info(s).active);
}

}  // namespace

TEST_CASE("session: establish, heartbeat, key updates, measurements, end", "[core][session][devsim]")
{
    auto v = GENERATE(as<uint8_t>{}, 0x11, 0x12, 0x13);
    auto dhe = GENERATE(as<uint32_t>{}, SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1);
    auto aead = GENERATE(as<uint32_t>{}, SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM,
                         SPDM_AEAD_CHACHA20_POLY1305);
    auto [asym, hash] = v == 0x12 ? std::make_pair(Asym::EcdsaP256, Hash::Sha256)
                                  : std::make_pair(Asym::EcdsaP384, Hash::Sha384);
    CAPTURE(unsigned(v), dhe, aead);
    Device dev(config_for(0x14), identity(asym, hash));
    auto s = make_secure(dev.plat, v, dhe, aead);
    establish(s.get());
    auto i = info(s.get());
    CHECK(i.dhe == dhe);
    CHECK(i.aead == aead);
    CHECK(i.version == v);
    CHECK(i.sm_version == 0x11);
    CHECK(i.heartbeat_period == 10);
    CHECK(i.encrypted);
    CHECK_FALSE(i.handshake_in_clear);
    CHECK(i.messages == 1);   // FINISH went secured
    CHECK(dev.rsp.session_count() == 1);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.dhe == dhe);
    CHECK(ev.aead == aead);
    CHECK(ev.ke_th.len == ev.hash_len);
    CHECK(ev.ke_signature.len == ev.sig_len);
    CHECK((ev.ke_context != nullptr) == (v >= 0x12));

    // key_messages: requests sealed under the current request key (the
    // module's session_key_update_msgs policy counts them)
    CHECK(i.key_messages == 0);   // FINISH went under the handshake key
    size_t plain = dev.plat.requests.size();
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
    CHECK(info(s.get()).key_messages == 1);
    CHECK(spdm_secure_key_update(s.get(), false) == 0);
    INFO(spdm_last_error(s.get()));
    CHECK(info(s.get()).key_messages == 1);   // VerifyNewKey under the new key
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
    CHECK(info(s.get()).key_messages == 2);
    CHECK(spdm_secure_key_update(s.get(), true) == 0);
    CHECK(info(s.get()).key_messages == 1);
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
    CHECK(info(s.get()).key_messages == 2);
    // measurements inside the session: nothing on the plain transport
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    CHECK(dev.plat.requests.size() == plain);
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.complete);
    CHECK(verify_offline(ev, true) == "");
    i = info(s.get());
    CHECK(i.key_updates == 2);
    CHECK(i.messages == 1 + 1 + 2 + 1 + 2 + 1 + 1);
    CHECK(spdm_secure_end(s.get()) == 0);
    CHECK_FALSE(info(s.get()).active);
    CHECK(dev.rsp.session_count() == 0);
    // the secrets are gone with the session: only what the session keeps
    CHECK(dev.plat.live_bytes == spdm_mem_used(s.get()));
    CHECK(spdm_secure_heartbeat(s.get()) == -ENOTCONN);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_UNSUPPORTED);
    // a new session on the same connection
    REQUIRE(spdm_secure_start(s.get()) == 0);
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
}

TEST_CASE("session: handshake in the clear", "[core][session][devsim]")
{
    auto v = GENERATE(as<uint8_t>{}, 0x11, 0x13);
    devsim::Config c = config_for(v);
    c.handshake_in_clear = true;
    Device dev(std::move(c), identity(Asym::EcdsaP384, Hash::Sha384));
    auto s = make_secure(dev.plat);
    establish(s.get());
    CHECK(info(s.get()).handshake_in_clear);
    CHECK(info(s.get()).messages == 0);
    CHECK(dev.plat.requests.back()[1] == 0xE5);   // FINISH in the clear
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
    CHECK(spdm_secure_key_update(s.get(), true) == 0);
    CHECK(spdm_secure_end(s.get()) == 0);
}

TEST_CASE("session: what the requester offers", "[core][session]")
{
    Device dev(config_for(0x13), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_secure(dev.plat, 0, 0, SPDM_AEAD_AES_256_GCM);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    const Bytes &caps = dev.plat.requests[1];
    REQUIRE(caps[1] == 0xE1);
    uint32_t flags = get_unaligned_le32(caps.data() + 8);
    CHECK(flags == (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD |
                    SPDM_CAP_HANDSHAKE_IN_THE_CLEAR | SPDM_CAP_CHUNK));
    const Bytes &na = dev.plat.requests[2];
    REQUIRE(na[1] == 0xE3);
    CHECK(na[2] == 3);   // three ReqAlgStructs
    CHECK(na.size() == 44);
    CHECK(Bytes(na.begin() + 32, na.end()) ==
          Bytes{2, 0x20, 0x18, 0, 3, 0x20, 0x02, 0, 5, 0x20, 0x01, 0});
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.aead == SPDM_AEAD_AES_256_GCM);
    // secure caps the version at 1.3 (1.4 FINISH carries OpaqueData)
    CHECK(ev.version == 0x13);
}

TEST_CASE("session: a device without sessions", "[core][session][devsim]")
{
    devsim::Config c = config_for(0x13);
    c.sessions = false;
    Device dev(std::move(c), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_secure(dev.plat);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    CHECK(spdm_secure_start(s.get()) == -EOPNOTSUPP);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_UNSUPPORTED);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("offers no secured session"));
    // and a session without @secure is refused before anything is sent
    auto plain = make_session(dev.plat);
    REQUIRE(spdm_authenticate(plain.get(), 0, nullptr) == 0);
    size_t n = dev.plat.requests.size();
    CHECK(spdm_secure_start(plain.get()) == -EINVAL);
    CHECK(dev.plat.requests.size() == n);
}

TEST_CASE("session: the platform lacks the AEAD", "[core][session][devsim]")
{
    Device dev(config_for(0x13), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_secure(dev.plat);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    dev.plat.aead_missing = SPDM_AEAD_SUPPORTED;
    CHECK(spdm_secure_start(s.get()) == -ENOPKG);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_UNSUPPORTED);
    CHECK_FALSE(info(s.get()).active);
    dev.plat.aead_missing = 0;
    dev.plat.dhe_fail = -ENOENT;
    CHECK(spdm_secure_start(s.get()) == -ENOENT);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_UNSUPPORTED);
    CHECK(dev.plat.live_bytes == spdm_mem_used(s.get()));
}

TEST_CASE("session: devsim faults are refused", "[core][session][devsim][faults]")
{
    struct Case {
        const char *fault;
        bool at_start;
        enum spdm_failure cls;
        const char *msg;
    };
    auto c = GENERATE(Case{"bad-verify-data", true, SPDM_FAIL_SESSION, "ResponderVerifyData does not match"},
                      Case{"bad-kex-signature", true, SPDM_FAIL_SIGNATURE, "KEY_EXCHANGE_RSP: signature does not verify"},
                      Case{"bad-tag", false, SPDM_FAIL_SESSION, "MAC does not verify"},
                      Case{"wrong-session-id", false, SPDM_FAIL_SESSION, "another SessionID"},
                      Case{"no-heartbeat", false, SPDM_FAIL_TRANSPORT, "HEARTBEAT: transport error"});
    CAPTURE(c.fault);
    Device dev(config_for(0x13), identity(Asym::EcdsaP384, Hash::Sha384));
    auto s = make_secure(dev.plat);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    if (!c.at_start)
        REQUIRE(spdm_secure_start(s.get()) == 0);
    dev.rsp.apply_fault(std::string(c.fault) + "=1");
    int rc = c.at_start ? spdm_secure_start(s.get()) : spdm_secure_heartbeat(s.get());
    CHECK(rc < 0);
    CHECK(spdm_last_failure(s.get()) == c.cls);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring(c.msg));
    CHECK_FALSE(info(s.get()).active);
    CHECK(dev.plat.live_bytes == spdm_mem_used(s.get()));
    // a new session works once the fault is spent (the device may still
    // hold the old one: ours is gone)
    dev.rsp.faults().clear();
    int again = spdm_secure_start(s.get());
    INFO(spdm_last_error(s.get()));
    CHECK(again == 0);
}

TEST_CASE("session: a replayed response is refused", "[core][session][devsim][faults]")
{
    Device dev(config_for(0x12), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_secure(dev.plat);
    establish(s.get());
    REQUIRE(spdm_secure_heartbeat(s.get()) == 0);
    dev.rsp.apply_fault("replay-seq=1");
    CHECK(spdm_secure_heartbeat(s.get()) == -EBADMSG);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_SESSION);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("replayed"));
    CHECK_FALSE(info(s.get()).active);
}

TEST_CASE("session: the device lost its session state", "[core][session][devsim][faults]")
{
    Device dev(config_for(0x13), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_secure(dev.plat);
    establish(s.get());
    dev.rsp.drop_sessions();   // devsim's session-drop
    CHECK(spdm_secure_heartbeat(s.get()) == -ECONNRESET);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_SESSION);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("HEARTBEAT: device answered the secured message in the clear"));
    CHECK_FALSE(info(s.get()).active);
    // re-establish: a new KEY_EXCHANGE verified with the cached key
    REQUIRE(spdm_secure_start(s.get()) == 0);
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
}

TEST_CASE("session: KEY_EXCHANGE_RSP signed by another key is refused", "[core][session][devsim]")
{
    Device dev(config_for(0x13), identity(Asym::EcdsaP256, Hash::Sha256, 42));
    auto s = make_secure(dev.plat);
    REQUIRE(spdm_authenticate(s.get(), 0, nullptr) == 0);
    // the device is replaced by one with another key (same algorithms)
    dev.rsp.swap_identity(identity(Asym::EcdsaP256, Hash::Sha256, 7));
    spdm_state_lost(s.get());
    CHECK(spdm_secure_start(s.get()) == -EKEYREJECTED);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_SIGNATURE);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("KEY_EXCHANGE_RSP: signature does not verify"));
    CHECK_FALSE(info(s.get()).active);
}

TEST_CASE("session: a revalidation's VCA ends the session", "[core][session][devsim]")
{
    Device dev(config_for(0x13), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_secure(dev.plat);
    establish(s.get());
    spdm_state_lost(s.get());
    CHECK_FALSE(info(s.get()).active);
    REQUIRE(spdm_revalidate(s.get(), nullptr) == 0);
    REQUIRE(spdm_secure_start(s.get()) == 0);
    CHECK(spdm_secure_start(s.get()) == -EALREADY);
    CHECK(info(s.get()).active);   // the established one stays
}

TEST_CASE("session: records known answers (python3-cryptography)", "[core][session][kat]")
{
    for (const auto &v : kat::session::all) {
        CAPTURE(v.name);
        uint32_t aead = std::string(v.aead) == "aes-128-gcm"   ? SPDM_AEAD_AES_128_GCM
                        : std::string(v.aead) == "aes-256-gcm" ? SPDM_AEAD_AES_256_GCM
                                                               : SPDM_AEAD_CHACHA20_POLY1305;
        Platform plat;
        for (bool enc : {true, false}) {
            CAPTURE(enc);
            const Bytes &rec = enc ? v.record_enc : v.record_mac;
            spdm_secmsg_keys k{};
            k.aead = aead;
            k.encrypt = enc;
            std::memcpy(k.key, v.rsp_data_key.data(), v.rsp_data_key.size());
            k.key_len = v.rsp_data_key.size();
            std::memcpy(k.iv, v.rsp_data_iv.data(), SPDM_AEAD_IV_LEN);
            k.seq = v.seq;
            // seal reproduces the record byte for byte
            Bytes out(rec.size() + 8);
            spdm_secmsg_keys ks = k;
            ssize_t n = spdm_secmsg_seal(user_ops(), &plat, &ks, v.session_id, v.app.data(), v.app.size(),
                                         out.data(), out.size());
            REQUIRE(n == ssize_t(rec.size()));
            out.resize(size_t(n));
            CHECK(out == rec);
            CHECK(ks.seq == v.seq + 1);
            // open accepts it
            Bytes app(rec.size());
            const char *why = "";
            spdm_secmsg_keys ko = k;
            n = spdm_secmsg_open(user_ops(), &plat, &ko, v.session_id, rec.data(), rec.size(), app.data(),
                                 app.size(), &why);
            REQUIRE(n == ssize_t(v.app.size()));
            CHECK(Bytes(app.begin(), app.begin() + n) == v.app);
            CHECK(ko.seq == v.seq + 1);
            // and refuses every flipped byte, another sequence number, padding
            for (size_t i = 0; i < rec.size(); i++) {
                Bytes bad = rec;
                bad[i] ^= 0x01;
                spdm_secmsg_keys kb = k;
                CHECK(spdm_secmsg_open(user_ops(), &plat, &kb, v.session_id, bad.data(), bad.size(),
                                       app.data(), app.size(), &why) < 0);
                CHECK(kb.seq == v.seq);
            }
            spdm_secmsg_keys kn = k;
            kn.seq = v.seq + 1;
            CHECK(spdm_secmsg_open(user_ops(), &plat, &kn, v.session_id, rec.data(), rec.size(), app.data(),
                                   app.size(), &why) == -EBADMSG);
            Bytes padded = rec;
            padded.insert(padded.end(), {0, 0, 0});
            kn = k;
            CHECK(spdm_secmsg_open(user_ops(), &plat, &kn, v.session_id, padded.data(), padded.size(),
                                   app.data(), app.size(), &why) == ssize_t(v.app.size()));
            padded.push_back(0);
            kn = k;
            CHECK(spdm_secmsg_open(user_ops(), &plat, &kn, v.session_id, padded.data(), padded.size(),
                                   app.data(), app.size(), &why) == -EBADMSG);
        }
    }
}

TEST_CASE("session: sequence numbers never wrap", "[core][session]")
{
    Platform plat;
    spdm_secmsg_keys k{};
    k.aead = SPDM_AEAD_AES_128_GCM;
    k.encrypt = true;
    k.key_len = 16;
    k.seq = UINT64_MAX - 1;
    uint8_t app[4] = {0x12, 0xE8, 0, 0}, out[64];
    CHECK(spdm_secmsg_seal(user_ops(), &plat, &k, 1, app, 4, out, sizeof(out)) > 0);
    CHECK(k.seq == UINT64_MAX);
    CHECK(spdm_secmsg_seal(user_ops(), &plat, &k, 1, app, 4, out, sizeof(out)) == -EOVERFLOW);
}

TEST_CASE("session: a device that negotiates another AEAD or DHE later is a downgrade", "[core][session][devsim]")
{
    const auto &id = identity(Asym::EcdsaP256, Hash::Sha256);
    auto [field, later_bits] = GENERATE(std::make_pair(0, uint16_t(SPDM_AEAD_AES_128_GCM)),
                                        std::make_pair(1, uint16_t(SPDM_DHE_SECP256R1)));
    devsim::Config first_cfg = config_for(0x13), later_cfg = config_for(0x13);
    first_cfg.aead_algos = SPDM_AEAD_AES_256_GCM;
    first_cfg.dhe_algos = SPDM_DHE_SECP384R1;
    later_cfg.aead_algos = field == 0 ? later_bits : uint16_t(SPDM_AEAD_AES_256_GCM);
    later_cfg.dhe_algos = field == 1 ? later_bits : uint16_t(SPDM_DHE_SECP384R1);
    devsim::Responder first(first_cfg, id), later(later_cfg, id);
    devsim::Responder *cur = &first;
    Platform plat([&](std::span<const uint8_t> req) { return cur->handle(req); });
    plat.set_secured([&](std::span<const uint8_t> rec) {
        auto r = cur->handle_secured(rec);
        return std::make_pair(r.data, r.secured);
    });
    auto s = make_secure(plat);
    establish(s.get());
    CHECK(info(s.get()).aead == SPDM_AEAD_AES_256_GCM);
    CHECK(info(s.get()).dhe == SPDM_DHE_SECP384R1);
    cur = &later;   // the device was reset into a weaker configuration
    spdm_state_lost(s.get());
    CHECK(spdm_secure_start(s.get()) == -EKEYREJECTED);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_DOWNGRADE);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("downgrade"));
    CHECK_FALSE(info(s.get()).active);
    // revalidation sees it too
    CHECK(spdm_revalidate(s.get(), nullptr) == -EKEYREJECTED);
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_DOWNGRADE);
}

TEST_CASE("session: memory kept per device with a session is at most 8 KiB", "[core][session][devsim][memory]")
{
    // the module's transport buffer (max_response, 64 KiB): kept per
    // operation, never for the session's lifetime
    Device dev(config_for(0x14), identity(Asym::EcdsaP384, Hash::Sha384));
    spdm_params prm = dev.plat.params();
    prm.secure = true;
    prm.max_resp = 65536;
    spdm_session *raw = nullptr;
    REQUIRE(spdm_session_create(&prm, &raw) == 0);
    SessionPtr s(raw);
    establish(s.get());
    CHECK(spdm_mem_used(s.get()) <= 8192);
    CHECK(dev.plat.live_bytes == spdm_mem_used(s.get()));
    REQUIRE(spdm_secure_heartbeat(s.get()) == 0);
    REQUIRE(spdm_secure_key_update(s.get(), true) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    CHECK(spdm_mem_used(s.get()) <= 8192);
    CHECK(dev.plat.live_bytes == spdm_mem_used(s.get()));
    REQUIRE(spdm_secure_heartbeat(s.get()) == 0);
    CHECK(info(s.get()).active);
}

// A responder with MAC_CAP and no ENCRYPT_CAP (devsim --session-mac-only):
// the core offers both, so the session is authenticated only; records
// carry the message in the clear (no ApplicationDataLength, no padding)
// and the MAC over header and message (the AEAD with no plaintext).
TEST_CASE("session: MAC only (the device has no ENCRYPT_CAP)", "[core][session][devsim]")
{
    auto v = GENERATE(as<uint8_t>{}, 0x11, 0x12, 0x13);
    auto aead = GENERATE(as<uint32_t>{}, SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM, SPDM_AEAD_CHACHA20_POLY1305);
    CAPTURE(unsigned(v), aead);
    devsim::Config c = config_for(0x13);
    c.session_mac_only = true;
    Device dev(std::move(c), identity(Asym::EcdsaP384, Hash::Sha384));
    auto s = make_secure(dev.plat, v, 0, aead);
    establish(s.get());
    auto i = info(s.get());
    CHECK_FALSE(i.encrypted);
    CHECK(i.aead == aead);
    CHECK(i.version == v);
    CHECK(dev.rsp.status_json().find("\"encrypt\":false") != std::string::npos);
    // HEARTBEAT in the clear inside the record: SessionID, Length, the
    // 4-byte message, the 16-byte MAC
    REQUIRE(spdm_secure_heartbeat(s.get()) == 0);
    const Bytes &hb = dev.plat.secured_requests.back();
    CHECK(hb.size() == 6 + 4 + 16);
    CHECK(hb[4] == 4 + 16);
    CHECK(hb[6] == v);
    CHECK(hb[7] == 0xE8);
    size_t plain = dev.plat.requests.size();
    INFO(spdm_last_error(s.get()));
    CHECK(spdm_secure_key_update(s.get(), false) == 0);
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
    CHECK(spdm_secure_key_update(s.get(), true) == 0);
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
    REQUIRE(spdm_get_measurements(s.get(), nullptr) == 0);
    CHECK(dev.plat.requests.size() == plain);   // all of it secured
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    CHECK(ev.complete);
    CHECK(verify_offline(ev, true) == "");
    CHECK(info(s.get()).key_updates == 2);
    CHECK(spdm_secure_end(s.get()) == 0);
    CHECK_FALSE(info(s.get()).active);
    CHECK(dev.rsp.session_count() == 0);
    CHECK(dev.plat.live_bytes == spdm_mem_used(s.get()));
}

TEST_CASE("session: MAC only, a tampered record is refused", "[core][session][devsim][faults]")
{
    devsim::Config c = config_for(0x13);
    c.session_mac_only = true;
    Device dev(std::move(c), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_secure(dev.plat);
    establish(s.get());
    REQUIRE_FALSE(info(s.get()).encrypted);
    SECTION("the message (in the clear) changed") {
        // HEARTBEAT_ACK's Param1 flipped on the way: readable, not authentic
        dev.plat.set_secured([&](std::span<const uint8_t> rec) {
            auto r = dev.rsp.handle_secured(rec);
            if (r.secured && r.data.size() > 8)
                r.data[8] ^= 0x01;
            return std::make_pair(r.data, r.secured);
        });
        CHECK(spdm_secure_heartbeat(s.get()) == -EBADMSG);
    }
    SECTION("the MAC changed (devsim bad-tag)") {
        dev.rsp.apply_fault("bad-tag=1");
        CHECK(spdm_secure_heartbeat(s.get()) < 0);
    }
    CHECK(spdm_last_failure(s.get()) == SPDM_FAIL_SESSION);
    CHECK_THAT(spdm_last_error(s.get()), ContainsSubstring("MAC does not verify"));
    CHECK_FALSE(info(s.get()).active);
    CHECK(dev.plat.live_bytes == spdm_mem_used(s.get()));
}

// DSP0274's general opaque data format allows elements of other registries
// beside the DMTF one: the requester skips them (it required exactly one
// element before, and refused this device).
TEST_CASE("session: KEY_EXCHANGE_RSP OpaqueData with a vendor element", "[core][session][devsim]")
{
    auto v = GENERATE(as<uint8_t>{}, 0x11, 0x12, 0x13);
    CAPTURE(unsigned(v));
    devsim::Config c = config_for(v);
    c.kex_rsp_vendor_element = true;
    Device dev(std::move(c), identity(Asym::EcdsaP256, Hash::Sha256));
    auto s = make_secure(dev.plat);
    establish(s.get());
    CHECK(info(s.get()).sm_version == 0x11);
    CHECK(spdm_secure_heartbeat(s.get()) == 0);
}
