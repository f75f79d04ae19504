// SPDX-License-Identifier: GPL-2.0
// tsmctl agent as a systemd service, in-process: the sd_notify messages on a
// NOTIFY_SOCKET this test owns, the watchdog period, journal detection and
// the entries' fields, plain log lines off the journal, signals as a
// descriptor, and a reload that keeps the configuration in effect when the
// new one is bad.
#include "agent_systemd.hpp"

#include <linux/spdm_tsm.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

using namespace tsmctl::agent;
using Catch::Matchers::ContainsSubstring;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

struct TempDir {
	fs::path path;
	TempDir()
	{
		char t[] = "/tmp/agent-test.XXXXXX";
		REQUIRE(mkdtemp(t));
		path = t;
	}
	~TempDir() { fs::remove_all(path); }
};

// A NOTIFY_SOCKET of our own, as a service manager has.
struct NotifySocket {
	TempDir dir;
	int fd = -1;
	NotifySocket()
	{
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		REQUIRE(fd >= 0);
		sockaddr_un a{};
		a.sun_family = AF_UNIX;
		std::string p = (dir.path / "notify").string();
		std::snprintf(a.sun_path, sizeof(a.sun_path), "%s", p.c_str());
		REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0);
		setenv("NOTIFY_SOCKET", p.c_str(), 1);
	}
	~NotifySocket()
	{
		unsetenv("NOTIFY_SOCKET");
		close(fd);
	}
	// the next datagram within ms, "" when none
	std::string next(int ms = 1000)
	{
		pollfd pfd{fd, POLLIN, 0};
		if (poll(&pfd, 1, ms) != 1)
			return "";
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
	}
};

// stderr into a file for the scope
struct CaptureStderr {
	TempDir dir;
	fs::path file;
	int saved;
	CaptureStderr() : file(dir.path / "stderr")
	{
		std::fflush(stderr);
		saved = dup(STDERR_FILENO);
		int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		REQUIRE(fd >= 0);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	~CaptureStderr() { restore(); }
	void restore()
	{
		if (saved < 0)
			return;
		std::fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
		saved = -1;
	}
	std::string text()
	{
		std::fflush(stderr);
		std::ifstream f(file);
		std::stringstream s;
		s << f.rdbuf();
		return s.str();
	}
	std::string dev_ino() const
	{
		struct stat st {};
		REQUIRE(fstat(STDERR_FILENO, &st) == 0);
		return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
	}
};

std::string root_pem(const TempDir &d)
{
	std::string cmd = std::string(DEVSIM_BINARY) + " keygen --dir " + (d.path / "id").string() +
			  " --asym ecdsa-p256 --hash sha256 --seed 1 --slots 1 >/dev/null";
	REQUIRE(std::system(cmd.c_str()) == 0);
	fs::path p = d.path / "id" / "slot0" / "root.pem";
	REQUIRE(fs::exists(p));
	return p.string();
}

void write(const fs::path &p, const std::string &text)
{
	std::ofstream f(p);
	f << text;
}

} // namespace

TEST_CASE("notify: READY, RELOADING, STOPPING and STATUS reach NOTIFY_SOCKET")
{
	NotifySocket ns;
	Notifier n;
	n.ready("following events; 1 trusted");
	CHECK(ns.next() == "READY=1\nSTATUS=following events; 1 trusted");
	n.reloading("reloading /etc/spdm-tsm/agent.conf");
	std::string r = ns.next();
	CHECK_THAT(r, StartsWith("RELOADING=1\nMONOTONIC_USEC="));
	CHECK_THAT(r, ContainsSubstring("\nSTATUS=reloading /etc/spdm-tsm/agent.conf"));
	n.status("line one\nREADY=1");
	CHECK(ns.next() == "STATUS=line one READY=1"); // a status cannot smuggle in a state
	n.stopping("stopping");
	CHECK(ns.next() == "STOPPING=1\nSTATUS=stopping");
	CHECK(ns.next(50).empty());
}

TEST_CASE("notify: without NOTIFY_SOCKET nothing is sent and nothing fails")
{
	unsetenv("NOTIFY_SOCKET");
	Notifier n;
	n.ready("x");
	n.watchdog_due();
	CHECK_FALSE(n.watchdog_period());
	CHECK(n.ms_to_watchdog() == -1);
}

