// SPDX-License-Identifier: GPL-2.0
// A Device Security Manager (IDE capability or TEE-IO bit) connects through
// the PCI/TSM core's sysfs files, not through netlink.
#pragma once

#include <string>

namespace tsmctl {

// The TSM device spdm_tsm registered (the tsmN whose parent is the spdm_tsm
// faux device); throws std::runtime_error when there is none.
std::string spdm_tsm_name();

// echo TSM > /sys/bus/pci/devices/BDF/tsm/connect (tsm empty: spdm_tsm's).
// Throws std::runtime_error with the kernel's errno.
void dsm_connect(const std::string &bdf, const std::string &tsm = {});
void dsm_disconnect(const std::string &bdf, const std::string &tsm);

} // namespace tsmctl
