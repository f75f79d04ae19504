// SPDX-License-Identifier: GPL-2.0
// The configuration of 'tsmctl agent': good files and each kind of error,
// with the line it names.
#include "agent_config.hpp"

#include <linux/spdm_tsm.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>

using namespace tsmctl::agent;
using Catch::Matchers::ContainsSubstring;

namespace {

// Parse text that must fail; return the error.
ConfigError error_of(const std::string &text)
{
	try {
		parse_config(text, "agent.conf");
	} catch (const ConfigError &e) {
		return e;
	}
	FAIL("parsed without an error:\n" << text);
	throw; // not reached
}

const std::string head = "[device 0000:01:00.0]\nca = /etc/root.pem\n";

} // namespace

TEST_CASE("a full device section")
{
	Config c = parse_config("# agent\n"
				"\n"
				"[device 01:00.0]          # short form\n"
				"ca = /etc/spdm-tsm/a.pem\n"
				"ca=/etc/spdm-tsm/b.pem\n"
				"cert-digest = current\n"
				"meas = 2=aabb\n"
				"meas = 1 = 00112233\n"
				"volatile = 3\n"
				"action = disable-bus-master\n"
				"revalidate = announce\n"
				"slot = 2\n",
				"agent.conf");
	REQUIRE(c.devices.size() == 1);
	const auto &d = c.devices[0];
	CHECK(c.file == "agent.conf");
	CHECK(d.match == DeviceConfig::Match::bdf);
	CHECK(d.bdf == "0000:01:00.0");
	CHECK(d.line == 3);
	CHECK(d.name() == "[device 0000:01:00.0]");
	REQUIRE(d.cas.size() == 2);
	CHECK(d.cas[0].value == "/etc/spdm-tsm/a.pem");
	CHECK(d.cas[0].line == 4);
	CHECK(d.cas[1].value == "/etc/spdm-tsm/b.pem");
	CHECK(d.cert_digest_current);
	REQUIRE(d.meas.size() == 3); // sorted by index
	CHECK(d.meas[0].index == 1);
	CHECK(d.meas[0].digest == spdmtsm::Bytes{0x00, 0x11, 0x22, 0x33});
	CHECK(d.meas[1].index == 2);
	CHECK(d.meas[1].digest == spdmtsm::Bytes{0xaa, 0xbb});
	CHECK(d.meas[2].index == 3);
	CHECK(d.meas[2].is_volatile);
	CHECK(d.action == SPDM_TSM_ACTION_DISABLE_BUS_MASTER);
	CHECK(d.revalidate_mode == SPDM_TSM_REVALIDATE_MODE_ANNOUNCE);
	CHECK(d.slot == 2);
	CHECK(d.measurements); // implied by the measurement rules
}

TEST_CASE("defaults")
{
	Config c = parse_config(head, "x");
	const auto &d = c.devices.at(0);
	CHECK(d.cert_digest_current);
	CHECK(d.cert_digest.empty());
	CHECK(d.meas.empty());
	CHECK(d.action == SPDM_TSM_ACTION_NOTIFY);
	CHECK(d.revalidate_mode == SPDM_TSM_REVALIDATE_MODE_AUTO);
	CHECK(d.slot == 0);
	CHECK_FALSE(d.measurements);
}

TEST_CASE("meas = baseline: every block seen at connect, measurements taken")
{
	Config c = parse_config(head + "meas = baseline\nvolatile = 3\n", "x");
	const auto &d = c.devices.at(0);
	CHECK(d.meas_baseline);
	REQUIRE(d.meas.size() == 1);
	CHECK(d.meas[0].is_volatile);
	CHECK(d.measurements);
	Config n = parse_config(head + "meas = baseline\nmeasurements = no\n", "x");
	CHECK(n.devices.at(0).meas_baseline);
	CHECK_FALSE(n.devices.at(0).measurements);
	CHECK_FALSE(parse_config(head, "x").devices.at(0).meas_baseline);
}

