// SPDX-License-Identifier: GPL-2.0
// The evidence bundle of an authenticated device (evidence-get), reassembled
// from its chunks, and what a verifier needs to re-check it offline.
#pragma once

#include "spdmtsm/json.hpp"
#include "spdmtsm/netlink.hpp"
#include "spdmtsm/vocab.hpp" // Bytes, hex, unhex, base64, pem, the algorithm names

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spdmtsm {

// The KEY_EXCHANGE_RSP of the device's current secured session: the
// signature, and the transcript hash it covers (TH up to the signature,
// DSP0274 "Session transcript"); 1.2+ wraps it in the signing context.
struct SessionEvidence {
	std::optional<std::uint32_t> id;
	std::uint32_t dhe = 0;  // DHE bit, 0 when not reported
	std::uint32_t aead = 0; // AEAD bit
	Bytes ke_signature;
	Bytes ke_th_hash;
	std::string ke_context; // "responder-key_exchange_rsp signing" (1.2+)
};

struct Evidence {
	std::string bdf;
	std::uint64_t generation = 0;
	std::uint8_t version = 0; // 0x12 = SPDM 1.2
	std::uint32_t caps = 0;
	std::uint32_t asym = 0; // BaseAsymAlgo bit
	std::uint32_t hash = 0; // BaseHashAlgo bit
	std::uint32_t meas_hash = 0;
	std::uint8_t slot = 0;
	std::uint8_t slot_mask = 0;
	std::map<std::uint8_t, Bytes> slot_digests;
	Bytes nonce;
	Bytes signature;
	std::string context; // SPDM 1.2+ signing context
	std::uint8_t meas_count = 0;
	Bytes meas_nonce;
	Bytes meas_signature;
	std::string meas_context;
	// large objects
	Bytes cert_chain; // concatenated DER, leaf last
	Bytes transcript; // what the CHALLENGE_AUTH signature covers
	Bytes leaf_spki;  // the key the kernel verified with and cached
	Bytes meas_blocks;
	Bytes meas_transcript;
	std::optional<SessionEvidence> session; // when a secured session is established
};

// Dump and reassemble; throws NetlinkError (EAGAIN if the evidence changed
// while dumping, EPROTO for inconsistent chunks).
Evidence evidence_get(GenlSocket &sock, const std::string &bdf);

// Split concatenated DER certificates; throws std::runtime_error on a
// malformed sequence.
std::vector<Bytes> split_der_certs(const Bytes &chain);

// One DMTF measurement block (DSP0274 "Measurement block format").
struct MeasBlock {
	std::uint8_t index = 0;
	std::uint8_t spec = 0;
	std::uint8_t type = 0; // DMTFSpecMeasurementValueType
	Bytes value;
};
// Parse the blocks of a MEASUREMENTS response; throws std::runtime_error.
std::vector<MeasBlock> parse_meas_blocks(const Bytes &blocks);

Json json_of(const Evidence &e);
// tsmctl evidence's text display; certs = split_der_certs(e.cert_chain).
void print_evidence(std::FILE *out, const Evidence &e, const std::vector<Bytes> &certs);

} // namespace spdmtsm
