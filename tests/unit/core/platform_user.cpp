// SPDX-License-Identifier: GPL-2.0
#include "platform_user.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <sys/random.h>

#include <mbedtls/asn1.h>
#include <mbedtls/chachapoly.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/gcm.h>
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
    Platform *p = plat(priv);
    auto r = std::span(static_cast<const uint8_t *>(req), req_len);
    p->now_us += p->exchange_us;
    if (type == SPDM_TRANSPORT_SECURED) {
        p->secured_requests.emplace_back(r.begin(), r.end());
        if (!p->secured)
            return -EOPNOTSUPP;
        return p->secured(r, std::span(static_cast<uint8_t *>(resp), cap));
    }
    if (type != SPDM_TRANSPORT_SPDM)
        return -EOPNOTSUPP;
    p->requests.emplace_back(r.begin(), r.end());
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

int rng(void *, unsigned char *out, size_t len)
{
    while (len) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        out += n;
        len -= size_t(n);
    }
    return 0;
}

// An ephemeral ECDH key: the group and the private scalar.
struct DheKey {
    mbedtls_ecp_group grp;
    mbedtls_mpi d;
    DheKey() { mbedtls_ecp_group_init(&grp); mbedtls_mpi_init(&d); }
    ~DheKey() { mbedtls_mpi_free(&d); mbedtls_ecp_group_free(&grp); }  // mbedTLS zeroes both
};

int u_dhe_gen(void *priv, uint32_t dhe, void **key, uint8_t *pub, size_t pub_len)
{
    mbedtls_ecp_group_id id = dhe == SPDM_DHE_SECP256R1 ? MBEDTLS_ECP_DP_SECP256R1
                            : dhe == SPDM_DHE_SECP384R1 ? MBEDTLS_ECP_DP_SECP384R1 : MBEDTLS_ECP_DP_NONE;
    if (id == MBEDTLS_ECP_DP_NONE || pub_len != (dhe == SPDM_DHE_SECP256R1 ? 64u : 96u))
        return -EOPNOTSUPP;
    if (plat(priv)->dhe_fail)
        return plat(priv)->dhe_fail;
    auto k = std::make_unique<DheKey>();
    mbedtls_ecp_point q;
    mbedtls_ecp_point_init(&q);
    uint8_t buf[1 + 96];
    size_t olen = 0;
    int rc = mbedtls_ecp_group_load(&k->grp, id);
    if (!rc)
        rc = mbedtls_ecp_gen_keypair(&k->grp, &k->d, &q, rng, nullptr);
    if (!rc)
        rc = mbedtls_ecp_point_write_binary(&k->grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, buf, sizeof(buf));
    mbedtls_ecp_point_free(&q);
    if (rc || olen != pub_len + 1)
        return -EIO;
    std::memcpy(pub, buf + 1, pub_len);
    *key = k.release();
    return 0;
}

int u_dhe_shared(void *, void *key, const uint8_t *peer, size_t peer_len, uint8_t *secret, size_t secret_len)
{
    auto *k = static_cast<DheKey *>(key);
    uint8_t enc[1 + 96];
    if (peer_len + 1 > sizeof(enc) || secret_len * 2 != peer_len)
        return -EINVAL;
    enc[0] = 0x04;
    std::memcpy(enc + 1, peer, peer_len);
    mbedtls_ecp_point q;
    mbedtls_mpi z;
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&z);
    int rc = mbedtls_ecp_point_read_binary(&k->grp, &q, enc, peer_len + 1);
    if (!rc)
        rc = mbedtls_ecp_check_pubkey(&k->grp, &q);
    if (!rc)
        rc = mbedtls_ecdh_compute_shared(&k->grp, &z, &q, &k->d, rng, nullptr);
    if (!rc)
        rc = mbedtls_mpi_write_binary(&z, secret, secret_len);
    mbedtls_mpi_free(&z);
    mbedtls_ecp_point_free(&q);
    return rc ? -EINVAL : 0;
}

