// SPDX-License-Identifier: GPL-2.0
#include "agent.hpp"
#include "agent_config.hpp"
#include "agent_systemd.hpp"

#include "spdmtsm/connect.hpp"
#include "spdmtsm/device.hpp"
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/netlink.hpp"
#include "spdmtsm/policy.hpp"
#include "spdmtsm/verify.hpp"

#include <linux/spdm_tsm.h>

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>

namespace tsmctl {

using namespace spdmtsm;
using agent::Config;
using agent::ConfigError;
using agent::DeviceConfig;

namespace {

using agent::LogFields;
using agent::Logger;
using agent::Notifier;
using agent::Settings;
using agent::SettingsHolder;
using agent::SignalFd;

// SIGTERM/SIGINT seen between two steps: the step in progress ends, no next
// one starts.
struct Stopped {};

std::string short_hex(const Bytes &b)
{
	std::string h = hex(b);
	return h.size() > 16 ? h.substr(0, 16) + "..." : h;
}

std::string handshake_text(const DevInfo &d)
{
	std::string s = "SPDM " + version_text(d.version) + ", " + asym_name(d.asym) + ", " + hash_name(d.hash) +
			", slot " + std::to_string(d.slot);
	if (d.exchanges) {
		char ms[32];
		std::snprintf(ms, sizeof(ms), "%.1f", d.duration_us.value_or(0) / 1000.0);
		s += ", " + std::to_string(*d.exchanges) + " DOE exchanges in " + ms + " ms";
	}
	return s;
}

const char *action_done(std::uint32_t a)
{
	switch (a) {
	case SPDM_TSM_ACTION_NOTIFY:
		return "notify (the device is left as it is)";
	case SPDM_TSM_ACTION_UNBIND:
		return "unbind (its driver was unbound)";
	case SPDM_TSM_ACTION_DISABLE_BUS_MASTER:
		return "disable-bus-master (bus mastering was disabled)";
	default:
		return "unknown";
	}
}

class Agent {
public:
	Agent(SettingsHolder &settings, const Logger &log, Notifier &notify, SignalFd *sig,
	      agent::SocketFactory open_socket)
		: settings_(settings), log_(log), notify_(notify), sig_(sig), open_socket_(std::move(open_socket))
	{
	}

	// Connect, verify and set the policy of every configured device that
	// is present.  True when each of them is trusted.
	bool startup_pass()
	{
		const Settings &s = settings_.get();
		std::vector<DevInfo> devs;
		try {
			devs = dev_list(sock());
		} catch (const NetlinkError &e) {
			log_.err(std::string("cannot list the devices: ") + e.what());
			sock_.reset();
			return false;
		}
		std::vector<bool> present(s.cfg.devices.size());
		bool all = true;
		trusted_ = untrusted_ = 0;
		for (const auto &d : devs) {
			if (stop_requested())
				return false;
			const DeviceConfig *c = s.cfg.find(d.bdf, d.serial);
			if (!c) {
				log_.debug(d.bdf + ": not in the configuration", {d.bdf, "", "", ""});
				continue;
			}
			present[index(*c)] = true;
			notify_.status("start-up pass: " + d.bdf);
			if (ensure_trusted(d.bdf, *c))
				trusted_++;
			else
				all = false, untrusted_++;
		}
		absent_ = 0;
		for (std::size_t i = 0; i < s.cfg.devices.size(); i++)
			if (!present[i]) {
				absent_++;
				log_.notice(s.cfg.devices[i].name() + " (" + where(s.cfg.devices[i]) +
					    "): not present; waiting for it to be added");
			}
		return all;
	}

