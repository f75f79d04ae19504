// SPDX-License-Identifier: GPL-2.0
// tsmctl attest check's core: IMA log parsing, PCR replay, spdm-tsm records
// and expectations, over logs built here (good, tampered, truncated).
#include "spdmtsm/attest.hpp"

#include <catch2/catch_test_macros.hpp>
#include <mbedtls/md.h>

#include <string>

using namespace spdmtsm::attest;

namespace {

Bytes sha(mbedtls_md_type_t t, const Bytes &b)
{
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(t);
	Bytes out(mbedtls_md_get_size(info));
	mbedtls_md(info, b.data(), b.size(), out.data());
	return out;
}
Bytes sha256(const Bytes &b) { return sha(MBEDTLS_MD_SHA256, b); }

void put32(Bytes &o, std::uint32_t v)
{
	for (int i = 0; i < 4; i++)
		o.push_back(std::uint8_t(v >> (8 * i)));
}
void field(Bytes &o, const Bytes &f)
{
	put32(o, std::uint32_t(f.size()));
	o.insert(o.end(), f.begin(), f.end());
}
Bytes str(const std::string &s) { return Bytes(s.begin(), s.end()); }
Bytes strz(const std::string &s)
{
	Bytes b = str(s);
	b.push_back(0);
	return b;
}
Bytes dng(const Bytes &digest)
{
	Bytes b = strz("sha256:");
	b.insert(b.end(), digest.begin(), digest.end());
	return b;
}

struct Built {
	Bytes data;
	std::uint32_t pcr = 10;
	std::string tname;
};

// One entry as binary_runtime_measurements_sha256 has it.
Bytes entry(std::uint32_t pcr, const std::string &tname, const Bytes &tdata, bool violation = false)
{
	Bytes o;
	put32(o, pcr);
	Bytes td = violation ? Bytes(32, 0) : sha256(tdata);
	o.insert(o.end(), td.begin(), td.end());
	put32(o, std::uint32_t(tname.size()));
	o.insert(o.end(), tname.begin(), tname.end());
	put32(o, std::uint32_t(tdata.size()));
	o.insert(o.end(), tdata.begin(), tdata.end());
	return o;
}

Bytes buf_tdata(const std::string &name, const Bytes &buf)
{
	Bytes t;
	field(t, dng(sha256(buf)));
	field(t, strz(name));
	field(t, buf);
	return t;
}

Bytes ng_tdata(const std::string &name, const Bytes &digest)
{
	Bytes t;
	field(t, dng(digest));
	field(t, strz(name));
	return t;
}

const std::string chain_a = "sha384:" + std::string(96, 'a');
const std::string chain_b = "sha384:" + std::string(96, 'b');
const std::string meas_1 = "sha256:" + std::string(64, '1');

std::string record(unsigned seq, const std::string &event, const std::string &reason,
		   const std::string &chain = chain_a, const std::string &version = "1.3",
		   const std::string &meas = meas_1, const std::string &bdf = "0000:01:00.0")
{
	return "spdm-tsm-ima/1 seq=" + std::to_string(seq) + " time_ns=" + std::to_string(1000 + seq) +
	       " event=" + event + " reason=" + reason + " bdf=" + bdf +
	       " vendor=1b36 device=0010 dsn=0123456789abcdef version=" + version +
	       " asym=ecdsa-p384 hash=sha384 slot=0 chain=" + chain + " meas=" + meas + "\n";
}

Bytes rec_entry(const std::string &rec, const std::string &bdf, const std::string &event)
{
	return entry(10, "ima-buf", buf_tdata("spdm-tsm/" + bdf + "/" + event, str(rec)));
}

Bytes cat(std::initializer_list<Bytes> parts)
{
	Bytes o;
	for (const auto &p : parts)
		o.insert(o.end(), p.begin(), p.end());
	return o;
}

// PCR 10 computed independently of replay(): extend each template digest.
Bytes pcr_of(std::initializer_list<Bytes> tdigests)
{
	Bytes pcr(32, 0);
	for (const auto &d : tdigests) {
		Bytes c = pcr;
		c.insert(c.end(), d.begin(), d.end());
		pcr = sha256(c);
	}
	return pcr;
}

const Bytes boot = ng_tdata("boot_aggregate", Bytes(32, 0x42));
const std::string r1 = record(1, "connected", "none");
const std::string r2 = record(2, "revalidated", "explicit");

Bytes good_log()
{
	return cat({entry(10, "ima-ng", boot), rec_entry(r1, "0000:01:00.0", "connected"),
		    entry(11, "ima-ng", ng_tdata("other-pcr", Bytes(32, 7))),
		    rec_entry(r2, "0000:01:00.0", "revalidated")});
}

Bytes good_pcr()
{
	return pcr_of({sha256(boot), sha256(buf_tdata("spdm-tsm/0000:01:00.0/connected", str(r1))),
		       sha256(buf_tdata("spdm-tsm/0000:01:00.0/revalidated", str(r2)))});
}

std::vector<Record> records_of(const std::vector<LogEntry> &es)
{
	std::vector<Record> out;
	for (const auto &e : es)
		if (e.pcr == 10 && is_record_entry(e))
			out.push_back(parse_record(e));
	return out;
}

} // namespace

