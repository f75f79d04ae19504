// SPDX-License-Identifier: GPL-2.0
// An independent SPDM requester for the devsim tests.  It keeps its own
// transcripts from the bytes it sends and receives and verifies signatures
// with mbedTLS directly; it shares no code with the responder.
#pragma once
#include <devsim/responder.hpp>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace rq {

using devsim::Bytes;

inline Bytes H(mbedtls_md_type_t md, const Bytes &d) {
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md);
    Bytes out(mbedtls_md_get_size(info));
    mbedtls_md(info, d.data(), d.size(), out.data());
    return out;
}
inline void cat(Bytes &a, const Bytes &b) { a.insert(a.end(), b.begin(), b.end()); }
inline uint32_t le16(const Bytes &b, size_t o) { return b.at(o) | b.at(o + 1) << 8; }
inline uint32_t le32(const Bytes &b, size_t o) { return le16(b, o) | le16(b, o + 2) << 16; }

struct Requester {
    devsim::Responder &dev;
    uint8_t ver = 0x12;
    uint32_t offer_asym = 0x1B5;   // RSASSA 2048/3072/4096, ECDSA P256/384/521
    uint32_t offer_hash = 0x7;
    uint32_t dts = 0x1200, max_msg = 0x1200;
    uint32_t sel_asym = 0, sel_hash = 0;
    mbedtls_md_type_t md = MBEDTLS_MD_NONE;
    size_t hlen = 0;
    Bytes vca, msg_b, msg_l;
    Bytes chain;                   // SPDM chain of the slot last fetched
    Bytes last;                    // last response

    explicit Requester(devsim::Responder &d, uint8_t v = 0x12) : dev(d), ver(v) {}

    Bytes xfer(const Bytes &req) {
        // Transcript rules (DSP0274): any request but GET_MEASUREMENTS resets
        // L; GET_MEASUREMENTS resets B when CHALLENGE was skipped.
        if (req.size() > 1 && req[1] != 0xE0)
            msg_l.clear();
        else
            msg_b.clear();
        last = dev.handle(req);
        return last;
    }

    void connect(uint8_t struct_count = 0) {
        Bytes gv{0x10, 0x84, 0, 0};
        Bytes v = xfer(gv);
        if (v.size() < 6 || v[1] != 0x04)
            throw std::runtime_error("VERSION");
        vca = gv;
        cat(vca, v);
        Bytes caps{ver, 0xE1, 0, 0};
        if (ver >= 0x11) {
            Bytes more{0, 10, 0, 0, 0x06, 0, 0, 0};  // CT 10; CERT_CAP|CHAL_CAP
            cat(caps, more);
        }
        if (ver >= 0x12) {
            for (int i = 0; i < 4; i++) caps.push_back(uint8_t(dts >> (8 * i)));
            for (int i = 0; i < 4; i++) caps.push_back(uint8_t(max_msg >> (8 * i)));
        }
        Bytes c = xfer(caps);
        if (c.size() < 12 || c[1] != 0x61)
            throw std::runtime_error("CAPABILITIES");
        cat(vca, caps);
        cat(vca, c);
        if (ver == 0x10)
            struct_count = 0;
        Bytes na{ver, 0xE3, struct_count, 0, 0, 0, 0x01, uint8_t(ver >= 0x12 ? 0x02 : 0)};
        for (int i = 0; i < 4; i++) na.push_back(uint8_t(offer_asym >> (8 * i)));
        for (int i = 0; i < 4; i++) na.push_back(uint8_t(offer_hash >> (8 * i)));
        na.resize(32, 0);
        for (uint8_t t = 2; t < 2 + struct_count; t++) {
            Bytes s{t, 0x20, 0x01, 0x00};
            cat(na, s);
        }
        na[4] = uint8_t(na.size());
        Bytes a = xfer(na);
        if (a.size() < 36 || a[1] != 0x63)
            throw std::runtime_error("ALGORITHMS");
        cat(vca, na);
        cat(vca, a);
        sel_asym = le32(a, 12);
        sel_hash = le32(a, 16);
        md = sel_hash == 1 ? MBEDTLS_MD_SHA256 : sel_hash == 2 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA512;
        hlen = sel_hash == 1 ? 32 : sel_hash == 2 ? 48 : 64;
        msg_b.clear();
        msg_l.clear();
    }

