// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "cli.hpp"

#include "spdmtsm/device.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/netlink.hpp"

namespace tsmctl {

// SPDM_TSM_JSON_LOG=FILE: every JSON document tsmctl prints is also
// appended to FILE, after a line "#tsmctl ARGS" (the test suite validates
// them against tests/schema/tsmctl.schema.json).  main() records the ARGS.
void set_json_log_cmdline(const std::vector<std::string> &args);

// A command's JSON document: compact on one line, or pretty with -p (and
// copied to SPDM_TSM_JSON_LOG).
void print_json(const Parsed &p, const spdmtsm::Json &j);

// DEV given: that one (get); none: every one (all).  (show, policy show,
// session show)
template <typename Get, typename All> auto one_or_all(const Parsed &p, spdmtsm::GenlSocket &sock, Get get, All all)
	-> decltype(all(sock))
{
	if (p.args.empty())
		return all(sock);
	return {get(sock, spdmtsm::canonical_bdf(p.args[0]))};
}

// show and session show: DEV or every device; -j an array of to_json(d),
// text print(d) per device, a blank line between them.
int show_devices(const Parsed &p, spdmtsm::Json (*to_json)(const spdmtsm::DevInfo &),
		 void (*print)(const spdmtsm::DevInfo &));

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
int cmd_attest_check(const Parsed &p);       // attest.cpp
int cmd_session_show(const Parsed &p);       // session.cpp
int cmd_session_key_update(const Parsed &p); // session.cpp
int cmd_session_end(const Parsed &p);        // session.cpp

} // namespace tsmctl
