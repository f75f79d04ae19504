// SPDX-License-Identifier: GPL-2.0
// The configuration of 'tsmctl agent' (/etc/spdm-tsm/agent.conf): which
// devices to authenticate, the trust anchors to judge them with, and the
// revalidation policy to give the kernel once they are trusted.
//
//   # comment (also after a value, when preceded by a blank)
//   [device 0000:01:00.0]        a device by PCI address (01:00.0 works too)
//   [serial 0123456789abcdef]    or by its PCIe Device Serial Number
//   ca = /etc/spdm-tsm/vendor-root.pem   trust anchor, PEM or DER; repeatable, >= 1
//   cert-digest = current        or HEX: the expected chain digest (default current)
//   meas = 1=HEX                 expected measurement digest; repeatable
//   meas = baseline              or: every block seen at connect, no other
//   volatile = 2                 measurement index ignored on revalidation; repeatable
//   action = notify              notify | unbind | disable-bus-master (default notify)
//   revalidate = auto            auto | announce (default auto)
//   slot = 0                     certificate slot 0-7 (default 0)
//   measurements = no            yes | no: connect with signed measurements
//                                (default: yes when meas/volatile are given)
//   session = no                 yes | no: connect with a secured session
//                                (KEY_EXCHANGE, FINISH, kept alive with HEARTBEAT)
//
// Parsing is strict: an unknown section or key, a bad value, a key given twice
// that is not repeatable, a device listed twice or a section without 'ca' is
// an error that names the file and the line.
#pragma once

#include "spdmtsm/evidence.hpp"
#include "spdmtsm/policy.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tsmctl::agent {

class ConfigError : public std::runtime_error {
public:
	ConfigError(const std::string &file, int line, const std::string &msg);
	const std::string &file() const { return file_; }
	int line() const { return line_; } // 0: the file as a whole
	const std::string &message() const { return msg_; }

private:
	std::string file_;
	int line_;
	std::string msg_;
};

struct Located {
	std::string value;
	int line = 0;
};

struct DeviceConfig {
	enum class Match { bdf, serial };
	Match match = Match::bdf;
	std::string bdf;          // canonical, for Match::bdf
	std::uint64_t serial = 0; // for Match::serial
	int line = 0;             // of the section header

	std::vector<Located> cas;
	bool cert_digest_current = true;
	spdmtsm::Bytes cert_digest;          // when !cert_digest_current
	std::vector<spdmtsm::MeasRule> meas; // sorted by index
	bool meas_baseline = false;          // meas = baseline
	std::uint32_t action = 0;            // enum spdm_tsm_action
	std::uint32_t revalidate_mode = 0;   // enum spdm_tsm_revalidate_mode
	std::uint8_t slot = 0;
	bool measurements = false;
	bool session = false; // connect with a secured session

	// "[device 0000:01:00.0]" or "[serial 0123456789abcdef]"
	std::string name() const;
	bool matches(const std::string &dev_bdf, const std::optional<std::uint64_t> &dev_serial) const;
};

struct Config {
	std::string file;
	std::vector<DeviceConfig> devices;

	// The first section that matches, or null.
	const DeviceConfig *find(const std::string &bdf, const std::optional<std::uint64_t> &serial) const;
};

// Parse the text of a configuration file; file names it in errors.
Config parse_config(std::string_view text, const std::string &file);
// Read and parse; throws ConfigError (line 0 when the file cannot be read).
Config load_config(const std::string &path);

} // namespace tsmctl::agent
