// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/json.hpp"

#include <cstdio>

namespace spdmtsm {

std::string JsonWriter::escape(std::string_view s)
{
	std::string r;
	r.reserve(s.size() + 2);
	r += '"';
	for (unsigned char c : s) {
		switch (c) {
		case '"': r += "\\\""; break;
		case '\\': r += "\\\\"; break;
		case '\n': r += "\\n"; break;
		case '\r': r += "\\r"; break;
		case '\t': r += "\\t"; break;
		default:
			if (c < 0x20) {
				char buf[8];
				std::snprintf(buf, sizeof(buf), "\\u%04x", c);
				r += buf;
			} else {
				r += static_cast<char>(c);
			}
		}
	}
	r += '"';
	return r;
}

void JsonWriter::newline()
{
	if (!pretty_)
		return;
	out_ += '\n';
	out_.append(counts_.size() * 2, ' ');
}

void JsonWriter::before_value()
{
	if (after_key_) {
		after_key_ = false;
		return;
	}
	if (!counts_.empty()) {
		if (counts_.back()++ > 0)
			out_ += ',';
		newline();
	}
}

JsonWriter &JsonWriter::begin_object()
{
	before_value();
	out_ += '{';
	counts_.push_back(0);
	return *this;
}

JsonWriter &JsonWriter::end_object()
{
	bool had = counts_.back() > 0;
	counts_.pop_back();
	if (had)
		newline();
	out_ += '}';
	return *this;
}

JsonWriter &JsonWriter::begin_array()
{
	before_value();
	out_ += '[';
	counts_.push_back(0);
	return *this;
}

JsonWriter &JsonWriter::end_array()
{
	bool had = counts_.back() > 0;
	counts_.pop_back();
	if (had)
		newline();
	out_ += ']';
	return *this;
}

JsonWriter &JsonWriter::key(std::string_view k)
{
	before_value();
	out_ += escape(k);
	out_ += pretty_ ? ": " : ":";
	after_key_ = true;
	return *this;
}

JsonWriter &JsonWriter::value(std::string_view v)
{
	before_value();
	out_ += escape(v);
	return *this;
}

JsonWriter &JsonWriter::value(bool v)
{
	before_value();
	out_ += v ? "true" : "false";
	return *this;
}

JsonWriter &JsonWriter::value(std::int64_t v)
{
	before_value();
	out_ += std::to_string(v);
	return *this;
}

JsonWriter &JsonWriter::value(std::uint64_t v)
{
	before_value();
	out_ += std::to_string(v);
	return *this;
}

JsonWriter &JsonWriter::null()
{
	before_value();
	out_ += "null";
	return *this;
}

} // namespace spdmtsm