TEST_CASE("serial sections, hex digests, explicit measurements, CRLF")
{
	std::string dig(96, 'a');
	Config c = parse_config("[serial 0123456789ABCDEF]\r\n"
				"ca = /r.pem\r\n"
				"cert-digest = " + dig + "\r\n"
				"volatile = 7\r\n"
				"measurements = no\r\n"
				"[serial 0x2a]\n"
				"ca = /path/with#hash.pem  # a comment\n"
				"measurements = yes\n"
				"[device 0000:02:00.1]\n"
				"ca = /r.pem\n"
				"action = unbind\n",
				"agent.conf");
	REQUIRE(c.devices.size() == 3);
	CHECK(c.devices[0].match == DeviceConfig::Match::serial);
	CHECK(c.devices[0].serial == 0x0123456789abcdefULL);
	CHECK(c.devices[0].name() == "[serial 0123456789abcdef]");
	CHECK_FALSE(c.devices[0].cert_digest_current);
	CHECK(c.devices[0].cert_digest.size() == 48);
	CHECK_FALSE(c.devices[0].measurements); // explicit no wins over the default
	CHECK(c.devices[1].serial == 0x2a);
	CHECK(c.devices[1].cas.at(0).value == "/path/with#hash.pem");
	CHECK(c.devices[1].measurements);
	CHECK(c.devices[2].action == SPDM_TSM_ACTION_UNBIND);

	CHECK(c.find("0000:02:00.1", std::nullopt) == &c.devices[2]);
	CHECK(c.find("0000:05:00.0", 0x2a) == &c.devices[1]);
	CHECK(c.find("0000:05:00.0", 0x2b) == nullptr);
	CHECK(c.find("0000:05:00.0", std::nullopt) == nullptr);
}

TEST_CASE("errors name the file and the line")
{
	struct Case {
		std::string text;
		int line;
		std::string says;
	};
	const Case cases[] = {
		{"ca = /r.pem\n", 1, "outside a section"},
		{"\n[devices 01:00.0]\n", 2, "unknown section"},
		{"[device 01:00.0\n", 1, "unterminated"},
		{"[device]\n", 1, "needs a PCI address"},
		{"[device 1:0.0]\n", 1, "not a PCI address"},
		{"[device /sys/bus/pci/devices/0000:01:00.0]\n", 1, "not a path"},
		{"[device 01:00.0 02:00.0]\n", 1, "one PCI address"},
		{"[serial xyz]\n", 1, "16 hex digits"},
		{"[serial 0123456789abcdef0]\n", 1, "16 hex digits"},
		{head + "bogus = 1\n", 3, "unknown key 'bogus'"},
		{head + "action\n", 3, "expected 'key = value'"},
		{head + "= x\n", 3, "missing key"},
		{head + "action =\n", 3, "needs a value"},
		{head + "action = reboot\n", 3, "notify, unbind or disable-bus-master"},
		{head + "revalidate = sometimes\n", 3, "auto or announce"},
		{head + "slot = 8\n", 3, "from 0 to 7"},
		{head + "slot = -1\n", 3, "from 0 to 7"},
		{head + "slot = 1x\n", 3, "from 0 to 7"},
		{head + "measurements = maybe\n", 3, "yes or no"},
		{head + "session = maybe\n", 3, "session takes yes or no"},
		{head + "session = yes\nsession = no\n", 4, "'session' given twice"},
		{head + "cert-digest = abcd\n", 3, "SHA-256/384/512"},
		{head + "cert-digest = " + std::string(64, 'g') + "\n", 3, "not hex"},
		{head + "cert-digest = abc\n", 3, "not hex"},
		{head + "meas = 1\n", 3, "IDX=HEX"},
		{head + "meas = 0=aa\n", 3, "from 1 to 254"},
		{head + "meas = 255=aa\n", 3, "from 1 to 254"},
		{head + "meas = 1=zz\n", 3, "not hex"},
		{head + "meas = 1=" + std::string(130, 'a') + "\n", 3, "1 to 64 bytes"},
		{head + "meas = 1=aa\n\nmeas = 1=bb\n", 5, "index 1 given twice in [device 0000:01:00.0] (first at line 3)"},
		{head + "meas = 4=aa\nvolatile = 4\n", 4, "index 4 given twice"},
		{head + "volatile = x\n", 3, "from 1 to 254"},
		{head + "action = notify\naction = unbind\n", 4, "'action' given twice in [device 0000:01:00.0] (first at line 3)"},
		{head + "[device 0000:01:00.0]\nca = /r.pem\n", 3, "given twice (first at line 1)"},
		{"[serial 2a]\nca = /r.pem\n[serial 0x2A]\nca = /r.pem\n", 3, "given twice"},
		{"[device 01:00.0]\nslot = 1\n", 1, "has no 'ca'"},
		{head + "[device 02:00.0]\n\n", 3, "[device 0000:02:00.0] has no 'ca'"},
		{"# nothing\n", 0, "no device configured"},
		{"", 0, "no device configured"},
		{head + std::string("ca = a\0b\n", 9), 3, "NUL byte"},
	};
	for (const auto &c : cases) {
		INFO(c.text);
		ConfigError e = error_of(c.text);
		CHECK(e.file() == "agent.conf");
		CHECK(e.line() == c.line);
		CHECK_THAT(e.message(), ContainsSubstring(c.says));
		std::string where = c.line ? "agent.conf:" + std::to_string(c.line) + ": " : "agent.conf: ";
		CHECK_THAT(std::string(e.what()), ContainsSubstring(where));
	}
}

