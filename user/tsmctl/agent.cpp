// SPDX-License-Identifier: GPL-2.0
#include "agent.hpp"
#include "agent_config.hpp"

#include "spdmtsm/device.hpp"
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/netlink.hpp"
#include "spdmtsm/policy.hpp"
#include "spdmtsm/verify.hpp"

#include <linux/spdm_tsm.h>

#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

namespace tsmctl {

using namespace spdmtsm;
using agent::Config;
using agent::ConfigError;
using agent::DeviceConfig;

namespace fs = std::filesystem;

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int)
{
	g_stop = 1;
}

// One line per message on stderr.  Under systemd (JOURNAL_STREAM) or
// whenever stderr is not a terminal, lines carry the sd-daemon "<N>"
// priority prefix, which journald turns into the entry's priority.
class Logger {
public:
	explicit Logger(bool verbose) : verbose_(verbose)
	{
		const char *js = std::getenv("JOURNAL_STREAM");
		prefix_ = (js && *js) || !::isatty(STDERR_FILENO);
	}

	void log(int prio, const std::string &msg) const
	{
		if (prio >= LOG_DEBUG && !verbose_)
			return;
		std::string line;
		if (prefix_)
			line = "<" + std::to_string(prio) + ">";
		// one line, no terminal escapes: device text (certificate names,
		// the kernel's reasons) is untrusted
		line += spdmtsm::term_safe(msg);
		line += '\n';
		std::fwrite(line.data(), 1, line.size(), stderr);
		std::fflush(stderr);
	}
	void err(const std::string &m) const { log(LOG_ERR, m); }
	void warn(const std::string &m) const { log(LOG_WARNING, m); }
	void notice(const std::string &m) const { log(LOG_NOTICE, m); }
	void info(const std::string &m) const { log(LOG_INFO, m); }
	void debug(const std::string &m) const { log(LOG_DEBUG, m); }

private:
	bool verbose_;
	bool prefix_;
};

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
	case SPDM_TSM_ACTION_NOTIFY: return "notify (the device is left as it is)";
	case SPDM_TSM_ACTION_UNBIND: return "unbind (its driver was unbound)";
	case SPDM_TSM_ACTION_DISABLE_BUS_MASTER: return "disable-bus-master (bus mastering was disabled)";
	default: return "unknown";
	}
}

// Retry what a concurrent operation on the same device can make fail for a moment.
template <typename F> auto with_retry(F &&f)
{
	for (int attempt = 1;; attempt++) {
		try {
			return f();
		} catch (const NetlinkError &e) {
			if (attempt >= 4 || (e.error() != EBUSY && e.error() != EAGAIN))
				throw;
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(250 * attempt));
	}
}

using AnchorsPtr = std::unique_ptr<TrustAnchors, TrustAnchorsDeleter>;

class Agent {
public:
	Agent(Config cfg, const Logger &log) : cfg_(std::move(cfg)), log_(log)
	{
		for (const auto &d : cfg_.devices) {
			std::vector<std::string> files;
			for (const auto &ca : d.cas) {
				try {
					load_anchors({ca.value});
				} catch (const std::exception &e) {
					throw ConfigError(cfg_.file, ca.line, e.what());
				}
				files.push_back(ca.value);
			}
			anchors_.push_back(load_anchors(files));
		}
	}

	// Connect, verify and set the policy of every configured device that
	// is present.  True when each of them is trusted.
	bool startup_pass()
	{
		std::vector<DevInfo> devs;
		try {
			devs = dev_list(sock());
		} catch (const std::exception &e) {
			log_.err(std::string("cannot list the devices: ") + e.what());
			sock_.reset();
			return false;
		}
		std::vector<bool> present(cfg_.devices.size());
		bool all = true;
		for (const auto &d : devs) {
			const DeviceConfig *c = cfg_.find(d.bdf, d.serial);
			if (!c) {
				log_.debug(d.bdf + ": not in the configuration");
				continue;
			}
			present[index(*c)] = true;
			if (!ensure_trusted(d.bdf, *c))
				all = false;
		}
		for (std::size_t i = 0; i < cfg_.devices.size(); i++)
			if (!present[i])
				log_.notice(cfg_.devices[i].name() + " (" + where(cfg_.devices[i]) +
					    "): not present; waiting for it to be added");
		return all;
	}

