// SPDX-License-Identifier: GPL-2.0
// tsmctl session show|key-update|end: the device's SPDM secured session.
#include "commands.hpp"

#include "spdmtsm/connect.hpp"
#include "spdmtsm/device.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/netlink.hpp"
#include "spdmtsm/vocab.hpp"

#include <linux/spdm_tsm.h>

#include <cstdio>
#include <ctime>
#include <iostream>

namespace tsmctl {

using namespace spdmtsm;

namespace {

// CLOCK_REALTIME nanoseconds -> "2026-12-06T23:20:01.123Z"
std::string utc_text(std::uint64_t ns)
{
	std::time_t secs = static_cast<std::time_t>(ns / 1000000000ULL);
	std::tm tm{};
	char ts[40];
	if (!gmtime_r(&secs, &tm) || !std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm))
		return "-";
	char ms[8];
	std::snprintf(ms, sizeof(ms), ".%03lluZ", static_cast<unsigned long long>(ns / 1000000 % 1000));
	return std::string(ts) + ms;
}

void print_session(const DevInfo &d)
{
	std::printf("device:      %s (%s)\n", d.bdf.c_str(), state_name(d.state));
	if (!d.session) {
		std::printf("session:     none (connect --session establishes one)\n");
		return;
	}
	const SessionInfo &s = *d.session;
	std::printf("session:     %s", session_state_name(s.state));
	if (s.id)
		std::printf(", id 0x%08x", *s.id);
	std::printf("\n");
	if (s.dhe || s.aead || s.hash)
		std::printf("algorithms:  %s, %s, %s%s\n", s.dhe ? dhe_name(s.dhe) : "-",
			    s.aead ? aead_name(s.aead) : "-", s.hash ? hash_name(s.hash) : "-",
			    !s.encrypted   ? ""
			    : *s.encrypted ? ", encrypted"
					   : ", authenticated only (MAC)");
	if (s.heartbeat_period) {
		if (*s.heartbeat_period)
			std::printf("heartbeat:   period %u s", *s.heartbeat_period);
		else
			std::printf("heartbeat:   none (the device chose period 0)");
		if (s.heartbeats)
			std::printf(", %u answered", *s.heartbeats);
		std::printf("\n");
	}
	if (s.established_ns && *s.established_ns)
		std::printf("established: %s\n", utc_text(*s.established_ns).c_str());
	if (s.exchanges)
		std::printf("handshake:   %u DOE exchanges in %.1f ms\n", *s.exchanges,
			    s.duration_us.value_or(0) / 1000.0);
	if (s.establishments)
		std::printf("sessions:    %u since connect\n", *s.establishments);
	if (s.key_updates)
		std::printf("key updates: %u\n", *s.key_updates);
}

} // namespace

// session show DEV: that device; session show: every device.  -j: always an
// array.
int cmd_session_show(const Parsed &p)
{
	return show_devices(p, session_json, print_session);
}

int cmd_session_key_update(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	bool all = p.has("all");
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	DevInfo d = with_full_reason(sock, bdf, [&] { return session_key_update(sock, bdf, all); });
	if (p.has("json")) {
		print_json(p, json_of(d));
		return 0;
	}
	std::printf("%s: keys updated (%s)", bdf.c_str(), all ? "UpdateAllKeys" : "UpdateKey");
	if (d.session && d.session->key_updates)
		std::printf(", %u key update(s) in this session", *d.session->key_updates);
	std::printf("\n");
	return 0;
}

int cmd_session_end(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	DevInfo d = with_full_reason(sock, bdf, [&] { return session_end(sock, bdf); });
	if (p.has("json")) {
		print_json(p, json_of(d));
		return 0;
	}
	std::printf("%s: session ended; the device stays %s\n", bdf.c_str(), state_name(d.state));
	return 0;
}

} // namespace tsmctl
