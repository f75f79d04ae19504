// SPDX-License-Identifier: GPL-2.0
// Connecting a device the way its kind needs, for tsmctl and the agent alike:
// a Device Security Manager (IDE capability or TEE-IO bit) through the PCI/TSM
// core's sysfs files (tsm/connect, tsm/disconnect), any other function with a
// CMA DOE mailbox through the netlink connect command.
#pragma once

#include "spdmtsm/device.hpp"
#include "spdmtsm/netlink.hpp"

#include <string>

namespace spdmtsm {

// The TSM device spdm_tsm registered (the tsmN whose parent is the spdm_tsm
// faux device); throws std::runtime_error when there is none.
std::string spdm_tsm_name();

// echo TSM > /sys/bus/pci/devices/BDF/tsm/connect (tsm empty: spdm_tsm's).
// Throws std::runtime_error with the kernel's errno.
void dsm_connect(const std::string &bdf, const std::string &tsm = {});
void dsm_disconnect(const std::string &bdf, const std::string &tsm);

// Connect `before` (a dev_get of the device): tsm/connect for a DSM (o is
// not used: the PCI/TSM core picks slot and nonce; tsm empty: spdm_tsm's),
// netlink connect otherwise.  Returns the device after it.  A failed netlink
// connect throws NetlinkError with the kernel's whole reason (the device's
// last_error when it says more than the extended ack).
DevInfo connect_device(GenlSocket &sock, const DevInfo &before, const ConnectOptions &o, const std::string &tsm = {});

// The extended ack holds at most 79 bytes; the device's state keeps the
// whole reason of a failed handshake.  Throws e again, with the device's
// last_error when that says more.
[[noreturn]] void rethrow_with_full_reason(GenlSocket &sock, const std::string &bdf, const NetlinkError &e);

// f() (a request about bdf that returns the device), its NetlinkError
// rethrown with the device's whole reason.
template <class F> DevInfo with_full_reason(GenlSocket &sock, const std::string &bdf, F &&f)
{
	try {
		return f();
	} catch (const NetlinkError &e) {
		rethrow_with_full_reason(sock, bdf, e);
	}
}

// Disconnect d the way it was connected; a DSM linked to no TSM throws
// std::runtime_error ("not connected").
void disconnect_device(GenlSocket &sock, const DevInfo &d);

} // namespace spdmtsm