TEST_CASE("watchdog: WATCHDOG_USEC for this process, pings at half the interval")
{
	NotifySocket ns;
	setenv("WATCHDOG_USEC", "300000", 1);
	setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
	Notifier n;
	REQUIRE(n.watchdog_period());
	CHECK(n.watchdog_period()->count() == 150000);
	CHECK(n.ms_to_watchdog() > 100);
	CHECK(n.ms_to_watchdog() <= 151);
	n.watchdog_due(); // not due yet
	CHECK(ns.next(20).empty());
	std::this_thread::sleep_for(std::chrono::milliseconds(160));
	CHECK(n.ms_to_watchdog() == 0);
	n.watchdog_due();
	CHECK(ns.next() == "WATCHDOG=1");
	n.watchdog_due(); // just pinged
	CHECK(ns.next(20).empty());

	// READY=1 carries a ping and restarts the period: a start-up pass that
	// took most of a period must not leave the first event handled after
	// it to overrun WatchdogSec (VM 060 on the debug kernel)
	std::this_thread::sleep_for(std::chrono::milliseconds(120));
	n.ready("following events");
	CHECK(ns.next() == "READY=1\nWATCHDOG=1\nSTATUS=following events");
	CHECK(n.ms_to_watchdog() > 100);
	n.watchdog_due(); // the ready ping counts
	CHECK(ns.next(20).empty());
	n.ready("following events"); // a reload right after: no second ping so soon
	CHECK(ns.next() == "READY=1\nSTATUS=following events");

	// meant for another process (a parent's setting inherited): no watchdog
	setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
	Notifier other;
	CHECK_FALSE(other.watchdog_period());
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	Notifier none;
	CHECK_FALSE(none.watchdog_period());
}

TEST_CASE("journal: JOURNAL_STREAM must name stderr's device and inode")
{
	CaptureStderr cap;
	std::string mine = cap.dev_ino();
	CHECK(journal_stream_is(mine.c_str(), STDERR_FILENO));
	CHECK_FALSE(journal_stream_is(nullptr, STDERR_FILENO));
	CHECK_FALSE(journal_stream_is("", STDERR_FILENO));
	CHECK_FALSE(journal_stream_is((mine + "x").c_str(), STDERR_FILENO));
	CHECK_FALSE(journal_stream_is("1:2", STDERR_FILENO));
	CHECK_FALSE(journal_stream_is("junk", STDERR_FILENO));
	int p[2];
	REQUIRE(pipe(p) == 0);
	CHECK_FALSE(journal_stream_is(mine.c_str(), p[0])); // inherited, but stderr went elsewhere
	close(p[0]);
	close(p[1]);

	setenv("JOURNAL_STREAM", mine.c_str(), 1);
	CHECK(Logger(false).journal());
	setenv("JOURNAL_STREAM", "1:2", 1);
	CHECK_FALSE(Logger(false).journal());
	unsetenv("JOURNAL_STREAM");
	CHECK_FALSE(Logger(false).journal());
}

TEST_CASE("log: plain lines off the journal, no <N> prefix although stderr is no tty")
{
	unsetenv("JOURNAL_STREAM");
	CaptureStderr cap;
	REQUIRE_FALSE(isatty(STDERR_FILENO));
	Logger log(false);
	log.err("0000:01:00.0: NOT trusted \x1b[2J", {"0000:01:00.0", "not-trusted", "chain", msgid_not_trusted});
	log.info("started");
	log.debug("not shown without -v");
	std::string t = cap.text();
	cap.restore();
	CHECK(t == "0000:01:00.0: NOT trusted \\x1b[2J\nstarted\n");
}

