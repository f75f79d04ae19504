// SPDX-License-Identifier: GPL-2.0
// Shared by the fuzz harnesses and the seed generator: input framing and
// permissive fake crypto, so the fuzzer can reach every parser.
//
// Input: byte 0 = config (bits 0-1: max version 1.0+n, and 1.4 when bit 7 is
// set too (max_version()); bits 2-3: mode; bits 4-5: max response size;
// bit 6: 16 KiB memory budget), byte 1 = slot,
// then responses as [u16le length][bytes]...  Mode 0: authenticate, then
// measurements and revalidate; mode 1: cached identity + revalidate (the
// SPKI is the first frame); mode 2: authenticate, measurements, revalidate,
// state lost + revalidate (VCA first), authenticate again (stale state).
// Fake crypto: every hash is all zeros, a signature verifies unless its
// first byte is 0xff, random bytes are all kRandomByte.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fuzzfmt {

inline constexpr size_t kMaxResp[4] = {0x1200, 64, 256, 0xffff + 8};
// What the harness's random() fills nonces and 1.3 RequesterContexts with;
// the seeds echo RequesterContexts of this value.
inline constexpr uint8_t kRandomByte = 0x5a;
inline constexpr size_t kReqCtxLen = 8;

// bits 0-1 and 7 of the config byte: the highest version the core offers
inline uint8_t max_version(uint8_t cfg)
{
    return uint8_t(0x10 + (cfg & 3) + ((cfg & 0x83) == 0x83));
}

// and back: the config bits for max version @v (0x10 .. 0x14)
inline uint8_t version_bits(uint8_t v)
{
    return v >= 0x14 ? 0x83 : uint8_t(v - 0x10);
}

// Reads the responses back: [u16le length][bytes]..., a length past the end
// shortened to what is left.
struct Frames {
    const uint8_t *p;
    size_t n;
    bool next(const uint8_t **msg, size_t *len)
    {
        if (n < 2)
            return false;
        size_t l = size_t(p[0]) | size_t(p[1]) << 8;
        p += 2;
        n -= 2;
        if (l > n)
            l = n;
        *msg = p;
        *len = l;
        p += l;
        n -= l;
        return true;
    }
};

inline void frame(std::vector<uint8_t> &out, const std::vector<uint8_t> &msg)
{
    size_t n = msg.size() > 0xffff ? 0xffff : msg.size();
    out.push_back(uint8_t(n));
    out.push_back(uint8_t(n >> 8));
    out.insert(out.end(), msg.begin(), msg.begin() + long(n));
}

}  // namespace fuzzfmt