	// After a reload: the policies this agent stored for devices the new
	// configuration no longer lists are removed (the kernel would keep
	// enforcing them for nobody's sake).
	void drop_unconfigured()
	{
		const Settings &s = settings_.get();
		for (auto it = managed_.begin(); it != managed_.end();) {
			if (s.cfg.find(it->first, it->second)) {
				++it;
				continue;
			}
			try {
				policy_del(sock(), it->first);
				log_.notice(it->first + ": no longer in the configuration; its policy is removed",
					    {it->first, "policy-removed", "", ""});
			} catch (const NetlinkError &e) {
				if (e.error() != ENOENT)
					log_.warn(it->first + ": removing its policy failed: " + e.what(),
						  {it->first, "", "", ""});
			}
			it = managed_.erase(it);
		}
	}

	void on_event(const DevEvent &e)
	{
		const std::string &bdf = e.dev.bdf;
		const DeviceConfig *c = settings_.get().cfg.find(bdf, e.dev.serial);
		std::string reason = reason_name(e.reason);
		LogFields f{bdf, event_name(e.event), e.event == SPDM_TSM_EVENT_ADDED ? "" : reason, ""};
		try {
			switch (e.event) {
			case SPDM_TSM_EVENT_ADDED:
				if (!c) {
					log_.debug(bdf + ": added (not in the configuration)", f);
					return;
				}
				log_.info(bdf + ": added; " + c->name() + " (" + where(*c) + ") applies", f);
				ensure_trusted(bdf, *c);
				return;
			case SPDM_TSM_EVENT_SESSION_LOST:
				session_lost(e, c, f);
				return;
			case SPDM_TSM_EVENT_REVALIDATED:
				if (c)
					log_.info(bdf + ": revalidated (same device, same key)", f);
				else
					log_.debug(bdf + ": revalidated (not in the configuration)", f);
				return;
			case SPDM_TSM_EVENT_REVALIDATION_FAILED:
				revalidation_failed(e, c, f);
				return;
			case SPDM_TSM_EVENT_CONNECTED:
			case SPDM_TSM_EVENT_DISCONNECTED:
				log_.debug(bdf + ": " + event_name(e.event), f);
				return;
			case SPDM_TSM_EVENT_SESSION_ESTABLISHED:
				if (c)
					log_.info(bdf + ": secured session established again after " + reason +
							  (e.dev.session ? " (" + session_summary(*e.dev.session) + ")"
									 : ""),
						  f);
				else
					log_.debug(bdf + ": session-established (not in the configuration)", f);
				return;
			case SPDM_TSM_EVENT_SESSION_ENDED:
				if (c && c->session)
					log_.notice(
						bdf + ": its secured session was ended (END_SESSION); the device stays " +
							"authenticated, without a session until it connects again",
						f);
				else
					log_.debug(bdf + ": session-ended", f);
				return;
			default:
				log_.debug(bdf + ": event " + std::to_string(e.event) + " (unknown), reason " + reason,
					   f);
			}
		} catch (const Stopped &) {
		} catch (const std::exception &ex) {
			log_.err(bdf + ": handling " + event_name(e.event) + " failed: " + ex.what(), f);
			sock_.reset();
		}
	}

	std::string summary() const
	{
		return std::to_string(trusted_) + " trusted, " + std::to_string(untrusted_) + " not trusted, " +
		       std::to_string(absent_) + " not present";
	}

	// Between two steps: signals and the watchdog.
	bool stop_requested()
	{
		notify_.watchdog_due();
		if (!sig_)
			return false;
		sig_->drain();
		return sig_->stop;
	}

private:
	void checkpoint()
	{
		if (stop_requested())
			throw Stopped{};
	}

	// Wait ms (a retry's back-off), awake for signals and the watchdog.
	void pause(int ms)
	{
		auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
		for (;;) {
			checkpoint();
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
					    until - std::chrono::steady_clock::now())
					    .count();
			if (left <= 0)
				return;
			int wait = static_cast<int>(left);
			int wd = notify_.ms_to_watchdog();
			if (wd >= 0 && wd < wait)
				wait = wd;
			pollfd pfd{sig_ ? sig_->fd() : -1, POLLIN, 0};
			::poll(&pfd, 1, wait);
		}
	}

