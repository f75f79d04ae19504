// SPDX-License-Identifier: GPL-2.0
// tsmctl: native PCIe device authentication (CMA/SPDM) from the command line.
#include "agent.hpp"
#include "cli.hpp"
#include "commands.hpp"

#include "spdmtsm/json.hpp"
#include "spdmtsm/netlink.hpp"

#include <iostream>
#include <map>

#ifndef SPDM_TSM_VERSION
#define SPDM_TSM_VERSION "0.1"
#endif

int main(int argc, char **argv)
{
	using namespace tsmctl;
	std::vector<std::string> args(argv + 1, argv + argc);
	set_json_log_cmdline(args);
	Parsed p;
	try {
		p = parse(args);
	} catch (const UsageError &e) {
		std::cerr << "tsmctl: " << e.what() << "\n";
		return 2;
	}
	if (p.has("version")) {
		std::cout << "tsmctl " << SPDM_TSM_VERSION << "\n";
		return 0;
	}
	if (p.help) {
		if (p.command == "policy") {
			for (const char *sub : {"policy set", "policy show", "policy clear"})
				std::cout << command_help(*find_command(sub)) << "\n";
			return 0;
		}
		if (p.command == "session") {
			for (const char *sub : {"session show", "session key-update", "session end"})
				std::cout << command_help(*find_command(sub)) << "\n";
			return 0;
		}
		const CommandSpec *c = p.command.empty() ? nullptr : find_command(p.command);
		std::cout << (c ? command_help(*c) : usage());
		return 0;
	}

	static const std::map<std::string, int (*)(const Parsed &)> handlers = {
		{"list", cmd_list},
		{"show", cmd_show},
		{"connect", cmd_connect},
		{"disconnect", cmd_disconnect},
		{"evidence", cmd_evidence},
		{"verify", cmd_verify},
		{"policy set", cmd_policy_set},
		{"policy show", cmd_policy_show},
		{"policy clear", cmd_policy_clear},
		{"monitor", cmd_monitor},
		{"revalidate", cmd_revalidate},
		{"agent", cmd_agent},
		{"attest check", cmd_attest_check},
		{"session show", cmd_session_show},
		{"session key-update", cmd_session_key_update},
		{"session end", cmd_session_end},
	};
	try {
		return handlers.at(p.command)(p);
	} catch (const spdmtsm::NetlinkError &e) {
		std::cerr << "tsmctl " << p.command << ": " << spdmtsm::term_safe(e.what()) << "\n";
		return 1;
	} catch (const std::invalid_argument &e) {
		std::cerr << "tsmctl " << p.command << ": " << spdmtsm::term_safe(e.what()) << "\n";
		return 2;
	} catch (const std::exception &e) {
		std::cerr << "tsmctl " << p.command << ": " << spdmtsm::term_safe(e.what()) << "\n";
		return 1;
	}
}