TEST_CASE("per-section state does not leak into the next section")
{
	Config c = parse_config(head + "action = unbind\nmeas = 1=aa\n"
				       "[device 02:00.0]\nca = /r.pem\naction = notify\nmeas = 1=bb\n",
				"agent.conf");
	REQUIRE(c.devices.size() == 2);
	CHECK(c.devices[0].action == SPDM_TSM_ACTION_UNBIND);
	CHECK(c.devices[1].action == SPDM_TSM_ACTION_NOTIFY);
	CHECK(c.devices[1].meas.at(0).digest == spdmtsm::Bytes{0xbb});
}

TEST_CASE("load_config: a missing file and a real one")
{
	try {
		load_config("/nonexistent/agent.conf");
		FAIL("no error");
	} catch (const ConfigError &e) {
		CHECK(e.line() == 0);
		CHECK_THAT(std::string(e.what()), ContainsSubstring("/nonexistent/agent.conf: cannot read"));
	}
	char tmpl[] = "/tmp/agent-conf-XXXXXX";
	int fd = mkstemp(tmpl);
	REQUIRE(fd >= 0);
	close(fd);
	{
		std::ofstream f(tmpl);
		f << head << "bad key = 1\n";
	}
	try {
		load_config(tmpl);
		FAIL("no error");
	} catch (const ConfigError &e) {
		CHECK(e.line() == 3);
		CHECK_THAT(std::string(e.what()), ContainsSubstring(std::string(tmpl) + ":3: unknown key 'bad key'"));
	}
	std::remove(tmpl);
}

TEST_CASE("session = yes | no: connect with a secured session (default no)")
{
	Config c = parse_config(head + "session = yes\n[device 02:00.0]\nca = /r.pem\n"
				       "[device 03:00.0]\nca = /r.pem\nsession = no\n",
				"x");
	REQUIRE(c.devices.size() == 3);
	CHECK(c.devices[0].session);
	CHECK_FALSE(c.devices[1].session); // the default, and no leak from the section before
	CHECK_FALSE(c.devices[2].session);
	CHECK(parse_config(head + "session = true\n", "x").devices.at(0).session);
	CHECK_THAT(std::string(error_of(head + "bogus = 1\n").message()), ContainsSubstring("session"));
}
