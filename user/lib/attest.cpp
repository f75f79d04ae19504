// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/attest.hpp"
#include "spdmtsm/evidence.hpp"

#include <mbedtls/md.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <sstream>

namespace spdmtsm::attest {

namespace {

Bytes md(mbedtls_md_type_t t, const std::uint8_t *p, std::size_t n)
{
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(t);
	if (!info)
		throw std::runtime_error("hash algorithm not available in mbedTLS");
	Bytes out(mbedtls_md_get_size(info));
	if (mbedtls_md(info, p, n, out.data()) != 0)
		throw std::runtime_error("hashing failed");
	return out;
}

mbedtls_md_type_t bank_md(Bank b)
{
	return b == Bank::Sha1 ? MBEDTLS_MD_SHA1 : MBEDTLS_MD_SHA256;
}

std::optional<mbedtls_md_type_t> algo_md(const std::string &a)
{
	if (a == "sha1")
		return MBEDTLS_MD_SHA1;
	if (a == "sha256")
		return MBEDTLS_MD_SHA256;
	if (a == "sha384")
		return MBEDTLS_MD_SHA384;
	if (a == "sha512")
		return MBEDTLS_MD_SHA512;
	return std::nullopt;
}

// Bounded little-endian reader over the log.
class Reader {
public:
	Reader(const std::uint8_t *p, std::size_t n) : p_(p), n_(n) {}
	std::size_t pos() const { return pos_; }
	std::size_t left() const { return n_ - pos_; }
	bool at_end() const { return pos_ == n_; }
	bool u32(std::uint32_t &v)
	{
		if (left() < 4)
			return false;
		v = std::uint32_t(p_[pos_]) | std::uint32_t(p_[pos_ + 1]) << 8 | std::uint32_t(p_[pos_ + 2]) << 16 |
		    std::uint32_t(p_[pos_ + 3]) << 24;
		pos_ += 4;
		return true;
	}
	bool bytes(std::size_t len, Bytes &out)
	{
		if (left() < len)
			return false;
		out.assign(p_ + pos_, p_ + pos_ + len);
		pos_ += len;
		return true;
	}

private:
	const std::uint8_t *p_;
	std::size_t n_;
	std::size_t pos_ = 0;
};

[[noreturn]] void bad(const LogEntry &e, const std::string &what)
{
	std::ostringstream m;
	m << "IMA log entry " << e.index << " (byte " << e.offset << "): " << what;
	throw FormatError(m.str());
}

// Limits far above what IMA writes: a hostile log must not make us allocate
// gigabytes (the reads are bounded by the file size anyway).
constexpr std::uint32_t max_name = 255;
constexpr std::uint32_t max_data = 64u << 20;

void split_buf_fields(LogEntry &e)
{
	Reader r(e.template_data.data(), e.template_data.size());
	Bytes fields[3];
	for (auto &f : fields) {
		std::uint32_t len;
		if (!r.u32(len) || !r.bytes(len, f))
			bad(e, "ima-buf template data is truncated");
	}
	if (!r.at_end())
		bad(e, "ima-buf template data has trailing bytes");
	// d-ng: "<algo>:" NUL digest
	const Bytes &d = fields[0];
	auto nul = std::find(d.begin(), d.end(), 0);
	if (nul == d.end() || nul == d.begin() || *(nul - 1) != ':')
		bad(e, "ima-buf digest field is not <algo>:\\0<digest>");
	e.digest_algo.assign(d.begin(), nul - 1);
	e.buf_digest.assign(nul + 1, d.end());
	// n-ng: the event name and its NUL
	const Bytes &n = fields[1];
	if (n.empty() || n.back() != 0)
		bad(e, "ima-buf event name is not NUL-terminated");
	e.event_name.assign(n.begin(), n.end() - 1);
	if (e.event_name.find('\0') != std::string::npos)
		bad(e, "ima-buf event name holds a NUL");
	e.buf = fields[2];
	e.is_buf = true;
}

bool all_zero(const Bytes &b)
{
	return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c == 0; });
}

} // namespace

std::size_t bank_digest_len(Bank b)
{
	return b == Bank::Sha1 ? 20 : 32;
}
const char *bank_name(Bank b)
{
	return b == Bank::Sha1 ? "sha1" : "sha256";
}

