// SPDX-License-Identifier: GPL-2.0
// tsmctl agent: the recovery agent.  At start, for every configured device
// that is present: connect, verify against the configured trust anchors,
// and only then hand the kernel the revalidation policy (or disconnect an
// untrusted device).  Then follow the kernel's events: run the same flow
// for an added device, log session-lost / revalidated / revalidation-failed.
#pragma once

#include "agent_systemd.hpp"
#include "cli.hpp"

#include "spdmtsm/netlink.hpp"

#include <functional>
#include <memory>
#include <string>

namespace tsmctl {

int cmd_agent(const Parsed &p);

namespace agent {

// Opens the socket the agent talks to the kernel over: the spdm-tsm family
// (cmd_agent), or a GenlSocket over a fake kernel's NlTransport in the unit
// tests (tests/unit/agent/test_policy_pin.cpp).  Called again after an
// error drops the socket.
using SocketFactory = std::function<std::unique_ptr<spdmtsm::GenlSocket>()>;

// The start-up pass (what --once runs): every configured device that is
// present is connected unless authenticated, verified, and given its policy,
// pinned to the chain digest of the evidence verified.  True when each of
// them is trusted.
bool startup_pass(SettingsHolder &settings, const Logger &log, Notifier &notify, const SocketFactory &open_socket);

} // namespace agent

} // namespace tsmctl