TEST_CASE("attest: a good log replays to the PCR and yields its records in order")
{
	auto es = parse_log(good_log(), Bank::Sha256);
	REQUIRE(es.size() == 4);
	CHECK(es[1].template_name == "ima-buf");
	CHECK(es[1].event_name == "spdm-tsm/0000:01:00.0/connected");
	auto rp = replay(es, 10, Bank::Sha256);
	CHECK(rp.errors.empty());
	CHECK(rp.extends == 3);
	CHECK(rp.pcr == good_pcr());
	auto rs = records_of(es);
	REQUIRE(rs.size() == 2);
	CHECK(rs[0].event == "connected");
	CHECK(rs[0].seq == 1);
	CHECK(rs[0].chain == chain_a);
	CHECK(rs[0].dsn == "0123456789abcdef");
	CHECK(rs[1].event == "revalidated");
	CHECK(rs[1].reason == "explicit");

	auto exps = parse_expectations("[device 0000:01:00.0]\nchain = " + chain_a + "\nmeas = " + meas_1 +
					       "\nmin-version = 1.2\n",
				       "x.conf");
	auto v = check_expectations(exps, rs);
	REQUIRE(v.size() == 1);
	CHECK(v[0].ok());
	CHECK(v[0].records == 2);
	// by DSN, a bare hex digest (algorithm not compared)
	exps = parse_expectations("[serial 123456789abcdef]\nchain = " + std::string(96, 'A') + "\n", "x");
	CHECK(check_expectations(exps, rs)[0].ok());
}

TEST_CASE("attest: a tampered log fails")
{
	Bytes log = good_log();
	auto es = parse_log(log, Bank::Sha256);
	SECTION("a record's text changed, digests left: entry errors")
	{
		// find "chain=sha384:aaa" of the first record and change one digit
		std::string s(log.begin(), log.end());
		auto at = s.find("chain=sha384:a");
		REQUIRE(at != std::string::npos);
		log[at + 13] = 'b';
		auto rp = replay(parse_log(log, Bank::Sha256), 10, Bank::Sha256);
		CHECK(rp.errors.size() == 2); // template digest and buffer digest
	}
	SECTION("a record rewritten with its digests recomputed: the PCR does not match")
	{
		std::string forged = record(1, "connected", "none", chain_b);
		Bytes f = cat({entry(10, "ima-ng", boot), rec_entry(forged, "0000:01:00.0", "connected"),
			       entry(11, "ima-ng", ng_tdata("other-pcr", Bytes(32, 7))),
			       rec_entry(r2, "0000:01:00.0", "revalidated")});
		auto rp = replay(parse_log(f, Bank::Sha256), 10, Bank::Sha256);
		CHECK(rp.errors.empty());
		CHECK(rp.pcr != good_pcr());
	}
	SECTION("a failure record dropped: the PCR does not match")
	{
		std::string r3 = record(3, "revalidation-failed", "cert-digest");
		Bytes with = cat({good_log(), rec_entry(r3, "0000:01:00.0", "revalidation-failed")});
		Bytes pcr_with = replay(parse_log(with, Bank::Sha256), 10, Bank::Sha256).pcr;
		CHECK(replay(es, 10, Bank::Sha256).pcr != pcr_with);
	}
	SECTION("entries of another PCR do not count; swapping two PCR-10 entries does")
	{
		Bytes swapped = cat({entry(10, "ima-ng", boot), rec_entry(r2, "0000:01:00.0", "revalidated"),
				     rec_entry(r1, "0000:01:00.0", "connected")});
		CHECK(replay(parse_log(swapped, Bank::Sha256), 10, Bank::Sha256).pcr != good_pcr());
	}
}

TEST_CASE("attest: a violation extends all-ones")
{
	Bytes log = cat({entry(10, "ima-ng", boot), entry(10, "ima-ng", ng_tdata("x", Bytes(32, 0)), true)});
	auto rp = replay(parse_log(log, Bank::Sha256), 10, Bank::Sha256);
	CHECK(rp.errors.empty());
	CHECK(rp.violations == 1);
	CHECK(rp.pcr == pcr_of({sha256(boot), Bytes(32, 0xff)}));
}

