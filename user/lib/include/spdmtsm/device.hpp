// SPDX-License-Identifier: GPL-2.0
// The device model of the spdm-tsm family (dev-get).
#pragma once

#include "spdmtsm/json.hpp"
#include "spdmtsm/netlink.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spdmtsm {

// A device's SPDM secured session (dev-get's nested session-info).
struct SessionInfo {
	std::uint32_t state = 0; // enum spdm_tsm_session_state
	std::optional<std::uint32_t> id;
	std::uint32_t dhe = 0;  // DHE bit, 0 when not reported
	std::uint32_t aead = 0; // AEAD bit
	std::uint32_t hash = 0; // BaseHashAlgo bit of the key schedule
	std::optional<bool> encrypted;
	std::optional<std::uint8_t> heartbeat_period; // seconds; 0: no heartbeat
	std::optional<std::uint64_t> established_ns;  // CLOCK_REALTIME
	std::optional<std::uint32_t> key_updates;
	std::optional<std::uint32_t> heartbeats;
	std::optional<std::uint32_t> establishments;
	std::optional<std::uint32_t> exchanges;   // of the last establishment
	std::optional<std::uint64_t> duration_us; // of the last establishment
	bool established() const;
};

struct DevInfo {
	std::string bdf;
	std::uint16_t vendor_id = 0;
	std::uint16_t device_id = 0;
	std::optional<std::uint64_t> serial;
	bool cma = false;
	bool dsm = false;
	bool ide = false;
	bool tee_io = false;
	std::string tsm;          // empty when not connected to a TSM
	std::uint32_t state = 0;  // enum spdm_tsm_state
	std::uint8_t version = 0; // negotiated SPDM version, 0 when not authenticated
	std::uint32_t asym = 0;
	std::uint32_t hash = 0;
	std::uint8_t slot = 0;
	std::optional<std::uint32_t> exchanges;   // of the last handshake
	std::optional<std::uint64_t> duration_us; // of the last handshake
	std::uint32_t mem_used = 0;
	std::uint32_t mem_limit = 0;
	std::uint64_t generation = 0;
	std::string last_error;
	std::optional<bool> core_connected; // DSMs: the PCI/TSM core's view
	std::optional<SessionInfo> session; // when a session was asked for at connect
};

struct ConnectOptions {
	std::uint8_t slot = 0;
	std::vector<std::uint8_t> nonce; // empty: the kernel chooses
	bool measurements = false;
	bool session = false; // also establish a secured session (KEY_EXCHANGE, FINISH)
};

const char *state_name(std::uint32_t state);
const char *session_state_name(std::uint32_t state);

// Decode one dev-get reply.
DevInfo dev_from_attrs(nlattr **attrs, int maxattr);

std::vector<DevInfo> dev_list(GenlSocket &sock);
DevInfo dev_get(GenlSocket &sock, const std::string &bdf);
// Netlink connect (functions that are not a DSM); returns the device after it.
DevInfo dev_connect(GenlSocket &sock, const std::string &bdf, const ConnectOptions &o);
void dev_disconnect(GenlSocket &sock, const std::string &bdf);
// Challenge again with a fresh kernel nonce, verify with the cached key.
DevInfo dev_revalidate(GenlSocket &sock, const std::string &bdf);
// KEY_UPDATE in the device's secured session (UpdateAllKeys with all, else
// UpdateKey; then VerifyNewKey); returns the device after it.
DevInfo session_key_update(GenlSocket &sock, const std::string &bdf, bool all);
// END_SESSION; the device stays authenticated.  Returns the device after it.
DevInfo session_end(GenlSocket &sock, const std::string &bdf);

Json json_of(const DevInfo &d);
// The session object of show/list -j (no bdf); session show -j adds "bdf".
Json json_of(const SessionInfo &s);
// One line for humans: "established, id 0x..., secp384r1, aes-256-gcm,
// heartbeat 2 s, 1 key update(s)"; the state alone when not established.
std::string session_summary(const SessionInfo &s);
// tsmctl session show -j's element: bdf, the device state and the session
// (null when the kernel reports none).
Json session_json(const DevInfo &d);

} // namespace spdmtsm
