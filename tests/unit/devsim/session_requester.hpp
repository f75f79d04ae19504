// SPDX-License-Identifier: GPL-2.0
// A minimal SPDM session requester for the devsim tests (test code only):
// VCA with KEY_EX_CAP, KEY_EXCHANGE (signature verified with the leaf key
// of the chain it fetched, by rq::Requester's own mbedTLS code),
// ResponderVerifyData checked, FINISH, then DSP0277 secured messages.
// Message layouts and transcripts are built here from DSP0274; the HKDF /
// AEAD primitives are devsim::sess's, which test_session.cpp checks
// against known answers from python3-cryptography first.
#pragma once
#include "requester.hpp"

#include <devsim/session.hpp>

#include <optional>

namespace sq {

using devsim::Bytes;
namespace sess = devsim::sess;

inline constexpr uint32_t kCert = 1u << 1, kChal = 1u << 2, kEncrypt = 1u << 6, kMac = 1u << 7, kKeyEx = 1u << 9,
                          kHbeat = 1u << 13, kKeyUpd = 1u << 14, kInClear = 1u << 15;

struct Reply {
    bool answered = false;    // handle_secured gave something
    bool secured = false;     // a secured message (else a plain SPDM message)
    bool opened = false;      // secured and it decrypted and verified
    Bytes msg;                // the SPDM message (decrypted or plain)
    Bytes raw;
};

struct SessionRequester {
    devsim::Responder &dev;
    rq::Requester q;
    uint8_t ver;
    uint32_t caps = kCert | kChal | kEncrypt | kMac | kKeyEx | kHbeat | kKeyUpd;
    uint16_t dhe_offer = sess::kDheBits, aead_offer = sess::kAeadBits;
    uint16_t dhe = 0, aead = 0;
    uint32_t rsp_caps = 0;
    devsim::Hash hash = devsim::Hash::Sha384;
    sess::KeySchedule ks;
    uint16_t req_id = 0x1234;
    uint32_t sid = 0;
    bool established = false, in_clear = false;
    uint8_t heartbeat_period = 0;
    Bytes th;
    // KEY_EXCHANGE's OpaqueData: the DSP0277 SupportedVersionList with
    // these versions (VersionNumberEntry), unless opaque_raw is set
    std::vector<uint16_t> sm_offer{0x1000, 0x1100};
    std::optional<Bytes> opaque_raw;
    uint16_t sm_selected = 0;   // SelectedVersion from KEY_EXCHANGE_RSP

    bool fmt1() const { return ver >= 0x12; }  // connect() offers OpaqueDataFmt1 on 1.2+

    // The general opaque data format (1.2+, OpaqueDataFmt1) or DSP0277's
    // table (1.1), one DMTF element with the supported version list.
    Bytes supported_versions() const {
        Bytes o = fmt1() ? Bytes{1, 0, 0, 0} : Bytes{0x46, 0x54, 0x4D, 0x44, 1, 1, 0, 0};
        size_t dlen = 3 + 2 * sm_offer.size();
        rq::cat(o, Bytes{0, 0, uint8_t(dlen), uint8_t(dlen >> 8), 1, 1, uint8_t(sm_offer.size())});
        for (uint16_t v : sm_offer) rq::cat(o, Bytes{uint8_t(v), uint8_t(v >> 8)});
        while (o.size() % 4) o.push_back(0);
        return o;
    }

    explicit SessionRequester(devsim::Responder &d, uint8_t v = 0x12) : dev(d), q(d, v), ver(v) {}

    bool encrypt() const { return (caps & kEncrypt) && (rsp_caps & kEncrypt); }

