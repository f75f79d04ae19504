// SPDX-License-Identifier: GPL-2.0
#include "agent_config.hpp"

#include "spdmtsm/netlink.hpp"
#include "spdmtsm/vocab.hpp"

#include <linux/spdm_tsm.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace tsmctl::agent {

using spdmtsm::Bytes;
using spdmtsm::is_hex;
using spdmtsm::trim;

ConfigError::ConfigError(const std::string &file, int line, const std::string &msg)
	: std::runtime_error(file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + msg), file_(file),
	  line_(line), msg_(msg)
{
}

std::string DeviceConfig::name() const
{
	if (match == Match::bdf)
		return "[device " + bdf + "]";
	char s[24];
	std::snprintf(s, sizeof(s), "%016llx", static_cast<unsigned long long>(serial));
	return std::string("[serial ") + s + "]";
}

bool DeviceConfig::matches(const std::string &dev_bdf, const std::optional<std::uint64_t> &dev_serial) const
{
	if (match == Match::bdf)
		return dev_bdf == bdf;
	return dev_serial && *dev_serial == serial;
}

const DeviceConfig *Config::find(const std::string &bdf, const std::optional<std::uint64_t> &serial) const
{
	for (const auto &d : devices)
		if (d.matches(bdf, serial))
			return &d;
	return nullptr;
}

namespace {

// A '#' at the start of a line or after a blank starts a comment.
std::string strip_comment(std::string_view s)
{
	for (std::size_t i = 0; i < s.size(); i++)
		if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
			return std::string(s.substr(0, i));
	return std::string(s);
}

class Parser {
public:
	explicit Parser(const std::string &file) : file_(file) {}

	Config run(std::string_view text)
	{
		Config c;
		c.file = file_;
		std::size_t pos = 0;
		int lineno = 0;
		while (pos <= text.size()) {
			auto nl = text.find('\n', pos);
			std::string_view raw =
				text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
			lineno++;
			line_ = lineno;
			line(c, raw);
			if (nl == std::string_view::npos)
				break;
			pos = nl + 1;
		}
		finish(c);
		return c;
	}

private:
	[[noreturn]] void error(const std::string &msg, int line = -1) const
	{
		throw ConfigError(file_, line < 0 ? line_ : line, msg);
	}

	void line(Config &c, std::string_view raw)
	{
		if (raw.find('\0') != std::string_view::npos)
			error("NUL byte: not a text file");
		std::string s = trim(strip_comment(raw));
		if (s.empty())
			return;
		if (s.front() == '[') {
			section(c, s);
			return;
		}
		auto eq = s.find('=');
		if (eq == std::string::npos)
			error("expected 'key = value' or a [device BDF] / [serial HEX] section, got \"" + s + "\"");
		std::string key = trim(s.substr(0, eq));
		std::string value = trim(s.substr(eq + 1));
		if (key.empty())
			error("missing key before '='");
		if (c.devices.empty())
			error("'" + key + "' outside a section: start with [device BDF] or [serial HEX]");
		if (value.empty())
			error("'" + key + "' needs a value");
		setting(c.devices.back(), key, value);
	}

