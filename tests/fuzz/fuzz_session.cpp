// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: a whole SPDM session with REAL crypto (mbedTLS hashes,
// key parsing and signature verification, see session_replay.h), seeded
// with devsim sessions recorded for the harness's fixed nonce
// (corpus/session, written by tests/unit/core/test_fuzz_seeds.cpp).  A
// mutation that keeps the signed messages intact reaches what runs after a
// verified CHALLENGE_AUTH or MEASUREMENTS signature: the measurement
// responses, revalidation against the established identity, the second
// measurement exchange, the evidence export.
#include <cstdlib>

#include "session_replay.h"

namespace {

void touch(const spdm_buf_view &v)
{
    volatile uint8_t x = 0;
    for (size_t i = 0; i < v.len; i++)
        x = x ^ v.data[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    auto r = fuzzfmt::replay_session(data, size, [](const fuzzfmt::SessionResult &s) {
        touch(s.ev.chain);
        touch(s.ev.leaf_spki);
        touch(s.ev.leaf_pub);
        touch(s.ev.transcript);
        touch(s.ev.signature);
        touch(s.ev.meas_blocks);
        touch(s.ev.meas_transcript);
        touch(s.ev.meas_signature);
        if (s.errmsg_len >= SPDM_ERRMSG_LEN)
            abort();
        if (s.mem_used > s.mem_budget)
            abort();
    });
    if (r.live_allocs != 0)
        abort();  // leak
    return 0;
}