	// Retry what a concurrent operation on the same device can make fail
	// for a moment.
	template <typename F> auto with_retry(F &&f)
	{
		for (int attempt = 1;; attempt++) {
			try {
				return f();
			} catch (const NetlinkError &e) {
				if (attempt >= 4 || (e.error() != EBUSY && e.error() != EAGAIN))
					throw;
			}
			pause(250 * attempt);
		}
	}

	GenlSocket &sock()
	{
		if (!sock_)
			sock_ = open_socket_();
		return *sock_;
	}

	std::size_t index(const DeviceConfig &c) const
	{
		return static_cast<std::size_t>(&c - settings_.get().cfg.devices.data());
	}
	std::string where(const DeviceConfig &c) const
	{
		return settings_.get().cfg.file + ":" + std::to_string(c.line);
	}

	void session_lost(const DevEvent &e, const DeviceConfig *c, const LogFields &f)
	{
		const std::string &bdf = e.dev.bdf;
		std::string msg = bdf + ": session-lost reason=" + reason_name(e.reason);
		if (!c) {
			log_.notice(msg + " (not in the configuration)", f);
			return;
		}
		if (e.reason == SPDM_TSM_REASON_REMOVAL) {
			log_.warn(msg + "; the device was removed, waiting for it to be added again", f);
			return;
		}
		// heartbeat: the device stopped answering in its secured session (no
		// reset hook saw anything); handled like any other loss
		bool heartbeat = e.reason == SPDM_TSM_REASON_HEARTBEAT;
		if (c->revalidate_mode != SPDM_TSM_REVALIDATE_MODE_ANNOUNCE) {
			log_.warn(msg + (heartbeat ? "; the kernel revalidates it and re-establishes the session"
						   : "; the kernel revalidates it"),
				  f);
			return;
		}
		// announce-only policy: the kernel waits for userspace, which is us
		log_.warn(msg + "; announce-only policy: revalidating now", f);
		try {
			DevInfo d = with_retry([&] { return dev_revalidate(sock(), bdf); });
			log_.debug(bdf + ": explicit revalidation: " + handshake_text(d), f);
		} catch (const NetlinkError &ex) {
			log_.err(bdf + ": explicit revalidation failed: " + ex.what(),
				 {bdf, "revalidation-failed", "", agent::msgid_revalidation_failed});
			return;
		}
		// a configured session that revalidation did not bring back: the
		// start-up flow connects again with one and judges the evidence
		if (c->session && !session_up(dev_get(sock(), bdf))) {
			log_.notice(bdf + ": no secured session after revalidation; connecting again with one", f);
			ensure_trusted(bdf, *c);
		}
	}

	static bool session_up(const DevInfo &d) { return d.session && d.session->established(); }

	void revalidation_failed(const DevEvent &e, const DeviceConfig *c, LogFields f)
	{
		const std::string &bdf = e.dev.bdf;
		std::string msg = bdf + ": revalidation-failed reason=" + reason_name(e.reason);
		if (!e.dev.last_error.empty())
			msg += " (" + e.dev.last_error + ")";
		std::string action;
		try {
			action = action_done(policy_get(sock(), bdf).action);
		} catch (const NetlinkError &) {
			action = c ? std::string(action_done(c->action)) + " [configured; the kernel has no policy now]"
				   : "notify (no policy)";
		}
		msg += "; action taken: " + action;
		if (!c)
			msg += " (not in the configuration)";
		f.message_id = agent::msgid_revalidation_failed;
		log_.err(msg, f);
	}

