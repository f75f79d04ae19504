// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: the DSP0277 secured-message decoder of the SPDM core
// (spdm_secmsg_open(): SessionID, Length, DOE padding, MAC, sequence
// number, ApplicationDataLength), with a transparent fake AEAD so that the
// fuzzer gets past the MAC: "encryption" is the identity and a tag is valid
// when it is 16 bytes of kTagByte XOR the low byte of the sequence number.
// Input: byte 0 = config (bit 0: encrypted, bits 1-2: AEAD, bit 3: out
// buffer of 32 bytes), bytes 1-4 = the expected SessionID (LE), then the
// record.  Invariant: a record that opens, sealed again with the same
// sequence number, opens to the same message.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" {
#include "spdm.h"
}

namespace {

constexpr uint8_t kTagByte = 0xa5;

int f_aead(uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv, const uint8_t *aad,
           size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag, bool seal)
{
    if (!aead || (aead & (aead - 1)) || !key || !iv || (key_len != 16 && key_len != 32) ||
        (aad_len && !aad) || (len && (!in || !out)))
        abort();
    volatile uint8_t x = 0;
    for (size_t i = 0; i < aad_len; i++)
        x = x ^ aad[i];
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

int f_seal(void *, uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv, const uint8_t *aad,
           size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    return f_aead(aead, key, key_len, iv, aad, aad_len, in, len, out, tag, true);
}

int f_open(void *, uint32_t aead, const uint8_t *key, size_t key_len, const uint8_t *iv, const uint8_t *aad,
           size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, const uint8_t *tag)
{
    return f_aead(aead, key, key_len, iv, aad, aad_len, in, len, out, const_cast<uint8_t *>(tag), false);
}

spdm_ops make_ops()
{
    spdm_ops o{};
    o.aead_seal = f_seal;
    o.aead_open = f_open;
    return o;
}

const spdm_ops ops = make_ops();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    const uint8_t cfg = data[0];
    const uint32_t sid = uint32_t(data[1]) | uint32_t(data[2]) << 8 | uint32_t(data[3]) << 16 |
                         uint32_t(data[4]) << 24;
    static const uint32_t aeads[4] = {SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM,
                                      SPDM_AEAD_CHACHA20_POLY1305, SPDM_AEAD_AES_128_GCM};
    spdm_secmsg_keys k{};
    k.aead = aeads[(cfg >> 1) & 3];
    k.encrypt = cfg & 1;
    k.key_len = k.aead == SPDM_AEAD_AES_128_GCM ? 16 : 32;
    k.seq = 0;
    // exactly the record: a heap copy, so ASan sees any over-read
    std::vector<uint8_t> rec(data + 5, data + size);
    std::vector<uint8_t> out((cfg & 8) ? 32 : 0x1200);
    const char *why = nullptr;
    ssize_t n = spdm_secmsg_open(&ops, nullptr, &k, sid, rec.data(), rec.size(), out.data(), out.size(), &why);
    if (n < 0) {
        if (!why || k.seq != 0)
            abort();  // a refusal says why and does not advance
        return 0;
    }
    if (size_t(n) > out.size() || size_t(n) + 6 + SPDM_AEAD_TAG_LEN > rec.size() || k.seq != 1)
        abort();
    // round trip
    std::vector<uint8_t> again(size_t(n) + 64);
    spdm_secmsg_keys ks = k;
    ks.seq = 0;
    ssize_t m = spdm_secmsg_seal(&ops, nullptr, &ks, sid, out.data(), size_t(n), again.data(), again.size());
    if (m < 0)
        abort();
    std::vector<uint8_t> back(size_t(n) + 8);
    spdm_secmsg_keys ko = k;
    ko.seq = 0;
    ssize_t r = spdm_secmsg_open(&ops, nullptr, &ko, sid, again.data(), size_t(m), back.data(), back.size(), &why);
    if (r != n || memcmp(back.data(), out.data(), size_t(n)))
        abort();
    return 0;
}
