// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/device.hpp"
#include "spdmtsm/json.hpp"

#include <linux/spdm_tsm.h>

#include <catch2/catch_test_macros.hpp>

using spdmtsm::JsonWriter;

TEST_CASE("json: nesting, commas and escapes")
{
	JsonWriter w;
	w.begin_object();
	w.field("a", 1);
	w.key("b").begin_array().value("x").value(true).null().end_array();
	w.field("c", "q\"\\\n\x01");
	w.key("d").begin_object().end_object();
	w.end_object();
	CHECK(w.str() == R"({"a":1,"b":["x",true,null],"c":"q\"\\\n\u0001","d":{}})");
}

TEST_CASE("json: 64-bit values are exact")
{
	JsonWriter w;
	w.begin_array().value(std::uint64_t{18446744073709551615ULL}).value(std::int64_t{-5}).end_array();
	CHECK(w.str() == "[18446744073709551615,-5]");
}

TEST_CASE("json: device shape")
{
	spdmtsm::DevInfo d;
	d.bdf = "0000:01:00.0";
	d.vendor_id = 0x1b36;
	d.device_id = 0x10;
	d.cma = true;
	d.state = SPDM_TSM_STATE_AUTHENTICATED;
	d.tsm = "tsm0";
	JsonWriter w;
	to_json(w, d);
	d.version = 0x12;
	d.asym = 1u << 7;
	d.hash = 1u << 1;
	d.exchanges = 6;
	d.mem_used = 100;
	d.mem_limit = 1048576;
	d.generation = 3;
	CHECK(w.str() == R"({"bdf":"0000:01:00.0","vendor_id":"1b36","device_id":"0010","serial":null,)"
			 R"("cma":true,"dsm":false,"ide":false,"tee_io":false,"tsm":"tsm0","state":"authenticated",)"
			 R"("mem_used":0,"mem_limit":0,"generation":0,"last_error":null,"core_connected":null})");
	JsonWriter w3;
	to_json(w3, d);
	CHECK(w3.str() == R"({"bdf":"0000:01:00.0","vendor_id":"1b36","device_id":"0010","serial":null,)"
			  R"("cma":true,"dsm":false,"ide":false,"tee_io":false,"tsm":"tsm0","state":"authenticated",)"
			  R"("version":"1.2","asym":"ecdsa-p384","hash":"sha384","slot":0,"exchanges":6,)"
			  R"("mem_used":100,"mem_limit":1048576,"generation":3,"last_error":null,)"
			  R"("core_connected":null})");
	d.core_connected = true;
	JsonWriter w4;
	to_json(w4, d);
	CHECK(w4.str().find(R"("core_connected":true})") != std::string::npos);
	d.serial = 0x0123456789abcdefULL;
	JsonWriter w2;
	to_json(w2, d);
	CHECK(w2.str().find(R"("serial":"0123456789abcdef")") != std::string::npos);
}

TEST_CASE("state names cover the UAPI enum")
{
	CHECK(std::string(spdmtsm::state_name(SPDM_TSM_STATE_NONE)) == "none");
	CHECK(std::string(spdmtsm::state_name(SPDM_TSM_STATE_SESSION_LOST)) == "session-lost");
	CHECK(std::string(spdmtsm::state_name(99)) == "unknown");
}
