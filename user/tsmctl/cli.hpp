// SPDX-License-Identifier: GPL-2.0
// tsmctl command-line parsing, kept apart from I/O so that it is unit-tested.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tsmctl {

// A usage error: tsmctl prints it with a hint and exits 2.
class UsageError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

struct OptionSpec {
	std::string long_name; // "json"
	char short_name = 0;   // 'j'
	bool takes_value = false;
	bool repeatable = false;
	std::string value_name; // "HEX"
	std::string help;
};

struct CommandSpec {
	std::string name;                     // "list"
	std::string synopsis;                 // "list [-j]"
	std::string summary;                  // one line
	std::string description;              // paragraphs for "tsmctl help CMD"
	std::vector<std::string> positionals; // names of required positionals ("DEV")
	std::vector<OptionSpec> options;
	std::vector<std::string> optional_positionals = {}; // after the required ones
};

struct Parsed {
	std::string command;
	std::vector<std::string> args;                        // positionals
	std::map<std::string, std::vector<std::string>> opts; // long name -> values ("" for flags)
	bool help = false;

	bool has(const std::string &o) const { return opts.count(o) != 0; }
	std::optional<std::string> get(const std::string &o) const
	{
		auto it = opts.find(o);
		if (it == opts.end() || it->second.empty())
			return std::nullopt;
		return it->second.back();
	}
};

const std::vector<CommandSpec> &commands();
const CommandSpec *find_command(const std::string &name);

// Parse argv[1..]: global options (-j/--json, -h/--help, --version) may come
// before or after the command.  Throws UsageError.
Parsed parse(const std::vector<std::string> &argv);

std::string usage();                           // "tsmctl --help"
std::string command_help(const CommandSpec &); // "tsmctl CMD --help"

} // namespace tsmctl