TEST_CASE("journal: an entry's fields, MESSAGE_ID for 'not trusted', device text escaped")
{
	auto f = journal_entry(LOG_ERR, "0000:01:00.0: NOT trusted", {"0000:01:00.0", "not-trusted", "chain\x1b", msgid_not_trusted});
	CHECK(f == std::vector<std::string>{"MESSAGE=0000:01:00.0: NOT trusted", "PRIORITY=3", "SYSLOG_IDENTIFIER=tsmctl-agent",
					     "SPDM_TSM_DEVICE=0000:01:00.0", "SPDM_TSM_EVENT=not-trusted",
					     "SPDM_TSM_REASON=chain\\x1b", "MESSAGE_ID=ede7170956fd4667aece52eaf84120e6"});
	auto g = journal_entry(LOG_INFO, "hello", {});
	CHECK(g.size() == 3);
	CHECK(std::string(msgid_not_trusted).size() == 32);
	CHECK(std::string(msgid_not_trusted) != msgid_revalidation_failed);
}

TEST_CASE("signals: SIGTERM, SIGINT and SIGHUP become readable, the mask is restored after")
{
	{
		SignalFd sig;
		raise(SIGHUP);
		sig.drain();
		CHECK(sig.reload);
		CHECK_FALSE(sig.stop);
		raise(SIGTERM);
		sig.drain();
		CHECK(sig.stop);
		CHECK(sig.stop_signal == SIGTERM);
		raise(SIGINT); // the first stop signal is the one reported
		sig.drain();
		CHECK(sig.stop_signal == SIGTERM);
	}
	sigset_t cur;
	sigprocmask(SIG_BLOCK, nullptr, &cur);
	CHECK_FALSE(sigismember(&cur, SIGTERM));
	CHECK_FALSE(sigismember(&cur, SIGHUP));
}

TEST_CASE("reload: a bad configuration is reported and the one in effect kept")
{
	TempDir d;
	std::string root = root_pem(d);
	fs::path conf = d.path / "agent.conf";
	write(conf, "[device 0000:01:00.0]\nca = " + root + "\naction = notify\n");
	SettingsHolder h(load_settings(conf.string()));
	REQUIRE(h.get().cfg.devices.size() == 1);
	CHECK(h.get().cfg.devices[0].action == SPDM_TSM_ACTION_NOTIFY);
	CHECK(h.get().anchors_of(h.get().cfg.devices[0]) != nullptr);

	Logger log(false, false);
	{
		// a syntax error
		write(conf, "[device 0000:01:00.0]\nca = " + root + "\nactoin = unbind\n");
		CaptureStderr cap;
		CHECK_FALSE(h.reload(conf.string(), log));
		std::string t = cap.text();
		cap.restore();
		CHECK_THAT(t, ContainsSubstring(conf.string() + ":3: unknown key 'actoin'"));
		CHECK_THAT(t, ContainsSubstring("keeping the configuration in effect"));
		CHECK(h.get().cfg.devices.at(0).bdf == "0000:01:00.0");
		CHECK(h.get().cfg.devices.at(0).action == SPDM_TSM_ACTION_NOTIFY);
	}
	{
		// good syntax, a trust anchor that does not load
		write(conf, "[device 0000:02:00.0]\nca = " + (d.path / "missing.pem").string() + "\n");
		CaptureStderr cap;
		CHECK_FALSE(h.reload(conf.string(), log));
		std::string t = cap.text();
		cap.restore();
		CHECK_THAT(t, ContainsSubstring(conf.string() + ":2: "));
		CHECK(h.get().cfg.devices.at(0).bdf == "0000:01:00.0");
	}
	{
		// the file is gone
		fs::remove(conf);
		CaptureStderr cap;
		CHECK_FALSE(h.reload(conf.string(), log));
		cap.restore();
		CHECK(h.get().cfg.devices.at(0).bdf == "0000:01:00.0");
		CHECK(h.get().anchors_of(h.get().cfg.devices[0]) != nullptr);
	}
	// a good one replaces it
	write(conf, "[device 0000:01:00.0]\nca = " + root + "\naction = unbind\n[serial 2a]\nca = " + root + "\n");
	CHECK(h.reload(conf.string(), log));
	REQUIRE(h.get().cfg.devices.size() == 2);
	CHECK(h.get().cfg.devices[0].action == SPDM_TSM_ACTION_UNBIND);
	CHECK(h.get().anchors_of(h.get().cfg.devices[1]) != nullptr);
}
