// SPDX-License-Identifier: GPL-2.0
#include "agent_systemd.hpp"

#include "spdmtsm/json.hpp"

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace tsmctl::agent {

bool journal_stream_is(const char *js, int fd)
{
	if (!js || !*js)
		return false;
	unsigned long long dev = 0, ino = 0;
	char tail = 0;
	if (std::sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return false;
	struct stat st {};
	if (::fstat(fd, &st) < 0)
		return false;
	return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

Logger::Logger(bool verbose)
	: verbose_(verbose), journal_(journal_stream_is(std::getenv("JOURNAL_STREAM"), STDERR_FILENO))
{
}

std::vector<std::string> journal_entry(int prio, const std::string &msg, const LogFields &f)
{
	std::vector<std::string> fields = {
		"MESSAGE=" + spdmtsm::term_safe(msg),
		"PRIORITY=" + std::to_string(prio),
		"SYSLOG_IDENTIFIER=tsmctl-agent",
	};
	if (!f.device.empty())
		fields.push_back("SPDM_TSM_DEVICE=" + spdmtsm::term_safe(f.device));
	if (!f.event.empty())
		fields.push_back("SPDM_TSM_EVENT=" + spdmtsm::term_safe(f.event));
	if (!f.reason.empty())
		fields.push_back("SPDM_TSM_REASON=" + spdmtsm::term_safe(f.reason));
	if (!f.message_id.empty())
		fields.push_back("MESSAGE_ID=" + f.message_id);
	return fields;
}

void Logger::log(int prio, const std::string &msg, const LogFields &f) const
{
	if (prio >= LOG_DEBUG && !verbose_)
		return;
	// one line, no terminal escapes: device text (certificate names, the
	// kernel's reasons) is untrusted
	std::string text = spdmtsm::term_safe(msg);
	if (journal_) {
		std::vector<std::string> fields = journal_entry(prio, msg, f);
		std::vector<iovec> iov;
		for (auto &s : fields)
			iov.push_back({s.data(), s.size()});
		if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0)
			return;
		// journald unreachable: the line below still reaches the stream
	}
	text += '\n';
	std::fwrite(text.data(), 1, text.size(), stderr);
	std::fflush(stderr);
}

void Logger::err(const std::string &m, const LogFields &f) const
{
	log(LOG_ERR, m, f);
}
void Logger::warn(const std::string &m, const LogFields &f) const
{
	log(LOG_WARNING, m, f);
}
void Logger::notice(const std::string &m, const LogFields &f) const
{
	log(LOG_NOTICE, m, f);
}
void Logger::info(const std::string &m, const LogFields &f) const
{
	log(LOG_INFO, m, f);
}
void Logger::debug(const std::string &m, const LogFields &f) const
{
	log(LOG_DEBUG, m, f);
}

Notifier::Notifier() : last_ping_(std::chrono::steady_clock::now())
{
	std::uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		period_ = std::chrono::microseconds(usec / 2);
}

void Notifier::send(const std::string &state)
{
	// newlines in a status would start another assignment
	sd_notify(0, state.c_str());
}

static std::string one_line(std::string s)
{
	for (auto &c : s)
		if (c == '\n' || c == '\r')
			c = ' ';
	return spdmtsm::term_safe(s);
}

void Notifier::ready(const std::string &status)
{
	// A ping with READY=1 once half a period has passed since the last
	// one: the start-up pass (or a reload) may have taken most of a period,
	// and the first event handled after it can take the rest.  Never sooner,
	// so pings stay at least half a period apart.
	auto now = std::chrono::steady_clock::now();
	bool ping = period_ && now - last_ping_ >= *period_ / 2;
	if (ping)
		last_ping_ = now;
	send(std::string("READY=1\n") + (ping ? "WATCHDOG=1\n" : "") + "STATUS=" + one_line(status));
}

void Notifier::reloading(const std::string &status)
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	std::uint64_t usec =
		static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
	// MONOTONIC_USEC: systemd >= 253 matches the reload to the request
	send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=" + one_line(status));
}

void Notifier::stopping(const std::string &status)
{
	send("STOPPING=1\nSTATUS=" + one_line(status));
}

void Notifier::status(const std::string &status)
{
	send("STATUS=" + one_line(status));
}

void Notifier::watchdog_due()
{
	if (!period_)
		return;
	auto now = std::chrono::steady_clock::now();
	if (now - last_ping_ < *period_)
		return;
	send("WATCHDOG=1");
	last_ping_ = now;
}

int Notifier::ms_to_watchdog() const
{
	if (!period_)
		return -1;
	auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
		*period_ - (std::chrono::steady_clock::now() - last_ping_));
	return left.count() < 0 ? 0 : static_cast<int>(left.count()) + 1;
}

SignalFd::SignalFd()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &old_) < 0)
		throw std::runtime_error(std::string("sigprocmask: ") + std::strerror(errno));
	fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd_ < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old_, nullptr);
		throw std::runtime_error(std::string("signalfd: ") + std::strerror(e));
	}
}

SignalFd::~SignalFd()
{
	::close(fd_);
	sigprocmask(SIG_SETMASK, &old_, nullptr);
}

void SignalFd::drain()
{
	signalfd_siginfo si;
	while (::read(fd_, &si, sizeof(si)) == static_cast<ssize_t>(sizeof(si))) {
		if (si.ssi_signo == SIGHUP) {
			reload = true;
		} else if (!stop) {
			stop = true;
			stop_signal = static_cast<int>(si.ssi_signo);
		}
	}
}

const spdmtsm::TrustAnchors *Settings::anchors_of(const DeviceConfig &c) const
{
	return anchors.at(static_cast<std::size_t>(&c - cfg.devices.data())).get();
}

Settings load_settings(const std::string &path)
{
	Settings s;
	s.cfg = load_config(path);
	for (const auto &d : s.cfg.devices) {
		std::vector<std::string> files;
		for (const auto &ca : d.cas) {
			try {
				spdmtsm::load_anchors({ca.value});
			} catch (const std::exception &e) {
				throw ConfigError(s.cfg.file, ca.line, e.what());
			}
			files.push_back(ca.value);
		}
		s.anchors.push_back(spdmtsm::load_anchors(files));
	}
	return s;
}

bool SettingsHolder::reload(const std::string &path, const Logger &log)
{
	try {
		Settings n = load_settings(path);
		s_ = std::move(n);
		return true;
	} catch (const ConfigError &e) {
		log.err(std::string("reload: ") + e.what() + "; keeping the configuration in effect");
	}
	return false;
}

} // namespace tsmctl::agent