	// Is the evidence what this section expects beyond the chain?
	void config_checks(const Evidence &e, const DeviceConfig &c, VerifyReport &r)
	{
		if (!c.cert_digest_current) {
			auto it = e.slot_digests.find(e.slot);
			bool ok = it != e.slot_digests.end() && it->second == c.cert_digest;
			r.checks.push_back({"cert-digest", ok,
					    ok ? "slot " + std::to_string(e.slot) + " digest as configured"
					    : it == e.slot_digests.end()
						    ? "the evidence has no digest for slot " + std::to_string(e.slot)
						    : "slot " + std::to_string(e.slot) + " digest " + hex(it->second) +
							      " is not the configured " + hex(c.cert_digest)});
		}
		bool rules = false;
		for (const auto &m : c.meas)
			rules = rules || !m.is_volatile;
		if (!rules)
			return;
		if (e.meas_signature.empty()) {
			r.checks.push_back({"meas-config", false,
					    "the configuration expects measurements, the evidence has none "
					    "(measurements = no?)"});
			return;
		}
		std::vector<MeasBlock> blocks;
		try {
			blocks = parse_meas_blocks(e.meas_blocks);
		} catch (const std::exception &ex) {
			r.checks.push_back({"meas-config", false, ex.what()});
			return;
		}
		for (const auto &m : c.meas) {
			if (m.is_volatile)
				continue;
			const MeasBlock *b = nullptr;
			for (const auto &x : blocks)
				if (x.index == m.index)
					b = &x;
			std::string idx = std::to_string(m.index);
			if (!b)
				r.checks.push_back({"meas-config", false, "no measurement " + idx});
			else if (b->value != m.digest)
				r.checks.push_back({"meas-config", false,
						    "measurement " + idx + " is " + hex(b->value) + ", configured " +
							    hex(m.digest)});
		}
	}

