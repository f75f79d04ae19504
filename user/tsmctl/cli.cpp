// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"

#include <sstream>

namespace tsmctl {

namespace {

const OptionSpec json_opt{"json", 'j', false, false, "", "print JSON (see JSON OUTPUT in tsmctl(8))"};
const OptionSpec pretty_opt{"pretty", 'p', false, false, "", "with -j: indent the JSON (default: one line)"};

std::vector<CommandSpec> make_commands()
{
	return {
		{"list",
		 "list [-j [-p]]",
		 "list PCI devices that have a CMA (SPDM) DOE mailbox",
		 "Lists every PCI function with a CMA DOE mailbox, whether the PCI/TSM core\n"
		 "treats it as a Device Security Manager (DSM: IDE capability or TEE-IO bit,\n"
		 "so that 'echo tsmN > .../tsm/connect' is offered), its serial number and\n"
		 "its authentication state.",
		 {},
		 {json_opt, pretty_opt}},
		{"show",
		 "show [DEV] [-j [-p]]",
		 "show one device, or every device",
		 "Shows one device (every device without DEV): its ids, serial number, whether it is a DSM, its\n"
		 "authentication state, the negotiated SPDM version and algorithms, the\n"
		 "DOE exchanges and time of the last handshake, the evidence memory it\n"
		 "uses against the module's limit, and why the last handshake failed.\n"
		 "DEV is 0000:01:00.0, 01:00.0 or a sysfs path such as\n"
		 "/sys/bus/pci/devices/0000:01:00.0.  With -j: an array, of one device\n"
		 "with DEV.",
		 {},
		 {json_opt, pretty_opt},
		 {"DEV"}},
		{"connect",
		 "connect DEV [--slot N] [--nonce HEX] [--measurements] [--session] [--tsm tsmN] [-j]",
		 "authenticate a device (SPDM handshake in the kernel)",
		 "Runs GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS, GET_DIGESTS,\n"
		 "GET_CERTIFICATE and CHALLENGE over the device's CMA DOE mailbox; the\n"
		 "kernel verifies CHALLENGE_AUTH with the leaf certificate's key and keeps\n"
		 "the key and the evidence.  It does not judge the certificate chain:\n"
		 "'tsmctl verify' does, here, with your trust anchors.\n\n"
		 "A DSM (IDE capability or TEE-IO bit) connects through the PCI/TSM core:\n"
		 "tsmctl writes tsmN to /sys/bus/pci/devices/DEV/tsm/connect.  Any other\n"
		 "function with a CMA mailbox connects through netlink.  Prints the DOE\n"
		 "exchange count and the time taken.\n\n"
		 "With --session (netlink path; a DSM gets one when the module parameter\n"
		 "session is set) the kernel also establishes an SPDM secured session:\n"
		 "KEY_EXCHANGE, whose signature it verifies with the key it just cached,\n"
		 "and FINISH; it keeps the session alive with HEARTBEAT and announces\n"
		 "session-lost, reason heartbeat, when the device stops answering in it\n"
		 "('tsmctl session show').",
		 {"DEV"},
		 {{"slot", 0, true, false, "N", "certificate slot 0-7 (default 0; netlink path only)"},
		  {"nonce", 0, true, false, "HEX", "use this 32-byte nonce instead of a kernel-chosen one"},
		  {"measurements", 0, false, false, "", "also take signed measurements"},
		  {"session", 0, false, false, "", "also establish a secured session (KEY_EXCHANGE, FINISH)"},
		  {"tsm", 0, true, false, "tsmN", "the TSM for a DSM (default: the spdm_tsm one)"},
		  json_opt,
		  pretty_opt}},
		{"disconnect",
		 "disconnect DEV",
		 "forget a device's session and evidence",
		 "Ends the authenticated state: through tsm/disconnect for a DSM, through\n"
		 "netlink otherwise.",
		 {"DEV"},
		 {}},
		{"evidence",
		 "evidence DEV [-j | --pem | --der DIR]",
		 "print the evidence of an authenticated device",
		 "Prints what the kernel recorded during the handshake: negotiated version\n"
		 "and algorithms, slot digests, the certificate chain, the nonce, the\n"
		 "transcript the signature covers, the signature and (1.2+) the signing\n"
		 "context, signed measurements when taken, and the KEY_EXCHANGE_RSP\n"
		 "signature of the secured session with the transcript hash it covers:\n"
		 "everything a verifier needs to re-check the signatures offline.  --pem\n"
		 "prints the chain as PEM (root first); --der DIR writes cert0.der... (root\n"
		 "first), transcript.bin, signature.bin and leaf-spki.der into DIR (and\n"
		 "ke-signature.bin, ke-th-hash.bin with a session).",
		 {"DEV"},
		 {json_opt,
		  pretty_opt,
		  {"pem", 0, false, false, "", "print the certificate chain as PEM"},
		  {"der", 0, true, false, "DIR", "write the certificates and evidence files into DIR"}}},
		{"verify",
		 "verify DEV --ca ROOT.pem [--ca ...] [-j]",
		 "decide: does the evidence chain to an anchor you trust?",
		 "The userspace trust decision, with mbedTLS: (1) the certificate chain\n"
		 "leads to one of the --ca trust anchors (PEM or DER files), (2) the leaf's\n"
		 "key is the key the kernel verified with and cached, (3) the\n"
		 "CHALLENGE_AUTH signature verifies over the transcript, (4) the\n"
		 "MEASUREMENTS signature verifies, when measurements were taken, (5) the\n"
		 "KEY_EXCHANGE_RSP signature of the secured session verifies over its\n"
		 "transcript hash (1.2+: in the context \"responder-key_exchange_rsp\n"
		 "signing\"), when a session is established.  Exit status 0 only when\n"
		 "every check passes.",
		 {"DEV"},
		 {{"ca", 0, true, true, "FILE", "a trust anchor (repeatable)"}, json_opt, pretty_opt}},
		{"policy set",
		 "policy set DEV [--cert-digest HEX|current] [--slot N] [--meas IDX=HEX|baseline]... [--volatile IDX]... "
		 "[--action A] [--announce-only]",
		 "tell the kernel what to expect of a device on revalidation",
		 "Stores a policy for DEV, replacing any previous one: the expected digest\n"
		 "of the slot's certificate chain ('current' takes the digest verified at\n"
		 "connect; without --cert-digest the policy is bound to the connected\n"
		 "device's identity all the same), expected measurement digests per index\n"
		 "(--meas 1=HEX), or every measurement block seen at connect and no other\n"
		 "(--meas baseline; needs connect --measurements), indices whose\n"
		 "measurement changes at run time and is ignored (--volatile 3), the\n"
		 "action when revalidation fails (notify, unbind or disable-bus-master;\n"
		 "default notify; a bound driver can turn bus mastering back on, unbind\n"
		 "keeps it away), and whether recovery triggers revalidate automatically\n"
		 "(default) or only announce (--announce-only).  The policy is keyed by\n"
		 "DEV's address only; the device's Device Serial Number, recorded with it,\n"
		 "must also match (reason 'serial'), but never selects a policy.",
		 {"DEV"},
		 {{"cert-digest", 0, true, false, "HEX|current", "expected certificate-chain digest"},
		  {"slot", 0, true, false, "N", "certificate slot 0-7 (default 0)"},
		  {"meas", 0, true, true, "IDX=HEX|baseline",
		   "expected digest of measurement IDX, or every block seen at connect (repeatable)"},
		  {"volatile", 0, true, true, "IDX", "ignore measurement IDX (repeatable)"},
		  {"action", 0, true, false, "A", "notify | unbind | disable-bus-master"},
		  {"announce-only", 0, false, false, "", "announce recovery events, do not revalidate"},
		  {"serial", 0, true, false, "HEX",
		   "the Device Serial Number the device must also report (default: the device's)"},
		  json_opt,
		  pretty_opt}},
		{"policy show",
		 "policy show [DEV] [-j]",
		 "show the policy of a device, or all policies",
		 "Prints what the kernel stored.",
		 {},
		 {json_opt, pretty_opt},
		 {"DEV"}},
		{"policy clear",
		 "policy clear DEV",
		 "delete the policy of a device",
		 "Removes the policy; revalidation then checks only the signature.",
		 {"DEV"},
		 {}},
		{"revalidate",
		 "revalidate DEV [-j]",
		 "is this still the device you approved?",
		 "Challenges the device again with a fresh kernel-chosen nonce and verifies\n"
		 "the signature with the public key cached at connect (never a key the\n"
		 "device offers now); CHALLENGE_AUTH's chain hash must be the cached digest\n"
		 "or the policy's, and the policy's measurements are checked after.\n"
		 "Without a reset it takes 1 DOE exchange (CHALLENGE); after a reset or\n"
		 "resume 4 (VERSION, CAPABILITIES, ALGORITHMS, CHALLENGE); measurements in\n"
		 "the policy add 1.  Announces revalidated or revalidation-failed\n"
		 "and applies the policy's action on failure.  Prints the exchange count\n"
		 "and time.",
		 {"DEV"},
		 {json_opt, pretty_opt}},
		{"session show",
		 "session show [DEV] [-j [-p]]",
		 "show the secured session of one device, or of every device",
		 "Shows the SPDM secured session of DEV (of every device without DEV):\n"
		 "its state (none or established), session ID, DHE group, AEAD, key\n"
		 "schedule hash, whether messages are encrypted, the heartbeat period the\n"
		 "device chose, when it was established, the key updates and heartbeats\n"
		 "in it, how many sessions were established since connect, and the DOE\n"
		 "exchanges and time of the last establishment.  With -j: an array, of one\n"
		 "entry with DEV.",
		 {},
		 {json_opt, pretty_opt},
		 {"DEV"}},
		{"session key-update",
		 "session key-update [--all] DEV [-j]",
		 "refresh the keys of a device's secured session",
		 "KEY_UPDATE in the session: UpdateKey (the requester's direction), or\n"
		 "UpdateAllKeys with --all, then VerifyNewKey.  A failure drops the\n"
		 "session (session-lost, reason key-update).  Prints the key-update count.",
		 {"DEV"},
		 {{"all", 0, false, false, "", "update the keys of both directions (UpdateAllKeys)"},
		  json_opt,
		  pretty_opt}},
		{"session end",
		 "session end DEV [-j]",
		 "close a device's secured session (END_SESSION)",
		 "Sends END_SESSION and forgets the session keys; the device stays\n"
		 "authenticated and keeps its evidence.  Announces session-ended.",
		 {"DEV"},
		 {json_opt, pretty_opt}},
		{"monitor",
		 "monitor [-j] [--count N] [--timeout S]",
		 "follow device events",
		 "Prints one line (or, with -j, one JSON object per line) for each event\n"
		 "on the spdm-tsm 'events' multicast group: connected, disconnected,\n"
		 "session-lost (reason heartbeat: the secured session's HEARTBEAT failed;\n"
		 "key-update: a KEY_UPDATE failed), revalidated, revalidation-failed\n"
		 "(reason session: establishing the secured session again failed), added,\n"
		 "session-established (again, after a lost session), session-ended, with\n"
		 "the device, the reason and a timestamp.  Runs until interrupted, N\n"
		 "events, or S seconds.",
		 {},
		 {json_opt,
		  {"count", 0, true, false, "N", "exit after N events"},
		  {"timeout", 0, true, false, "S", "exit after S seconds"}}},
		{"attest check",
		 "attest check --ima-log FILE --pcr10 HEX [--expect FILE] [-j]",
		 "verify a host's IMA log and its spdm-tsm records, on another machine",
		 "Fleet evidence (docs/ima-record.md).  The module measures every\n"
		 "authentication result (connected, connect-failed, revalidated,\n"
		 "revalidation-failed, session-lost, disconnected) into IMA as critical data\n"
		 "with label spdm-tsm, when the IMA policy asks for it\n"
		 "(measure func=CRITICAL_DATA label=spdm-tsm).  This command needs no device\n"
		 "and no kernel module: give it the host's\n"
		 "/sys/kernel/security/ima/binary_runtime_measurements_sha256 (or _sha1) and\n"
		 "PCR 10 of the same bank as a TPM quote reports it (64 or 40 hex digits,\n"
		 "which selects the bank).  It replays every PCR-10 entry (each entry's\n"
		 "template digest must match its data, an ima-buf buffer its digest;\n"
		 "violations extend all-ones), compares the result with --pcr10, and lists\n"
		 "the spdm-tsm records.  With --expect FILE, per device:\n"
		 "  [device 0000:01:00.0]            or [serial 0123456789abcdef] (DSN)\n"
		 "  chain = sha384:HEX               the chain digest verified at connect\n"
		 "  meas = sha256:HEX                digest of the signed measurements, or none\n"
		 "  min-version = 1.2                lowest acceptable SPDM version\n"
		 "every connected/revalidated record of the device must match, and its last\n"
		 "record must be connected or revalidated (a failure or loss after the last\n"
		 "success fails).  Exit status: 0 when the replay matches and every\n"
		 "expectation holds, 1 otherwise (a malformed or tampered log included), 2\n"
		 "for a usage error or a bad --expect file (FILE:LINE).",
		 {},
		 {{"ima-log", 0, true, false, "FILE", "binary_runtime_measurements_sha256 (or _sha1) of the host"},
		  {"pcr10", 0, true, false, "HEX", "PCR 10 of that bank, as the TPM quote reports it"},
		  {"expect", 0, true, false, "FILE", "expected values per device"},
		  json_opt}},
		{"agent",
		 "agent --config FILE [--once] [-v]",
		 "recovery agent: connect, verify and set policies from a config",
		 "The recovery daemon (systemd: spdm-tsm-agent.service).  At start, for each\n"
		 "device of FILE that is present: connect unless authenticated, verify the\n"
		 "evidence against the section's 'ca' trust anchors (the trust decision),\n"
		 "and only when trusted store its revalidation policy; an untrusted device is\n"
		 "disconnected.  Then follows the kernel's events: a configured device that\n"
		 "is added (hot-add, rescan) goes through the same flow; session-lost,\n"
		 "revalidated and revalidation-failed (with its reason and the action the\n"
		 "kernel took) are logged: to the journal with fields (SPDM_TSM_DEVICE,\n"
		 "SPDM_TSM_EVENT, SPDM_TSM_REASON, MESSAGE_ID) when stderr is the journal\n"
		 "(JOURNAL_STREAM), one plain line each on stderr otherwise.  The policy pins\n"
		 "the chain digest of the evidence verified.  Under systemd (Type=notify):\n"
		 "READY=1 after the start-up pass, WATCHDOG=1 at half of WatchdogSec; SIGHUP\n"
		 "reloads FILE (a bad one is logged and the one in effect kept).\n"
		 "SIGTERM/SIGINT end it with status 0, after the kernel operation in progress.\n"
		 "With --once: the start-up pass only,\n"
		 "status 0 when every configured device that is present is trusted, 1\n"
		 "otherwise; 2 for a bad configuration (the error names FILE:LINE).\n\n"
		 "FILE (man agent.conf; /etc/spdm-tsm/agent.conf.example):\n"
		 "  [device 0000:01:00.0]            or [serial 0123456789abcdef]\n"
		 "  ca = /etc/spdm-tsm/root.pem      trust anchor, repeatable, at least one\n"
		 "  cert-digest = current            or the expected chain digest (hex)\n"
		 "  meas = 1=HEX                     expected measurement, repeatable;\n"
		 "  meas = baseline                  or every block seen at connect, no other\n"
		 "  volatile = 2                     ignored measurement index, repeatable\n"
		 "  action = notify                  notify | unbind | disable-bus-master\n"
		 "  revalidate = auto                auto | announce\n"
		 "  slot = 0                         certificate slot (netlink connect)\n"
		 "  measurements = no                connect with signed measurements\n"
		 "                                   (default yes when meas/volatile given)\n"
		 "  session = no                     connect with a secured session",
		 {},
		 {{"config", 0, true, false, "FILE", "the configuration (required)"},
		  {"once", 0, false, false, "", "run the start-up pass and exit"},
		  {"verbose", 'v', false, false, "", "also log debug messages (events of other devices)"}}},
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
				// -j/--json and -p/--pretty may precede the command
				if (a == "-j" || a == "--json") {
					p.opts["json"].push_back("");
					continue;
				}
				if (a == "-p" || a == "--pretty") {
					p.opts["pretty"].push_back("");
					continue;
				}
				throw UsageError("unknown option '" + a +
						 "' (options go after the command; see tsmctl --help)");
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
					throw UsageError("unknown option '" + a +
							 "' (short options cannot be combined)");
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
			std::string name = a;
			// two-word commands: "policy set", "policy show", "policy clear";
			// "session show", "session key-update", "session end";
			// "attest check"
			// "help [COMMAND]": the same as "[COMMAND] --help"
			if (a == "help" && !p.help) {
				p.help = true;
				continue;
			}
			if (a == "attest" && i + 1 < argv.size() && argv[i + 1] == "check") {
				name += " " + argv[++i];
			} else if (a == "attest") {
				throw UsageError("'attest' takes check: tsmctl attest check --help");
			} else if (a == "session") {
				if (i + 1 >= argv.size() || argv[i + 1].empty() || argv[i + 1][0] == '-') {
					if (p.help ||
					    (i + 1 < argv.size() && (argv[i + 1] == "-h" || argv[i + 1] == "--help"))) {
						// "session --help": the help of its three commands
						p.help = true;
						p.command = "session";
						return p;
					}
					throw UsageError("'session' needs show, key-update or end (see tsmctl --help)");
				}
				name += " " + argv[++i];
			} else if (a == "policy") {
				if (i + 1 >= argv.size() || argv[i + 1].empty() || argv[i + 1][0] == '-') {
					if (p.help ||
					    (i + 1 < argv.size() && (argv[i + 1] == "-h" || argv[i + 1] == "--help"))) {
						// "policy --help": the help of its three commands
						p.help = true;
						p.command = "policy";
						return p;
					}
					throw UsageError("'policy' needs set, show or clear (see tsmctl --help)");
				}
				name += " " + argv[++i];
			}
			cmd = find_command(name);
			if (!cmd)
				throw UsageError("unknown command '" + name + "' (see tsmctl --help)");
			p.command = name;
			continue;
		}
		p.args.push_back(a);
	}

