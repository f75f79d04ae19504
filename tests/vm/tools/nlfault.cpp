// SPDX-License-Identifier: GPL-2.0
// nlfault: allocation-failure injection across the spdm-tsm family's
// operations (tests/vm/scenarios/080-failslab.sh, debug kernel only).
//
// For one operation, fail the 1st, 2nd, 3rd, ... slab allocation of this
// task (failslab through /proc/thread-self/fail-nth: exact and confined to
// this task) until the operation runs without reaching the armed
// allocation.  Each faulted run must end with success (the allocation was
// optional) or with ENOMEM/ENOBUFS, never another error, and leave the
// device as it was before: no half connect, no half policy, a revalidation
// that could not run does not count as a failed one.  Leaks are kmemleak's
// job (vm-run scans after the scenario), KASAN and lockdep reports fail the
// run through vm-run's dmesg scan.
//
// Needs failslab to consider sleeping allocations:
//   echo N > /sys/kernel/debug/failslab/ignore-gfp-wait
//
// usage: nlfault DEV connect|evidence|policy|revalidate
//   connect     DEV disconnected before each run; needs nothing
//   evidence    DEV must be connected
//   policy      DEV's policy is deleted before each run, and at the end
//   revalidate  DEV must be connected; its policy (if any) is kept
// Prints TAP-like lines; exits with the number of failed checks.
#include "nlraw.hpp"

#include <fcntl.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace {

using namespace nlraw;

int failures = 0, count = 0;

void check(bool ok, const std::string &what)
{
	count++;
	std::printf("%s %d - %s\n", ok ? "ok" : "not ok", count, what.c_str());
	if (!ok)
		failures++;
}

// /proc/thread-self/fail-nth: writing N makes this task's N-th fault
// injection point fail; reading gives what is left (0: it fired).
class FailNth {
public:
	FailNth() : fd_(::open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC)) {}
	bool ok() const { return fd_.get() >= 0; }
	void arm(unsigned int n) { put(n); }
	// Disarm; true when the armed injection fired.
	bool fired()
	{
		char buf[32] = {};
		ssize_t len = ::pread(fd_.get(), buf, sizeof(buf) - 1, 0);
		put(0);
		return len > 0 && std::strtoul(buf, nullptr, 10) == 0;
	}

private:
	void put(unsigned int n)
	{
		char buf[32];
		int len = std::snprintf(buf, sizeof(buf), "%u", n);
		if (::pwrite(fd_.get(), buf, static_cast<std::size_t>(len), 0) != len) {
			std::perror("nlfault: write /proc/thread-self/fail-nth");
			std::exit(2);
		}
	}
	Fd fd_;
};

struct Ctx {
	std::string dev;
	FailNth nth;
};

// An unfaulted request on a fresh socket.
Answer plain(std::uint8_t cmd, const std::string &dev, std::uint16_t bdf_attr = SPDM_TSM_A_DEV_BDF,
	     std::uint16_t flags = 0)
{
	Socket s;
	if (!s.ok()) {
		std::fprintf(stderr, "nlfault: no spdm-tsm netlink family\n");
		std::exit(2);
	}
	Msg m(s.fam(), cmd, flags);
	m.str(bdf_attr, dev);
	return s.transact(m);
}

std::uint32_t dev_state(const std::string &dev)
{
	Answer a = plain(SPDM_TSM_CMD_DEV_GET, dev);
	return a.error ? ~0u : a.u32(SPDM_TSM_A_DEV_STATE, ~0u);
}

struct Op {
	const char *name;
	std::function<void(Ctx &)> prepare;		// unfaulted, before each run
	std::function<void(Msg &)> build;		// the faulted request's attributes
	std::uint16_t flags;
	// unfaulted, after a run that failed with errno @err: is the device as
	// it was?  ENOBUFS can also mean the operation was done and only its
	// reply or acknowledgement could not be allocated.
	std::function<std::string(Ctx &, int err)> after_failure;
};

std::string connect_after_failure(Ctx &c, int err)
{
	std::uint32_t st = dev_state(c.dev);
	if (err == ENOBUFS && st == SPDM_TSM_STATE_AUTHENTICATED) {
		// connected, the acknowledgement was lost: the evidence is whole
		Answer ev = plain(SPDM_TSM_CMD_EVIDENCE_GET, c.dev, SPDM_TSM_A_EVIDENCE_BDF, NLM_F_DUMP);
		if (ev.error)
			return "connected but the evidence dump fails: errno " + std::to_string(ev.error);
		return {};
	}
	if (st != SPDM_TSM_STATE_FAILED && st != SPDM_TSM_STATE_NONE)
		return "state " + std::to_string(st) + " after a failed connect (want failed or none)";
	Answer ev = plain(SPDM_TSM_CMD_EVIDENCE_GET, c.dev, SPDM_TSM_A_EVIDENCE_BDF, NLM_F_DUMP);
	if (ev.error != ENODATA)
		return "evidence after a failed connect: errno " + std::to_string(ev.error) + " (want ENODATA)";
	return {};
}

std::string policy_after_failure(Ctx &c, int err)
{
	Answer a = plain(SPDM_TSM_CMD_POLICY_GET, c.dev, SPDM_TSM_A_POLICY_BDF);
	if (err == ENOBUFS && a.error == 0)
		return {};	// set, the acknowledgement was lost
	if (a.error != ENOENT)
		return "a policy exists after a failed policy-set (errno " + std::to_string(a.error) + ")";
	return {};
}

std::string still_authenticated(Ctx &c, int)
{
	std::uint32_t st = dev_state(c.dev);
	if (st != SPDM_TSM_STATE_AUTHENTICATED)
		return "state " + std::to_string(st) + " (want authenticated: nothing was learnt about the device)";
	return {};
}

