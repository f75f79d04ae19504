// SPDX-License-Identifier: GPL-2.0
// Userspace platform shim for the SPDM core (kmod/spdm): mbedTLS 3.6 hashing
// and verification, getrandom(), calloc/free with explicit zeroing, and an
// exchange hook that calls a C++ callback (devsim in-process or canned bytes).
#pragma once
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

extern "C" {
#include "spdm.h"
}

namespace spdmtest {

using Bytes = std::vector<uint8_t>;
// Returns the response length, or a negative errno.
using ExchangeFn = std::function<ssize_t(std::span<const uint8_t> req, std::span<uint8_t> resp)>;
// Simpler form: one response per request; {} means "no answer" (-ETIMEDOUT).
using ReplyFn = std::function<Bytes(std::span<const uint8_t> req)>;
// Secured CMA: the reply and whether it came as a secured message ({} with
// false: a plain SPDM message, which the exchange op reports as -EPROTO).
using SecuredFn = std::function<std::pair<Bytes, bool>(std::span<const uint8_t> rec)>;

struct Platform {
    ExchangeFn exchange;
    long live_allocs = 0;       // outstanding zalloc()s
    size_t live_bytes = 0;      // their bytes
    long fail_alloc_at = -1;    // make the Nth zalloc (0-based) fail
    long alloc_calls = 0;
    unsigned delays = 0;        // delay_us() calls
    std::vector<Bytes> requests;  // every request seen, in order
    ExchangeFn secured;           // SPDM_TRANSPORT_SECURED (none: -EOPNOTSUPP)
    std::vector<Bytes> secured_requests;  // every secured record sent
    int dhe_fail = 0;             // dhe_gen returns this when non-zero
    uint32_t aead_missing = 0;    // AEAD bits the "platform" lacks (-ENOPKG)

    // The check op (what the kernel's deadline and removal checks do):
    // returns check_errno once expire_after exchanges were made, -ENODEV
    // once aborted, -ETIME once the fake clock reached a non-zero deadline.
    unsigned checks = 0;        // check() calls
    long expire_after = -1;     // exchanges allowed before check() fails
    int check_errno = -ETIME;
    bool aborted = false;
    uint64_t now_us = 0;        // fake clock: delays and exchanges advance it
    uint64_t deadline_us = 0;   // 0: none
    uint64_t exchange_us = 0;   // what each exchange costs on the fake clock
    // Replaces getrandom() for the random op when set (known-answer tests
    // feed the nonces a vector was made with).
    std::function<int(uint8_t *buf, size_t len)> random;

    Platform() = default;
    explicit Platform(ReplyFn f) { set_reply(std::move(f)); }
    void set_reply(ReplyFn f);
    void set_secured(SecuredFn f);
    spdm_params params(size_t max_resp = 0, size_t budget = 0) const;
};

const spdm_ops *user_ops();

struct SessionDeleter {
    void operator()(spdm_session *s) const { spdm_session_free(s); }
};
using SessionPtr = std::unique_ptr<spdm_session, SessionDeleter>;

// Create a session with p's ops; throws std::runtime_error on failure.
SessionPtr make_session(Platform &p, size_t max_resp = 0, size_t budget = 0,
                        uint8_t max_version = 0, uint32_t asym_mask = 0, uint32_t hash_mask = 0);

// mbedTLS helpers shared with the offline verifier.
int user_hash(uint32_t alg, const uint8_t *data, size_t len, uint8_t *out);

// Re-verify exported evidence with mbedTLS only (no core code): split the
// chain with mbedTLS's ASN.1 reader, verify it to its own root, take the
// leaf key from mbedTLS's X.509 parser, rebuild the signed message from the
// transcript and verify the signature.  Returns "" on success or a reason.
std::string verify_offline(const spdm_evidence &ev, bool measurements = false);
// A view kept in pieces (a transcript), as one byte string.
Bytes flat(const spdm_seg_view &v);

}  // namespace spdmtest