	void on_event(const DevEvent &e)
	{
		const std::string &bdf = e.dev.bdf;
		const DeviceConfig *c = cfg_.find(bdf, e.dev.serial);
		std::string reason = reason_name(e.reason);
		try {
			switch (e.event) {
			case SPDM_TSM_EVENT_ADDED:
				if (!c) {
					log_.debug(bdf + ": added (not in the configuration)");
					return;
				}
				log_.info(bdf + ": added; " + c->name() + " (" + where(*c) + ") applies");
				ensure_trusted(bdf, *c);
				return;
			case SPDM_TSM_EVENT_SESSION_LOST:
				session_lost(e, c);
				return;
			case SPDM_TSM_EVENT_REVALIDATED:
				if (c)
					log_.info(bdf + ": revalidated (same device, same key)");
				else
					log_.debug(bdf + ": revalidated (not in the configuration)");
				return;
			case SPDM_TSM_EVENT_REVALIDATION_FAILED:
				revalidation_failed(e, c);
				return;
			case SPDM_TSM_EVENT_CONNECTED:
			case SPDM_TSM_EVENT_DISCONNECTED:
				log_.debug(bdf + ": " + event_name(e.event));
				return;
			default:
				log_.debug(bdf + ": event " + std::to_string(e.event) + " (unknown), reason " + reason);
			}
		} catch (const std::exception &ex) {
			log_.err(bdf + ": handling " + event_name(e.event) + " failed: " + ex.what());
			sock_.reset();
		}
	}

private:
	GenlSocket &sock()
	{
		if (!sock_)
			sock_ = std::make_unique<GenlSocket>(SPDM_TSM_FAMILY_NAME);
		return *sock_;
	}

	std::size_t index(const DeviceConfig &c) const { return static_cast<std::size_t>(&c - cfg_.devices.data()); }
	std::string where(const DeviceConfig &c) const { return cfg_.file + ":" + std::to_string(c.line); }

	void session_lost(const DevEvent &e, const DeviceConfig *c)
	{
		const std::string &bdf = e.dev.bdf;
		std::string msg = bdf + ": session-lost reason=" + reason_name(e.reason);
		if (!c) {
			log_.notice(msg + " (not in the configuration)");
			return;
		}
		if (e.reason == SPDM_TSM_REASON_REMOVAL) {
			log_.warn(msg + "; the device was removed, waiting for it to be added again");
			return;
		}
		if (c->revalidate_mode != SPDM_TSM_REVALIDATE_MODE_ANNOUNCE) {
			log_.warn(msg + "; the kernel revalidates it");
			return;
		}
		// announce-only policy: the kernel waits for userspace, which is us
		log_.warn(msg + "; announce-only policy: revalidating now");
		try {
			DevInfo d = with_retry([&] { return dev_revalidate(sock(), bdf); });
			log_.debug(bdf + ": explicit revalidation: " + handshake_text(d));
		} catch (const NetlinkError &ex) {
			log_.err(bdf + ": explicit revalidation failed: " + ex.what());
		}
	}