    void connect() {
        Bytes gv{0x10, 0x84, 0, 0};
        Bytes v = q.xfer(gv);
        if (v.size() < 6 || v[1] != 0x04)
            throw std::runtime_error("VERSION");
        q.vca = gv;
        rq::cat(q.vca, v);
        Bytes c{ver, 0xE1, 0, 0, 0, 10, 0, 0};
        for (int i = 0; i < 4; i++) c.push_back(uint8_t(caps >> (8 * i)));
        if (ver >= 0x12)
            for (int k = 0; k < 2; k++)
                for (int i = 0; i < 4; i++) c.push_back(uint8_t(0x1200 >> (8 * i)));
        Bytes cr = q.xfer(c);
        if (cr.size() < 12 || cr[1] != 0x61)
            throw std::runtime_error("CAPABILITIES");
        rsp_caps = rq::le32(cr, 8);
        rq::cat(q.vca, c);
        rq::cat(q.vca, cr);
        // NEGOTIATE_ALGORITHMS with DHE (2), AEAD (3), KeySchedule (5)
        Bytes na{ver, 0xE3, 3, 0, 0, 0, 0x01, uint8_t(ver >= 0x12 ? 0x02 : 0)};
        for (int i = 0; i < 4; i++) na.push_back(uint8_t(q.offer_asym >> (8 * i)));
        for (int i = 0; i < 4; i++) na.push_back(uint8_t(q.offer_hash >> (8 * i)));
        na.resize(32, 0);
        rq::cat(na, Bytes{2, 0x20, uint8_t(dhe_offer), uint8_t(dhe_offer >> 8)});
        rq::cat(na, Bytes{3, 0x20, uint8_t(aead_offer), uint8_t(aead_offer >> 8)});
        rq::cat(na, Bytes{5, 0x20, 1, 0});
        na[4] = uint8_t(na.size());
        Bytes a = q.xfer(na);
        if (a.size() < 36 + 12 || a[1] != 0x63)
            throw std::runtime_error("ALGORITHMS");
        rq::cat(q.vca, na);
        rq::cat(q.vca, a);
        q.sel_asym = rq::le32(a, 12);
        q.sel_hash = rq::le32(a, 16);
        q.md = q.sel_hash == 1 ? MBEDTLS_MD_SHA256 : q.sel_hash == 2 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA512;
        q.hlen = q.sel_hash == 1 ? 32 : q.sel_hash == 2 ? 48 : 64;
        hash = q.sel_hash == 1 ? devsim::Hash::Sha256 : q.sel_hash == 2 ? devsim::Hash::Sha384 : devsim::Hash::Sha512;
        for (size_t off = 36; off + 4 <= a.size(); off += 4) {
            uint16_t bits = uint16_t(rq::le16(a, off + 2));
            if (a[off] == 2) dhe = bits;
            if (a[off] == 3) aead = bits;
        }
        q.get_chain(0);
    }

    enum class Kx { Ok, Error, BadSignature, BadVerifyData, Malformed };
    Bytes last_error;   // the ERROR when Kx::Error

    Kx key_exchange(uint8_t mtype = 0, uint8_t slot = 0) {
        if (!dhe || !aead)
            throw std::runtime_error("no DHE/AEAD selected");
        auto d = sess::Dhe(dhe);
        Bytes rnd(sess::dhe_size(d) / 2 + 16);
        for (size_t i = 0; i < rnd.size(); i++) rnd[i] = uint8_t(0x33 + 7 * i + req_id);
        Bytes priv = sess::ecdh_generate(d, rnd);
        Bytes req{ver, 0xE4, mtype, slot, uint8_t(req_id), uint8_t(req_id >> 8), 0, 0};
        for (int i = 0; i < 32; i++) req.push_back(uint8_t(0x90 + i));
        rq::cat(req, sess::ecdh_public(d, priv));
        Bytes opaque = opaque_raw ? *opaque_raw : supported_versions();
        req.push_back(uint8_t(opaque.size()));
        req.push_back(uint8_t(opaque.size() >> 8));
        rq::cat(req, opaque);
        Bytes r = q.xfer(req);
        if (r.size() >= 4 && r[1] == 0x7F) {
            last_error = r;
            return Kx::Error;
        }
        size_t ds = sess::dhe_size(d), slen = q.sig_len(), hl = q.hlen;
        size_t off = 4 + 2 + 2 + 32;
        if (r.size() < off + ds + 2 || r[1] != 0x64)
            return Kx::Malformed;
        uint16_t rsp_id = uint16_t(rq::le16(r, 4));
        Bytes peer(r.begin() + 40, r.begin() + 40 + long(ds));
        off += ds + (mtype ? hl : 0);
        if (r.size() < off + 2)
            return Kx::Malformed;
        size_t olen = rq::le16(r, off);
        off += 2;
        // one DMTF element: SMDataVersion 1, SMDataID 0, SelectedVersion
        size_t h = fmt1() ? 4 : 8;
        if (olen != h + 8 || r.size() < off + olen || r[off + h + 2] != 4 || r[off + h + 5] != 0)
            return Kx::Malformed;
        sm_selected = uint16_t(rq::le16(r, off + h + 6));
        off += olen;
        in_clear = (caps & kInClear) && (rsp_caps & kInClear);
        if (r.size() != off + slen + (in_clear ? 0 : hl))
            return Kx::Malformed;
        heartbeat_period = r[2];
        // TH = A || Hash(chain) || KEY_EXCHANGE || KEY_EXCHANGE_RSP ...
        th = q.vca;
        rq::cat(th, rq::H(q.md, q.chain));
        rq::cat(th, req);
        th.insert(th.end(), r.begin(), r.begin() + long(off));
        Bytes sig(r.begin() + long(off), r.begin() + long(off + slen));
        if (!q.verify(th, sig, "responder-key_exchange_rsp signing"))
            return Kx::BadSignature;
        rq::cat(th, sig);
        auto shared = sess::ecdh_shared(d, priv, peer);
        if (!shared)
            return Kx::Malformed;
        ks = sess::KeySchedule{};
        ks.hash = hash;
        ks.aead = sess::Aead(aead);
        ks.version = ver;
        ks.handshake(*shared, rq::H(q.md, th));
        if (!in_clear) {
            Bytes verify(r.end() - long(hl), r.end());
            if (verify != sess::hmac(hash, ks.rsp_finished_key, rq::H(q.md, th)))
                return Kx::BadVerifyData;
            rq::cat(th, verify);
        }
        sid = req_id | uint32_t(rsp_id) << 16;
        established = false;
        return Kx::Ok;
    }

