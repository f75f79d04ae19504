// SPDX-License-Identifier: GPL-2.0
#include "platform_user.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <sys/random.h>

#include <mbedtls/asn1.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
extern "C" {
#include <mbedtls/psa_util.h>
}
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

namespace spdmtest {
namespace {

struct UserKey {
    mbedtls_pk_context pk;
    uint32_t asym;
    mbedtls_md_type_t md;
};

mbedtls_md_type_t md_of(uint32_t alg)
{
    switch (alg) {
    case SPDM_HASH_SHA256: return MBEDTLS_MD_SHA256;
    case SPDM_HASH_SHA384: return MBEDTLS_MD_SHA384;
    case SPDM_HASH_SHA512: return MBEDTLS_MD_SHA512;
    }
    return MBEDTLS_MD_NONE;
}

size_t ec_bits(uint32_t asym)
{
    switch (asym) {
    case SPDM_ASYM_ECDSA_P256: return 256;
    case SPDM_ASYM_ECDSA_P384: return 384;
    case SPDM_ASYM_ECDSA_P521: return 521;
    }
    return 0;
}

void ensure_psa()
{
    static bool done = [] { return psa_crypto_init() == PSA_SUCCESS; }();
    (void)done;
}

// Verify raw SPDM signature bytes (EC: r||s big-endian; RSA: PKCS#1 v1.5).
int pk_verify_raw(mbedtls_pk_context *pk, uint32_t asym, mbedtls_md_type_t md,
                  const uint8_t *digest, size_t dlen, const uint8_t *sig, size_t slen)
{
    ensure_psa();
    if (slen != spdm_sig_len(asym))
        return -EINVAL;
    if (size_t bits = ec_bits(asym)) {
        uint8_t der[160];
        size_t der_len = 0;
        if (mbedtls_ecdsa_raw_to_der(bits, sig, slen, der, sizeof(der), &der_len))
            return -EBADMSG;
        return mbedtls_pk_verify(pk, md, digest, dlen, der, der_len) ? -EKEYREJECTED : 0;
    }
    return mbedtls_pk_verify(pk, md, digest, dlen, sig, slen) ? -EKEYREJECTED : 0;
}

Platform *plat(void *priv) { return static_cast<Platform *>(priv); }

ssize_t u_exchange(void *priv, spdm_transport_type type, const void *req, size_t req_len,
                   void *resp, size_t cap)
{
    if (type != SPDM_TRANSPORT_SPDM)
        return -EOPNOTSUPP;  // no secured messages yet
    Platform *p = plat(priv);
    auto r = std::span(static_cast<const uint8_t *>(req), req_len);
    p->requests.emplace_back(r.begin(), r.end());
    p->now_us += p->exchange_us;
    if (!p->exchange)
        return -ENODEV;
    return p->exchange(r, std::span(static_cast<uint8_t *>(resp), cap));
}

int u_hash(void *, uint32_t alg, const void *data, size_t len, uint8_t *out)
{
    return user_hash(alg, static_cast<const uint8_t *>(data), len, out);
}

int u_key_load(void *, uint32_t asym, uint32_t hash, const uint8_t *spki, size_t spki_len,
               const uint8_t *, size_t, void **key)
{
    ensure_psa();
    auto *k = new UserKey;
    mbedtls_pk_init(&k->pk);
    k->asym = asym;
    k->md = md_of(hash);
    if (k->md == MBEDTLS_MD_NONE || mbedtls_pk_parse_public_key(&k->pk, spki, spki_len)) {
        mbedtls_pk_free(&k->pk);
        delete k;
        return -EINVAL;
    }
    bool ec = ec_bits(asym) != 0;
    if (ec != (mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_ECKEY)) {
        mbedtls_pk_free(&k->pk);
        delete k;
        return -EINVAL;
    }
    *key = k;
    return 0;
}

int u_verify(void *, void *key, const uint8_t *digest, size_t dlen, const uint8_t *sig, size_t slen)
{
    auto *k = static_cast<UserKey *>(key);
    return pk_verify_raw(&k->pk, k->asym, k->md, digest, dlen, sig, slen);
}

void u_key_free(void *, void *key)
{
    auto *k = static_cast<UserKey *>(key);
    mbedtls_pk_free(&k->pk);
    delete k;
}

int u_random(void *priv, void *buf, size_t len)
{
    auto *b = static_cast<uint8_t *>(buf);
    if (plat(priv)->random)
        return plat(priv)->random(b, len);
    while (len) {
        ssize_t n = getrandom(b, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        b += n;
        len -= size_t(n);
    }
    return 0;
}

void *u_zalloc(void *priv, size_t len)
{
    Platform *p = plat(priv);
    if (p->fail_alloc_at >= 0 && p->alloc_calls++ == p->fail_alloc_at)
        return nullptr;
    void *m = calloc(1, len);
    if (m) {
        p->live_allocs++;
        p->live_bytes += len;
    }
    return m;
}

void u_free(void *priv, void *m, size_t len)
{
    if (!m)
        return;
    explicit_bzero(m, len);
    free(m);
    plat(priv)->live_allocs--;
    plat(priv)->live_bytes -= len;
}

// Like the kernel's: sleeps no longer than the time left to the deadline.
void u_delay(void *priv, unsigned int us)
{
    Platform *p = plat(priv);
    p->delays++;
    uint64_t d = us;
    if (p->deadline_us)
        d = p->now_us >= p->deadline_us ? 0 : std::min<uint64_t>(d, p->deadline_us - p->now_us);
    p->now_us += d;
}

int u_check(void *priv)
{
    Platform *p = plat(priv);
    p->checks++;
    if (p->aborted)
        return -ENODEV;
    if (p->expire_after >= 0 && long(p->requests.size()) >= p->expire_after)
        return p->check_errno;
    if (p->deadline_us && p->now_us >= p->deadline_us)
        return -ETIME;
    return 0;
}

const spdm_ops ops = {
    .exchange = u_exchange,
    .hash = u_hash,
    .key_load = u_key_load,
    .verify = u_verify,
    .key_free = u_key_free,
    .random = u_random,
    .zalloc = u_zalloc,
    .free = u_free,
    .delay_us = u_delay,
    .check = u_check,
};

}  // namespace

int user_hash(uint32_t alg, const uint8_t *data, size_t len, uint8_t *out)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_of(alg));
    if (!md)
        return -EOPNOTSUPP;
    return mbedtls_md(md, data, len, out) ? -EIO : 0;
}