std::vector<LogEntry> parse_log(const Bytes &log, Bank bank)
{
	std::vector<LogEntry> out;
	Reader r(log.data(), log.size());
	while (!r.at_end()) {
		LogEntry e;
		e.index = out.size();
		e.offset = r.pos();
		std::uint32_t namelen = 0, datalen = 0;
		Bytes name;
		if (!r.u32(e.pcr))
			bad(e, "truncated PCR index");
		if (e.pcr > 23)
			bad(e, "PCR index " + std::to_string(e.pcr) + " out of range (wrong file or bank?)");
		if (!r.bytes(bank_digest_len(bank), e.template_digest))
			bad(e, "truncated template digest");
		if (!r.u32(namelen) || namelen == 0 || namelen > max_name)
			bad(e, "bad template name length (wrong file or bank?)");
		if (!r.bytes(namelen, name))
			bad(e, "truncated template name");
		e.template_name.assign(name.begin(), name.end());
		if (e.template_name == "ima")
			bad(e, "the legacy 'ima' template is not supported (use ima-ng, ima-sig or ima-buf)");
		for (char c : e.template_name)
			if (c < 0x21 || c > 0x7e)
				bad(e, "template name is not printable (wrong file or bank?)");
		if (!r.u32(datalen) || datalen > max_data)
			bad(e, "bad template data length");
		if (!r.bytes(datalen, e.template_data))
			bad(e, "truncated template data");
		if (e.template_name == "ima-buf")
			split_buf_fields(e);
		out.push_back(std::move(e));
	}
	return out;
}

Replay replay(const std::vector<LogEntry> &entries, std::uint32_t pcr, Bank bank)
{
	Replay r;
	const std::size_t n = bank_digest_len(bank);
	r.pcr.assign(n, 0);
	for (const auto &e : entries) {
		if (e.pcr != pcr)
			continue;
		r.extends++;
		Bytes ext;
		if (all_zero(e.template_digest)) {
			// a violation: IMA logs zeros and extends all-ones
			r.violations++;
			ext.assign(n, 0xff);
		} else {
			Bytes want = md(bank_md(bank), e.template_data.data(), e.template_data.size());
			if (want != e.template_digest)
				r.errors.push_back("entry " + std::to_string(e.index) + " (" + e.template_name +
						   (e.event_name.empty() ? "" : " " + e.event_name) +
						   "): template digest does not match its data");
			if (e.is_buf) {
				auto t = algo_md(e.digest_algo);
				if (!t)
					r.errors.push_back("entry " + std::to_string(e.index) +
							   ": unsupported buffer digest algorithm '" + e.digest_algo +
							   "'");
				else if (md(*t, e.buf.data(), e.buf.size()) != e.buf_digest)
					r.errors.push_back("entry " + std::to_string(e.index) + " (" + e.event_name +
							   "): buffer digest does not match the buffer");
			}
			ext = e.template_digest;
		}
		Bytes cat = r.pcr;
		cat.insert(cat.end(), ext.begin(), ext.end());
		r.pcr = md(bank_md(bank), cat.data(), cat.size());
	}
	return r;
}

bool is_record_entry(const LogEntry &e)
{
	return e.is_buf && e.event_name.rfind("spdm-tsm/", 0) == 0;
}

