// SPDX-License-Identifier: GPL-2.0
// Fleet evidence, verified away from the host: the IMA measurement log
// (binary_runtime_measurements_sha256 or _sha1), replayed into a PCR and
// compared with the value a TPM quote reports, and the spdm-tsm records it
// holds (docs/ima-record.md) checked against expected per-device values.
// Pure functions over bytes: no netlink, no TPM access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace spdmtsm::attest {

using Bytes = std::vector<std::uint8_t>;

// A malformed log or expectation file; what() says where.
class FormatError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

enum class Bank { Sha1, Sha256 };
std::size_t bank_digest_len(Bank b);
const char *bank_name(Bank b);

// One entry of binary_runtime_measurements_<bank> (native little-endian,
// as x86 and ima_canonical_fmt write it).
struct LogEntry {
	std::size_t index = 0;  // 0-based position in the log
	std::size_t offset = 0; // byte offset of the entry
	std::uint32_t pcr = 0;
	Bytes template_digest; // the bank's hash of template_data; zero: violation
	std::string template_name;
	Bytes template_data; // the fields, each as u32 length || data
	// ima-buf ("d-ng|n-ng|buf") entries, split:
	bool is_buf = false;
	std::string digest_algo; // "sha256"
	Bytes buf_digest;
	std::string event_name; // without its terminating NUL
	Bytes buf;
};

// Parses the whole log; throws FormatError (entry index, byte offset, what).
std::vector<LogEntry> parse_log(const Bytes &log, Bank bank);

struct Replay {
	Bytes pcr;                       // the replayed value
	std::size_t extends = 0;         // entries of that PCR
	std::size_t violations = 0;      // extended with all-ones
	std::vector<std::string> errors; // entries whose data does not match their digest
};

// Replays the entries of pcr from zero, checking each entry's template
// digest against its data (and an ima-buf entry's buffer digest against its
// buffer); violations (all-zero digest) extend with all-ones, as IMA does.
Replay replay(const std::vector<LogEntry> &entries, std::uint32_t pcr, Bank bank);

// One spdm-tsm record, format version 1.
struct Record {
	std::size_t entry = 0; // index of its log entry
	std::string event_name;
	std::string raw; // the record's text, without the final newline
	std::uint64_t seq = 0;
	std::uint64_t time_ns = 0;
	std::string event, reason, bdf, vendor, device, dsn, version, asym, hash, chain, meas;
	unsigned slot = 0;
	bool success() const { return event == "connected" || event == "revalidated"; }
};

bool is_record_entry(const LogEntry &e);
// Parses the record of an spdm-tsm entry; throws FormatError.
Record parse_record(const LogEntry &e);

// What a verifier expects of one device (an INI-like file: docs/ima-record.md).
struct Expectation {
	std::string section; // "device 0000:01:00.0" or "serial 0123456789abcdef"
	std::string bdf;     // one of bdf, dsn
	std::string dsn;
	std::optional<std::string> chain;       // "sha384:HEX"
	std::optional<std::string> meas;        // "sha256:HEX" or "none"
	std::optional<std::string> min_version; // "1.2"
	int line = 0;
};

// Throws FormatError "FILE:LINE: why".
std::vector<Expectation> parse_expectations(const std::string &text, const std::string &file);

struct DeviceVerdict {
	const Expectation *exp = nullptr;
	std::size_t records = 0;
	std::vector<std::string> problems; // empty: the device passes
	bool ok() const { return problems.empty(); }
};

// Per expectation: its records must exist, each success record must name
// the expected chain digest, measurement digest (when the record carries
// one; a connected record must) and at least the minimum SPDM version, and the device's last record must be a success
// (connected or revalidated): a failure or a loss after the last success fails.
std::vector<DeviceVerdict> check_expectations(const std::vector<Expectation> &exps, const std::vector<Record> &records);

// Compares versions "1.2" < "1.3"; false when either does not parse.
bool version_at_least(const std::string &have, const std::string &want);

} // namespace spdmtsm::attest
