// SPDX-License-Identifier: GPL-2.0
// notifysup: a minimal notify-aware supervisor for the VM scenarios, the
// part of systemd's service manager that 'Type=notify' + 'WatchdogSec=' +
// 'ExecReload=kill -HUP' rely on.  It owns a NOTIFY_SOCKET, starts CMD with
// NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (the child's pid) set, and
// runs the steps in order; the first one that fails ends it (status 1,
// CMD killed).  Every step prints one line.
//
//   notifysup [--watchdog-usec N] [--log FILE] STEP... -- CMD [ARG...]
//
//   --expect LINE        wait (--timeout, default 60 s) for a notify line
//                        equal to LINE, or starting with it when LINE ends
//                        with '*'; lines before it are consumed
//   --not-before LINE    fail if LINE arrived since the previous step
//   --pings N            wait for N WATCHDOG=1 pings; each interval from the
//                        previous ping (or the start) must be at most
//                        WATCHDOG_USEC and at least WATCHDOG_USEC/5
//   --run SHELL          sh -c SHELL must exit 0
//   --sleep MS           wait MS milliseconds (reading notify messages)
//   --signal SIG         kill(CMD, SIG): HUP, TERM or INT
//   --exit-within MS ST  CMD exits with status ST within MS of the last
//                        --signal
//   --timeout S          for the following --expect / --pings
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Line {
	std::string text;
	Clock::time_point at;
};

int g_sock = -1;
pid_t g_child = -1;
int g_status = -1; // once exited
Clock::time_point g_exit_at;
std::deque<Line> g_lines; // not yet consumed
std::vector<Clock::time_point> g_pings;
Clock::time_point g_start;

