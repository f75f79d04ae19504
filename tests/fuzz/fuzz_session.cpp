// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: a whole SPDM session with REAL crypto (mbedTLS hashes,
// key parsing and signature verification, see session_replay.h), seeded
// with devsim sessions recorded for the harness's fixed nonce
// (corpus/session, written by tests/unit/core/test_fuzz_seeds.cpp).  A
// mutation that keeps the signed messages intact reaches what runs after a
// verified CHALLENGE_AUTH or MEASUREMENTS signature: the measurement
// responses, revalidation against the established identity, the second
// measurement exchange, the evidence export.
//
// A custom mutator keeps the framing: it mutates one response (or, now and
// then, the whole input) and re-frames it with its new length, so that
// mutations that grow or shrink a response do not garble every response
// after it.  Frames are picked with a weight growing with their position:
// the later ones are those behind the signature checks.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <vector>

#include "fuzz_fake.h"
#include "session_replay.h"

using fuzzfmt::touch;

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    std::minstd_rand rng(seed);
    struct Span {
        size_t off, len;
    };
    std::vector<Span> frames;
    if (size >= 2) {
        fuzzfmt::Frames f{data + 2, size - 2};
        const uint8_t *m;
        size_t l;
        while (f.next(&m, &l))
            frames.push_back({size_t(m - data), l});
    }
    if (frames.empty() || rng() % 8 == 0)
        return LLVMFuzzerMutate(data, size, max_size);
    // weight k + 1 for frame k
    size_t n = frames.size(), total = n * (n + 1) / 2, pick = rng() % total, k = 0;
    while (pick >= k + 1) {
        pick -= k + 1;
        k++;
    }
    const Span sp = frames[k];
    size_t room = max_size > size ? max_size - size : 0;
    size_t cap = std::min<size_t>(0xffff, sp.len + std::min<size_t>(room, 256));
    std::vector<uint8_t> fr(std::max<size_t>(cap, 1));
    std::copy(data + sp.off, data + sp.off + sp.len, fr.begin());
    size_t nl = LLVMFuzzerMutate(fr.data(), sp.len, cap);
    // rebuild: header and frames before k, frame k, the rest
    std::vector<uint8_t> out(data, data + sp.off - 2);
    fuzzfmt::frame(out, std::vector<uint8_t>(fr.begin(), fr.begin() + long(nl)));
    out.insert(out.end(), data + sp.off + sp.len, data + size);
    if (out.size() > max_size)
        return LLVMFuzzerMutate(data, size, max_size);
    std::copy(out.begin(), out.end(), data);
    return out.size();
}

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