Record parse_record(const LogEntry &e)
{
	Record rec;
	rec.entry = e.index;
	rec.event_name = e.event_name;
	std::string text(e.buf.begin(), e.buf.end());
	auto fail = [&](const std::string &why) -> void { bad(e, "spdm-tsm record: " + why); };
	if (text.empty() || text.back() != '\n')
		fail("does not end with a newline");
	text.pop_back();
	if (text.find_first_of(std::string("\n\0", 2)) != std::string::npos)
		fail("holds a newline or NUL");
	rec.raw = text;
	std::istringstream in(text);
	std::string magic;
	in >> magic;
	if (magic.rfind("spdm-tsm-ima/", 0) != 0)
		fail("does not start with spdm-tsm-ima/");
	if (magic != "spdm-tsm-ima/1")
		fail("format " + magic.substr(13) + " is not supported (this tsmctl reads format 1)");
	static const char *const keys[] = {"seq", "time_ns", "event", "reason", "bdf",  "vendor", "device",
					   "dsn", "version", "asym",  "hash",   "slot", "chain",  "meas"};
	std::map<std::string, std::string> kv;
	std::string tok;
	std::size_t i = 0;
	while (in >> tok) {
		auto eq = tok.find('=');
		if (eq == std::string::npos || eq == 0 || eq + 1 == tok.size())
			fail("field '" + tok + "' is not key=value");
		std::string k = tok.substr(0, eq);
		// format 1 has these fields in this order; later minor additions
		// would come after them
		if (i < std::size(keys) && k != keys[i])
			fail("field " + std::to_string(i + 1) + " is '" + k + "', expected '" + keys[i] + "'");
		if (kv.count(k))
			fail("field '" + k + "' twice");
		kv[k] = tok.substr(eq + 1);
		i++;
	}
	if (i < std::size(keys))
		fail("has " + std::to_string(i) + " fields, format 1 has " + std::to_string(std::size(keys)));
	auto num = [&](const std::string &k) -> std::uint64_t {
		const std::string &v = kv[k];
		if (v.empty() || v.size() > 20 || v.find_first_not_of("0123456789") != std::string::npos)
			fail(k + "=" + v + " is not a number");
		try {
			return std::stoull(v);
		} catch (const std::exception &) {
			fail(k + "=" + v + " is out of range");
		}
		return 0;
	};
	rec.seq = num("seq");
	rec.time_ns = num("time_ns");
	std::uint64_t slot = num("slot");
	if (slot > 7)
		fail("slot=" + kv["slot"] + " is not 0-7");
	rec.slot = unsigned(slot);
	rec.event = kv["event"];
	rec.reason = kv["reason"];
	rec.bdf = kv["bdf"];
	rec.vendor = kv["vendor"];
	rec.device = kv["device"];
	rec.dsn = kv["dsn"];
	rec.version = kv["version"];
	rec.asym = kv["asym"];
	rec.hash = kv["hash"];
	rec.chain = kv["chain"];
	rec.meas = kv["meas"];
	if (e.event_name != "spdm-tsm/" + rec.bdf + "/" + rec.event)
		fail("event name '" + e.event_name + "' does not name its bdf and event (" + rec.bdf + ", " +
		     rec.event + ")");
	return rec;
}

bool version_at_least(const std::string &have, const std::string &want)
{
	auto parse = [](const std::string &v, unsigned &maj, unsigned &min) {
		auto dot = v.find('.');
		if (dot == std::string::npos || dot == 0 || dot + 1 == v.size() || v.size() > 7)
			return false;
		if (v.find_first_not_of("0123456789.") != std::string::npos ||
		    v.find('.', dot + 1) != std::string::npos)
			return false;
		maj = unsigned(std::stoul(v.substr(0, dot)));
		min = unsigned(std::stoul(v.substr(dot + 1)));
		return true;
	};
	unsigned a, b, c, d;
	if (!parse(have, a, b) || !parse(want, c, d))
		return false;
	return a != c ? a > c : b >= d;
}