double secs(Clock::time_point a, Clock::time_point b)
{
	return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void fail(const std::string &msg)
{
	std::printf("notifysup: FAIL: %s\n", msg.c_str());
	std::fflush(stdout);
	if (g_child > 0 && g_status < 0) {
		kill(g_child, SIGKILL);
		waitpid(g_child, nullptr, 0);
	}
	std::exit(1);
}

void reap()
{
	if (g_status >= 0)
		return;
	int st;
	if (waitpid(g_child, &st, WNOHANG) == g_child) {
		g_exit_at = Clock::now();
		g_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
}

// Read notify datagrams for up to ms (0: what is there).
void pump(int ms)
{
	pollfd pfd{g_sock, POLLIN, 0};
	if (poll(&pfd, 1, ms) > 0) {
		char buf[4096];
		ssize_t n;
		while ((n = recv(g_sock, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
			auto now = Clock::now();
			std::string d(buf, static_cast<std::size_t>(n));
			std::size_t pos = 0;
			while (pos <= d.size()) {
				auto nl = d.find('\n', pos);
				std::string l = d.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
				if (!l.empty()) {
					std::printf("# notify +%.3fs: %s\n", secs(g_start, now), l.c_str());
					if (l == "WATCHDOG=1")
						g_pings.push_back(now);
					else
						g_lines.push_back({l, now});
				}
				if (nl == std::string::npos)
					break;
				pos = nl + 1;
			}
		}
	}
	reap();
}

bool matches(const std::string &line, const std::string &want)
{
	if (!want.empty() && want.back() == '*')
		return line.compare(0, want.size() - 1, want, 0, want.size() - 1) == 0;
	return line == want;
}

int signal_of(const std::string &s)
{
	if (s == "HUP")
		return SIGHUP;
	if (s == "TERM")
		return SIGTERM;
	if (s == "INT")
		return SIGINT;
	fail("unknown signal " + s);
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::pair<std::string, std::vector<std::string>>> steps;
	long long wd_usec = 0;
	const char *log = nullptr;
	int i = 1;
	for (; i < argc && std::strcmp(argv[i], "--") != 0; i++) {
		std::string a = argv[i];
		auto need = [&](int n) {
			if (i + n >= argc)
				fail(a + " needs " + std::to_string(n) + " argument(s)");
			std::vector<std::string> v;
			for (int k = 1; k <= n; k++)
				v.push_back(argv[i + k]);
			i += n;
			return v;
		};
		if (a == "--watchdog-usec")
			wd_usec = std::atoll(need(1)[0].c_str());
		else if (a == "--log")
			log = argv[++i];
		else if (a == "--exit-within")
			steps.push_back({a, need(2)});
		else if (a == "--expect" || a == "--not-before" || a == "--pings" || a == "--run" || a == "--signal" ||
			 a == "--timeout" || a == "--sleep")
			steps.push_back({a, need(1)});
		else
			fail("unknown option " + a);
	}
	if (i + 1 >= argc)
		fail("usage: notifysup [--watchdog-usec N] [--log FILE] STEP... -- CMD [ARG...]");
	char **cmd = argv + i + 1;

	std::string path = "/tmp/notifysup." + std::to_string(getpid());
	g_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sockaddr_un sa{};
	sa.sun_family = AF_UNIX;
	std::snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path.c_str());
	unlink(path.c_str());
	if (g_sock < 0 || bind(g_sock, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) < 0)
		fail(std::string("notify socket: ") + std::strerror(errno));

	g_start = Clock::now();
	g_child = fork();
	if (g_child == 0) {
		setenv("NOTIFY_SOCKET", path.c_str(), 1);
		if (wd_usec > 0) {
			setenv("WATCHDOG_USEC", std::to_string(wd_usec).c_str(), 1);
			setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
		}
		if (log) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd >= 0) {
				dup2(fd, STDERR_FILENO);
				close(fd);
			}
		}
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (g_child < 0)
		fail(std::string("fork: ") + std::strerror(errno));

	int timeout_s = 60;
	Clock::time_point signalled = g_start;
	std::size_t pings_seen = 0;
	for (const auto &[op, v] : steps) {
		if (op == "--timeout") {
			timeout_s = std::atoi(v[0].c_str());
		} else if (op == "--expect") {
			auto until = Clock::now() + std::chrono::seconds(timeout_s);
			for (;;) {
				pump(0);
				bool found = false;
				while (!g_lines.empty()) {
					Line l = g_lines.front();
					g_lines.pop_front();
					if (matches(l.text, v[0])) {
						std::printf("notifysup: ok: %s after %.3f s\n", v[0].c_str(), secs(g_start, l.at));
						found = true;
						break;
					}
				}
				if (found)
					break;
				if (g_status >= 0)
					fail("no " + v[0] + ": the command exited with status " + std::to_string(g_status));
				if (Clock::now() > until)
					fail("no " + v[0] + " within " + std::to_string(timeout_s) + " s");
				pump(100);
			}
		} else if (op == "--not-before") {
			pump(0);
			for (const auto &l : g_lines)
				if (matches(l.text, v[0]))
					fail(v[0] + " arrived (at " + std::to_string(secs(g_start, l.at)) + " s) where it must not");
			std::printf("notifysup: ok: no %s\n", v[0].c_str());
		} else if (op == "--pings") {
			if (wd_usec <= 0)
				fail("--pings without --watchdog-usec");
			std::size_t want = pings_seen + static_cast<std::size_t>(std::atoi(v[0].c_str()));
			auto until = Clock::now() + std::chrono::seconds(timeout_s);
			while (g_pings.size() < want) {
				if (g_status >= 0)
					fail("the command exited before " + v[0] + " pings");
				if (Clock::now() > until)
					fail("only " + std::to_string(g_pings.size() - pings_seen) + " of " + v[0] +
					     " WATCHDOG=1 pings within " + std::to_string(timeout_s) + " s");
				pump(100);
			}
			// the agent pings every WATCHDOG_USEC/2 and, with READY=1,
			// never sooner than WATCHDOG_USEC/4 after the previous ping:
			// a bound below that (scheduling jitter) still catches a spammer
			double limit = wd_usec / 1e6, least = limit / 5;
			for (std::size_t k = pings_seen; k < want; k++) {
				double gap = secs(k ? g_pings[k - 1] : g_start, g_pings[k]);
				std::printf("# ping %zu: %.3f s after the previous one\n", k + 1, gap);
				// the first ping may come early (the agent pings when due from its start)
				if (gap > limit || (k > 0 && gap < least))
					fail("WATCHDOG=1 interval " + std::to_string(gap) + " s, expected " +
					     std::to_string(least) + " to " + std::to_string(limit) + " s");
			}
			pings_seen = want;
			std::printf("notifysup: ok: %s WATCHDOG=1 pings, each within WATCHDOG_USEC\n", v[0].c_str());
		} else if (op == "--run") {
			// notify messages are read while the command runs: a ping's
			// time is when it arrived, not when a blocked supervisor got
			// round to reading it (std::system would hold them back)
			std::fflush(stdout);
			pid_t p = fork();
			if (p < 0)
				fail(std::string("fork: ") + std::strerror(errno));
			if (p == 0) {
				execl("/bin/sh", "sh", "-c", v[0].c_str(), static_cast<char *>(nullptr));
				_exit(127);
			}
			int st = 0;
			for (;;) {
				pid_t r = waitpid(p, &st, WNOHANG);
				if (r == p)
					break;
				if (r < 0 && errno != EINTR)
					fail(std::string("waitpid: ") + std::strerror(errno));
				pump(10);
			}
			int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			if (rc != 0)
				fail("'" + v[0] + "' failed (" + std::to_string(rc) + ")");
			std::printf("notifysup: ok: ran %s\n", v[0].c_str());
		} else if (op == "--sleep") {
			auto until = Clock::now() + std::chrono::milliseconds(std::atoi(v[0].c_str()));
			while (Clock::now() < until)
				pump(10);
			std::printf("notifysup: slept %s ms\n", v[0].c_str());
		} else if (op == "--signal") {
			pump(0);
			if (g_status >= 0)
				fail("cannot signal: the command exited with status " + std::to_string(g_status));
			signalled = Clock::now();
			kill(g_child, signal_of(v[0]));
			std::printf("notifysup: sent SIG%s at %.3f s\n", v[0].c_str(), secs(g_start, signalled));
		} else if (op == "--exit-within") {
			int ms = std::atoi(v[0].c_str()), want = std::atoi(v[1].c_str());
			auto until = signalled + std::chrono::milliseconds(ms);
			while (g_status < 0 && Clock::now() < until)
				pump(20);
			if (g_status < 0)
				fail("still running " + std::to_string(ms) + " ms after the signal");
			double took = secs(signalled, g_exit_at);
			std::printf("notifysup: exit status %d, %.3f s after the signal\n", g_status, took);
			if (g_status != want)
				fail("exit status " + std::to_string(g_status) + ", expected " + std::to_string(want));
			std::printf("notifysup: ok: exited within %d ms\n", ms);
		}
		std::fflush(stdout);
	}
	pump(0);
	if (g_status < 0) {
		kill(g_child, SIGTERM);
		waitpid(g_child, nullptr, 0);
	}
	unlink(path.c_str());
	return 0;
}
