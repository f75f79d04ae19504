// SPDX-License-Identifier: GPL-2.0
// Layout of the known-answer vectors that tests/kat/gen_kat.py generates
// (vectors/*.h).  Every byte string is a hex literal.
#pragma once
#include <cstddef>
#include <cstdint>

namespace kat {

// One request and the device's answer to it, in the order they happen.
struct Exchange {
    const char *label;
    const char *req;
    const char *rsp;
};

// [off, off + len) of a response.
struct Range {
    size_t off, len;
};

struct Vector {
    const char *name;
    uint8_t version;           // negotiated SPDMVersion
    uint32_t asym, hash;       // BaseAsymSel, BaseHashSel
    uint32_t meas_hash;        // MeasurementHashAlgo
    uint32_t caps;             // the responder's CAPABILITIES flags
    uint8_t slot;              // the slot challenged
    uint8_t slot_mask;         // DIGESTS (provisioned) slot mask
    size_t max_resp;           // the requester's buffer the vector assumes
    const Exchange *exchanges;
    size_t n_exchanges;
    size_t chal_index;         // CHALLENGE / CHALLENGE_AUTH
    size_t meas_index;         // GET_MEASUREMENTS / MEASUREMENTS (the last)
    uint8_t meas_count;        // measurement blocks
    const char *chain;         // the slot's SPDM certificate chain
    const char *digest;        // its DIGESTS entry
    const char *chal_nonce;    // CHALLENGE nonce
    const char *m1;            // M1 = A || B || C (signature excluded)
    const char *sig;           // CHALLENGE_AUTH signature
    const char *meas_nonce;    // GET_MEASUREMENTS nonce
    const char *l1;            // L1 (1.2+: VCA ||) GET_MEASUREMENTS || MEASUREMENTS
    const char *meas_sig;      // MEASUREMENTS signature
    const char *meas_blocks;   // the MeasurementRecord
    // response bytes that only the signature protects (nonce, signature,
    // measurement values): a flip there must fail as a signature failure
    const Range *chal_strict;
    size_t n_chal_strict;
    const Range *meas_strict;
    size_t n_meas_strict;
};

}  // namespace kat