	// connect -> verify (the trust decision) -> policy pinned to the chain
	// digest of the evidence just verified.  Logs each step; never throws
	// (but Stopped).
	bool ensure_trusted(const std::string &bdf, const DeviceConfig &c)
	{
		const char *step = "read the device";
		LogFields f{bdf, "", "", ""};
		try {
			for (int round = 1;; round++) {
				step = "read the device";
				DevInfo d = dev_get(sock(), bdf);
				// session = yes: a netlink-connected device authenticated
				// without a session connects again, with one (a DSM's
				// session follows the module parameter session)
				bool want_session = c.session && !d.dsm && !session_up(d);
				if (d.state == SPDM_TSM_STATE_AUTHENTICATED && !want_session) {
					log_.info(bdf + ": already authenticated (" + handshake_text(d) + ")", f);
				} else {
					if (d.state == SPDM_TSM_STATE_AUTHENTICATED)
						log_.info(bdf + ": authenticated without a secured session; connecting "
								"again with one",
							  f);
					step = "connect";
					// a DSM still linked to a TSM after a failure: unlink first
					if (d.dsm && !d.tsm.empty())
						disconnect_device(sock(), d);
					ConnectOptions o;
					o.slot = c.slot;
					o.measurements = c.measurements;
					o.session = c.session && !d.dsm;
					notify_.status("connecting " + bdf);
					d = with_retry([&] { return connect_device(sock(), d, o); });
					if (d.state != SPDM_TSM_STATE_AUTHENTICATED)
						throw std::runtime_error(
							std::string("state ") + state_name(d.state) +
							(d.last_error.empty() ? "" : ": " + d.last_error));
					log_.info(bdf + ": connected (" + handshake_text(d) + ")",
						  {bdf, "connected", "", ""});
				}
				if (c.session && !session_up(d))
					log_.warn(
						bdf + ": " + c.name() +
							" asks for a secured session and the device has none" +
							(d.dsm ? " (a DSM connects through tsm/connect: set the spdm_tsm "
								 "module parameter session=1)"
							       : ""),
						f);
				else if (session_up(d))
					log_.info(bdf + ": secured session " + session_summary(*d.session), f);
				checkpoint();

				step = "verify";
				Evidence e = with_retry([&] { return evidence_get(sock(), bdf); });
				VerifyReport r = verify_evidence(e, settings_.get().anchors_of(c));
				config_checks(e, c, r);
				if (!r.ok()) {
					std::string why, first;
					for (const auto &ch : r.checks)
						if (!ch.ok) {
							why += (why.empty() ? "" : "; ") + ch.name + ": " + ch.detail;
							if (first.empty())
								first = ch.name;
						}
					step = "disconnect the untrusted device";
					disconnect_device(sock(), d);
					log_.err(bdf + ": NOT trusted by " + c.name() + " (" + where(c) + "): " + why +
							 "; disconnected",
						 {bdf, "not-trusted", first, agent::msgid_not_trusted});
					return false;
				}
				std::string passed;
				for (const auto &ch : r.checks)
					passed += (passed.empty() ? "" : ", ") + ch.name;
				log_.info(bdf + ": trusted (" + passed + " ok)", {bdf, "trusted", "", ""});
				checkpoint();

				// The policy pins the digest of the chain just verified,
				// never "whatever is current" when the kernel gets the
				// request: a device reconnected with another identity in
				// between must not inherit this trust decision.
				step = "set the policy";
				auto dg = e.slot_digests.find(e.slot);
				if (dg == e.slot_digests.end())
					throw std::runtime_error("the evidence has no chain digest for slot " +
								 std::to_string(e.slot) +
								 ": nothing to pin the policy to");
				Policy p;
				p.bdf = bdf;
				p.slot = e.slot;
				p.cert_digest = dg->second;
				p.meas = c.meas;
				p.meas_baseline = c.meas_baseline;
				p.action = c.action;
				p.revalidate_mode = c.revalidate_mode;
				Policy stored = with_retry([&] { return policy_set(sock(), p); });
				DevInfo after = dev_get(sock(), bdf);
				managed_[bdf] = after.serial;
				if (after.state != SPDM_TSM_STATE_AUTHENTICATED || after.generation != e.generation) {
					// the evidence changed after we read it: the policy
					// still names what was verified; judge what is there now
					log_.warn(bdf + ": the device changed (" + state_name(after.state) +
							  ", generation " + std::to_string(e.generation) + " -> " +
							  std::to_string(after.generation) +
							  ") while its policy was set; verifying again",
						  f);
					if (round >= 3)
						throw std::runtime_error(
							"the device keeps changing; giving up until its next event");
					checkpoint();
					continue;
				}
				std::string m = bdf + ": policy set: cert-digest " +
						(stored.cert_digest.empty() ? std::string("unchecked")
									    : short_hex(stored.cert_digest));
				if (!stored.meas.empty())
					m += ", " + std::to_string(stored.meas.size()) + " measurement rule(s)";
				if (stored.meas_baseline)
					m += ", measurements as at connect";
				m += std::string(", action ") + action_name(stored.action) + ", " +
				     (stored.revalidate_mode == SPDM_TSM_REVALIDATE_MODE_ANNOUNCE ? "announce only"
												  : "auto-revalidate");
				log_.info(m, {bdf, "policy-set", "", ""});
				return true;
			}
		} catch (const Stopped &) {
			log_.notice(bdf + ": stopping after step '" + step + "'; nothing more is done", f);
			throw;
		} catch (const NetlinkError &e) {
			log_.err(bdf + ": " + step + " failed: " + e.what(), f);
			sock_.reset(); // a fresh socket for the next attempt
		} catch (const std::exception &e) {
			log_.err(bdf + ": " + step + " failed: " + e.what(), f);
		}
		return false;
	}

	SettingsHolder &settings_;
	const Logger &log_;
	Notifier &notify_;
	SignalFd *sig_;
	agent::SocketFactory open_socket_;
	std::unique_ptr<GenlSocket> sock_;
	std::map<std::string, std::optional<std::uint64_t>> managed_; // policies this agent set
	unsigned trusted_ = 0, untrusted_ = 0, absent_ = 0;
};

std::unique_ptr<GenlSocket> kernel_socket()
{
	return std::make_unique<GenlSocket>(SPDM_TSM_FAMILY_NAME);
}

} // namespace

bool agent::startup_pass(SettingsHolder &settings, const Logger &log, Notifier &notify,
			 const SocketFactory &open_socket)
{
	Agent agent(settings, log, notify, nullptr, open_socket);
	try {
		return agent.startup_pass();
	} catch (const Stopped &) {
		return false;
	}
}

