// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "cli.hpp"

namespace tsmctl {

// Each returns the process exit status (0 ok, 1 failure).
int cmd_list(const Parsed &p);
int cmd_show(const Parsed &p);
int cmd_connect(const Parsed &p);
int cmd_disconnect(const Parsed &p);
int cmd_evidence(const Parsed &p);
int cmd_verify(const Parsed &p);
int cmd_policy_set(const Parsed &p);
int cmd_policy_show(const Parsed &p);
int cmd_policy_clear(const Parsed &p);
int cmd_monitor(const Parsed &p);
int cmd_revalidate(const Parsed &p);
int cmd_attest_check(const Parsed &p); // attest.cpp

} // namespace tsmctl