const Op ops[] = {
	{ "connect",
	  [](Ctx &c) { plain(SPDM_TSM_CMD_DISCONNECT, c.dev); },
	  [](Msg &m) { m.attr(SPDM_TSM_A_DEV_MEASUREMENTS, nullptr, 0); },
	  0, connect_after_failure },
	{ "evidence",
	  [](Ctx &) {},
	  [](Msg &) {},
	  NLM_F_DUMP, still_authenticated },
	{ "policy",
	  [](Ctx &c) { plain(SPDM_TSM_CMD_POLICY_DEL, c.dev, SPDM_TSM_A_POLICY_BDF); },
	  [](Msg &m) {
		  std::uint8_t digest[48];
		  std::memset(digest, 0xa5, sizeof(digest));
		  m.attr(SPDM_TSM_A_POLICY_CERT_DIGEST, digest, sizeof(digest));
		  for (std::uint8_t idx : { 1, 2, 3 }) {
			  auto n = m.nest_begin(SPDM_TSM_A_POLICY_MEAS_RULE);
			  m.u8(SPDM_TSM_A_MEAS_RULE_INDEX, idx);
			  digest[0] = idx;
			  m.attr(SPDM_TSM_A_MEAS_RULE_DIGEST, digest, sizeof(digest));
			  m.nest_end(n);
		  }
		  m.u32(SPDM_TSM_A_POLICY_ACTION, SPDM_TSM_ACTION_NOTIFY);
	  },
	  0, policy_after_failure },
	{ "revalidate",
	  [](Ctx &) {},
	  [](Msg &) {},
	  0, still_authenticated },
};

std::uint8_t cmd_of(const std::string &name)
{
	if (name == "connect")
		return SPDM_TSM_CMD_CONNECT;
	if (name == "evidence")
		return SPDM_TSM_CMD_EVIDENCE_GET;
	if (name == "policy")
		return SPDM_TSM_CMD_POLICY_SET;
	return SPDM_TSM_CMD_REVALIDATE;
}

std::uint16_t bdf_attr_of(const std::string &name)
{
	if (name == "evidence")
		return SPDM_TSM_A_EVIDENCE_BDF;
	if (name == "policy")
		return SPDM_TSM_A_POLICY_BDF;
	return SPDM_TSM_A_DEV_BDF;
}

// Arbitrary, large: connect makes a few hundred allocations in this task.
constexpr unsigned int max_points = 5000;

void sweep(Ctx &c, const Op &op)
{
	unsigned int n, injected = 0, tolerated = 0;
	std::string bad;

	for (n = 1; n <= max_points; n++) {
		op.prepare(c);
		Socket s;
		if (!s.ok()) {
			std::fprintf(stderr, "nlfault: no spdm-tsm netlink family\n");
			std::exit(2);
		}
		Msg m(s.fam(), cmd_of(op.name), op.flags);
		m.str(bdf_attr_of(op.name), c.dev);
		op.build(m);

		c.nth.arm(n);
		Answer a = s.transact(m);
		bool fired = c.nth.fired();

		if (!fired) {
			check(a.error == 0, std::string(op.name) + ": runs without injection after " +
						    std::to_string(n - 1) + " injected failures (errno " +
						    std::to_string(a.error) + (a.extack.empty() ? "" : ", " + a.extack) + ")");
			break;
		}
		injected++;
		std::printf("#   %s, allocation %u failed: %s%s%s\n", op.name, n,
			    a.error ? std::strerror(a.error) : "succeeded anyway",
			    a.extack.empty() ? "" : ": ", a.extack.c_str());
		if (a.error == 0) {
			tolerated++;
			continue;
		}
		if (a.error != ENOMEM && a.error != ENOBUFS && bad.empty())
			bad = "allocation " + std::to_string(n) + " failed: errno " + std::to_string(a.error) + " (" +
			      std::strerror(a.error) + ")" + (a.extack.empty() ? "" : ", extack \"" + a.extack + "\"");
		std::string why = op.after_failure(c, a.error);
		if (!why.empty() && bad.empty())
			bad = "allocation " + std::to_string(n) + " failed, then: " + why;
	}
	if (n > max_points)
		check(false, std::string(op.name) + ": still reaching injected failures after " +
				     std::to_string(max_points) + " allocations");
	std::printf("# %s: %u allocations failed one at a time, %u of them tolerated (the operation succeeded)\n",
		    op.name, injected, tolerated);
	check(bad.empty(), std::string(op.name) + ": every injected allocation failure ends in ENOMEM/ENOBUFS "
						 "and leaves the device as it was" + (bad.empty() ? "" : ": " + bad));
	check(injected > 0, std::string(op.name) + ": at least one allocation was failed");
	if (cmd_of(op.name) == SPDM_TSM_CMD_POLICY_SET)
		plain(SPDM_TSM_CMD_POLICY_DEL, c.dev, SPDM_TSM_A_POLICY_BDF);
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3) {
		std::fprintf(stderr, "usage: nlfault DEV connect|evidence|policy|revalidate...\n");
		return 2;
	}
	Ctx c;
	c.dev = argv[1];
	if (!c.nth.ok()) {
		std::perror("nlfault: /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const Op *op = nullptr;
		for (const Op &o : ops)
			if (argv[i] == std::string(o.name))
				op = &o;
		if (!op) {
			std::fprintf(stderr, "nlfault: unknown operation '%s'\n", argv[i]);
			return 2;
		}
		sweep(c, *op);
	}
	std::printf("# nlfault: %d checks, %d failed\n", count, failures);
	return failures;
}