int cmd_agent(const Parsed &p)
{
	auto path = p.get("config");
	if (!path)
		throw std::invalid_argument("'agent' needs --config FILE (e.g. /etc/spdm-tsm/agent.conf)");
	bool once = p.has("once");
	Logger log(p.has("verbose"));
	Notifier notify;
	std::signal(SIGPIPE, SIG_IGN);

	std::unique_ptr<SettingsHolder> settings;
	try {
		settings = std::make_unique<SettingsHolder>(agent::load_settings(*path));
	} catch (const ConfigError &e) {
		log.err(e.what());
		notify.status(std::string("configuration error: ") + e.what());
		return 2;
	}

	if (once) {
		log.info("tsmctl agent: " + *path + ": one pass");
		return agent::startup_pass(*settings, log, notify, kernel_socket) ? 0 : 1;
	}

	// Signals become readable on a descriptor: blocked from here on, they
	// never interrupt a kernel operation half-way, and are looked at
	// between steps and in the loop.
	SignalFd sig;
	// Subscribe before the start-up pass: nothing that happens during it is lost.
	std::unique_ptr<EventStream> events;
	try {
		events = std::make_unique<EventStream>();
	} catch (const NetlinkError &e) {
		log.err(std::string("cannot subscribe to the spdm-tsm events: ") + e.what());
		notify.status(std::string("cannot subscribe to the spdm-tsm events: ") + e.what());
		return 1;
	}
	Agent agent(*settings, log, notify, &sig, kernel_socket);
	auto stop = [&] {
		log.info(std::string("tsmctl agent: stopping (") + strsignal(sig.stop_signal) + ")");
		notify.stopping("stopping");
		return 0;
	};
	if (auto w = notify.watchdog_period())
		log.debug("watchdog: pinging every " + std::to_string(w->count() / 1000) + " ms");
	log.info("tsmctl agent: " + *path + ": start-up pass");
	notify.status("start-up pass");
	try {
		agent.startup_pass();
	} catch (const Stopped &) {
	}
	if (agent.stop_requested())
		return stop();
	log.info("tsmctl agent: following spdm-tsm events");
	notify.ready("following events; " + agent.summary());

	for (;;) {
		pollfd pfd[2] = {{sig.fd(), POLLIN, 0}, {events->fd(), POLLIN, 0}};
		int rc = ::poll(pfd, 2, notify.ms_to_watchdog());
		if (rc < 0 && errno != EINTR) {
			log.err(std::string("poll: ") + std::strerror(errno));
			return 1;
		}
		if (agent.stop_requested())
			return stop();
		if (sig.reload) {
			sig.reload = false;
			log.info("tsmctl agent: SIGHUP: reloading " + *path);
			notify.reloading("reloading " + *path);
			bool ok = settings->reload(*path, log);
			try {
				if (ok) {
					agent.drop_unconfigured();
					agent.startup_pass();
				}
			} catch (const Stopped &) {
				return stop();
			}
			if (agent.stop_requested())
				return stop();
			log.info(
				ok ? "tsmctl agent: reloaded " + *path
				   : "tsmctl agent: reload failed; still following events with the previous configuration");
			notify.ready(ok ? "following events; " + agent.summary()
					: "reload failed, previous configuration kept; " + agent.summary());
		}
		if (rc > 0 && (pfd[1].revents & (POLLIN | POLLERR))) {
			try {
				// readable: EventStream::poll reads what is there (its
				// own poll returns at once), then waits out the rest of
				// the 100 ms for more
				events->poll(100, [&](const DevEvent &e) {
					agent.on_event(e);
					return !agent.stop_requested();
				});
			} catch (const NetlinkError &e) {
				// most likely ENOBUFS: the socket overflowed and events were lost
				log.warn(std::string("event stream: ") + e.what() +
					 "; rescanning the configured devices");
				try {
					agent.startup_pass();
				} catch (const Stopped &) {
				}
			}
			if (agent.stop_requested())
				return stop();
			notify.status("following events; " + agent.summary());
		}
	}
}

} // namespace tsmctl
