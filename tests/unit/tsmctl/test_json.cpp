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
	CHECK(w.str() == R"({"bdf":"0000:01:00.0","vendor_id":"1b36","device_id":"0010","serial":null,)"
			 R"("cma":true,"dsm":false,"ide":false,"tee_io":false,"tsm":"tsm0","state":"authenticated"})");
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
