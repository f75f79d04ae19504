// SPDX-License-Identifier: GPL-2.0
#include "commands.hpp"

#include "spdmtsm/connect.hpp"
#include "spdmtsm/device.hpp"
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/netlink.hpp"
#include "spdmtsm/policy.hpp"
#include "spdmtsm/verify.hpp"
#include "spdmtsm/x509.hpp"

#include <linux/spdm_tsm.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <csignal>
#include <iostream>

namespace tsmctl {

using namespace spdmtsm;

namespace {

std::string serial_text(const DevInfo &d)
{
	if (!d.serial)
		return "-";
	char s[24];
	std::snprintf(s, sizeof(s), "%016llx", static_cast<unsigned long long>(*d.serial));
	return s;
}

std::string g_json_log_args;

// SPDM_TSM_JSON_LOG: one write() per document (with O_APPEND, documents of
// concurrent tsmctl processes do not interleave); best effort, and never a
// wait: the VM suite points it at a virtio-serial port, which a simulated
// suspend leaves without a host side (a blocking write would hang tsmctl).
void json_log(const std::string &doc)
{
	const char *path = std::getenv("SPDM_TSM_JSON_LOG");
	if (!path || !*path)
		return;
	int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0)
		return;
	std::string rec = "#tsmctl " + g_json_log_args + "\n" + doc + "\n";
	ssize_t n = ::write(fd, rec.data(), rec.size());
	(void)n;
	::close(fd);
}

} // namespace

// The JSON document of a command: compact on one line, or pretty with -p.
void print_json(const Parsed &p, const Json &j)
{
	std::string doc = json_text(j, p.has("pretty"));
	std::cout << doc << "\n";
	json_log(doc);
}

namespace {

// One line of monitor -j.
void print_json_line(const Json &j)
{
	std::string doc = json_text(j);
	std::cout << doc << std::endl;
	json_log(doc);
}

void print_table(const std::vector<DevInfo> &devs)
{
	std::printf("%-14s %-10s %-17s %-4s %-14s %-6s %s\n", "DEVICE", "ID", "SERIAL", "DSM", "STATE", "TSM",
		    "SESSION");
	for (const auto &d : devs) {
		char id[16];
		std::snprintf(id, sizeof(id), "%04x:%04x", d.vendor_id, d.device_id);
		std::printf("%-14s %-10s %-17s %-4s %-14s %-6s %s\n", d.bdf.c_str(), id, serial_text(d).c_str(),
			    d.dsm ? "yes" : "no", state_name(d.state), d.tsm.empty() ? "-" : term_safe(d.tsm).c_str(),
			    d.session ? session_state_name(d.session->state) : "-");
	}
}

} // namespace

void set_json_log_cmdline(const std::vector<std::string> &args)
{
	g_json_log_args.clear();
	for (const auto &a : args) {
		if (!g_json_log_args.empty())
			g_json_log_args += ' ';
		for (char c : a) // one line
			g_json_log_args += (c == '\n' || c == '\r') ? ' ' : c;
	}
}

int cmd_list(const Parsed &p)
{
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	auto devs = dev_list(sock);
	if (p.has("json")) {
		print_json(p, json_array_of(devs));
	} else if (devs.empty()) {
		std::cout << "no PCI device with a CMA (SPDM) DOE mailbox\n";
	} else {
		print_table(devs);
	}
	return 0;
}

namespace {

void print_device(const DevInfo &d)
{
	std::printf("device:    %s\n", d.bdf.c_str());
	std::printf("id:        %04x:%04x\n", d.vendor_id, d.device_id);
	std::printf("serial:    %s\n", serial_text(d).c_str());
	std::printf("cma:       %s\n", d.cma ? "yes" : "no");
	std::printf("dsm:       %s (ide %s, tee-io %s)\n", d.dsm ? "yes" : "no", d.ide ? "yes" : "no",
		    d.tee_io ? "yes" : "no");
	std::printf("state:     %s\n", state_name(d.state));
	std::printf("tsm:       %s\n", d.tsm.empty() ? "-" : term_safe(d.tsm).c_str());
	if (d.core_connected) {
		// the PCI/TSM core keeps its connection after a failed revalidation
		bool differs = *d.core_connected && d.state != SPDM_TSM_STATE_AUTHENTICATED;
		std::printf("core:      %s%s\n", *d.core_connected ? "connected" : "not connected",
			    differs ? " (spdm_tsm says otherwise: tsm/disconnect, then connect again)" : "");
	}
	if (d.version)
		std::printf("spdm:      %s, %s, %s, slot %u\n", version_text(d.version).c_str(), asym_name(d.asym),
			    hash_name(d.hash), d.slot);
	if (d.exchanges)
		std::printf("handshake: %u DOE exchanges in %.1f ms\n", *d.exchanges,
			    d.duration_us.value_or(0) / 1000.0);
	if (d.session)
		std::printf("session:   %s\n", session_summary(*d.session).c_str());
	std::printf("evidence:  %u of %u bytes\n", d.mem_used, d.mem_limit);
	if (!d.last_error.empty())
		std::printf("error:     %s\n", term_safe(d.last_error).c_str());
}

} // namespace

