// SPDX-License-Identifier: GPL-2.0
// tsmctl agent: the recovery agent.  At start, for every configured device
// that is present: connect, verify against the configured trust anchors,
// and only then hand the kernel the revalidation policy (or disconnect an
// untrusted device).  Then follow the kernel's events: run the same flow
// for an added device, log session-lost / revalidated / revalidation-failed.
#pragma once

#include "cli.hpp"

#include <string>

namespace tsmctl {

int cmd_agent(const Parsed &p);

} // namespace tsmctl
