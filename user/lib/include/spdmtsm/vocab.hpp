// SPDX-License-Identifier: GPL-2.0
// The one vocabulary of libspdmtsm, tsmctl, the agent and spdm-devsim
// (header-only, so that devsim uses it without the netlink library): the SPDM
// algorithm table, the hex codec, base64 and PEM (mbedTLS), the number parser
// and blank trimming.  The mbedTLS error style is spdmtsm/mbed.hpp.
#pragma once

#include "spdmtsm/mbed.hpp"

#include <mbedtls/base64.h>
#include <mbedtls/md.h>
#include <mbedtls/pem.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace spdmtsm {

using Bytes = std::vector<std::uint8_t>;

// DSP0274 BaseAsymAlgo: the bit, the name tsmctl prints (and devsim's short
// command-line name), the raw signature size, and whether it is ECDSA.
struct AsymAlg {
	std::uint32_t bit;
	const char *name;       // "ecdsa-p384", "rsassa-3072"
	const char *short_name; // "ecdsa-p384", "rsa-3072"
	std::size_t sig_len;
	bool ecdsa;
};
inline constexpr AsymAlg asym_algs[] = {
	{1u << 4, "ecdsa-p256", "ecdsa-p256", 64, true},  {1u << 7, "ecdsa-p384", "ecdsa-p384", 96, true},
	{1u << 8, "ecdsa-p521", "ecdsa-p521", 132, true}, {1u << 0, "rsassa-2048", "rsa-2048", 256, false},
	{1u << 2, "rsassa-3072", "rsa-3072", 384, false}, {1u << 5, "rsassa-4096", "rsa-4096", 512, false},
};

// DSP0274 BaseHashAlgo: the bit, the name, the digest size, mbedTLS's type.
struct HashAlg {
	std::uint32_t bit;
	const char *name;
	std::size_t len;
	mbedtls_md_type_t md;
};
inline constexpr HashAlg hash_algs[] = {
	{1u << 0, "sha256", 32, MBEDTLS_MD_SHA256},
	{1u << 1, "sha384", 48, MBEDTLS_MD_SHA384},
	{1u << 2, "sha512", 64, MBEDTLS_MD_SHA512},
};

// The entry of a bit, or null.
inline const AsymAlg *find_asym(std::uint32_t bit)
{
	for (const auto &a : asym_algs)
		if (a.bit == bit)
			return &a;
	return nullptr;
}
inline const HashAlg *find_hash(std::uint32_t bit)
{
	for (const auto &h : hash_algs)
		if (h.bit == bit)
			return &h;
	return nullptr;
}

inline const char *asym_name(std::uint32_t bit)
{
	const AsymAlg *a = find_asym(bit);
	return a ? a->name : "unknown";
}
inline const char *hash_name(std::uint32_t bit)
{
	const HashAlg *h = find_hash(bit);
	return h ? h->name : "unknown";
}
inline std::size_t hash_len(std::uint32_t bit)
{
	const HashAlg *h = find_hash(bit);
	return h ? h->len : 0;
}

// DSP0274 DHE and AEAD (NEGOTIATE_ALGORITHMS AlgStruct) bits of a secured
// session, and their names; "unknown" for another bit.
struct NamedBit {
	std::uint32_t bit;
	const char *name;
};
inline constexpr NamedBit dhe_algs[] = {
	{1u << 0, "ffdhe2048"}, {1u << 1, "ffdhe3072"}, {1u << 2, "ffdhe4096"}, {1u << 3, "secp256r1"},
	{1u << 4, "secp384r1"}, {1u << 5, "secp521r1"}, {1u << 6, "sm2-p256"},
};
inline constexpr NamedBit aead_algs[] = {
	{1u << 0, "aes-128-gcm"},
	{1u << 1, "aes-256-gcm"},
	{1u << 2, "chacha20-poly1305"},
	{1u << 3, "sm4-gcm"},
};
inline const char *dhe_name(std::uint32_t bit)
{
	for (const auto &d : dhe_algs)
		if (d.bit == bit)
			return d.name;
	return "unknown";
}
inline const char *aead_name(std::uint32_t bit)
{
	for (const auto &a : aead_algs)
		if (a.bit == bit)
			return a.name;
	return "unknown";
}