	void section(Config &c, const std::string &s)
	{
		if (s.back() != ']')
			error("unterminated section header \"" + s + "\" (expected [device BDF] or [serial HEX])");
		std::string inner = trim(std::string_view(s).substr(1, s.size() - 2));
		auto sp = inner.find_first_of(" \t");
		std::string kind = inner.substr(0, sp);
		std::string arg = sp == std::string::npos ? std::string() : trim(inner.substr(sp));
		if (kind != "device" && kind != "serial")
			error("unknown section [" + inner + "] (expected [device BDF] or [serial HEX])");
		if (arg.empty())
			error("[" + kind + "] needs " +
			      (kind == "device" ? "a PCI address: [device 0000:01:00.0]"
						: "a serial number: [serial 0123456789abcdef]"));
		if (arg.find_first_of(" \t") != std::string::npos)
			error("[" + inner + "]: one " + (kind == "device" ? "PCI address" : "serial number") +
			      " per section");
		DeviceConfig d;
		d.line = line_;
		if (kind == "device") {
			d.match = DeviceConfig::Match::bdf;
			if (arg.find('/') != std::string::npos)
				error("[device " + arg + "]: a PCI address (0000:01:00.0 or 01:00.0), not a path");
			try {
				d.bdf = spdmtsm::canonical_bdf(arg);
			} catch (const std::invalid_argument &) {
				error("[device " + arg + "]: not a PCI address (use 0000:01:00.0 or 01:00.0)");
			}
		} else {
			d.match = DeviceConfig::Match::serial;
			std::string_view hexs = arg;
			if (hexs.starts_with("0x") || hexs.starts_with("0X"))
				hexs.remove_prefix(2);
			auto serial = is_hex(hexs) && hexs.size() <= 16 ? spdmtsm::parse_uint(hexs, UINT64_MAX, 16)
									: std::nullopt;
			if (!serial)
				error("[serial " + arg + "]: a Device Serial Number is up to 16 hex digits");
			d.serial = *serial;
		}
		for (const auto &o : c.devices)
			if (o.match == d.match && o.bdf == d.bdf && o.serial == d.serial)
				error(d.name() + " given twice (first at line " + std::to_string(o.line) + ")");
		close_section(c);
		c.devices.push_back(std::move(d));
	}

	long number(const std::string &key, const std::string &v, long lo, long hi) const
	{
		auto n = spdmtsm::parse_uint(v, static_cast<std::uint64_t>(hi), 10);
		if (!n || static_cast<long>(*n) < lo)
			error(key + " takes a number from " + std::to_string(lo) + " to " + std::to_string(hi) +
			      ", not \"" + v + "\"");
		return static_cast<long>(*n);
	}

	Bytes hexval(const std::string &key, const std::string &v) const
	{
		if (!is_hex(v) || v.size() % 2)
			error(key + ": \"" + v + "\" is not hex (an even number of 0-9a-f digits)");
		return spdmtsm::unhex(v);
	}