TEST_CASE("attest: every truncation of a log is a clear error, never a crash")
{
	Bytes log = good_log();
	for (std::size_t n = 1; n < log.size(); n++) {
		Bytes t(log.begin(), log.begin() + std::ptrdiff_t(n));
		CAPTURE(n);
		try {
			auto es = parse_log(t, Bank::Sha256);
			(void)records_of(es);
		} catch (const FormatError &e) {
			CHECK(std::string(e.what()).find("IMA log entry") != std::string::npos);
			continue;
		}
		// a cut exactly between entries parses: a shorter log (the PCR tells)
		CHECK(replay(parse_log(t, Bank::Sha256), 10, Bank::Sha256).pcr != good_pcr());
	}
	// the sha1 file read as sha256 (or garbage) does not parse
	Bytes garbage = {10, 0, 0, 0};
	Bytes g = str("garbage-garbage-garbage-garbage-garbage");
	garbage.insert(garbage.end(), g.begin(), g.end());
	CHECK_THROWS_AS(parse_log(garbage, Bank::Sha256), FormatError);
	Bytes huge;
	put32(huge, 10);
	huge.insert(huge.end(), 32, 1);
	put32(huge, 7);
	auto n = str("ima-buf");
	huge.insert(huge.end(), n.begin(), n.end());
	put32(huge, 0xffffffff);
	CHECK_THROWS_AS(parse_log(huge, Bank::Sha256), FormatError);
}

TEST_CASE("attest: records must be format 1 and name their device")
{
	auto one = [](const std::string &rec, const std::string &name) {
		Bytes log = entry(10, "ima-buf", buf_tdata(name, str(rec)));
		return parse_record(parse_log(log, Bank::Sha256)[0]);
	};
	CHECK(one(r1, "spdm-tsm/0000:01:00.0/connected").event == "connected");
	CHECK_THROWS_AS(one(r1, "spdm-tsm/0000:02:00.0/connected"), FormatError);
	CHECK_THROWS_AS(one(r1, "spdm-tsm/0000:01:00.0/revalidated"), FormatError);
	std::string v2 = r1;
	v2.replace(0, 14, "spdm-tsm-ima/2");
	CHECK_THROWS_AS(one(v2, "spdm-tsm/0000:01:00.0/connected"), FormatError);
	CHECK_THROWS_AS(one(r1.substr(0, r1.size() - 1), "spdm-tsm/0000:01:00.0/connected"), FormatError);
	std::string noseq = r1;
	noseq.replace(noseq.find("seq=1"), 5, "seq=x");
	CHECK_THROWS_AS(one(noseq, "spdm-tsm/0000:01:00.0/connected"), FormatError);
	std::string cut = r1.substr(0, r1.find(" meas=")) + "\n";
	CHECK_THROWS_AS(one(cut, "spdm-tsm/0000:01:00.0/connected"), FormatError);
}

TEST_CASE("attest: expectations fail on another identity, a late failure, an old version")
{
	auto rs = records_of(parse_log(good_log(), Bank::Sha256));
	auto exp = [](const std::string &body) {
		return parse_expectations("[device 0000:01:00.0]\n" + body, "e.conf");
	};
	CHECK_FALSE(check_expectations(exp("chain = " + chain_b + "\n"), rs)[0].ok());
	CHECK_FALSE(check_expectations(exp("meas = none\n"), rs)[0].ok());
	CHECK_FALSE(check_expectations(exp("min-version = 1.4\n"), rs)[0].ok());
	CHECK(check_expectations(exp("min-version = 1.3\n"), rs)[0].ok());

	// a swapped device: revalidation-failed (cert-digest) after the successes
	rs.push_back(rs.back());
	rs.back().event = "revalidation-failed";
	rs.back().reason = "cert-digest";
	auto v = check_expectations(exp("chain = " + chain_a + "\n"), rs);
	REQUIRE_FALSE(v[0].ok());
	CHECK(v[0].problems.back().find("revalidation-failed") != std::string::npos);

	// a device the log never mentions
	auto none = parse_expectations("[device 0000:05:00.0]\n", "e.conf");
	CHECK_FALSE(check_expectations(none, rs)[0].ok());
}

TEST_CASE("attest: expectation files are checked, errors name FILE:LINE")
{
	auto err = [](const std::string &text) {
		try {
			parse_expectations(text, "e.conf");
		} catch (const FormatError &e) {
			return std::string(e.what());
		}
		return std::string("no error");
	};
	CHECK(err("chain = aa\n") == "e.conf:1: key outside a [device BDF] or [serial HEX] section");
	CHECK(err("[device 01:00.0]\n").rfind("e.conf:1:", 0) == 0);
	CHECK(err("[device 0000:01:00.0]\nchain = xyz\n").rfind("e.conf:2:", 0) == 0);
	CHECK(err("[device 0000:01:00.0]\nmeas = none\nmeas = none\n").rfind("e.conf:3:", 0) == 0);
	CHECK(err("[device 0000:01:00.0]\nfoo = 1\n").rfind("e.conf:2:", 0) == 0);
	CHECK(err("[device 0000:01:00.0]\n[device 0000:01:00.0]\n").rfind("e.conf:2:", 0) == 0);
	CHECK(err("[host x]\n").rfind("e.conf:1:", 0) == 0);
	CHECK(err("# comment\n[device 0000:01:00.0]  # dev\nmin-version = 1.2\n") == "no error");
	CHECK(version_at_least("1.3", "1.2"));
	CHECK(version_at_least("1.4", "1.3"));
	CHECK_FALSE(version_at_least("1.3", "1.4"));
	CHECK_FALSE(version_at_least("1.1", "1.2"));
	CHECK_FALSE(version_at_least("none", "1.0"));
}