void u_dhe_free(void *, void *key) { delete static_cast<DheKey *>(key); }

int u_hmac(void *, uint32_t alg, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
           uint8_t *out)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_of(alg));
    if (!md)
        return -EOPNOTSUPP;
    return mbedtls_md_hmac(md, key, key_len, data, len, out) ? -EIO : 0;
}

// AEAD both ways; open: -EBADMSG on a tag mismatch (out zeroed).
int u_aead(bool seal, uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv, const uint8_t *aad,
           size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    static const uint8_t none[1] = {0};
    uint8_t scratch[1];
    if (!len) {
        in = none;
        out = scratch;
    }
    int rc;
    if (aead == SPDM_AEAD_CHACHA20_POLY1305) {
        if (key_len != 32)
            return -EINVAL;
        mbedtls_chachapoly_context c;
        mbedtls_chachapoly_init(&c);
        rc = mbedtls_chachapoly_setkey(&c, key);
        if (!rc)
            rc = seal ? mbedtls_chachapoly_encrypt_and_tag(&c, len, iv, aad, aad_len, in, out, tag)
                      : mbedtls_chachapoly_auth_decrypt(&c, len, iv, aad, aad_len, tag, in, out);
        mbedtls_chachapoly_free(&c);
        if (rc == MBEDTLS_ERR_CHACHAPOLY_AUTH_FAILED)
            rc = -EBADMSG;
    } else if (aead == SPDM_AEAD_AES_128_GCM || aead == SPDM_AEAD_AES_256_GCM) {
        if (key_len != (aead == SPDM_AEAD_AES_128_GCM ? 16u : 32u))
            return -EINVAL;
        mbedtls_gcm_context c;
        mbedtls_gcm_init(&c);
        rc = mbedtls_gcm_setkey(&c, MBEDTLS_CIPHER_ID_AES, key, unsigned(key_len * 8));
        if (!rc)
            rc = seal ? mbedtls_gcm_crypt_and_tag(&c, MBEDTLS_GCM_ENCRYPT, len, iv, SPDM_AEAD_IV_LEN, aad, aad_len,
                                                  in, out, SPDM_AEAD_TAG_LEN, tag)
                      : mbedtls_gcm_auth_decrypt(&c, len, iv, SPDM_AEAD_IV_LEN, aad, aad_len, tag,
                                                 SPDM_AEAD_TAG_LEN, in, out);
        mbedtls_gcm_free(&c);
        if (rc == MBEDTLS_ERR_GCM_AUTH_FAILED)
            rc = -EBADMSG;
    } else {
        return -EOPNOTSUPP;
    }
    if (rc && len)
        explicit_bzero(out, len);
    return rc == -EBADMSG ? rc : rc ? -EIO : 0;
}

int u_aead_seal(void *priv, uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv,
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    if (plat(priv)->aead_missing & aead)
        return -ENOPKG;
    return u_aead(true, aead, key, key_len, iv, aad, aad_len, in, len, out, tag);
}

int u_aead_open(void *priv, uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv,
                const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                const uint8_t *tag)
{
    if (plat(priv)->aead_missing & aead)
        return -ENOPKG;
    return u_aead(false, aead, key, key_len, iv, aad, aad_len, in, len, out, const_cast<uint8_t *>(tag));
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
    .dhe_gen = u_dhe_gen,
    .dhe_shared = u_dhe_shared,
    .dhe_free = u_dhe_free,
    .hmac = u_hmac,
    .aead_seal = u_aead_seal,
    .aead_open = u_aead_open,
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

void Platform::set_secured(SecuredFn f)
{
    secured = [f = std::move(f)](std::span<const uint8_t> req, std::span<uint8_t> resp) -> ssize_t {
        auto [r, is_secured] = f(req);
        if (r.empty())
            return -ETIMEDOUT;
        if (!is_secured)
            return -EPROTO;  // a plain SPDM message: another DOE data object type
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
