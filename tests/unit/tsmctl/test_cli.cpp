// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"

#include "spdmtsm/netlink.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

using namespace tsmctl;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("parse: command with -j before or after it")
{
	auto a = parse({"-j", "list"});
	CHECK(a.command == "list");
	CHECK(a.has("json"));
	auto b = parse({"list", "--json"});
	CHECK(b.has("json"));
	auto c = parse({"list"});
	CHECK_FALSE(c.has("json"));
	auto d = parse({"-j", "-p", "show", "01:00.0"});
	CHECK(d.has("json"));
	CHECK(d.has("pretty"));
	CHECK(parse({"policy", "show", "--pretty", "-j"}).has("pretty"));
}

TEST_CASE("parse: positionals are counted")
{
	auto p = parse({"show", "01:00.0"});
	REQUIRE(p.args.size() == 1);
	CHECK(p.args[0] == "01:00.0");
	CHECK(parse({"show"}).args.empty()); // every device
	CHECK_THROWS_WITH(parse({"connect"}), ContainsSubstring("needs DEV"));
	CHECK_THROWS_WITH(parse({"show", "a", "b"}), ContainsSubstring("unexpected argument 'b'"));
	CHECK_THROWS_WITH(parse({"list", "extra"}), ContainsSubstring("unexpected argument"));
}

TEST_CASE("parse: unknown commands and options are usage errors")
{
	CHECK_THROWS_AS(parse({"frobnicate"}), UsageError);
	CHECK_THROWS_WITH(parse({"list", "--bogus"}), ContainsSubstring("has no option '--bogus'"));
	CHECK_THROWS_WITH(parse({}), ContainsSubstring("no command"));
	CHECK_THROWS_WITH(parse({"list", "-jj"}), ContainsSubstring("cannot be combined"));
	CHECK_THROWS_WITH(parse({"list", "--json=1"}), ContainsSubstring("takes no value"));
	CHECK_THROWS_WITH(parse({"list", "-j", "-j"}), ContainsSubstring("given twice"));
}

TEST_CASE("parse: --help and --version need no command")
{
	CHECK(parse({"--help"}).help);
	CHECK(parse({"-h"}).help);
	CHECK(parse({"show", "--help"}).help);
	CHECK(parse({"--version"}).has("version"));
}

TEST_CASE("parse: help COMMAND and policy --help")
{
	auto h = parse({"help"});
	CHECK(h.help);
	CHECK(h.command.empty());
	auto c = parse({"help", "connect"});
	CHECK(c.help);
	CHECK(c.command == "connect");
	auto ps = parse({"help", "policy", "set"});
	CHECK(ps.command == "policy set");
	CHECK(parse({"policy", "--help"}).command == "policy");
	CHECK(parse({"policy", "--help"}).help);
	CHECK(parse({"help", "policy"}).command == "policy");
}

TEST_CASE("parse: -- ends options")
{
	auto p = parse({"show", "--", "-weird"});
	REQUIRE(p.args.size() == 1);
	CHECK(p.args[0] == "-weird");
}

TEST_CASE("help: every command is documented")
{
	std::string u = usage();
	for (const auto &c : commands()) {
		CHECK_THAT(u, ContainsSubstring(c.synopsis));
		std::string h = command_help(c);
		CHECK_THAT(h, ContainsSubstring("usage: tsmctl " + c.synopsis));
		for (const auto &o : c.options)
			CHECK_THAT(h, ContainsSubstring("--" + o.long_name));
	}
	CHECK_THAT(u, ContainsSubstring("Exit status"));
}

TEST_CASE("canonical_bdf accepts the three forms")
{
	using spdmtsm::canonical_bdf;
	CHECK(canonical_bdf("0000:01:00.0") == "0000:01:00.0");
	CHECK(canonical_bdf("01:00.0") == "0000:01:00.0");
	CHECK(canonical_bdf("/sys/bus/pci/devices/0000:3A:1f.7/") == "0000:3a:1f.7");
	CHECK(canonical_bdf("0001:ff:1f.7") == "0001:ff:1f.7");
	CHECK(canonical_bdf("10000:E1:00.0") == "10000:e1:00.0"); // a VMD domain
	CHECK_THROWS_AS(canonical_bdf("123456789:00:00.0"), std::invalid_argument);
	CHECK_THROWS_AS(canonical_bdf("1:0.0"), std::invalid_argument);
	CHECK_THROWS_AS(canonical_bdf("00:20.0"), std::invalid_argument); // device > 0x1f
	CHECK_THROWS_AS(canonical_bdf("00:00.8"), std::invalid_argument); // function > 7
	CHECK_THROWS_WITH(canonical_bdf("nvme0"), ContainsSubstring("0000:01:00.0, 01:00.0"));
}

