// SPDX-License-Identifier: GPL-2.0
// Replays fuzz bytes as the responses of one SPDM session with REAL crypto
// (the mbedTLS platform of tests/unit/core: real hashes, real key parsing,
// real signature verification).  Shared by the fuzz_session harness and the
// unit test that checks its seeds still authenticate.
//
// Input: as fuzz_common.h (byte 0 = config, byte 1 = slot, then responses
// as [u16le length][bytes]...), except mode 1 takes the cached identity's
// SPKI and then its slot digest as the first two frames.
// The random op fills every nonce and 1.3 RequesterContext with
// fuzzfmt::kRandomByte, so the requests of a session are a function of the
// responses alone: devsim's responses to those requests, recorded once
// (tests/unit/core/test_fuzz_seeds.cpp), replay as a valid session whose
// signatures verify, and mutations of the later messages reach the code
// behind the signature checks.
#pragma once
#include <cstring>

#include "fuzz_common.h"
#include "platform_user.h"

namespace fuzzfmt {

struct SessionResult {
    int mode = 0;
    int auth = 1, meas = 1, reval = 1, meas2 = 1, reval2 = 1, auth2 = 1;  // 1: not run
    size_t mem_used = 0, mem_budget = 0;
    size_t errmsg_len = 0;
    long live_allocs = 0;  // after spdm_session_free
    spdm_evidence ev{};    // valid only inside the on_evidence callback
};

// on_evidence(const SessionResult &) runs before the session is freed.
template <typename F>
SessionResult replay_session(const uint8_t *data, size_t size, F &&on_evidence)
{
    SessionResult r;
    if (size < 2)
        return r;
    uint8_t cfg = data[0], slot = data[1] & 7;
    Frames feed{data + 2, size - 2};
    spdmtest::Platform plat;
    plat.random = [](uint8_t *buf, size_t len) {
        std::memset(buf, kRandomByte, len);
        return 0;
    };
    plat.exchange = [&feed](std::span<const uint8_t>, std::span<uint8_t> resp) -> ssize_t {
        const uint8_t *m;
        size_t l;
        if (!feed.next(&m, &l))
            return -ETIMEDOUT;
        if (l > resp.size())
            return -EOVERFLOW;
        std::memcpy(resp.data(), m, l);
        return ssize_t(l);
    };
    spdm_params p = plat.params(kMaxResp[(cfg >> 4) & 3]);
    p.max_version = fuzzfmt::max_version(cfg);
    p.mem_budget = (cfg & 0x40) ? 16384 + p.max_resp : 0;
    r.mem_budget = p.mem_budget ? p.mem_budget : SPDM_DEFAULT_BUDGET;
    r.mode = (cfg >> 2) & 3;
    spdm_session *s = nullptr;
    if (spdm_session_create(&p, &s))
        return r;
    if (r.mode == 1) {
        const uint8_t *spki, *dg;
        size_t len, dlen;
        size_t po, pl;
        uint32_t asym;
        uint8_t digest[64] = {};
        if (feed.next(&spki, &len) && feed.next(&dg, &dlen) &&
            !spdm_der_parse_spki(spki, len, &po, &pl, &asym, nullptr)) {
            std::memcpy(digest, dg, dlen < sizeof(digest) ? dlen : sizeof(digest));
            uint32_t hash = dlen == 32 ? SPDM_HASH_SHA256 : dlen == 64 ? SPDM_HASH_SHA512 : SPDM_HASH_SHA384;
            if (!spdm_set_cached_identity(s, 0, asym, hash, slot, digest, spki, len)) {
                r.reval = spdm_revalidate(s, nullptr);
                r.reval2 = spdm_revalidate(s, nullptr);
            }
        }
    } else {
        r.auth = spdm_authenticate(s, slot, nullptr);
        if (r.auth == 0) {
            r.meas = spdm_get_measurements(s, nullptr);
            r.reval = spdm_revalidate(s, nullptr);
            r.meas2 = spdm_get_measurements(s, nullptr);
        }
        if (r.mode & 2)
            r.auth2 = spdm_authenticate(s, slot, nullptr);
    }
    spdm_get_evidence(s, &r.ev);
    r.errmsg_len = strlen(spdm_last_error(s));
    r.mem_used = spdm_mem_used(s);
    on_evidence(r);
    spdm_session_free(s);
    r.ev = spdm_evidence{};
    r.live_allocs = plat.live_allocs;
    return r;
}

}  // namespace fuzzfmt