// show DEV: that device; show: every device.  -j: always an array (like
// 'ip -j link show dev X').
int cmd_show(const Parsed &p)
{
	return show_devices(p, json_of, print_device);
}

int show_devices(const Parsed &p, Json (*to_json)(const DevInfo &), void (*print)(const DevInfo &))
{
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	auto devs = one_or_all(p, sock, dev_get, dev_list);
	if (p.has("json")) {
		Json a = Json::array();
		for (const auto &d : devs)
			a.push_back(to_json(d));
		print_json(p, a);
		return 0;
	}
	if (devs.empty())
		std::cout << "no PCI device with a CMA (SPDM) DOE mailbox\n";
	for (std::size_t i = 0; i < devs.size(); i++) {
		if (i)
			std::printf("\n");
		print(devs[i]);
	}
	return 0;
}

namespace {

namespace fs = std::filesystem;

void print_handshake(const DevInfo &d, double wall_ms)
{
	std::printf("%s: %s", d.bdf.c_str(), state_name(d.state));
	if (d.version)
		std::printf(" (SPDM %s, %s, %s, slot %u)", version_text(d.version).c_str(), asym_name(d.asym),
			    hash_name(d.hash), d.slot);
	std::printf("\n");
	if (d.exchanges)
		std::printf("handshake: %u DOE exchanges in %.1f ms (%.1f ms wall)\n", *d.exchanges,
			    d.duration_us.value_or(0) / 1000.0, wall_ms);
	if (d.session)
		std::printf("session:   %s\n", session_summary(*d.session).c_str());
}

} // namespace

int cmd_connect(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	DevInfo before = dev_get(sock, bdf);
	auto t0 = std::chrono::steady_clock::now();
	ConnectOptions o;
	if (before.dsm) {
		if (p.has("slot") || p.has("nonce") || p.has("measurements") || p.has("session"))
			throw std::invalid_argument(
				"--slot, --nonce, --measurements and --session apply to the netlink "
				"path; " +
				bdf +
				" is a DSM and connects through tsm/connect (its "
				"session follows the module parameter session)");
	} else {
		if (p.has("tsm"))
			throw std::invalid_argument(bdf +
						    " is not a DSM (no IDE, no TEE-IO): the PCI/TSM core offers "
						    "no tsm/connect for it; drop --tsm to connect through netlink");
		if (auto s = p.get("slot")) {
			char *end = nullptr;
			long v = std::strtol(s->c_str(), &end, 10);
			if (s->empty() || *end || v < 0 || v > 7)
				throw std::invalid_argument("--slot takes 0-7, not \"" + *s + "\"");
			o.slot = static_cast<std::uint8_t>(v);
		}
		if (auto n = p.get("nonce")) {
			o.nonce = unhex(*n);
			if (o.nonce.size() != 32)
				throw std::invalid_argument("--nonce takes 32 bytes (64 hex digits), got " +
							    std::to_string(o.nonce.size()));
		}
		o.measurements = p.has("measurements");
		o.session = p.has("session");
	}
	DevInfo d = connect_device(sock, before, o, p.get("tsm").value_or(""));
	double wall = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
	if (p.has("json")) {
		print_json(p, json_of(d));
	} else {
		print_handshake(d, wall);
	}
	return d.state == SPDM_TSM_STATE_AUTHENTICATED ? 0 : 1;
}

int cmd_disconnect(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	DevInfo d = dev_get(sock, bdf);
	disconnect_device(sock, d);
	std::printf("%s: disconnected\n", bdf.c_str());
	return 0;
}

