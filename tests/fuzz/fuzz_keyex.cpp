// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: secured-session establishment and use in the SPDM core
// with fake crypto: VCA with the session algorithms, the KEY_EXCHANGE_RSP
// parser (ExchangeData, OpaqueData with the secured message version,
// signature, ResponderVerifyData), FINISH_RSP (secured or in the clear),
// then HEARTBEAT, KEY_UPDATE (UpdateKey, UpdateAllKeys, VerifyNewKey) and
// END_SESSION inside the session, every response a secured message.
//
// Input: byte 0 = config (bits 0-1: max version 1.1 + n, at most 1.3; bit
// 2: 256-byte transport buffer), then responses as [u16le length][bytes],
// in order, whatever the transport (plain or secured).  Fake crypto: hashes
// and HMACs are all zeros (so VerifyData is zeros and every key and IV is
// zero), a signature verifies unless its first byte is 0xff, the DHE shared
// secret is the first half of the peer's ExchangeData (refused when it
// starts with 0xff), random bytes are 0x5a (ReqSessionID 0x5a5a, KEY_UPDATE
// tags 0x5a and 0x5b), AEAD is the identity with a tag of 16 bytes 0xa5 XOR
// the low byte of the sequence number.  Seeds: corpus/keyex
// (tests/fuzz/gen_keyex_seeds.py).
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "fuzz_common.h"
#include "fuzz_fake.h"

namespace {

using fuzzfmt::touch;

// a P-256 SubjectPublicKeyInfo (the fake verifier never uses it)
const uint8_t kSpki[] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x26, 0xef, 0xce, 0xbd, 0x0e, 0xe9, 0xe3, 0x4a, 0x66,
    0x91, 0x87, 0xe1, 0x8b, 0x3a, 0x91, 0x22, 0xb2, 0xf7, 0x33, 0x94, 0x5b, 0x64, 0x9c, 0xc9, 0xf9, 0xf9, 0x21,
    0xe9, 0xf9, 0xda, 0xd8, 0x12, 0x90, 0x23, 0x8b, 0xde, 0x9c, 0xc7, 0xbb, 0x33, 0x0d, 0x15, 0x0c, 0x67, 0x70,
    0x4d, 0xd2, 0x5a, 0xe7, 0x05, 0x52, 0x05, 0x74, 0x4b, 0x6f, 0x31, 0xbf, 0x40, 0x70, 0x74, 0x58, 0x72, 0xd0,
    0xe6};

struct Feed : fuzzfmt::Frames {
    long live = 0;
};

ssize_t f_exchange(void *priv, spdm_transport_type, const void *req, size_t req_len, void *resp, size_t cap)
{
    auto *f = static_cast<Feed *>(priv);
    const uint8_t *m;
    size_t l;
    touch(req, req_len);
    if (!f->next(&m, &l))
        return -ETIMEDOUT;
    if (l > cap)
        return -EOVERFLOW;
    memcpy(resp, m, l);
    return ssize_t(l);
}

int f_hash(void *, uint32_t alg, const void *data, size_t len, uint8_t *out)
{
    size_t h = spdm_hash_len(alg);
    if (!h)
        abort();
    touch(data, len);
    memset(out, 0, h);
    return 0;
}

int f_key_load(void *, uint32_t, uint32_t, const uint8_t *, size_t, const uint8_t *, size_t, void **key)
{
    *key = malloc(1);
    return *key ? 0 : -ENOMEM;
}

int f_verify(void *, void *key, const uint8_t *digest, size_t dlen, const uint8_t *sig, size_t slen)
{
    if (!key || !dlen || !slen)
        abort();
    touch(digest, dlen);
    touch(sig, slen);
    return sig[0] == 0xff ? -EKEYREJECTED : 0;
}

void f_key_free(void *, void *key) { free(key); }

int f_random(void *, void *buf, size_t len)
{
    memset(buf, fuzzfmt::kRandomByte, len);
    return 0;
}