// SPDMVersion byte -> "1.2"; 0 (none negotiated yet) -> ""
inline std::string version_text(std::uint8_t v)
{
	if (!v)
		return {};
	return std::to_string(v >> 4) + "." + std::to_string(v & 15);
}

// Lower-case hex.
inline std::string hex(std::span<const std::uint8_t> b)
{
	static const char d[] = "0123456789abcdef";
	std::string s;
	s.reserve(b.size() * 2);
	for (auto c : b) {
		s += d[c >> 4];
		s += d[c & 15];
	}
	return s;
}

// Hex digits (either case, an optional 0x first) -> bytes; nullopt when odd
// or not hex.
inline std::optional<Bytes> from_hex(std::string_view s)
{
	if (s.starts_with("0x") || s.starts_with("0X"))
		s.remove_prefix(2);
	if (s.size() % 2)
		return std::nullopt;
	auto val = [](char c) -> int {
		if (c >= '0' && c <= '9')
			return c - '0';
		if (c >= 'a' && c <= 'f')
			return c - 'a' + 10;
		if (c >= 'A' && c <= 'F')
			return c - 'A' + 10;
		return -1;
	};
	Bytes out;
	out.reserve(s.size() / 2);
	for (std::size_t i = 0; i < s.size(); i += 2) {
		int hi = val(s[i]), lo = val(s[i + 1]);
		if (hi < 0 || lo < 0)
			return std::nullopt;
		out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
	}
	return out;
}

// from_hex that throws std::invalid_argument.
inline Bytes unhex(std::string_view s)
{
	auto b = from_hex(s);
	if (!b)
		throw std::invalid_argument("\"" + std::string(s) + "\" is not an even number of hex digits");
	return *b;
}

// Non-empty and only hex digits.
inline bool is_hex(std::string_view s)
{
	if (s.empty())
		return false;
	for (unsigned char c : s)
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	return true;
}

// An unsigned number in base 10, or 16 with a 0x prefix (base 0), or in the
// base given; nullopt unless the whole text is a number <= max.
inline std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max = UINT64_MAX, int base = 0)
{
	if (base == 0) {
		base = 10;
		if (s.starts_with("0x") || s.starts_with("0X")) {
			s.remove_prefix(2);
			base = 16;
		}
	}
	std::uint64_t v = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > max)
		return std::nullopt;
	return v;
}

// s without leading and trailing blanks (space, tab, CR).
inline std::string trim(std::string_view s)
{
	auto b = s.find_first_not_of(" \t\r");
	if (b == std::string_view::npos)
		return {};
	auto e = s.find_last_not_of(" \t\r");
	return std::string(s.substr(b, e - b + 1));
}

// Base64 (mbedTLS).
inline std::string base64(std::span<const std::uint8_t> b)
{
	std::size_t olen = 0;
	mbedtls_base64_encode(nullptr, 0, &olen, b.data(), b.size()); // the size, with its NUL
	std::string s(olen, '\0');
	mbed::check(
		mbedtls_base64_encode(reinterpret_cast<unsigned char *>(s.data()), s.size(), &olen, b.data(), b.size()),
		"base64");
	s.resize(olen);
	return s;
}

// PEM of DER (mbedTLS): "-----BEGIN label-----", 64-column base64, "-----END".
inline std::string pem(std::span<const std::uint8_t> der, const std::string &label = "CERTIFICATE")
{
	std::string head = "-----BEGIN " + label + "-----\n", foot = "-----END " + label + "-----\n";
	std::size_t olen = 0;
	mbedtls_pem_write_buffer(head.c_str(), foot.c_str(), der.data(), der.size(), nullptr, 0, &olen);
	std::string s(olen, '\0');
	mbed::check(mbedtls_pem_write_buffer(head.c_str(), foot.c_str(), der.data(), der.size(),
					     reinterpret_cast<unsigned char *>(s.data()), s.size(), &olen),
		    "PEM");
	s.resize(olen ? olen - 1 : 0); // olen counts the NUL
	return s;
}

} // namespace spdmtsm
