// SPDX-License-Identifier: GPL-2.0
// JSON output (nlohmann/json, Debian's nlohmann-json3-dev) and the escaping of
// device-supplied text for a terminal.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spdmtsm {

// Keys keep the order they were added in: the documented order.
using Json = nlohmann::ordered_json;

// Serialize j: compact on one line, or pretty (2-space indent).  A string
// that is not valid UTF-8 (a device's certificate can hold any bytes) has
// each bad sequence replaced by U+FFFD, so the output is always valid JSON;
// control characters come out as \uXXXX escapes.
std::string json_text(const Json &j, bool pretty = false);

// s for a terminal or a log line: valid, printable UTF-8 passes; C0 and C1
// control characters, DEL, bytes that are not valid UTF-8 and the backslash
// itself come out as \xNN (\\ for the backslash), so a device cannot send
// escape sequences to the terminal or forge log lines.
std::string term_safe(std::string_view s);

// null for an empty optional or an empty string
template <typename T> Json json_or_null(const std::optional<T> &v)
{
	return v ? Json(*v) : Json(nullptr);
}
inline Json json_or_null(const std::string &s)
{
	return s.empty() ? Json(nullptr) : Json(s);
}

// A JSON array of json_of(x) for each x (an empty array for none).
template <typename T> Json json_array_of(const std::vector<T> &xs)
{
	Json a = Json::array();
	for (const auto &x : xs)
		a.push_back(json_of(x));
	return a;
}

} // namespace spdmtsm
