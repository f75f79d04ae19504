// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/device.hpp"
#include "spdmtsm/json.hpp"

#include <linux/spdm_tsm.h>

#include <catch2/catch_test_macros.hpp>

using spdmtsm::Json;
using spdmtsm::json_text;
using spdmtsm::term_safe;

TEST_CASE("json: compact by default, escapes, pretty on request")
{
	Json j{{"a", 1}, {"b", Json::array({"x", true, nullptr})}, {"c", "q\"\\\n\x01\x1b"}, {"d", Json::object()}};
	CHECK(json_text(j) == R"({"a":1,"b":["x",true,null],"c":"q\"\\\n\u0001\u001b","d":{}})");
	CHECK(json_text(j, true).find("\n  \"a\": 1,\n") != std::string::npos);
}

TEST_CASE("json: 64-bit values are exact")
{
	Json j = Json::array({std::uint64_t{18446744073709551615ULL}, std::int64_t{-5}});
	CHECK(json_text(j) == "[18446744073709551615,-5]");
}

TEST_CASE("json: bytes that are not UTF-8 become U+FFFD, valid UTF-8 stays")
{
	Json j{{"s", std::string("a\xff" "b\xc3\xa9\xe2\x82" "c\xed\xa0\x80")}};
	CHECK(json_text(j) == "{\"s\":\"a\xef\xbf\xbd" "b\xc3\xa9\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
}

TEST_CASE("term_safe: controls, invalid UTF-8, bidi overrides and backslashes are escaped")
{
	CHECK(term_safe("plain ASCII, CN=x") == "plain ASCII, CN=x");
	CHECK(term_safe("caf\xc3\xa9") == "caf\xc3\xa9");
	CHECK(term_safe("\x1b]0;pwned\x07\x1b[2J") == "\\x1b]0;pwned\\x07\\x1b[2J");
	CHECK(term_safe("a\nb\rc\x7f") == "a\\x0ab\\x0dc\\x7f");
	CHECK(term_safe("\xc2\x9b" "31m") == "\\xc2\\x9b31m");     // C1 CSI
	CHECK(term_safe("\xff\xfe" "x\xc3") == "\\xff\\xfex\\xc3"); // not UTF-8, truncated
	CHECK(term_safe("\xc0\xaf") == "\\xc0\\xaf");               // overlong '/'
	CHECK(term_safe("\xe2\x80\xae" "txt") == "\\xe2\\x80\\xaetxt"); // RIGHT-TO-LEFT OVERRIDE
	CHECK(term_safe("a\\x1b") == "a\\\\x1b");                  // an escape cannot be forged
	CHECK(term_safe(std::string("a\0b", 3)) == "a\\x00b");
}

TEST_CASE("json: device shape: every field, null when unknown")
{
	spdmtsm::DevInfo d;
	d.bdf = "0000:01:00.0";
	d.vendor_id = 0x1b36;
	d.device_id = 0x10;
	d.cma = true;
	d.state = SPDM_TSM_STATE_AUTHENTICATED;
	d.tsm = "tsm0";
	std::string before = json_text(json_of(d));
	d.version = 0x12;
	d.asym = 1u << 7;
	d.hash = 1u << 1;
	d.exchanges = 6;
	d.mem_used = 100;
	d.mem_limit = 1048576;
	d.generation = 3;
	CHECK(before == R"({"bdf":"0000:01:00.0","vendor_id":"1b36","device_id":"0010","serial":null,)"
			R"("cma":true,"dsm":false,"ide":false,"tee_io":false,"tsm":"tsm0","state":"authenticated",)"
			R"("version":null,"asym":null,"hash":null,"slot":null,"exchanges":null,"duration_us":null,)"
			R"("mem_used":0,"mem_limit":0,"generation":0,"last_error":null,"core_connected":null,)"
			R"("session":null})");
	CHECK(json_text(json_of(d)) ==
	      R"({"bdf":"0000:01:00.0","vendor_id":"1b36","device_id":"0010","serial":null,)"
	      R"("cma":true,"dsm":false,"ide":false,"tee_io":false,"tsm":"tsm0","state":"authenticated",)"
	      R"("version":"1.2","asym":"ecdsa-p384","hash":"sha384","slot":0,"exchanges":6,"duration_us":null,)"
	      R"("mem_used":100,"mem_limit":1048576,"generation":3,"last_error":null,)"
	      R"("core_connected":null,"session":null})");
	d.core_connected = true;
	CHECK(json_text(json_of(d)).find(R"("core_connected":true,)") != std::string::npos);
	d.serial = 0x0123456789abcdefULL;
	CHECK(json_text(json_of(d)).find(R"("serial":"0123456789abcdef")") != std::string::npos);
}

TEST_CASE("state names cover the UAPI enum")
{
	CHECK(std::string(spdmtsm::state_name(SPDM_TSM_STATE_NONE)) == "none");
	CHECK(std::string(spdmtsm::state_name(SPDM_TSM_STATE_SESSION_LOST)) == "session-lost");
	CHECK(std::string(spdmtsm::state_name(99)) == "unknown");
}

TEST_CASE("json: session shape: every field, null when the kernel did not report it")
{
	spdmtsm::SessionInfo s;
	CHECK(json_text(json_of(s)) ==
	      R"({"state":"none","id":null,"dhe":null,"aead":null,"hash":null,"encrypted":null,)"
	      R"("heartbeat_period":null,"established_ns":null,"key_updates":null,"heartbeats":null,)"
	      R"("establishments":null,"exchanges":null,"duration_us":null})");
	s.state = SPDM_TSM_SESSION_STATE_ESTABLISHED;
	s.id = 0x10002;
	s.dhe = 1u << 3;
	s.aead = 1u << 2;
	s.hash = 1u;
	s.encrypted = false;
	s.heartbeat_period = 0;
	s.key_updates = 0;
	CHECK(json_text(json_of(s)) ==
	      R"({"state":"established","id":65538,"dhe":"secp256r1","aead":"chacha20-poly1305","hash":"sha256",)"
	      R"("encrypted":false,"heartbeat_period":0,"established_ns":null,"key_updates":0,"heartbeats":null,)"
	      R"("establishments":null,"exchanges":null,"duration_us":null})");
	s.dhe = 1u << 9; // a group this tsmctl does not know
	CHECK(json_text(json_of(s)).find(R"("dhe":"unknown")") != std::string::npos);
	CHECK(std::string(spdmtsm::session_state_name(7)) == "unknown");
	spdmtsm::DevInfo d;
	d.bdf = "0000:01:00.0";
	d.state = SPDM_TSM_STATE_AUTHENTICATED;
	d.session = s;
	CHECK(json_text(spdmtsm::session_json(d)).rfind(R"({"bdf":"0000:01:00.0","state":"authenticated","session":{"state":"established",)", 0) == 0);
}