void *f_zalloc(void *priv, size_t len)
{
    void *p = calloc(1, len);
    if (p)
        static_cast<Feed *>(priv)->live++;
    return p;
}

void f_free(void *priv, void *p, size_t len)
{
    if (!p)
        return;
    touch(p, len);   // ASan: the length the core frees is the one it allocated
    free(p);
    static_cast<Feed *>(priv)->live--;
}

int f_dhe_gen(void *, uint32_t dhe, void **key, uint8_t *pub, size_t pub_len)
{
    if (pub_len != (dhe == SPDM_DHE_SECP384R1 ? 96u : 64u))
        abort();
    memset(pub, 0x11, pub_len);
    *key = malloc(1);
    return *key ? 0 : -ENOMEM;
}

int f_dhe_shared(void *, void *key, const uint8_t *peer, size_t peer_len, uint8_t *secret, size_t secret_len)
{
    if (!key || peer_len != 2 * secret_len)
        abort();
    touch(peer, peer_len);
    if (peer[0] == 0xff)
        return -EINVAL;
    memcpy(secret, peer, secret_len);
    return 0;
}

void f_dhe_free(void *, void *key) { free(key); }

int f_hmac(void *, uint32_t alg, const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t *out)
{
    touch(key, key_len);
    touch(data, len);
    memset(out, 0, spdm_hash_len(alg));
    return 0;
}

spdm_ops make_ops()
{
    spdm_ops o{};
    o.exchange = f_exchange;
    o.hash = f_hash;
    o.key_load = f_key_load;
    o.verify = f_verify;
    o.key_free = f_key_free;
    o.random = f_random;
    o.zalloc = f_zalloc;
    o.free = f_free;
    o.dhe_gen = f_dhe_gen;
    o.dhe_shared = f_dhe_shared;
    o.dhe_free = f_dhe_free;
    o.hmac = f_hmac;
    o.aead_seal = fuzzfmt::fake_seal;
    o.aead_open = fuzzfmt::fake_open;
    return o;
}

const spdm_ops ops = make_ops();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    Feed feed{{data + 1, size - 1}};
    spdm_params p{};
    p.ops = &ops;
    p.priv = &feed;
    p.max_resp = (data[0] & 4) ? 256 : 0;
    p.mem_budget = 64 * 1024;
    p.max_version = uint8_t(0x11 + ((data[0] & 3) > 2 ? 2 : (data[0] & 3)));
    p.min_version = 0x11;
    p.secure = true;
    p.asym_mask = SPDM_ASYM_ECDSA_P256;
    p.hash_mask = SPDM_HASH_SHA256;
    spdm_session *s = nullptr;
    if (spdm_session_create(&p, &s))
        abort();
    static const uint8_t digest[SPDM_MAX_HASH] = {};
    if (spdm_set_cached_identity(s, 0, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, 0, digest, kSpki, sizeof(kSpki)))
        abort();
    spdm_secure_info info;
    int rc = spdm_secure_start(s);
    spdm_secure_get_info(s, &info);
    if (!rc != info.active)
        abort();
    if (!rc) {
        spdm_evidence ev;
        spdm_get_evidence(s, &ev);
        touch(ev.ke_th.data, ev.ke_th.len);
        touch(ev.ke_signature.data, ev.ke_signature.len);
        rc = spdm_secure_heartbeat(s);
        if (!rc)
            rc = spdm_secure_key_update(s, false);
        if (!rc)
            rc = spdm_secure_key_update(s, true);
        spdm_secure_get_info(s, &info);
        if (!rc != info.active)
            abort();
        spdm_secure_end(s);
        spdm_secure_get_info(s, &info);
        if (info.active)
            abort();
    }
    if (spdm_mem_used(s) > p.mem_budget)
        abort();
    spdm_session_free(s);
    if (feed.live)
        abort();  // every allocation released
    return 0;
}
