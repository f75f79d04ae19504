// SPDX-License-Identifier: GPL-2.0
// What makes 'tsmctl agent' a systemd service (libsystemd): the sd_notify
// protocol (READY=1, RELOADING=1, STOPPING=1, STATUS=, WATCHDOG=1), logging
// with structured journal fields when stderr is the journal, signals as file
// descriptors for the event loop, and the configuration (with its trust
// anchors) as one unit that a reload replaces only when the new one is good.
// Apart from the netlink flow (agent.cpp) so that it is unit-tested.
#pragma once

#include "agent_config.hpp"

#include "spdmtsm/verify.hpp"

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tsmctl::agent {

// MESSAGE_ID of the journal entries a catalog or an alert can select
// (journalctl MESSAGE_ID=...): fixed for good.
inline constexpr const char *msgid_not_trusted = "ede7170956fd4667aece52eaf84120e6";
inline constexpr const char *msgid_revalidation_failed = "846a39bf18664cf8b57515321415f943";

// JOURNAL_STREAM ("DEV:INODE", set by systemd for a service whose stdout or
// stderr goes to the journal) names the stream fd is connected to: then
// the journal is the log, and entries go to it with fields.  A JOURNAL_STREAM
// inherited by a child whose stderr was redirected elsewhere does not match.
bool journal_stream_is(const char *journal_stream, int fd);

// The structured part of a log entry (empty: not sent).
struct LogFields {
	std::string device;     // SPDM_TSM_DEVICE: PCI address
	std::string event;      // SPDM_TSM_EVENT: kernel event or agent step
	std::string reason;     // SPDM_TSM_REASON
	std::string message_id; // MESSAGE_ID
};

// The fields of one journal entry (MESSAGE=, PRIORITY=, SYSLOG_IDENTIFIER=,
// then those of f that are set), device text escaped.
std::vector<std::string> journal_entry(int prio, const std::string &msg, const LogFields &f);

// Log entries: with their fields to the journal (sd_journal_sendv) when
// stderr is the journal (JOURNAL_STREAM), otherwise one plain line each on
// stderr.  Device text is untrusted: it is escaped (spdmtsm::term_safe) in
// both.
class Logger {
public:
	explicit Logger(bool verbose);
	// for tests: force the journal (or not) instead of detecting it
	Logger(bool verbose, bool journal) : verbose_(verbose), journal_(journal) {}

	void log(int prio, const std::string &msg, const LogFields &f = {}) const;
	void err(const std::string &m, const LogFields &f = {}) const;
	void warn(const std::string &m, const LogFields &f = {}) const;
	void notice(const std::string &m, const LogFields &f = {}) const;
	void info(const std::string &m, const LogFields &f = {}) const;
	void debug(const std::string &m, const LogFields &f = {}) const;
	bool journal() const { return journal_; }

private:
	bool verbose_;
	bool journal_;
};

// The sd_notify protocol towards the service manager ($NOTIFY_SOCKET; all
// calls do nothing without it).  The watchdog interval is systemd's
// WatchdogSec= ($WATCHDOG_USEC, for this process when $WATCHDOG_PID says so);
// watchdog_due() pings at half of it.
class Notifier {
public:
	Notifier();
	void ready(const std::string &status);
	void reloading(const std::string &status);
	void stopping(const std::string &status);
	void status(const std::string &status);
	// WATCHDOG=1 when half the interval has passed since the last ping
	void watchdog_due();
	// the ping period (half of WatchdogSec=), nullopt without a watchdog
	std::optional<std::chrono::microseconds> watchdog_period() const { return period_; }
	// time until the next ping is due (for poll()), -1 without a watchdog
	int ms_to_watchdog() const;

private:
	void send(const std::string &state);
	std::optional<std::chrono::microseconds> period_;
	std::chrono::steady_clock::time_point last_ping_;
};

// SIGTERM, SIGINT and SIGHUP as a file descriptor (signalfd): blocked for
// the process, so they arrive only where the event loop reads them, and a
// handshake in progress is never interrupted half-way.
class SignalFd {
public:
	SignalFd();
	~SignalFd();
	SignalFd(const SignalFd &) = delete;
	SignalFd &operator=(const SignalFd &) = delete;
	int fd() const { return fd_; }
	// Read what arrived (non-blocking) into the flags below.
	void drain();
	bool stop = false;   // SIGTERM or SIGINT
	bool reload = false; // SIGHUP, cleared by the reader
	int stop_signal = 0;

private:
	int fd_ = -1;
	sigset_t old_{};
};

using AnchorsPtr = std::unique_ptr<spdmtsm::TrustAnchors, spdmtsm::TrustAnchorsDeleter>;

// A configuration with its trust anchors loaded (one set per section).
struct Settings {
	Config cfg;
	std::vector<AnchorsPtr> anchors;
	const spdmtsm::TrustAnchors *anchors_of(const DeviceConfig &c) const;
};

// Read, parse, and load every trust anchor; throws ConfigError with
// FILE:LINE (an anchor that does not load names the line of its 'ca').
Settings load_settings(const std::string &path);

// The settings of a running agent.  reload() replaces them only with a
// configuration that loads completely; otherwise it logs why, keeps the
// settings in effect and returns false.
class SettingsHolder {
public:
	explicit SettingsHolder(Settings s) : s_(std::move(s)) {}
	const Settings &get() const { return s_; }
	bool reload(const std::string &path, const Logger &log);

private:
	Settings s_;
};

} // namespace tsmctl::agent
