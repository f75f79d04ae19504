// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/json.hpp"

#include <cstdio>

namespace spdmtsm {

std::string json_text(const Json &j, bool pretty)
{
	return j.dump(pretty ? 2 : -1, ' ', false, Json::error_handler_t::replace);
}

namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: shortest form, no
// surrogates, at most U+10FFFF), 0 if there is none; cp receives the code point.
std::size_t utf8_seq(std::string_view s, std::size_t i, char32_t &cp)
{
	auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
	unsigned char c = b(0);
	std::size_t n;
	char32_t min;
	if (c < 0x80) {
		cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (i + n > s.size())
		return 0;
	for (std::size_t k = 1; k < n; k++) {
		if ((b(k) & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (b(k) & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

} // namespace

std::string term_safe(std::string_view s)
{
	std::string r;
	r.reserve(s.size());
	auto esc = [&](unsigned char c) {
		char buf[8];
		std::snprintf(buf, sizeof(buf), "\\x%02x", c);
		r += buf;
	};
	for (std::size_t i = 0; i < s.size();) {
		char32_t cp;
		std::size_t n = utf8_seq(s, i, cp);
		if (n == 0) {
			esc(static_cast<unsigned char>(s[i++]));
			continue;
		}
		if (cp == '\\') {
			r += "\\\\";
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
			   (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
			// controls, line separators and bidi overrides: every byte escaped
			for (std::size_t k = 0; k < n; k++)
				esc(static_cast<unsigned char>(s[i + k]));
		} else {
			r.append(s.substr(i, n));
		}
		i += n;
	}
	return r;
}

} // namespace spdmtsm
