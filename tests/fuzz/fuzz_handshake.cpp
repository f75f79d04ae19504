// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: a whole scripted SPDM handshake (every response parser
// of the core: VERSION, CAPABILITIES, ALGORITHMS, DIGESTS, CERTIFICATE incl.
// the DER walker, CHALLENGE_AUTH, MEASUREMENTS, ERROR/ResponseNotReady) fed
// from fuzz bytes.  See fuzz_common.h for the input format.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {
#include "spdm.h"
}
#include "fuzz_common.h"
#include "fuzz_fake.h"

namespace {

using fuzzfmt::touch;

struct Feed : fuzzfmt::Frames {
    size_t live = 0;
};

ssize_t f_exchange(void *priv, spdm_transport_type, const void *, size_t, void *resp, size_t cap)
{
    auto *f = static_cast<Feed *>(priv);
    const uint8_t *m;
    size_t l;
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
        return -EINVAL;
    touch(data, len);
    memset(out, 0, h);
    return 0;
}

int f_key_load(void *, uint32_t asym, uint32_t hash, const uint8_t *spki, size_t spki_len,
               const uint8_t *pub, size_t pub_len, void **key)
{
    if (!spdm_sig_len(asym) || !spdm_hash_len(hash) || !spki_len || !pub_len)
        abort();  // the core must never hand over an unclassified key
    if (pub < spki || pub + pub_len > spki + spki_len)
        abort();
    *key = malloc(1);
    return *key ? 0 : -ENOMEM;
}

int f_verify(void *, void *key, const uint8_t *digest, size_t dlen, const uint8_t *sig, size_t slen)
{
    if (!key || !dlen || !slen)
        abort();
    volatile uint8_t x = digest[dlen - 1] ^ sig[slen - 1];
    (void)x;
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
    void *m = calloc(1, len);
    if (m)
        static_cast<Feed *>(priv)->live++;
    return m;
}

void f_free(void *priv, void *m, size_t len)
{
    if (!m)
        return;
    memset(m, 0, len);
    free(m);
    static_cast<Feed *>(priv)->live--;
}

const spdm_ops ops = {
    .exchange = f_exchange,
    .hash = f_hash,
    .key_load = f_key_load,
    .verify = f_verify,
    .key_free = f_key_free,
    .random = f_random,
    .zalloc = f_zalloc,
    .free = f_free,
    .delay_us = nullptr,
    .check = nullptr,
    // no secured sessions here (fuzz_keyex)
    .dhe_gen = nullptr,
    .dhe_shared = nullptr,
    .dhe_free = nullptr,
    .hmac = nullptr,
    .aead_seal = nullptr,
    .aead_open = nullptr,
};

// FUZZ_VERBOSE=1: print each step's result (for checking what seeds reach)
void trace(spdm_session *s, const char *what, int rc)
{
    static const bool on = getenv("FUZZ_VERBOSE") != nullptr;
    if (on)
        fprintf(stderr, "%s: %d %s\n", what, rc, spdm_last_error(s));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t cfg = data[0], slot = data[1] & 7;
    Feed feed{{data + 2, size - 2}};
    spdm_params p{};
    p.ops = &ops;
    p.priv = &feed;
    p.max_version = fuzzfmt::max_version(cfg);
    p.max_resp = fuzzfmt::kMaxResp[(cfg >> 4) & 3];
    p.mem_budget = (cfg & 0x40) ? 16384 + p.max_resp : 0;
    spdm_session *s = nullptr;
    if (spdm_session_create(&p, &s))
        return 0;
    int rc;
    switch ((cfg >> 2) & 3) {
    case 1: {
        const uint8_t *spki;
        size_t len;
        uint8_t digest[64] = {};
        if (feed.next(&spki, &len)) {
            size_t po, pl;
            uint32_t asym;
            if (!spdm_der_parse_spki(spki, len, &po, &pl, &asym, nullptr) &&
                !spdm_set_cached_identity(s, 0, asym, SPDM_HASH_SHA384, slot, digest, spki, len)) {
                trace(s, "revalidate", spdm_revalidate(s, nullptr));
                trace(s, "revalidate", spdm_revalidate(s, nullptr));
            }
        }
        break;
    }
    default:
        rc = spdm_authenticate(s, slot, nullptr);
        trace(s, "authenticate", rc);
        if (rc == 0) {
            trace(s, "measurements", spdm_get_measurements(s, nullptr));
            trace(s, "revalidate", spdm_revalidate(s, nullptr));
            trace(s, "measurements", spdm_get_measurements(s, nullptr));
            if ((cfg >> 2) & 2) {
                spdm_state_lost(s);
                trace(s, "revalidate", spdm_revalidate(s, nullptr));
            }
        }
        if ((cfg >> 2) & 2)
            trace(s, "authenticate", spdm_authenticate(s, slot, nullptr));
        break;
    }
    spdm_evidence ev;
    spdm_get_evidence(s, &ev);
    touch(ev.chain);
    touch(ev.leaf_spki);
    touch(ev.leaf_pub);
    touch(ev.transcript);
    touch(ev.signature);
    touch(ev.meas_blocks);
    touch(ev.meas_transcript);
    touch(ev.meas_signature);
    if (strlen(spdm_last_error(s)) >= SPDM_ERRMSG_LEN)
        abort();
    if (spdm_mem_used(s) > (p.mem_budget ? p.mem_budget : SPDM_DEFAULT_BUDGET))
        abort();
    spdm_session_free(s);
    if (feed.live != 0)
        abort();  // leak
    return 0;
}
