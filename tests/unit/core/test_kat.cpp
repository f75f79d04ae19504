// SPDX-License-Identifier: GPL-2.0
// The SPDM core against known-answer vectors made by an independent
// implementation (tests/kat/gen_kat.py, from DSP0274 with Python's
// `cryptography`; neither this core nor spdm-devsim had a hand in them).
//
// For every vector: the core must send byte-identical requests, succeed, and
// export exactly the vector's transcripts and signatures.  Then every byte
// of the responses is flipped in turn (xor 0x01): each flip must make the
// core fail.  Every byte of every response up to CHALLENGE_AUTH is part of
// M1 (VCA, DIGESTS, CERTIFICATE, CHALLENGE_AUTH) and every byte of
// MEASUREMENTS is part of L1 or its signature, so no flip may pass.  Where a
// byte is protected only by the signature (nonces, signature, measurement
// values) the failure must be a signature failure.  All bytes are tried, EC
// and RSA alike: verification with the public key is cheap for both.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "kat_vectors.h"
#include "platform_user.h"

using namespace spdmtest;

namespace {

Bytes unhex(const char *s)
{
    auto nib = [](char c) -> uint8_t {
        if (c >= '0' && c <= '9')
            return uint8_t(c - '0');
        if (c >= 'a' && c <= 'f')
            return uint8_t(c - 'a' + 10);
        throw std::runtime_error("kat: bad hex digit");
    };
    size_t n = std::strlen(s);
    if (n % 2)
        throw std::runtime_error("kat: odd hex length");
    Bytes b(n / 2);
    for (size_t i = 0; i < b.size(); i++)
        b[i] = uint8_t(nib(s[2 * i]) << 4 | nib(s[2 * i + 1]));
    return b;
}

std::string hex(const uint8_t *p, size_t n)
{
    static const char d[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; i++) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

std::string hex(const Bytes &b) { return hex(b.data(), b.size()); }
std::string hex(const spdm_buf_view &v) { return hex(v.data, v.len); }
std::string hex(const spdm_seg_view &v) { return hex(spdmtest::flat(v)); }

// A device that answers with the vector's responses, in order, whatever it
// is asked (the test compares the requests afterwards), optionally with one
// byte of one response flipped.
constexpr size_t req_ctx_len = 8;  // SPDM 1.3 RequesterContext

struct KatDevice {
    const kat::Vector &v;
    std::vector<Bytes> req, rsp;
    size_t next = 0;
    long flip_ex = -1;
    size_t flip_pos = 0;
    Platform plat;

    explicit KatDevice(const kat::Vector &vec) : v(vec)
    {
        for (size_t i = 0; i < v.n_exchanges; i++) {
            req.push_back(unhex(v.exchanges[i].req));
            rsp.push_back(unhex(v.exchanges[i].rsp));
        }
        // The core draws each 1.3 RequesterContext from the random op; the
        // vectors' is all zeros (a legal value, as libspdm sends by default)
        plat.random = [](uint8_t *buf, size_t len) {
            if (len != req_ctx_len)
                return -EIO;  // nonces come from the caller in these tests
            std::memset(buf, 0, len);
            return 0;
        };
        plat.set_reply([this](std::span<const uint8_t>) {
            if (next >= rsp.size())
                return Bytes{};
            Bytes r = rsp[next];
            if (long(next) == flip_ex)
                r[flip_pos] ^= 0x01;
            next++;
            return r;
        });
    }
    KatDevice(const KatDevice &) = delete;
    KatDevice &operator=(const KatDevice &) = delete;
};

const kat::Vector &pick()
{
    auto i = GENERATE(Catch::Generators::range(size_t(0), std::size(kat::all)));
    return *kat::all[i];
}

bool in(const kat::Range *r, size_t n, size_t pos)
{
    for (size_t i = 0; i < n; i++)
        if (pos >= r[i].off && pos < r[i].off + r[i].len)
            return true;
    return false;
}

// The requests sent so far equal the vector's, exchange by exchange.
void check_requests(const KatDevice &dev, size_t upto)
{
    REQUIRE(dev.plat.requests.size() == upto);
    for (size_t i = 0; i < upto; i++) {
        INFO("exchange " << i << ": " << dev.v.exchanges[i].label);
        CHECK(hex(dev.plat.requests[i]) == hex(dev.req[i]));
    }
}

void check_challenge_evidence(const kat::Vector &v, const spdm_evidence &ev)
{
    CHECK(ev.version == v.version);
    CHECK(ev.asym == v.asym);
    CHECK(ev.hash == v.hash);
    CHECK(ev.meas_hash == v.meas_hash);
    CHECK(ev.meas_spec == 0x01);
    CHECK(ev.caps == v.caps);
    CHECK(ev.slot == v.slot);
    CHECK(ev.slot_mask == v.slot_mask);
    CHECK(ev.sig_len == unhex(v.sig).size());
    CHECK(hex(ev.digests[v.slot], ev.hash_len) == v.digest);
    CHECK(hex(ev.chain) == v.chain);
    CHECK(hex(ev.nonce) == v.chal_nonce);
    CHECK(hex(ev.transcript) == v.m1);
    CHECK(hex(ev.signature) == v.sig);
    if (v.version >= 0x12) {
        REQUIRE(ev.context);
        CHECK(std::string(ev.context) == "responder-challenge_auth signing");
    } else {
        CHECK(ev.context == nullptr);
    }
    // and mbedTLS alone (chain to its root, root hash, slot digest,
    // signature over the exported transcript) agrees
    CHECK(verify_offline(ev) == "");
}

void check_measurement_evidence(const kat::Vector &v, const spdm_evidence &ev)
{
    CHECK(hex(ev.meas_nonce) == v.meas_nonce);
    CHECK(hex(ev.meas_transcript) == v.l1);
    CHECK(hex(ev.meas_signature) == v.meas_sig);
    CHECK(hex(ev.meas_blocks) == v.meas_blocks);
    CHECK(ev.meas_count == v.meas_count);
    if (v.version >= 0x12) {
        REQUIRE(ev.meas_context);
        CHECK(std::string(ev.meas_context) == "responder-measurements signing");
    } else {
        CHECK(ev.meas_context == nullptr);
    }
    CHECK(ev.complete);
    CHECK(verify_offline(ev, true) == "");
}

}  // namespace

TEST_CASE("kat: the core accepts each known-answer vector", "[core][kat]")
{
    const kat::Vector &v = pick();
    CAPTURE(v.name);
    KatDevice dev(v);
    auto s = make_session(dev.plat, v.max_resp, 0, v.version);
    Bytes cn = unhex(v.chal_nonce), mn = unhex(v.meas_nonce);

    int rc = spdm_authenticate(s.get(), v.slot, cn.data());
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    check_requests(dev, v.chal_index + 1);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    check_challenge_evidence(v, ev);

    rc = spdm_get_measurements(s.get(), mn.data());
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    check_requests(dev, v.n_exchanges);
    CHECK(spdm_exchange_count(s.get()) == v.n_exchanges);
    spdm_get_evidence(s.get(), &ev);
    check_challenge_evidence(v, ev);
    check_measurement_evidence(v, ev);
}

TEST_CASE("kat: nonces drawn from the platform's random op", "[core][kat]")
{
    const kat::Vector &v = pick();
    CAPTURE(v.name);
    KatDevice dev(v);
    // 1.3: each nonce draw is followed by the RequesterContext's (zeros)
    std::vector<Bytes> draws{unhex(v.chal_nonce), unhex(v.meas_nonce)};
    if (v.version >= 0x13) {
        draws.insert(draws.begin() + 1, Bytes(req_ctx_len, 0));
        draws.push_back(Bytes(req_ctx_len, 0));
    }
    size_t drawn = 0;
    dev.plat.random = [&](uint8_t *buf, size_t len) {
        if (drawn >= draws.size() || len != draws[drawn].size())
            return -EIO;
        std::memcpy(buf, draws[drawn++].data(), len);
        return 0;
    };
    auto s = make_session(dev.plat, v.max_resp, 0, v.version);
    int rc = spdm_authenticate(s.get(), v.slot, nullptr);
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    rc = spdm_get_measurements(s.get(), nullptr);
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    CHECK(drawn == draws.size());
    check_requests(dev, v.n_exchanges);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    check_challenge_evidence(v, ev);
    check_measurement_evidence(v, ev);
}

TEST_CASE("kat: any flipped byte of a response up to CHALLENGE_AUTH fails", "[core][kat]")
{
    const kat::Vector &v = pick();
    CAPTURE(v.name);
    Bytes cn = unhex(v.chal_nonce);
    std::vector<std::string> bad;
    size_t tried = 0;
    for (size_t ex = 0; ex <= v.chal_index; ex++) {
        size_t len = unhex(v.exchanges[ex].rsp).size();
        for (size_t pos = 0; pos < len; pos++) {
            KatDevice dev(v);
            dev.flip_ex = long(ex);
            dev.flip_pos = pos;
            auto s = make_session(dev.plat, v.max_resp, 0, v.version);
            int rc = spdm_authenticate(s.get(), v.slot, cn.data());
            spdm_failure cls = spdm_last_failure(s.get());
            tried++;
            std::string at = std::string(v.exchanges[ex].label) + " byte " + std::to_string(pos);
            if (rc == 0)
                bad.push_back(at + ": accepted");
            else if (ex == v.chal_index && in(v.chal_strict, v.n_chal_strict, pos) &&
                     cls != SPDM_FAIL_SIGNATURE)
                bad.push_back(at + ": not a signature failure: " + spdm_last_error(s.get()));
            else if (ex == v.chal_index && dev.next != v.chal_index + 1)
                bad.push_back(at + ": device not asked for CHALLENGE_AUTH");
        }
    }
    CAPTURE(tried);
    std::string all;
    for (auto &b : bad)
        all += b + "\n";
    INFO(all);
    CHECK(bad.empty());
}

TEST_CASE("kat: any flipped byte of MEASUREMENTS fails", "[core][kat]")
{
    const kat::Vector &v = pick();
    CAPTURE(v.name);
    KatDevice dev(v);
    auto s = make_session(dev.plat, v.max_resp, 0, v.version);
    Bytes cn = unhex(v.chal_nonce), mn = unhex(v.meas_nonce);
    int rc = spdm_authenticate(s.get(), v.slot, cn.data());
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);