const spdm_ops *user_ops() { return &ops; }

void Platform::set_reply(ReplyFn f)
{
    exchange = [f = std::move(f)](std::span<const uint8_t> req, std::span<uint8_t> resp) -> ssize_t {
        Bytes r = f(req);
        if (r.empty())
            return -ETIMEDOUT;
        if (r.size() > resp.size())
            return -EOVERFLOW;
        std::memcpy(resp.data(), r.data(), r.size());
        return ssize_t(r.size());
    };
}

spdm_params Platform::params(size_t max_resp, size_t budget) const
{
    spdm_params p{};
    p.ops = &ops;
    p.priv = const_cast<Platform *>(this);
    p.max_resp = max_resp;
    p.mem_budget = budget;
    return p;
}

SessionPtr make_session(Platform &p, size_t max_resp, size_t budget, uint8_t max_version,
                        uint32_t asym_mask, uint32_t hash_mask)
{
    spdm_params prm = p.params(max_resp, budget);
    prm.max_version = max_version;
    prm.asym_mask = asym_mask;
    prm.hash_mask = hash_mask;
    spdm_session *s = nullptr;
    int rc = spdm_session_create(&prm, &s);
    if (rc)
        throw std::runtime_error("spdm_session_create: " + std::to_string(rc));
    return SessionPtr(s);
}

