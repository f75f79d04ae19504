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

struct DevInfo {
	std::string bdf;
	std::uint16_t vendor_id = 0;
	std::uint16_t device_id = 0;
	std::optional<std::uint64_t> serial;
	bool cma = false;
	bool dsm = false;
	bool ide = false;
	bool tee_io = false;
	std::string tsm;        // empty when not connected to a TSM
	std::uint32_t state = 0; // enum spdm_tsm_state
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
};

struct ConnectOptions {
	std::uint8_t slot = 0;
	std::vector<std::uint8_t> nonce; // empty: the kernel chooses
	bool measurements = false;
};

const char *state_name(std::uint32_t state);

// Decode one dev-get reply.
DevInfo dev_from_attrs(nlattr **attrs, int maxattr);

std::vector<DevInfo> dev_list(GenlSocket &sock);
DevInfo dev_get(GenlSocket &sock, const std::string &bdf);
// Netlink connect (functions that are not a DSM); returns the device after it.
DevInfo dev_connect(GenlSocket &sock, const std::string &bdf, const ConnectOptions &o);
void dev_disconnect(GenlSocket &sock, const std::string &bdf);
// Challenge again with a fresh kernel nonce, verify with the cached key.
DevInfo dev_revalidate(GenlSocket &sock, const std::string &bdf);

Json json_of(const DevInfo &d);

} // namespace spdmtsm