    Bytes digests() {
        Bytes req{ver, 0x81, 0, 0};
        Bytes r = xfer(req);
        cat(msg_b, req);
        cat(msg_b, r);
        return r;
    }

    Bytes get_chain(uint8_t slot, uint16_t chunk = 0xFFFF) {
        chain.clear();
        uint16_t offset = 0;
        for (int guard = 0; guard < 1000; guard++) {
            Bytes req{ver, 0x82, slot, 0, uint8_t(offset), uint8_t(offset >> 8), uint8_t(chunk), uint8_t(chunk >> 8)};
            Bytes r = xfer(req);
            if (r.size() < 8 || r[1] != 0x02)
                throw std::runtime_error("CERTIFICATE");
            uint32_t portion = le16(r, 4), remainder = le16(r, 6);
            if (r.size() != 8 + portion)
                throw std::runtime_error("CERTIFICATE portion size");
            cat(msg_b, req);
            cat(msg_b, r);
            chain.insert(chain.end(), r.begin() + 8, r.end());
            offset = uint16_t(offset + portion);
            if (remainder == 0)
                return chain;
        }
        throw std::runtime_error("too many CERTIFICATE chunks");
    }

    // Leaf public key verification of an SPDM signature over transcript.
    bool verify(const Bytes &transcript, const Bytes &sig, const char *context) {
        Bytes m;
        if (ver >= 0x12) {
            std::string p = "dmtf-spdm-v1." + std::to_string(ver & 0xF) + ".*";
            for (int i = 0; i < 4; i++)
                m.insert(m.end(), p.begin(), p.end());
            m.resize(64 + 36 - strlen(context), 0);
            m.insert(m.end(), context, context + strlen(context));
            cat(m, H(md, transcript));
        } else {
            m = transcript;
        }
        Bytes hash = H(md, m);
        // leaf = last DER certificate in the chain
        size_t off = 4 + hlen, leaf_off = off;
        while (off < chain.size()) {
            if (chain[off] != 0x30)
                return false;
            size_t len, hdr;
            uint8_t l0 = chain[off + 1];
            if (l0 < 0x80) { len = l0; hdr = 2; }
            else if (l0 == 0x81) { len = chain[off + 2]; hdr = 3; }
            else { len = size_t(chain[off + 2]) << 8 | chain[off + 3]; hdr = 4; }
            leaf_off = off;
            off += hdr + len;
        }
        mbedtls_x509_crt crt;
        mbedtls_x509_crt_init(&crt);
        bool ok = false;
        if (mbedtls_x509_crt_parse_der(&crt, chain.data() + leaf_off, chain.size() - leaf_off) == 0) {
            mbedtls_pk_context *pk = &crt.pk;
            if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA) {
                ok = sig.size() == mbedtls_pk_get_len(pk) &&
                     mbedtls_pk_verify(pk, md, hash.data(), hash.size(), sig.data(), sig.size()) == 0;
            } else {
                mbedtls_ecp_keypair *kp = mbedtls_pk_ec(*pk);
                size_t n = (mbedtls_pk_get_bitlen(pk) + 7) / 8;
                if (sig.size() == 2 * n) {
                    mbedtls_mpi r, s;
                    mbedtls_mpi_init(&r);
                    mbedtls_mpi_init(&s);
                    mbedtls_mpi_read_binary(&r, sig.data(), n);
                    mbedtls_mpi_read_binary(&s, sig.data() + n, n);
                    ok = mbedtls_ecdsa_verify(&kp->MBEDTLS_PRIVATE(grp), hash.data(), hash.size(),
                                              &kp->MBEDTLS_PRIVATE(Q), &r, &s) == 0;
                    mbedtls_mpi_free(&r);
                    mbedtls_mpi_free(&s);
                }
            }
        }
        mbedtls_x509_crt_free(&crt);
        return ok;
    }

    size_t sig_len() const {
        switch (sel_asym) {
        case 1u << 0: return 256;
        case 1u << 2: return 384;
        case 1u << 4: return 64;
        case 1u << 5: return 512;
        case 1u << 7: return 96;
        case 1u << 8: return 132;
        }
        return 0;
    }

    // CHALLENGE; returns true when CHALLENGE_AUTH verifies.
    bool challenge(uint8_t slot, uint8_t mtype, Bytes *summary = nullptr) {
        Bytes req{ver, 0x83, slot, mtype};
        for (int i = 0; i < 32; i++) req.push_back(uint8_t(0xA0 + i));
        if (ver >= 0x13)
            for (int i = 0; i < 8; i++) req.push_back(uint8_t(0xC0 + i));
        Bytes r = xfer(req);
        if (r.size() < 4 || r[1] != 0x03)
            throw std::runtime_error("CHALLENGE_AUTH expected, got code " + std::to_string(r.size() > 1 ? r[1] : 0));
        size_t off = 4;
        Bytes cert_hash(r.begin() + off, r.begin() + off + hlen);
        if (cert_hash != H(md, chain))
            throw std::runtime_error("CertChainHash mismatch");
        off += hlen + 32;
        if (mtype) {
            if (summary) *summary = Bytes(r.begin() + off, r.begin() + off + hlen);
            off += hlen;
        }
        size_t opaque = le16(r, off);
        off += 2 + opaque;
        if (ver >= 0x13) {
            if (!std::equal(req.end() - 8, req.end(), r.begin() + off))
                throw std::runtime_error("RequesterContext not echoed");
            off += 8;
        }
        if (r.size() != off + sig_len())
            throw std::runtime_error("CHALLENGE_AUTH size");
        Bytes t = vca;
        cat(t, msg_b);
        cat(t, req);
        t.insert(t.end(), r.begin(), r.begin() + off);
        msg_b.clear();
        return verify(t, Bytes(r.begin() + off, r.end()), "responder-challenge_auth signing");
    }

    // GET_MEASUREMENTS; when signed returns whether the signature verifies.
    bool measurements(uint8_t index, bool sign, uint8_t slot = 0, Bytes *record = nullptr, uint8_t *count = nullptr) {
        Bytes req{ver, 0xE0, uint8_t(sign ? 1 : 0), index};
        if (sign) {
            for (int i = 0; i < 32; i++) req.push_back(uint8_t(0x50 + i));
            if (ver >= 0x11) req.push_back(slot);
        }
        if (ver >= 0x13)
            for (int i = 0; i < 8; i++) req.push_back(uint8_t(0x70 + i));
        Bytes r = xfer(req);
        if (r.size() < 8 || r[1] != 0x60)
            throw std::runtime_error("MEASUREMENTS expected");
        if (count) *count = r[2];
        size_t reclen = r[5] | r[6] << 8 | r[7] << 16;
        if (record) *record = Bytes(r.begin() + 8, r.begin() + 8 + reclen);
        size_t off = 8 + reclen + 32;
        off += 2 + le16(r, off);
        if (ver >= 0x13) off += 8;
        cat(msg_l, req);
        if (!sign) {
            if (r.size() != off)
                throw std::runtime_error("MEASUREMENTS size");
            cat(msg_l, r);
            return true;
        }
        if (r.size() != off + sig_len())
            throw std::runtime_error("MEASUREMENTS size (signed)");
        msg_l.insert(msg_l.end(), r.begin(), r.begin() + off);
        Bytes l = ver >= 0x12 ? vca : Bytes{};
        cat(l, msg_l);
        msg_l.clear();
        return verify(l, Bytes(r.begin() + off, r.end()), "responder-measurements signing");
    }
};

}  // namespace rq