    // one authenticated session; the device replays MEASUREMENTS, one
    // flipped byte at a time
    std::vector<std::string> bad;
    size_t len = dev.rsp[v.meas_index].size();
    dev.flip_ex = long(v.meas_index);
    for (size_t pos = 0; pos < len; pos++) {
        dev.next = v.meas_index;
        dev.flip_pos = pos;
        size_t before = dev.plat.requests.size();
        rc = spdm_get_measurements(s.get(), mn.data());
        spdm_failure cls = spdm_last_failure(s.get());
        std::string at = "MEASUREMENTS byte " + std::to_string(pos);
        if (rc == 0)
            bad.push_back(at + ": accepted");
        else if (in(v.meas_strict, v.n_meas_strict, pos) && cls != SPDM_FAIL_SIGNATURE)
            bad.push_back(at + ": not a signature failure: " + spdm_last_error(s.get()));
        if (dev.plat.requests.size() != before + 1 ||
            dev.plat.requests.back() != dev.req[v.meas_index])
            bad.push_back(at + ": GET_MEASUREMENTS not sent as in the vector");
    }
    std::string all;
    for (auto &b : bad)
        all += b + "\n";
    INFO(all);
    CHECK(bad.empty());

    // the same session still accepts the untouched response
    dev.flip_ex = -1;
    dev.next = v.meas_index;
    rc = spdm_get_measurements(s.get(), mn.data());
    INFO(spdm_last_error(s.get()));
    REQUIRE(rc == 0);
    spdm_evidence ev;
    spdm_get_evidence(s.get(), &ev);
    check_measurement_evidence(v, ev);
}
