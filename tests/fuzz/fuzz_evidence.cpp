// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: what tsmctl does with an evidence bundle (user/lib):
// 'tsmctl evidence' (text, --json, --pem: split_der_certs, describe_cert,
// parse_meas_blocks, print_evidence, to_json, pem) and 'tsmctl verify'
// without anchors (verify_evidence: the leaf key, the signatures, the
// measurements; mbedTLS).
//
// Input: byte 0 version, 1 slot (bit 7: a secured session follows), 2
// meas_count (and the session's DHE and AEAD bit indices), 3 asym bit index,
// 4 hash bit index, then [u16le length][bytes] frames: cert_chain,
// meas_blocks, nonce, signature, context, transcript, leaf_spki,
// meas_signature, meas_context, meas_transcript, with a session its
// ke_signature, ke_th_hash, ke_context, then slot digests (slot 0, 1, ...).
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "spdmtsm/evidence.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/verify.hpp"
#include "spdmtsm/x509.hpp"

#include "fuzz_common.h"

using namespace spdmtsm;

namespace {

struct Frames : fuzzfmt::Frames {
    bool next(Bytes &out)
    {
        const uint8_t *m;
        size_t l;
        if (!fuzzfmt::Frames::next(&m, &l))
            return false;
        out.assign(m, m + l);
        return true;
    }
};

std::FILE *devnull()
{
    static std::FILE *f = std::fopen("/dev/null", "w");
    if (!f)
        abort();
    return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    Evidence e;
    e.bdf = "0000:01:00.0";
    e.version = data[0];
    e.slot = data[1] & 0x7f;
    e.meas_count = data[2];
    e.asym = data[3] < 32 ? 1u << data[3] : 0;
    e.hash = data[4] < 32 ? 1u << data[4] : 0;
    e.meas_hash = e.hash;
    Frames f{{data + 5, size - 5}};
    Bytes ctx, mctx;
    f.next(e.cert_chain) && f.next(e.meas_blocks) && f.next(e.nonce) && f.next(e.signature) &&
        f.next(ctx) && f.next(e.transcript) && f.next(e.leaf_spki) && f.next(e.meas_signature) &&
        f.next(mctx) && f.next(e.meas_transcript);
    e.context.assign(ctx.begin(), ctx.end());
    e.meas_context.assign(mctx.begin(), mctx.end());
    if (data[1] & 0x80) {
        SessionEvidence s;
        Bytes kctx;
        f.next(s.ke_signature) && f.next(s.ke_th_hash) && f.next(kctx);
        s.ke_context.assign(kctx.begin(), kctx.end());
        s.dhe = 1u << (data[2] & 7);
        s.aead = 1u << (data[2] >> 3 & 3);
        if (data[2] & 0x20)
            s.id = 0xfffe0001;
        e.session = s;
    }
    Bytes d;
    for (uint8_t slot = 0; slot < 8 && f.next(d); slot++)
        e.slot_digests[slot] = d;

    // tsmctl evidence: the chain must split, else it is an error
    std::vector<Bytes> certs;
    try {
        certs = split_der_certs(e.cert_chain);
    } catch (const std::runtime_error &) {
    }
    print_evidence(devnull(), e, certs);
    for (const auto &c : certs) {
        if (pem(c).empty())
            abort();
        try {
            (void)json_text(json_of(describe_cert(c)));
        } catch (const std::runtime_error &) {
        }
    }
    try {
        if (json_text(json_of(e), true).empty())
            abort();
    } catch (const std::runtime_error &) {
    }
    try {
        (void)parse_meas_blocks(e.meas_blocks);
    } catch (const std::runtime_error &) {
    }
    // tsmctl verify, the checks that need no trust anchor
    VerifyReport r = verify_evidence(e, nullptr);
    if (r.checks.empty())
        abort();
    // a session's signature is judged whenever the chain splits into
    // certificates (verify stops at once otherwise), and never passes
    // without a session
    bool judged = false;
    for (const auto &c : r.checks)
        if (c.name == "session-signature")
            judged = true;
    if (judged ? !e.session : e.session && !certs.empty())
        abort();
    if (!e.session && verify_key_exchange(e).ok)
        abort();
    return 0;
}