int cmd_evidence(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	Evidence e = evidence_get(sock, bdf);
	auto certs = split_der_certs(e.cert_chain);
	if (p.has("json")) {
		print_json(p, json_of(e));
		return 0;
	}
	if (p.has("pem")) {
		for (const auto &c : certs)
			std::cout << pem(c);
		return 0;
	}
	if (auto dir = p.get("der")) {
		fs::create_directories(*dir);
		auto put = [&](const std::string &name, const Bytes &b) {
			std::ofstream f(fs::path(*dir) / name, std::ios::binary);
			f.write(reinterpret_cast<const char *>(b.data()), static_cast<std::streamsize>(b.size()));
			if (!f)
				throw std::runtime_error("cannot write " + (fs::path(*dir) / name).string());
		};
		for (std::size_t i = 0; i < certs.size(); i++)
			put("cert" + std::to_string(i) + ".der", certs[i]);
		put("transcript.bin", e.transcript);
		put("signature.bin", e.signature);
		put("nonce.bin", e.nonce);
		put("leaf-spki.der", e.leaf_spki);
		if (!e.meas_blocks.empty())
			put("measurements.bin", e.meas_blocks);
		if (e.session) {
			put("ke-signature.bin", e.session->ke_signature);
			put("ke-th-hash.bin", e.session->ke_th_hash);
		}
		std::printf("wrote %zu certificates and the evidence into %s\n", certs.size(), dir->c_str());
		return 0;
	}
	print_evidence(stdout, e, certs);
	return 0;
}

int cmd_verify(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	auto anchors = load_anchors(p.opts.at("ca"));
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	Evidence e = evidence_get(sock, bdf);
	VerifyReport r = verify_evidence(e, anchors.get());
	if (p.has("json")) {
		print_json(p, json_of(bdf, r));
	} else {
		for (const auto &c : r.checks)
			std::printf("%-4s %-13s %s\n", c.ok ? "ok" : "FAIL", c.name.c_str(),
				    term_safe(c.detail).c_str());
		std::printf("%s: %s\n", bdf.c_str(), r.ok() ? "trusted" : "NOT trusted");
	}
	return r.ok() ? 0 : 1;
}

} // namespace tsmctl

