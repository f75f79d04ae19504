// SPDX-License-Identifier: GPL-2.0
// tsmctl attest check: a host's IMA log and PCR 10, verified away from the
// host (docs/ima-record.md).  Needs no device, no module, no netlink.
#include "commands.hpp"

#include "spdmtsm/attest.hpp"
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/json.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace tsmctl {

using namespace spdmtsm;
using namespace spdmtsm::attest;

namespace {

std::string read_file(const std::string &path, const char *what)
{
	std::ifstream f(path, std::ios::binary);
	if (!f)
		throw std::runtime_error(std::string("cannot read the ") + what + " " + path);
	std::ostringstream s;
	s << f.rdbuf();
	if (f.bad())
		throw std::runtime_error(std::string("error reading the ") + what + " " + path);
	return s.str();
}

Json record_json(const Record &r)
{
	return Json{{"entry", std::uint64_t(r.entry)},
		    {"event_name", r.event_name},
		    {"seq", r.seq},
		    {"time_ns", r.time_ns},
		    {"event", r.event},
		    {"reason", r.reason},
		    {"bdf", r.bdf},
		    {"vendor", r.vendor},
		    {"device", r.device},
		    {"dsn", r.dsn},
		    {"version", r.version},
		    {"asym", r.asym},
		    {"hash", r.hash},
		    {"slot", r.slot},
		    {"chain", r.chain},
		    {"meas", r.meas}};
}

} // namespace

int cmd_attest_check(const Parsed &p)
{
	const bool json = p.has("json");
	std::string pcr_hex = *p.get("pcr10");
	for (auto &c : pcr_hex)
		c = char(std::tolower(static_cast<unsigned char>(c)));
	Bytes want = unhex(pcr_hex); // invalid_argument: exit 2
	Bank bank;
	if (want.size() == 32)
		bank = Bank::Sha256;
	else if (want.size() == 20)
		bank = Bank::Sha1;
	else
		throw std::invalid_argument("--pcr10 must be 64 (sha256 bank) or 40 (sha1 bank) hex digits");

	std::vector<Expectation> exps;
	if (auto f = p.get("expect")) {
		try {
			exps = parse_expectations(read_file(*f, "expectation file"), *f);
		} catch (const FormatError &e) {
			throw std::invalid_argument(e.what());
		}
	}

	std::string raw = read_file(*p.get("ima-log"), "IMA log");
	Bytes log(raw.begin(), raw.end());
	std::string error;
	std::vector<LogEntry> entries;
	Replay rp;
	std::vector<Record> records;
	std::vector<std::string> record_errors;
	try {
		entries = parse_log(log, bank);
	} catch (const FormatError &e) {
		error = e.what();
	}
	if (error.empty()) {
		rp = replay(entries, 10, bank);
		for (const auto &e : entries) {
			if (e.pcr != 10 || !is_record_entry(e))
				continue;
			try {
				records.push_back(parse_record(e));
			} catch (const FormatError &x) {
				record_errors.push_back(x.what());
			}
		}
	}
	const bool pcr_match = error.empty() && rp.pcr == want;
	auto verdicts = error.empty() ? check_expectations(exps, records) : std::vector<DeviceVerdict>{};
	bool ok = error.empty() && pcr_match && rp.errors.empty() && record_errors.empty();
	for (const auto &v : verdicts)
		ok = ok && v.ok();

	if (json) {
		Json recs = Json::array(), devs = Json::array();
		for (const auto &r : records)
			recs.push_back(record_json(r));
		for (const auto &v : verdicts)
			devs.push_back(Json{{"section", v.exp->section},
					    {"ok", v.ok()},
					    {"records", std::uint64_t(v.records)},
					    {"problems", v.problems}});
		// every field present: error and pcr10_replayed are null when the
		// log could not be parsed / was parsed
		Json j{{"ok", ok},
		       {"bank", bank_name(bank)},
		       {"error", json_or_null(error)},
		       {"entries", std::uint64_t(entries.size())},
		       {"pcr10_extends", std::uint64_t(rp.extends)},
		       {"violations", std::uint64_t(rp.violations)},
		       {"pcr10_replayed", error.empty() ? Json(hex(rp.pcr)) : Json(nullptr)},
		       {"pcr10_expected", hex(want)},
		       {"pcr10_match", pcr_match},
		       {"entry_errors", rp.errors},
		       {"record_errors", record_errors},
		       {"records", std::move(recs)},
		       {"devices", std::move(devs)}};
		print_json(p, j);
		return ok ? 0 : 1;
	}

	if (!error.empty()) {
		std::printf("FAIL log          %s\n", error.c_str());
		std::printf("attest: not verified\n");
		return 1;
	}
	std::printf("%s replay       PCR 10 (%s) from %zu of %zu entries%s: %s\n", pcr_match ? "ok  " : "FAIL",
		    bank_name(bank), rp.extends, entries.size(),
		    rp.violations ? (" (" + std::to_string(rp.violations) + " violations)").c_str() : "",
		    pcr_match ? "matches --pcr10" : ("is " + hex(rp.pcr) + ", --pcr10 says " + hex(want)).c_str());
	for (const auto &e : rp.errors)
		std::printf("FAIL entry        %s\n", e.c_str());
	for (const auto &e : record_errors)
		std::printf("FAIL record       %s\n", e.c_str());
	for (const auto &r : records)
		std::printf("     record %-4llu %s %s reason=%s version=%s chain=%s meas=%s\n",
			    static_cast<unsigned long long>(r.seq), r.bdf.c_str(), r.event.c_str(), r.reason.c_str(),
			    r.version.c_str(), r.chain.c_str(), r.meas.c_str());
	for (const auto &v : verdicts) {
		if (v.ok())
			std::printf("ok   %-12s [%s]: %zu records as expected\n", "expect", v.exp->section.c_str(),
				    v.records);
		for (const auto &m : v.problems)
			std::printf("FAIL %-12s [%s]: %s\n", "expect", v.exp->section.c_str(), m.c_str());
	}
	std::printf("attest: %s\n", ok ? "verified" : "not verified");
	return ok ? 0 : 1;
}

} // namespace tsmctl