Bytes flat(const spdm_seg_view &v)
{
    Bytes b(v.len);
    if (v.len && spdm_seg_copy(&v, 0, b.data(), b.size()) != v.len)
        b.clear();
    return b;
}

std::string verify_offline(const spdm_evidence &ev, bool meas)
{
    ensure_psa();
    const size_t h = ev.hash_len;
    if (!ev.chain.data || ev.chain.len < 4 + h)
        return "no chain";
    // split the certificates with mbedTLS's ASN.1 reader
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    std::unique_ptr<mbedtls_x509_crt, void (*)(mbedtls_x509_crt *)> guard(&crt, mbedtls_x509_crt_free);
    unsigned char *p = const_cast<unsigned char *>(ev.chain.data) + 4 + h;
    const unsigned char *end = ev.chain.data + ev.chain.len;
    int n = 0;
    while (p < end) {
        unsigned char *start = p;
        size_t len;
        if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
            return "chain: not a DER sequence";
        p += len;
        if (mbedtls_x509_crt_parse_der(&crt, start, size_t(p - start)))
            return "chain: mbedTLS rejects certificate " + std::to_string(n);
        n++;
    }
    // the root hash in the chain header must be the hash of the first cert
    uint8_t rh[64];
    if (user_hash(ev.hash, crt.raw.p, crt.raw.len, rh) || std::memcmp(rh, ev.chain.data + 4, h))
        return "chain: root hash mismatch";
    // verify the chain to its own root (the trust anchor here)
    mbedtls_x509_crt *leaf = &crt;
    while (leaf->next)
        leaf = leaf->next;
    mbedtls_x509_crt root;
    mbedtls_x509_crt_init(&root);
    std::unique_ptr<mbedtls_x509_crt, void (*)(mbedtls_x509_crt *)> rguard(&root, mbedtls_x509_crt_free);
    if (mbedtls_x509_crt_parse_der(&root, crt.raw.p, crt.raw.len))
        return "root: unparsable";
    uint32_t flags = 0;
    if (mbedtls_x509_crt_verify(&crt, &root, nullptr, nullptr, &flags, nullptr, nullptr) &&
        (flags & ~uint32_t(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE |
                           MBEDTLS_X509_BADCERT_CN_MISMATCH)))
        return "chain: does not verify to its root, flags " + std::to_string(flags);
    // slot digest = Hash(chain)
    uint8_t d[64];
    if (user_hash(ev.hash, ev.chain.data, ev.chain.len, d) || std::memcmp(d, ev.digests[ev.slot], h))
        return "slot digest mismatch";
    // rebuild the signed digest
    const Bytes t = flat(meas ? ev.meas_transcript : ev.transcript);
    const spdm_buf_view &sig = meas ? ev.meas_signature : ev.signature;
    const char *ctx = meas ? ev.meas_context : ev.context;
    if (t.empty() || !sig.data)
        return "no transcript/signature";
    uint8_t digest[64];
    if (user_hash(ev.hash, t.data(), t.size(), digest))
        return "hash";
    if (ev.version >= 0x12) {
        if (!ctx)
            return "no context for 1.2+";
        Bytes m;
        std::string pre = "dmtf-spdm-v1." + std::to_string(ev.version & 0xf) + ".*";
        for (int i = 0; i < 4; i++)
            m.insert(m.end(), pre.begin(), pre.end());
        size_t cl = std::strlen(ctx);
        m.insert(m.end(), 36 - cl, 0);
        m.insert(m.end(), ctx, ctx + cl);
        m.insert(m.end(), digest, digest + h);
        if (user_hash(ev.hash, m.data(), m.size(), digest))
            return "hash";
    }
    int rc = pk_verify_raw(&leaf->pk, ev.asym, md_of(ev.hash), digest, h, sig.data, sig.len);
    return rc ? "signature does not verify offline" : "";
}

}  // namespace spdmtest