namespace tsmctl {

namespace {

long parse_number(const std::string &opt, const std::string &v, long lo, long hi)
{
	char *end = nullptr;
	errno = 0;
	long n = std::strtol(v.c_str(), &end, 10);
	if (v.empty() || *end || errno || n < lo || n > hi)
		throw std::invalid_argument("--" + opt + " takes a number from " + std::to_string(lo) + " to " +
					    std::to_string(hi) + ", not \"" + v + "\"");
	return n;
}

void print_policy(const Policy &p)
{
	std::printf("%s", p.bdf.c_str());
	if (p.serial)
		std::printf(" serial %016llx", static_cast<unsigned long long>(*p.serial));
	std::printf(": slot %u, cert digest %s, action %s, %s\n", p.slot,
		    p.cert_digest.empty() ? "unchecked" : hex(p.cert_digest).c_str(), action_name(p.action),
		    p.revalidate_mode == SPDM_TSM_REVALIDATE_MODE_ANNOUNCE ? "announce only" : "auto-revalidate");
	if (p.meas_baseline)
		std::printf("  measurements:    every block seen at connect, nothing more\n");
	for (const auto &r : p.meas)
		std::printf("  measurement %3u: %s\n", r.index,
			    r.is_volatile ? "volatile (ignored)" : hex(r.digest).c_str());
}

} // namespace

int cmd_policy_set(const Parsed &p)
{
	Policy pol;
	pol.bdf = canonical_bdf(p.args.at(0));
	if (auto s = p.get("slot"))
		pol.slot = static_cast<std::uint8_t>(parse_number("slot", *s, 0, 7));
	if (auto d = p.get("cert-digest")) {
		if (*d == "current") {
			pol.cert_digest_current = true;
		} else {
			pol.cert_digest = unhex(*d);
			if (pol.cert_digest.size() != 32 && pol.cert_digest.size() != 48 &&
			    pol.cert_digest.size() != 64)
				throw std::invalid_argument(
					"--cert-digest takes a SHA-256/384/512 digest (64, 96 or 128 "
					"hex digits) or 'current'");
		}
	}
	std::map<unsigned, MeasRule> rules;
	if (p.has("meas")) {
		for (const auto &m : p.opts.at("meas")) {
			if (m == "baseline") {
				pol.meas_baseline = true;
				continue;
			}
			auto eq = m.find('=');
			if (eq == std::string::npos)
				throw std::invalid_argument("--meas takes IDX=HEX or 'baseline', not \"" + m + "\"");
			unsigned idx = static_cast<unsigned>(parse_number("meas", m.substr(0, eq), 1, 254));
			MeasRule r;
			r.index = static_cast<std::uint8_t>(idx);
			r.digest = unhex(m.substr(eq + 1));
			if (r.digest.empty() || r.digest.size() > 64)
				throw std::invalid_argument("--meas " + m + ": a digest of 1 to 64 bytes");
			if (!rules.emplace(idx, r).second)
				throw std::invalid_argument("--meas: index " + std::to_string(idx) + " given twice");
		}
	}
	if (p.has("volatile")) {
		for (const auto &v : p.opts.at("volatile")) {
			unsigned idx = static_cast<unsigned>(parse_number("volatile", v, 1, 254));
			auto &r = rules[idx];
			r.index = static_cast<std::uint8_t>(idx);
			r.is_volatile = true;
		}
	}
	for (auto &[idx, r] : rules)
		pol.meas.push_back(r);
	if (auto a = p.get("action")) {
		auto v = action_from_name(*a);
		if (!v)
			throw std::invalid_argument("--action takes notify, unbind or disable-bus-master, not \"" + *a +
						    "\"");
		pol.action = *v;
	}
	if (p.has("announce-only"))
		pol.revalidate_mode = SPDM_TSM_REVALIDATE_MODE_ANNOUNCE;
	if (auto s = p.get("serial")) {
		Bytes b = unhex(*s);
		if (b.empty() || b.size() > 8)
			throw std::invalid_argument("--serial takes up to 16 hex digits");
		std::uint64_t v = 0;
		for (auto c : b)
			v = v << 8 | c;
		pol.serial = v;
	}
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	Policy stored = policy_set(sock, pol);
	if (p.has("json")) {
		print_json(p, json_of(stored));
	} else {
		print_policy(stored);
	}
	return 0;
}

int cmd_policy_show(const Parsed &p)
{
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	auto list = one_or_all(p, sock, policy_get, policy_list);
	if (p.has("json")) {
		print_json(p, json_array_of(list)); // always an array, with or without DEV
	} else if (list.empty()) {
		std::printf("no policies\n");
	} else {
		for (const auto &x : list)
			print_policy(x);
	}
	return 0;
}

int cmd_revalidate(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	DevInfo d = with_full_reason(sock, bdf, [&] { return dev_revalidate(sock, bdf); });
	if (p.has("json")) {
		print_json(p, json_of(d));
	} else {
		std::printf("%s: revalidated: %u DOE exchanges in %.1f ms\n", bdf.c_str(), d.exchanges.value_or(0),
			    d.duration_us.value_or(0) / 1000.0);
	}
	return 0;
}

int cmd_policy_clear(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	policy_del(sock, bdf);
	std::printf("%s: policy cleared\n", bdf.c_str());
	return 0;
}

namespace {
volatile std::sig_atomic_t g_stop = 0;

} // namespace

int cmd_monitor(const Parsed &p)
{
	long count = p.get("count") ? parse_number("count", *p.get("count"), 1, 1000000) : 0;
	long timeout = p.get("timeout") ? parse_number("timeout", *p.get("timeout"), 1, 86400) : -1;
	bool json = p.has("json");
	std::signal(SIGINT, [](int) { g_stop = 1; });
	std::signal(SIGTERM, [](int) { g_stop = 1; });
	long seen = 0;
	EventStream events;
	std::fprintf(stderr, "tsmctl monitor: following spdm-tsm events\n");
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
	while (!g_stop) {
		int slice = 500; // wake up to notice signals and the deadline
		if (timeout > 0) {
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
					    deadline - std::chrono::steady_clock::now())
					    .count();
			if (left <= 0)
				break;
			slice = static_cast<int>(std::min<long long>(left, slice));
		}
		bool more = true;
		try {
			more = events.poll(slice, [&](const DevEvent &e) {
				if (json) {
					// JSON lines: one compact object per event, -p or not
					print_json_line(json_of(e));
				} else {
					std::time_t secs = static_cast<std::time_t>(e.timestamp_ns / 1000000000ULL);
					char ts[32];
					std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", std::gmtime(&secs));
					std::printf("%s.%03lluZ %s %s reason=%s state=%s%s%s\n", ts,
						    static_cast<unsigned long long>(e.timestamp_ns / 1000000 % 1000),
						    term_safe(e.dev.bdf).c_str(), event_name(e.event),
						    reason_name(e.reason), state_name(e.dev.state),
						    e.dev.session ? " session=" : "",
						    e.dev.session ? session_state_name(e.dev.session->state) : "");
					std::fflush(stdout);
				}
				return !(count && ++seen >= count);
			});
		} catch (const EventsLost &e) {
			// keep following; say so, and let scripts see it in the stream
			std::fprintf(stderr,
				     "tsmctl monitor: %s; device states may have changed, "
				     "'tsmctl list' shows them now\n",
				     e.what());
			if (json)
				print_json_line(events_lost_json(static_cast<std::uint64_t>(
					std::chrono::duration_cast<std::chrono::nanoseconds>(
						std::chrono::system_clock::now().time_since_epoch())
						.count())));
			else
				std::printf("events-lost\n");
			std::fflush(stdout);
		}
		if (!more)
			break;
	}
	return 0;
}

} // namespace tsmctl
