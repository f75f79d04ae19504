// SPDX-License-Identifier: GPL-2.0
#include "commands.hpp"

#include "spdmtsm/device.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/netlink.hpp"

#include <linux/spdm_tsm.h>

#include <cstdio>
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

void print_table(const std::vector<DevInfo> &devs)
{
	std::printf("%-14s %-10s %-17s %-4s %-14s %s\n", "DEVICE", "ID", "SERIAL", "DSM", "STATE", "TSM");
	for (const auto &d : devs) {
		char id[16];
		std::snprintf(id, sizeof(id), "%04x:%04x", d.vendor_id, d.device_id);
		std::printf("%-14s %-10s %-17s %-4s %-14s %s\n", d.bdf.c_str(), id, serial_text(d).c_str(),
			    d.dsm ? "yes" : "no", state_name(d.state), d.tsm.empty() ? "-" : d.tsm.c_str());
	}
}

} // namespace

int cmd_list(const Parsed &p)
{
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	auto devs = dev_list(sock);
	if (p.has("json")) {
		JsonWriter w(true);
		w.begin_array();
		for (const auto &d : devs)
			to_json(w, d);
		w.end_array();
		std::cout << w.str() << "\n";
	} else if (devs.empty()) {
		std::cout << "no PCI device with a CMA (SPDM) DOE mailbox\n";
	} else {
		print_table(devs);
	}
	return 0;
}

int cmd_show(const Parsed &p)
{
	std::string bdf = canonical_bdf(p.args.at(0));
	GenlSocket sock(SPDM_TSM_FAMILY_NAME);
	DevInfo d = dev_get(sock, bdf);
	if (p.has("json")) {
		JsonWriter w(true);
		to_json(w, d);
		std::cout << w.str() << "\n";
		return 0;
	}
	std::printf("device:    %s\n", d.bdf.c_str());
	std::printf("id:        %04x:%04x\n", d.vendor_id, d.device_id);
	std::printf("serial:    %s\n", serial_text(d).c_str());
	std::printf("cma:       %s\n", d.cma ? "yes" : "no");
	std::printf("dsm:       %s (ide %s, tee-io %s)\n", d.dsm ? "yes" : "no", d.ide ? "yes" : "no",
		    d.tee_io ? "yes" : "no");
	std::printf("state:     %s\n", state_name(d.state));
	std::printf("tsm:       %s\n", d.tsm.empty() ? "-" : d.tsm.c_str());
	return 0;
}

} // namespace tsmctl
