// SPDX-License-Identifier: GPL-2.0
// libFuzzer: the measurement-record walk and the policy comparison
// (kmod/spdm/meas.c), which the kernel runs over device-supplied records
// at every revalidation with a measurement policy.
//
// Input: byte 0 splits the rest into a baseline (the connect-time record)
// and a new record; byte 1 picks how many expected digests are taken from
// the new record's tail; bytes 2..33 are the volatile bitmap.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
#include "spdm.h"
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 34)
		return 0;
	size_t rest = size - 34;
	const uint8_t *body = data + 34;
	size_t split = rest ? data[0] % (rest + 1) : 0;
	struct spdm_meas_policy p;
	std::memset(&p, 0, sizeof(p));
	std::memcpy(p.volatile_map, data + 2, sizeof(p.volatile_map));
	p.baseline = (data[0] & 1) ? body : nullptr;
	p.baseline_len = split;
	const uint8_t *rec = body + split;
	size_t len = rest - split;

	// expected digests: (index, len) pairs read from the record's tail,
	// pointing into the input so lengths are honest
	std::vector<spdm_meas_expect> ex;
	unsigned int n = data[1] % 8;
	for (unsigned int i = 0; i < n && len >= 2 * (i + 1); i++) {
		const uint8_t *e = rec + len - 2 * (i + 1);
		uint8_t l = e[1] % 65;
		if (l > len)
			l = len;
		ex.push_back({e[0], l, rec});
	}
	p.expect = ex.data();
	p.n_expect = ex.size();
	char err[160];
	(void)spdm_meas_check(&p, rec, len, err, sizeof(err));

	// the walk on its own: terminates, never reads past the record
	size_t off = 0;
	struct spdm_meas_block b;
	while (spdm_meas_next(rec, len, &off, &b) > 0) {
		if (b.raw < rec || b.raw + b.raw_len > rec + len ||
		    b.value < rec || b.value + b.value_len > rec + len)
			__builtin_trap();
	}
	return 0;
}
