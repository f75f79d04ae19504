// SPDX-License-Identifier: GPL-2.0
// A small streaming JSON writer: enough for tsmctl's output, no dependency.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spdmtsm {

class JsonWriter {
public:
	explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}

	JsonWriter &begin_object();
	JsonWriter &end_object();
	JsonWriter &begin_array();
	JsonWriter &end_array();
	JsonWriter &key(std::string_view k);
	JsonWriter &value(std::string_view v);
	JsonWriter &value(const char *v) { return value(std::string_view(v)); }
	JsonWriter &value(bool v);
	JsonWriter &value(std::int64_t v);
	JsonWriter &value(std::uint64_t v);
	JsonWriter &value(int v) { return value(static_cast<std::int64_t>(v)); }
	JsonWriter &value(unsigned v) { return value(static_cast<std::uint64_t>(v)); }
	JsonWriter &null();

	template <typename T> JsonWriter &field(std::string_view k, const T &v)
	{
		key(k);
		return value(v);
	}

	const std::string &str() const { return out_; }

	static std::string escape(std::string_view s);

private:
	void before_value();
	void newline();

	std::string out_;
	// per nesting level: number of items written so far
	std::vector<int> counts_;
	bool after_key_ = false;
	bool pretty_;
};

} // namespace spdmtsm
