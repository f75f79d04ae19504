// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"

#include <sstream>

namespace tsmctl {

namespace {

const OptionSpec json_opt{"json", 'j', false, false, "", "print JSON (one document) instead of text"};

std::vector<CommandSpec> make_commands()
{
	return {
		{"list", "list [-j]", "list PCI devices that have a CMA (SPDM) DOE mailbox",
		 "Lists every PCI function with a CMA DOE mailbox, whether the PCI/TSM core\n"
		 "treats it as a Device Security Manager (DSM: IDE capability or TEE-IO bit,\n"
		 "so that 'echo tsmN > .../tsm/connect' is offered), its serial number and\n"
		 "its authentication state.",
		 {},
		 {json_opt}},
		{"show", "show DEV [-j]", "show one device",
		 "Shows the same fields as 'list' for one device.  DEV is 0000:01:00.0,\n"
		 "01:00.0 or a sysfs path such as /sys/bus/pci/devices/0000:01:00.0.",
		 {"DEV"},
		 {json_opt}},
	};
}

} // namespace

const std::vector<CommandSpec> &commands()
{
	static const std::vector<CommandSpec> cmds = make_commands();
	return cmds;
}

const CommandSpec *find_command(const std::string &name)
{
	for (const auto &c : commands())
		if (c.name == name)
			return &c;
	return nullptr;
}

Parsed parse(const std::vector<std::string> &argv)
{
	Parsed p;
	const CommandSpec *cmd = nullptr;
	bool only_positionals = false;

	auto find_opt = [&](const std::string &lname, char sname) -> const OptionSpec * {
		if (!cmd)
			return nullptr;
		for (const auto &o : cmd->options)
			if ((!lname.empty() && o.long_name == lname) || (sname && o.short_name == sname))
				return &o;
		return nullptr;
	};
	auto add = [&](const OptionSpec &o, const std::string &v) {
		auto &vals = p.opts[o.long_name];
		if (!vals.empty() && !o.repeatable)
			throw UsageError("option --" + o.long_name + " given twice");
		vals.push_back(v);
	};

	for (size_t i = 0; i < argv.size(); i++) {
		const std::string &a = argv[i];
		if (!only_positionals && a == "--") {
			only_positionals = true;
			continue;
		}
		if (!only_positionals && (a == "-h" || a == "--help")) {
			p.help = true;
			continue;
		}
		if (!only_positionals && a == "--version") {
			p.opts["version"].push_back("");
			continue;
		}
		if (!only_positionals && a.size() > 1 && a[0] == '-') {
			if (!cmd) {
				// -j/--json may precede the command
				if (a == "-j" || a == "--json") {
					p.opts["json"].push_back("");
					continue;
				}
				throw UsageError("unknown option '" + a + "' (options go after the command; see tsmctl --help)");
			}
			std::string name, value;
			bool has_value = false;
			const OptionSpec *o = nullptr;
			if (a.rfind("--", 0) == 0) {
				name = a.substr(2);
				auto eq = name.find('=');
				if (eq != std::string::npos) {
					value = name.substr(eq + 1);
					name = name.substr(0, eq);
					has_value = true;
				}
				o = find_opt(name, 0);
			} else {
				if (a.size() != 2)
					throw UsageError("unknown option '" + a + "' (short options cannot be combined)");
				o = find_opt("", a[1]);
			}
			if (!o)
				throw UsageError("'" + cmd->name + "' has no option '" + a + "' (see tsmctl " +
						 cmd->name + " --help)");
			if (o->takes_value) {
				if (!has_value) {
					if (i + 1 >= argv.size())
						throw UsageError("option --" + o->long_name + " needs a value (" +
								 o->value_name + ")");
					value = argv[++i];
				}
				add(*o, value);
			} else {
				if (has_value)
					throw UsageError("option --" + o->long_name + " takes no value");
				add(*o, "");
			}
			continue;
		}
		if (!cmd) {
			cmd = find_command(a);
			if (!cmd)
				throw UsageError("unknown command '" + a + "' (see tsmctl --help)");
			p.command = a;
			continue;
		}
		p.args.push_back(a);
	}

	if (p.help || p.has("version"))
		return p;
	if (!cmd)
		throw UsageError("no command given (see tsmctl --help)");
	if (p.args.size() < cmd->positionals.size())
		throw UsageError("'" + cmd->name + "' needs " + cmd->positionals[p.args.size()] +
				 " (usage: tsmctl " + cmd->synopsis + ")");
	if (p.args.size() > cmd->positionals.size())
		throw UsageError("'" + cmd->name + "': unexpected argument '" +
				 p.args[cmd->positionals.size()] + "' (usage: tsmctl " + cmd->synopsis + ")");
	return p;
}

std::string usage()
{
	std::ostringstream s;
	s << "usage: tsmctl [-j] COMMAND [ARGS]\n\n"
	     "Native PCIe device authentication (CMA/SPDM) with the spdm_tsm kernel module.\n"
	     "The kernel checks that a device holds the private key of its certificate;\n"
	     "you decide, from the evidence, whether the certificate chain is one you trust.\n\n"
	     "Commands:\n";
	for (const auto &c : commands()) {
		std::string syn = c.synopsis;
		s << "  " << syn;
		if (syn.size() < 28)
			s << std::string(28 - syn.size(), ' ');
		else
			s << "\n" << std::string(30, ' ');
		s << c.summary << "\n";
	}
	s << "\nGlobal options:\n"
	     "  -j, --json                  JSON output (on every command that prints)\n"
	     "  -h, --help                  this help; 'tsmctl COMMAND --help' for one command\n"
	     "      --version               print the version\n\n"
	     "DEV is a PCI address (0000:01:00.0 or 01:00.0) or a sysfs device path.\n"
	     "Exit status: 0 success, 1 failure, 2 usage error.\n";
	return s.str();
}

std::string command_help(const CommandSpec &c)
{
	std::ostringstream s;
	s << "usage: tsmctl " << c.synopsis << "\n\n" << c.summary << ".\n\n" << c.description << "\n";
	if (!c.options.empty()) {
		s << "\nOptions:\n";
		for (const auto &o : c.options) {
			std::string left = "  ";
			left += o.short_name ? std::string("-") + o.short_name + ", " : "    ";
			left += "--" + o.long_name;
			if (o.takes_value)
				left += " " + o.value_name;
			s << left;
			if (left.size() < 30)
				s << std::string(30 - left.size(), ' ');
			else
				s << "\n" << std::string(30, ' ');
			s << o.help << "\n";
		}
	}
	return s.str();
}

} // namespace tsmctl
