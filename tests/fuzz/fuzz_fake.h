// SPDX-License-Identifier: GPL-2.0
// Shared by the harnesses that link the SPDM core: reads that make ASan see
// a whole range, and the transparent fake AEAD of the session harnesses
// ("encryption" is the identity; a tag is valid when it is 16 bytes of
// kTagByte XOR the low byte of the sequence number, i.e. of iv[0] with the
// all-zero IVs of the fake key schedule, so the fuzzer gets past the MAC).
#pragma once
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" {
#include "spdm.h"
}

namespace fuzzfmt {

// read every byte so that ASan checks the whole range
inline void touch(const void *d, size_t len)
{
    volatile uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x = x ^ static_cast<const uint8_t *>(d)[i];
}

inline void touch(const spdm_buf_view &v) { touch(v.data, v.len); }

// and a segmented view's segments add up to its length
inline void touch(const spdm_seg_view &v)
{
    size_t n = 0;
    for (const auto &g : v.seg) {
        touch(g);
        n += g.len;
    }
    if (n != v.len)
        abort();
}

inline constexpr uint8_t kTagByte = 0xa5;

// Aborts on arguments the core must never pass (an AEAD that is not one
// algorithm bit, a key length that is not 16 or 32, missing buffers).
inline int fake_aead(uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv, const uint8_t *aad,
                     size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag, bool seal)
{
    if (!aead || (aead & (aead - 1)) || !key || !iv || (key_len != 16 && key_len != 32) ||
        (aad_len && !aad) || (len && (!in || !out)))
        abort();
    touch(key, key_len);
    touch(aad, aad_len);
    uint8_t want = uint8_t(kTagByte ^ iv[0]);
    if (!seal) {
        for (int i = 0; i < SPDM_AEAD_TAG_LEN; i++)
            if (tag[i] != want) {
                if (len)
                    memset(out, 0, len);
                return -EBADMSG;
            }
    }
    if (len)
        memmove(out, in, len);
    if (seal)
        memset(tag, want, SPDM_AEAD_TAG_LEN);
    return 0;
}

// as spdm_ops.aead_seal and .aead_open
inline int fake_seal(void *, uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv,
                     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    return fake_aead(aead, key, key_len, iv, aad, aad_len, in, len, out, tag, true);
}

inline int fake_open(void *, uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv,
                     const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                     const uint8_t *tag)
{
    return fake_aead(aead, key, key_len, iv, aad, aad_len, in, len, out, const_cast<uint8_t *>(tag), false);
}

}  // namespace fuzzfmt
