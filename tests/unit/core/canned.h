// SPDX-License-Identifier: GPL-2.0
// Hand-built SPDM responses for the core's unit tests and fuzz seeds.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace spdmtest::canned {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes &b, uint32_t v) { b.push_back(uint8_t(v)); b.push_back(uint8_t(v >> 8)); }
inline void put32(Bytes &b, uint32_t v) { put16(b, v); put16(b, v >> 16); }

inline Bytes version(std::initializer_list<uint8_t> vers, uint8_t hdr = 0x10)
{
    Bytes b{hdr, 0x04, 0, 0, 0, uint8_t(vers.size())};
    for (uint8_t v : vers)
        put16(b, uint32_t(v) << 8);
    return b;
}

inline Bytes caps(uint8_t v, uint32_t flags = 0x16 /* CERT|CHAL|MEAS_SIG */,
                  uint32_t dts = 0x1200, uint32_t max = 0x1200)
{
    Bytes b{v, 0x61, 0, 0, 0, 12, 0, 0};
    put32(b, flags);
    if (v >= 0x12) {
        put32(b, dts);
        put32(b, max);
    }
    return b;
}

inline Bytes algs(uint8_t v, uint32_t asym = 1u << 7, uint32_t hash = 1u << 1,
                  uint8_t meas_spec = 1, uint32_t meas_hash = 1u << 2)
{
    Bytes b{v, 0x63, 0, 0};
    put16(b, 36);
    b.push_back(meas_spec);
    b.push_back(0);
    put32(b, meas_hash);
    put32(b, asym);
    put32(b, hash);
    b.insert(b.end(), 16, 0);
    return b;
}

inline Bytes error(uint8_t v, uint8_t code, uint8_t data = 0) { return Bytes{v, 0x7f, code, data}; }

}  // namespace spdmtest::canned