	void revalidation_failed(const DevEvent &e, const DeviceConfig *c)
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
		log_.err(msg);
	}

	// Is the evidence what this section expects beyond the chain?
	void config_checks(const Evidence &e, const DeviceConfig &c, VerifyReport &r)
	{
		if (!c.cert_digest_current) {
			auto it = e.slot_digests.find(e.slot);
			if (it != e.slot_digests.end()) {
				bool ok = it->second == c.cert_digest;
				r.checks.push_back({"cert-digest", ok,
						    ok ? "slot " + std::to_string(e.slot) + " digest as configured"
						       : "slot " + std::to_string(e.slot) + " digest " + hex(it->second) +
								 " is not the configured " + hex(c.cert_digest)});
			}
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

	void disconnect(const DevInfo &d)
	{
		if (d.dsm) {
			if (!d.tsm.empty())
				dsm_disconnect(d.bdf, d.tsm);
		} else {
			dev_disconnect(sock(), d.bdf);
		}
	}

	// connect -> verify (the trust decision) -> policy.  Logs each step;
	// never throws.
	bool ensure_trusted(const std::string &bdf, const DeviceConfig &c)
	{
		const char *step = "read the device";
		try {
			DevInfo d = dev_get(sock(), bdf);
			if (d.state == SPDM_TSM_STATE_AUTHENTICATED) {
				log_.info(bdf + ": already authenticated (" + handshake_text(d) + ")");
			} else {
				step = "connect";
				if (d.dsm) {
					// still linked to a TSM after a failure: unlink first
					if (!d.tsm.empty())
						dsm_disconnect(bdf, d.tsm);
					dsm_connect(bdf);
					d = dev_get(sock(), bdf);
				} else {
					ConnectOptions o;
					o.slot = c.slot;
					o.measurements = c.measurements;
					try {
						d = with_retry([&] { return dev_connect(sock(), bdf, o); });
					} catch (const NetlinkError &e) {
						std::string why = e.what();
						try {
							std::string full = dev_get(sock(), bdf).last_error;
							if (full.size() > e.extack().size())
								why = full;
						} catch (const NetlinkError &) {
						}
						throw std::runtime_error(why);
					}
				}
				if (d.state != SPDM_TSM_STATE_AUTHENTICATED)
					throw std::runtime_error(std::string("state ") + state_name(d.state) +
								 (d.last_error.empty() ? "" : ": " + d.last_error));
				log_.info(bdf + ": connected (" + handshake_text(d) + ")");
			}

			step = "verify";
			Evidence e = with_retry([&] { return evidence_get(sock(), bdf); });
			VerifyReport r = verify_evidence(e, anchors_.at(index(c)).get());
			config_checks(e, c, r);
			if (!r.ok()) {
				std::string why;
				for (const auto &ch : r.checks)
					if (!ch.ok)
						why += (why.empty() ? "" : "; ") + ch.name + ": " + ch.detail;
				step = "disconnect the untrusted device";
				disconnect(d);
				log_.err(bdf + ": NOT trusted by " + c.name() + " (" + where(c) + "): " + why +
					 "; disconnected");
				return false;
			}
			std::string passed;
			for (const auto &ch : r.checks)
				passed += (passed.empty() ? "" : ", ") + ch.name;
			log_.info(bdf + ": trusted (" + passed + " ok)");

			step = "set the policy";
			Policy p;
			p.bdf = bdf;
			p.slot = c.slot;
			p.cert_digest_current = c.cert_digest_current;
			p.cert_digest = c.cert_digest;
			p.meas = c.meas;
			p.meas_baseline = c.meas_baseline;
			p.action = c.action;
			p.revalidate_mode = c.revalidate_mode;
			Policy stored = with_retry([&] { return policy_set(sock(), p); });
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
			log_.info(m);
			return true;
		} catch (const NetlinkError &e) {
			log_.err(bdf + ": " + step + " failed: " + e.what());
			sock_.reset(); // a fresh socket for the next attempt
		} catch (const std::exception &e) {
			log_.err(bdf + ": " + step + " failed: " + e.what());
		}
		return false;
	}

	Config cfg_;
	const Logger &log_;
	std::vector<AnchorsPtr> anchors_; // per section
	std::unique_ptr<GenlSocket> sock_;
};

} // namespace

int cmd_agent(const Parsed &p)
{
	auto path = p.get("config");
	if (!path)
		throw std::invalid_argument("'agent' needs --config FILE (e.g. /etc/spdm-tsm/agent.conf)");
	bool once = p.has("once");
	Logger log(p.has("verbose"));

	std::unique_ptr<Agent> agent;
	try {
		agent = std::make_unique<Agent>(agent::load_config(*path), log);
	} catch (const ConfigError &e) {
		log.err(e.what());
		return 2;
	}

	struct sigaction sa {};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; // no SA_RESTART: poll() returns EINTR
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);
	std::signal(SIGPIPE, SIG_IGN);

	// Subscribe before the start-up pass: nothing that happens during it is lost.
	std::unique_ptr<EventStream> events;
	try {
		if (!once)
			events = std::make_unique<EventStream>();
	} catch (const NetlinkError &e) {
		log.err(std::string("cannot subscribe to the spdm-tsm events: ") + e.what());
		return 1;
	}
	log.info("tsmctl agent: " + *path + (once ? ": one pass" : ": start-up pass"));
	bool all = agent->startup_pass();
	if (once)
		return all ? 0 : 1;
	if (g_stop) {
		log.info("tsmctl agent: stopping");
		return 0;
	}
	log.info("tsmctl agent: following spdm-tsm events");
	while (!g_stop) {
		try {
			events->poll(500, [&](const DevEvent &e) {
				agent->on_event(e);
				return !g_stop;
			});
		} catch (const NetlinkError &e) {
			// most likely ENOBUFS: the socket overflowed and events were lost
			log.warn(std::string("event stream: ") + e.what() + "; rescanning the configured devices");
			agent->startup_pass();
		}
	}
	log.info("tsmctl agent: stopping");
	return 0;
}

} // namespace tsmctl
