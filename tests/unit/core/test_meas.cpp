// SPDX-License-Identifier: GPL-2.0
// Measurement records against policies (kmod/spdm/meas.c): expected digests,
// volatile indices, the connect-time baseline, non-DMTF blocks as raw bytes.
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "spdm.h"
}

using Catch::Matchers::ContainsSubstring;
using Bytes = std::vector<uint8_t>;

namespace {

// A block: Index, MeasurementSpecification, MeasurementSize (le16), Measurement.
Bytes block(uint8_t index, uint8_t spec, const Bytes &meas)
{
	Bytes b{index, spec, uint8_t(meas.size()), uint8_t(meas.size() >> 8)};
	b.insert(b.end(), meas.begin(), meas.end());
	return b;
}

// A DMTF block: DMTFSpecMeasurementValueType, ValueSize (le16), Value.
Bytes dmtf(uint8_t index, const Bytes &value, uint8_t type = 0)
{
	Bytes m{type, uint8_t(value.size()), uint8_t(value.size() >> 8)};
	m.insert(m.end(), value.begin(), value.end());
	return block(index, 0x01, m);
}

Bytes cat(std::initializer_list<Bytes> parts)
{
	Bytes out;
	for (auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

Bytes fill(size_t n, uint8_t v) { return Bytes(n, v); }

struct Check {
	int rc;
	std::string err;
};

Check check(const spdm_meas_policy &p, const Bytes &rec)
{
	char err[160] = "";
	int rc = spdm_meas_check(&p, rec.data(), rec.size(), err, sizeof(err));
	return {rc, err};
}

spdm_meas_policy baseline_policy(const Bytes &base, std::initializer_list<uint8_t> vol = {})
{
	spdm_meas_policy p{};
	p.baseline = base.data();
	p.baseline_len = base.size();
	for (uint8_t i : vol)
		p.volatile_map[i / 8] |= uint8_t(1u << (i % 8));
	return p;
}

const Bytes raw_data = {'f', 'w', '-', '1', '.', '0'};

} // namespace

TEST_CASE("meas: the walk reads DMTF blocks and leaves other blocks raw")
{
	Bytes rec = cat({dmtf(1, fill(32, 0x11), 2), block(7, 0x80, raw_data)});
	size_t off = 0;
	spdm_meas_block b;
	REQUIRE(spdm_meas_next(rec.data(), rec.size(), &off, &b) == 1);
	CHECK(b.index == 1);
	CHECK(b.dmtf);
	CHECK(b.dmtf_type == 2);
	CHECK(b.value_len == 32);
	CHECK(b.raw_len == 4 + 3 + 32);
	REQUIRE(spdm_meas_next(rec.data(), rec.size(), &off, &b) == 1);
	CHECK(b.index == 7);
	CHECK_FALSE(b.dmtf);
	CHECK(Bytes(b.value, b.value + b.value_len) == raw_data);
	CHECK(spdm_meas_next(rec.data(), rec.size(), &off, &b) == 0);
}

TEST_CASE("meas: malformed records are refused, never overrun")
{
	Bytes rec = dmtf(1, fill(32, 0x11));
	spdm_meas_block b;
	for (size_t cut = 1; cut < rec.size(); cut++) {
		size_t off = 0;
		Bytes t(rec.begin(), rec.begin() + cut);
		CHECK(spdm_meas_next(t.data(), t.size(), &off, &b) == -EPROTO);
	}
	// a DMTF value size that disagrees with MeasurementSize
	Bytes bad = rec;
	bad[5] ^= 1;
	size_t off = 0;
	CHECK(spdm_meas_next(bad.data(), bad.size(), &off, &b) == -EPROTO);
	// the same bytes without the DMTF bit are a raw block, not parsed
	bad[1] = 0x80;
	off = 0;
	CHECK(spdm_meas_next(bad.data(), bad.size(), &off, &b) == 1);
}

TEST_CASE("meas: expected digests, DMTF value or raw measurement")
{
	Bytes d1 = fill(48, 0xa1);
	Bytes rec = cat({dmtf(1, d1), block(5, 0x80, raw_data)});
	spdm_meas_expect ex[2] = {{1, 48, d1.data()}, {5, uint8_t(raw_data.size()), raw_data.data()}};
	spdm_meas_policy p{};
	p.expect = ex;
	p.n_expect = 2;
	CHECK(check(p, rec).rc == 0);

	Bytes other = fill(48, 0xa2);
	ex[0].digest = other.data();
	auto r = check(p, rec);
	CHECK(r.rc == -EKEYREJECTED);
	CHECK_THAT(r.err, ContainsSubstring("index 1 differs"));

	// volatile: not compared
	p.volatile_map[0] |= 1u << 1;
	CHECK(check(p, rec).rc == 0);

	// an index the device does not report
	ex[1].index = 9;
	r = check(p, rec);
	CHECK(r.rc == -EKEYREJECTED);
	CHECK_THAT(r.err, ContainsSubstring("no index 9"));
}

TEST_CASE("meas: baseline: every block of the connect-time record, nothing more")
{
	Bytes base = cat({dmtf(1, fill(32, 1)), dmtf(2, fill(32, 2)), dmtf(3, fill(32, 3)),
			  block(4, 0x80, raw_data)});

	SECTION("the same record passes")
	{
		auto p = baseline_policy(base);
		CHECK(check(p, base).rc == 0);
	}
	SECTION("a changed non-volatile index fails, a changed volatile index passes")
	{
		Bytes changed = cat({dmtf(1, fill(32, 1)), dmtf(2, fill(32, 2)), dmtf(3, fill(32, 0x33)),
				     block(4, 0x80, raw_data)});
		auto p = baseline_policy(base);
		auto r = check(p, changed);
		CHECK(r.rc == -EKEYREJECTED);
		CHECK_THAT(r.err, ContainsSubstring("index 3 differs from the one seen at connect"));
		auto pv = baseline_policy(base, {3});
		CHECK(check(pv, changed).rc == 0);
	}
	SECTION("a changed raw block fails (compared as bytes)")
	{
		Bytes raw2 = raw_data;
		raw2.back() ^= 1;
		Bytes changed = cat({dmtf(1, fill(32, 1)), dmtf(2, fill(32, 2)), dmtf(3, fill(32, 3)),
				     block(4, 0x80, raw2)});
		auto p = baseline_policy(base);
		CHECK(check(p, changed).rc == -EKEYREJECTED);
	}
	SECTION("a changed MeasurementSpecification or value type fails")
	{
		Bytes changed = cat({dmtf(1, fill(32, 1), 1), dmtf(2, fill(32, 2)), dmtf(3, fill(32, 3)),
				     block(4, 0x80, raw_data)});
		auto p = baseline_policy(base);
		CHECK(check(p, changed).rc == -EKEYREJECTED);
	}
	SECTION("a dropped block fails unless volatile")
	{
		Bytes dropped = cat({dmtf(1, fill(32, 1)), dmtf(3, fill(32, 3)), block(4, 0x80, raw_data)});
		auto p = baseline_policy(base);
		auto r = check(p, dropped);
		CHECK(r.rc == -EKEYREJECTED);
		CHECK_THAT(r.err, ContainsSubstring("index 2 seen at connect is gone"));
		auto pv = baseline_policy(base, {2});
		CHECK(check(pv, dropped).rc == 0);
	}
	SECTION("an added block fails unless volatile")
	{
		Bytes added = cat({base, dmtf(9, fill(32, 9))});
		auto p = baseline_policy(base);
		auto r = check(p, added);
		CHECK(r.rc == -EKEYREJECTED);
		CHECK_THAT(r.err, ContainsSubstring("index 9 was not there at connect"));
		auto pv = baseline_policy(base, {9});
		CHECK(check(pv, added).rc == 0);
	}
	SECTION("a malformed record is refused")
	{
		Bytes bad(base.begin(), base.end() - 1);
		auto p = baseline_policy(base);
		auto r = check(p, bad);
		CHECK(r.rc == -EPROTO);
	}
}
