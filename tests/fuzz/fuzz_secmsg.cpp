// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: the DSP0277 secured-message decoder of the SPDM core
// (spdm_secmsg_open(): SessionID, Length, DOE padding, MAC, sequence
// number, ApplicationDataLength), with a transparent fake AEAD so that the
// fuzzer gets past the MAC: "encryption" is the identity and a tag is valid
// when it is 16 bytes of fuzzfmt::kTagByte (fuzz_fake.h) XOR the low byte of the sequence number.
// Input: byte 0 = config (bit 0: encrypted, bits 1-2: AEAD, bit 3: out
// buffer of 32 bytes), bytes 1-4 = the expected SessionID (LE), then the
// record.  Invariant: a record that opens, sealed again with the same
// sequence number, opens to the same message.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz_fake.h"

namespace {

spdm_ops make_ops()
{
    spdm_ops o{};
    o.aead_seal = fuzzfmt::fake_seal;
    o.aead_open = fuzzfmt::fake_open;
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
