// SPDX-License-Identifier: GPL-2.0
// Little-endian fields of SPDM messages, appended to or read from a buffer
// (the reader's offsets are checked by the caller).
#pragma once

#include <devsim/responder.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace devsim::le {

inline void put16(Bytes &b, uint32_t v)
{
	b.push_back(uint8_t(v));
	b.push_back(uint8_t(v >> 8));
}
inline void put24(Bytes &b, uint32_t v)
{
	put16(b, v);
	b.push_back(uint8_t(v >> 16));
}
inline void put32(Bytes &b, uint32_t v)
{
	put16(b, v);
	put16(b, v >> 16);
}
inline uint32_t get16(std::span<const uint8_t> b, size_t o)
{
	return b[o] | b[o + 1] << 8;
}
inline uint32_t get32(std::span<const uint8_t> b, size_t o)
{
	return get16(b, o) | get16(b, o + 2) << 16;
}

} // namespace devsim::le