	void setting(DeviceConfig &d, const std::string &key, const std::string &v)
	{
		static const std::set<std::string> repeatable = {"ca", "meas", "volatile"};
		static const std::set<std::string> known = {"ca",       "cert-digest",  "meas",
							    "volatile", "action",       "revalidate",
							    "slot",     "measurements", "session"};
		if (!known.count(key))
			error("unknown key '" + key +
			      "' (known: ca, cert-digest, meas, volatile, action, revalidate, slot, measurements, "
			      "session)");
		if (!repeatable.count(key)) {
			auto [it, fresh] = seen_.emplace(key, line_);
			if (!fresh)
				error("'" + key + "' given twice in " + d.name() + " (first at line " +
				      std::to_string(it->second) + ")");
		}
		if (key == "ca") {
			d.cas.push_back({v, line_});
		} else if (key == "cert-digest") {
			if (v == "current") {
				d.cert_digest_current = true;
			} else {
				d.cert_digest_current = false;
				d.cert_digest = hexval(key, v);
				if (d.cert_digest.size() != 32 && d.cert_digest.size() != 48 &&
				    d.cert_digest.size() != 64)
					error("cert-digest takes 'current' or a SHA-256/384/512 digest (64, 96 or 128 "
					      "hex "
					      "digits), not " +
					      std::to_string(v.size()) + " digits");
			}
		} else if (key == "meas" && v == "baseline") {
			d.meas_baseline = true;
		} else if (key == "meas") {
			auto eq = v.find('=');
			if (eq == std::string::npos)
				error("meas takes IDX=HEX (e.g. meas = 1=9f86d0...), not \"" + v + "\"");
			spdmtsm::MeasRule r;
			r.index = static_cast<std::uint8_t>(number("meas index", trim(v.substr(0, eq)), 1, 254));
			r.digest = hexval("meas " + std::to_string(r.index), trim(v.substr(eq + 1)));
			if (r.digest.empty() || r.digest.size() > 64)
				error("meas " + std::to_string(r.index) + ": a digest of 1 to 64 bytes");
			add_rule(d, r);
		} else if (key == "volatile") {
			spdmtsm::MeasRule r;
			r.index = static_cast<std::uint8_t>(number("volatile", v, 1, 254));
			r.is_volatile = true;
			add_rule(d, r);
		} else if (key == "action") {
			auto a = spdmtsm::action_from_name(v);
			if (!a)
				error("action takes notify, unbind or disable-bus-master, not \"" + v + "\"");
			d.action = *a;
		} else if (key == "revalidate") {
			if (v == "auto")
				d.revalidate_mode = SPDM_TSM_REVALIDATE_MODE_AUTO;
			else if (v == "announce")
				d.revalidate_mode = SPDM_TSM_REVALIDATE_MODE_ANNOUNCE;
			else
				error("revalidate takes auto or announce, not \"" + v + "\"");
		} else if (key == "slot") {
			d.slot = static_cast<std::uint8_t>(number("slot", v, 0, 7));
		} else if (key == "measurements") {
			if (v == "yes" || v == "true")
				d.measurements = true;
			else if (v == "no" || v == "false")
				d.measurements = false;
			else
				error("measurements takes yes or no, not \"" + v + "\"");
		} else if (key == "session") {
			if (v == "yes" || v == "true")
				d.session = true;
			else if (v == "no" || v == "false")
				d.session = false;
			else
				error("session takes yes or no, not \"" + v + "\"");
		}
	}

	void add_rule(DeviceConfig &d, const spdmtsm::MeasRule &r)
	{
		auto [it, fresh] = rule_lines_.emplace(r.index, line_);
		if (!fresh)
			error("measurement index " + std::to_string(r.index) + " given twice in " + d.name() +
			      " (first at line " + std::to_string(it->second) + ")");
		d.meas.push_back(r);
	}

	// The end of a section: defaults that depend on the whole section.
	void close_section(Config &c)
	{
		if (!c.devices.empty()) {
			auto &d = c.devices.back();
			std::sort(d.meas.begin(), d.meas.end(),
				  [](const auto &a, const auto &b) { return a.index < b.index; });
			// measurement rules need measurements taken at connect, unless said otherwise
			if ((!d.meas.empty() || d.meas_baseline) && !seen_.count("measurements"))
				d.measurements = true;
		}
		seen_.clear();
		rule_lines_.clear();
	}

	void finish(Config &c)
	{
		close_section(c);
		if (c.devices.empty())
			error("no device configured: add a [device BDF] or [serial HEX] section", 0);
		for (const auto &d : c.devices)
			if (d.cas.empty())
				error(d.name() + " has no 'ca': the agent trusts a device only when its chain leads "
						 "to a trust anchor you name",
				      d.line);
	}

	std::string file_;
	int line_ = 0;
	std::map<std::string, int> seen_;    // non-repeatable keys of the current section
	std::map<unsigned, int> rule_lines_; // measurement index -> line, current section
};

} // namespace

Config parse_config(std::string_view text, const std::string &file)
{
	return Parser(file).run(text);
}

Config load_config(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	if (!f)
		throw ConfigError(path, 0, std::string("cannot read the configuration: ") + std::strerror(errno));
	std::ostringstream s;
	s << f.rdbuf();
	if (f.bad())
		throw ConfigError(path, 0, "cannot read the configuration");
	std::string text = s.str();
	if (text.size() > 1024 * 1024)
		throw ConfigError(path, 0, "larger than 1 MiB: not an agent configuration");
	return parse_config(text, path);
}

} // namespace tsmctl::agent