	if (p.help || p.has("version"))
		return p;
	if (!cmd)
		throw UsageError("no command given (see tsmctl --help)");
	if (p.args.size() < cmd->positionals.size())
		throw UsageError("'" + cmd->name + "' needs " + cmd->positionals[p.args.size()] + " (usage: tsmctl " +
				 cmd->synopsis + ")");
	if (cmd->name == "attest check" && (!p.has("ima-log") || !p.has("pcr10")))
		throw UsageError("'attest check' needs --ima-log FILE and --pcr10 HEX (usage: tsmctl " + cmd->synopsis +
				 ")");
	if (cmd->name == "verify" && !p.has("ca"))
		throw UsageError("'verify' needs at least one trust anchor: --ca ROOT.pem");
	std::size_t most = cmd->positionals.size() + cmd->optional_positionals.size();
	if (p.args.size() > most)
		throw UsageError("'" + cmd->name + "': unexpected argument '" + p.args[most] + "' (usage: tsmctl " +
				 cmd->synopsis + ")");
	return p;
}

namespace {

// One line of a help listing: left, then right from column 30 (on a line of
// its own when left is that wide).
void two_columns(std::ostringstream &s, const std::string &left, const std::string &right)
{
	constexpr std::size_t col = 30;
	s << left;
	if (left.size() < col)
		s << std::string(col - left.size(), ' ');
	else
		s << "\n" << std::string(col, ' ');
	s << right << "\n";
}

} // namespace

std::string usage()
{
	std::ostringstream s;
	s << "usage: tsmctl [-j [-p]] COMMAND [ARGS]\n\n"
	     "Native PCIe device authentication (CMA/SPDM) with the spdm_tsm kernel module.\n"
	     "The kernel checks that a device holds the private key of its certificate;\n"
	     "you decide, from the evidence, whether the certificate chain is one you trust.\n\n"
	     "Commands:\n";
	for (const auto &c : commands())
		two_columns(s, "  " + c.synopsis, c.summary);
	s << "\nGlobal options:\n"
	     "  -j, --json                  JSON output (on every command that prints)\n"
	     "  -p, --pretty                with -j: indented JSON (default: one line)\n"
	     "  -h, --help                  this help; 'tsmctl help COMMAND' or 'tsmctl COMMAND --help' for one\n"
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
			two_columns(s, left, o.help);
		}
	}
	return s.str();
}

} // namespace tsmctl