TEST_CASE("parse: two-word policy commands")
{
	auto p = parse({"policy", "set", "01:00.0", "--cert-digest", "current", "--meas", "1=ab", "--meas", "2=cd",
			"--volatile", "3"});
	CHECK(p.command == "policy set");
	REQUIRE(p.opts.at("meas").size() == 2);
	CHECK(p.opts.at("volatile").at(0) == "3");
	CHECK(parse({"policy", "show"}).args.empty());
	CHECK(parse({"policy", "show", "01:00.0"}).args.size() == 1);
	CHECK_THROWS_WITH(parse({"policy"}), ContainsSubstring("set, show or clear"));
	CHECK_THROWS_WITH(parse({"policy", "frob"}), ContainsSubstring("unknown command 'policy frob'"));
	CHECK_THROWS_WITH(parse({"policy", "set", "01:00.0", "--cert-digest", "a", "--cert-digest", "b"}),
			  ContainsSubstring("given twice"));
}

TEST_CASE("parse: verify needs a trust anchor")
{
	CHECK_THROWS_WITH(parse({"verify", "01:00.0"}), ContainsSubstring("--ca"));
	CHECK(parse({"verify", "01:00.0", "--ca", "a.pem", "--ca", "b.pem"}).opts.at("ca").size() == 2);
}

TEST_CASE("parse: option values with = and missing values")
{
	CHECK(parse({"connect", "01:00.0", "--slot=3"}).get("slot") == "3");
	CHECK_THROWS_WITH(parse({"connect", "01:00.0", "--slot"}), ContainsSubstring("needs a value"));
}

#include <fstream>
#include <sstream>

TEST_CASE("the man page documents every command and option")
{
	std::ifstream f(TSMCTL_MAN_PAGE);
	REQUIRE(f);
	std::stringstream ss;
	ss << f.rdbuf();
	std::string man = ss.str();
	// groff escapes hyphens as \-
	std::string plain;
	for (std::size_t i = 0; i < man.size(); i++)
		if (!(man[i] == '\\' && i + 1 < man.size() && man[i + 1] == '-'))
			plain += man[i];
	for (const auto &c : commands()) {
		CHECK_THAT(plain, ContainsSubstring(c.name.substr(c.name.find(' ') == std::string::npos ? 0 : c.name.find(' ') + 1)));
		for (const auto &o : c.options)
			CHECK_THAT(plain, ContainsSubstring("--" + o.long_name));
	}
}

TEST_CASE("parse: session commands and connect --session")
{
	auto s = parse({"session", "show"});
	CHECK(s.command == "session show");
	CHECK(s.args.empty()); // every device
	auto one = parse({"-j", "session", "show", "01:00.0", "-p"});
	CHECK(one.command == "session show");
	REQUIRE(one.args.size() == 1);
	CHECK(one.has("json"));
	CHECK(one.has("pretty"));
	auto ku = parse({"session", "key-update", "--all", "01:00.0"});
	CHECK(ku.command == "session key-update");
	CHECK(ku.has("all"));
	REQUIRE(ku.args.size() == 1);
	CHECK(ku.args[0] == "01:00.0");
	CHECK_FALSE(parse({"session", "key-update", "01:00.0"}).has("all"));
	CHECK(parse({"session", "end", "01:00.0", "-j"}).command == "session end");
	CHECK_THROWS_WITH(parse({"session", "key-update"}), ContainsSubstring("needs DEV"));
	CHECK_THROWS_WITH(parse({"session", "end"}), ContainsSubstring("needs DEV"));
	CHECK_THROWS_WITH(parse({"session", "end", "01:00.0", "--all"}), ContainsSubstring("has no option '--all'"));
	CHECK_THROWS_WITH(parse({"session", "show", "a", "b"}), ContainsSubstring("unexpected argument 'b'"));
	CHECK_THROWS_WITH(parse({"session"}), ContainsSubstring("show, key-update or end"));
	CHECK_THROWS_WITH(parse({"session", "start", "01:00.0"}), ContainsSubstring("unknown command 'session start'"));
	CHECK(parse({"session", "--help"}).command == "session");
	CHECK(parse({"session", "--help"}).help);
	CHECK(parse({"help", "session"}).command == "session");
	CHECK(parse({"help", "session", "key-update"}).command == "session key-update");
	CHECK(parse({"connect", "01:00.0", "--session"}).has("session"));
	CHECK_THROWS_WITH(parse({"connect", "01:00.0", "--session=yes"}), ContainsSubstring("takes no value"));
	CHECK_THAT(usage(), ContainsSubstring("session key-update [--all] DEV"));
}
