// SPDX-License-Identifier: GPL-2.0
// The userspace trust decision: does the evidence chain to an anchor you
// trust, is the leaf key the one the kernel cached, and does the transcript
// signature verify?  mbedTLS, independent of the kernel's code.
#pragma once

#include "spdmtsm/evidence.hpp"

#include <memory>
#include <string>
#include <vector>

namespace spdmtsm {

struct CheckResult {
	std::string name; // "chain", "leaf-key", "key-usage", "eku", "signature", "measurements",
			  // "session-signature"
	bool ok = false;
	std::string detail; // why, in words
};

struct VerifyReport {
	std::vector<CheckResult> checks;
	bool ok() const
	{
		for (const auto &c : checks)
			if (!c.ok)
				return false;
		return !checks.empty();
	}
};

// The message whose digest the device signed, per DSP0274 for e.version:
// 1.0/1.1: the transcript itself; 1.2+: combined_spdm_prefix || zero pad ||
// context || Hash(transcript).
Bytes signed_message(const Evidence &e, const Bytes &transcript, const std::string &context);

// Verify a raw SPDM signature (ECDSA r||s or RSASSA-PKCS1-v1_5) over
// Hash(message) with a DER SubjectPublicKeyInfo.  Returns "" or why not.
std::string verify_signature(const Bytes &spki, std::uint32_t asym, std::uint32_t hash, const Bytes &message,
			     const Bytes &signature);
// The same over a digest already computed (len of the hash algorithm).
std::string verify_signature_digest(const Bytes &spki, std::uint32_t asym, std::uint32_t hash, const Bytes &digest,
				    const Bytes &signature);

// DSP0274 1.2+ signing context of the KEY_EXCHANGE_RSP signature.
inline constexpr const char key_exchange_context[] = "responder-key_exchange_rsp signing";

// The KEY_EXCHANGE_RSP signature of e.session over its transcript hash
// (DSP0274 "KEY_EXCHANGE_RSP": SPDMsign over TH up to the signature; 1.1:
// the signature is over that hash itself, 1.2+: over combined_spdm_prefix ||
// zero pad || "responder-key_exchange_rsp signing" || the hash), with the
// key the kernel cached (e.leaf_spki).  Check "session-signature".
CheckResult verify_key_exchange(const Evidence &e);

// Load trust anchors from PEM or DER files; throws std::runtime_error.
struct TrustAnchors;
struct TrustAnchorsDeleter {
	void operator()(TrustAnchors *) const;
};
std::unique_ptr<TrustAnchors, TrustAnchorsDeleter> load_anchors(const std::vector<std::string> &files);

// All checks.  anchors may be null: the chain check is then skipped.
VerifyReport verify_evidence(const Evidence &e, const TrustAnchors *anchors);

// tsmctl verify -j: {"bdf", "ok", "checks": [{"check", "ok", "detail"}]}
Json json_of(const std::string &bdf, const VerifyReport &r);

} // namespace spdmtsm