namespace {

std::string trim(const std::string &s)
{
	auto b = s.find_first_not_of(" \t\r");
	if (b == std::string::npos)
		return "";
	auto e = s.find_last_not_of(" \t\r");
	return s.substr(b, e - b + 1);
}

bool is_hex(const std::string &s)
{
	return !s.empty() && s.size() % 2 == 0 && s.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

std::string lower(std::string s)
{
	for (auto &c : s)
		c = char(std::tolower(static_cast<unsigned char>(c)));
	return s;
}

// "sha384:HEX" (or bare HEX, whose algorithm is then not compared).
std::string norm_digest(const std::string &v)
{
	auto colon = v.find(':');
	std::string hex = colon == std::string::npos ? v : v.substr(colon + 1);
	if (!is_hex(hex))
		return "";
	return colon == std::string::npos ? lower(hex) : lower(v.substr(0, colon)) + ":" + lower(hex);
}

bool digest_eq(const std::string &expected, const std::string &have)
{
	if (expected.find(':') != std::string::npos)
		return expected == have;
	auto colon = have.find(':');
	return colon != std::string::npos && have.substr(colon + 1) == expected;
}

} // namespace

std::vector<Expectation> parse_expectations(const std::string &text, const std::string &file)
{
	std::vector<Expectation> out;
	std::istringstream in(text);
	std::string line;
	int n = 0;
	auto err = [&](const std::string &why) { throw FormatError(file + ":" + std::to_string(n) + ": " + why); };
	while (std::getline(in, line)) {
		n++;
		auto hash = line.find('#');
		if (hash != std::string::npos)
			line.resize(hash);
		line = trim(line);
		if (line.empty())
			continue;
		if (line.front() == '[') {
			if (line.back() != ']')
				err("section header without ']'");
			std::string inner = trim(line.substr(1, line.size() - 2));
			auto sp = inner.find(' ');
			std::string kind = inner.substr(0, sp);
			std::string arg = sp == std::string::npos ? "" : trim(inner.substr(sp + 1));
			Expectation x;
			x.line = n;
			if (kind == "device") {
				// 0000:01:00.0
				if (arg.size() != 12 || arg[4] != ':' || arg[7] != ':' || arg[10] != '.')
					err("[device BDF] needs a full address such as 0000:01:00.0");
				x.bdf = lower(arg);
			} else if (kind == "serial") {
				if (arg.empty() || arg.size() > 16 ||
				    arg.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
					err("[serial HEX] needs 1-16 hex digits");
				x.dsn = std::string(16 - arg.size(), '0') + lower(arg);
			} else {
				err("unknown section '" + kind + "' (device or serial)");
			}
			x.section = kind + " " + (x.bdf.empty() ? x.dsn : x.bdf);
			for (const auto &o : out)
				if (o.section == x.section)
					err("[" + x.section + "] twice (first on line " + std::to_string(o.line) + ")");
			out.push_back(x);
			continue;
		}
		auto eq = line.find('=');
		if (eq == std::string::npos)
			err("expected key = value");
		if (out.empty())
			err("key outside a [device BDF] or [serial HEX] section");
		std::string k = trim(line.substr(0, eq)), v = trim(line.substr(eq + 1));
		Expectation &x = out.back();
		auto once = [&](std::optional<std::string> &slot, const std::string &val) {
			if (slot)
				err("'" + k + "' twice in [" + x.section + "]");
			slot = val;
		};
		if (k == "chain") {
			std::string d = norm_digest(v);
			if (d.empty())
				err("chain = [ALGO:]HEX, e.g. sha384:9f86...");
			once(x.chain, d);
		} else if (k == "meas") {
			std::string d = v == "none" ? "none" : norm_digest(v);
			if (d.empty())
				err("meas = [sha256:]HEX or none");
			once(x.meas, d);
		} else if (k == "min-version") {
			if (!version_at_least(v, "1.0"))
				err("min-version = MAJOR.MINOR, e.g. 1.2");
			once(x.min_version, v);
		} else {
			err("unknown key '" + k + "' (chain, meas, min-version)");
		}
	}
	return out;
}

std::vector<DeviceVerdict> check_expectations(const std::vector<Expectation> &exps, const std::vector<Record> &records)
{
	std::vector<DeviceVerdict> out;
	for (const auto &x : exps) {
		DeviceVerdict v;
		v.exp = &x;
		const Record *last = nullptr;
		for (const auto &r : records) {
			if (!x.bdf.empty() ? r.bdf != x.bdf : r.dsn != x.dsn)
				continue;
			v.records++;
			last = &r;
			if (!r.success())
				continue;
			std::string at = "record " + std::to_string(r.seq) + " (" + r.event + ", entry " +
					 std::to_string(r.entry) + "): ";
			if (x.chain && !digest_eq(*x.chain, r.chain))
				v.problems.push_back(at + "chain " + r.chain + ", expected " + *x.chain);
			// a revalidation takes measurements only when its policy
			// asks; the connect record must carry them
			if (x.meas && *x.meas == "none" && r.meas != "none")
				v.problems.push_back(at + "meas " + r.meas + ", expected none");
			else if (x.meas && *x.meas != "none" && r.meas == "none" && r.event == "connected")
				v.problems.push_back(at + "connected without signed measurements, expected " + *x.meas);
			else if (x.meas && *x.meas != "none" && r.meas != "none" && !digest_eq(*x.meas, r.meas))
				v.problems.push_back(at + "meas " + r.meas + ", expected " + *x.meas);
			if (x.min_version && !version_at_least(r.version, *x.min_version))
				v.problems.push_back(at + "SPDM version " + r.version + ", expected at least " +
						     *x.min_version);
		}
		if (!last)
			v.problems.push_back("no spdm-tsm record in the log");
		else if (!last->success())
			v.problems.push_back("last record " + std::to_string(last->seq) + " is " + last->event +
					     " (reason " + last->reason + "), not connected or revalidated");
		out.push_back(std::move(v));
	}
	return out;
}

} // namespace spdmtsm::attest