    sess::Keys &tx() { return established ? ks.req_data : ks.req_hs; }
    sess::Keys &rx() { return established ? ks.rsp_data : ks.rsp_hs; }

    // One secured exchange with the current keys.
    Reply send(const Bytes &app, std::optional<uint32_t> as_sid = std::nullopt) {
        Bytes rec = sess::seal(ks.aead, encrypt(), tx(), as_sid.value_or(sid), app);
        tx().seq++;
        return take(dev.handle_secured(rec));
    }
    Reply take(const devsim::Responder::SecuredReply &sr) {
        Reply out;
        out.answered = !sr.data.empty();
        out.secured = sr.secured;
        out.raw = sr.data;
        if (!out.answered)
            return out;
        if (!sr.secured) {
            out.msg = sr.data;
            return out;
        }
        if (sr.data.size() < 4 || rq::le32(sr.data, 0) != sid)
            return out;
        auto a = sess::open(ks.aead, encrypt(), rx(), sr.data);
        if (!a)
            return out;
        rx().seq++;
        out.opened = true;
        out.msg = *a;
        return out;
    }

    // FINISH; true when FINISH_RSP arrived and (in the clear) verifies.
    bool finish(Reply *rep = nullptr) {
        Bytes req{ver, 0xE5, 0, 0};
        Bytes t = th;
        rq::cat(t, req);
        rq::cat(req, sess::hmac(hash, ks.req_finished_key, rq::H(q.md, t)));
        Reply r;
        if (in_clear) {
            r.answered = true;
            r.msg = q.xfer(req);
        } else {
            r = send(req);
        }
        if (rep)
            *rep = r;
        if (r.msg.size() < 4 || r.msg[1] != 0x65)
            return false;
        rq::cat(th, req);
        if (in_clear) {
            if (r.msg.size() != 4 + q.hlen)
                return false;
            Bytes t2 = th;
            t2.insert(t2.end(), r.msg.begin(), r.msg.begin() + 4);
            if (Bytes(r.msg.begin() + 4, r.msg.end()) != sess::hmac(hash, ks.rsp_finished_key, rq::H(q.md, t2)))
                return false;
        } else if (r.msg.size() != 4) {
            return false;
        }
        rq::cat(th, r.msg);
        ks.data(rq::H(q.md, th));
        established = true;
        return true;
    }

    bool establish() {
        connect();
        return key_exchange() == Kx::Ok && finish();
    }

    Reply heartbeat() { return send(Bytes{ver, 0xE8, 0, 0}); }
    Reply end_session() { return send(Bytes{ver, 0xEC, 0, 0}); }  // END_SESSION (DSP0274 0xEC)

    // KEY_UPDATE as DSP0274 runs it: UpdateKey / UpdateAllKeys with the old
    // keys, our new request key from the next message on (and, for all
    // keys, the ACK already under the responder's new key); then
    // VerifyNewKey under the new key.
    bool key_update(bool all, uint8_t tag = 7) {
        Bytes req{ver, 0xE9, uint8_t(all ? 2 : 1), tag};
        Bytes rec = sess::seal(ks.aead, encrypt(), tx(), sid, req);
        tx().seq++;
        if (all)
            ks.update(ks.rsp_data);
        Reply r = take(dev.handle_secured(rec));
        if (!r.opened || r.msg != Bytes{ver, 0x69, uint8_t(all ? 2 : 1), tag})
            return false;
        ks.update(ks.req_data);
        Reply v = send(Bytes{ver, 0xE9, 3, uint8_t(tag + 1)});
        return v.opened && v.msg == Bytes{ver, 0x69, 3, uint8_t(tag + 1)};
    }
};

inline bool is_error(const Reply &r, uint8_t code) {
    return r.msg.size() >= 4 && r.msg[1] == 0x7F && r.msg[2] == code;
}

}  // namespace sq
