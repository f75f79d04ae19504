// SPDX-License-Identifier: GPL-2.0
// SPDM secured sessions (DSP0274 1.1-1.3 key schedule, DSP0277 secured
// messages): the primitives devsim's responder uses, public so the unit
// tests can check them against known answers computed elsewhere.
#pragma once
#include <devsim/responder.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace devsim::sess {

// DHE (NEGOTIATE_ALGORITHMS AlgType 2) and AEAD (AlgType 3) cipher suites
// devsim implements; the values are the AlgSupported bits.
enum class Dhe : uint16_t { Secp256r1 = 1u << 3, Secp384r1 = 1u << 4 };
enum class Aead : uint16_t { Aes128Gcm = 1u << 0, Aes256Gcm = 1u << 1, ChaCha20Poly1305 = 1u << 2 };
inline constexpr uint16_t kDheBits = 0x18, kAeadBits = 0x7, kKeyScheduleSpdm = 0x1;

size_t dhe_size(Dhe);       // ExchangeData: X || Y, 64 / 96 bytes
size_t aead_key_size(Aead); // 16 / 32 / 32
inline constexpr size_t kIvSize = 12, kTagSize = 16;
std::string_view to_string(Dhe);
std::string_view to_string(Aead);

// Ephemeral ECDH.  The private scalar is big-endian, the size of the curve
// order; public keys are X || Y.
// A private scalar in [1, n-1] from `random` (at least the scalar size + 8 bytes).
Bytes ecdh_generate(Dhe, std::span<const uint8_t> random);
Bytes ecdh_public(Dhe, std::span<const uint8_t> priv);
// Shared secret (the X coordinate), or nullopt when peer is not a point on the curve.
std::optional<Bytes> ecdh_shared(Dhe, std::span<const uint8_t> priv, std::span<const uint8_t> peer);

Bytes hmac(Hash, std::span<const uint8_t> key, std::span<const uint8_t> data);
Bytes hkdf_extract(Hash, std::span<const uint8_t> salt, std::span<const uint8_t> ikm);
Bytes hkdf_expand(Hash, std::span<const uint8_t> prk, std::span<const uint8_t> info, size_t len);
// DSP0274 BinConcat: Length (LE16) || "spdm1.X " || Label || Context.
Bytes bin_concat(uint16_t length, uint8_t spdm_version, std::string_view label, std::span<const uint8_t> context = {});

// One direction's traffic keys.
struct Keys {
	Bytes secret; // the handshake or data secret the key and IV come from
	Bytes key, iv;
	uint64_t seq = 0;
};

// The DSP0274 key schedule for one session.
struct KeySchedule {
	Hash hash = Hash::Sha256;
	Aead aead = Aead::Aes256Gcm;
	uint8_t version = 0x12; // SPDM version (the BinConcat label prefix)
	Bytes handshake_secret, master_secret;
	Bytes req_finished_key, rsp_finished_key;
	Keys req_hs, rsp_hs, req_data, rsp_data;

	// HandshakeSecret = HKDF-Extract(0^H, DHE secret); request/response
	// handshake secrets from TH1; their finished keys, keys and IVs.
	void handshake(std::span<const uint8_t> dhe_secret, std::span<const uint8_t> th1_hash);
	// Salt_1 = HKDF-Expand(HandshakeSecret, "derived"); MasterSecret =
	// HKDF-Extract(Salt_1, 0^H); data secrets from TH2, their keys and IVs.
	void data(std::span<const uint8_t> th2_hash);
	// KEY_UPDATE: secret' = HKDF-Expand(secret, "traffic upd"), new key and
	// IV, sequence number 0.
	void update(Keys &) const;
	void key_iv(Keys &) const;
};

// DSP0277 secured message as PCIe Secured CMA carries it: SessionID (4) ||
// Length (2) || ciphertext || MAC; the sequence number is implicit (0 bytes
// on the wire; each side counts).  Encrypted: the plaintext is
// ApplicationDataLength (2) || application data || padding; MAC only: the
// application data in the clear, AAD = header || data.  Nonce = IV with
// the 64-bit sequence number XORed little-endian into its first 8 bytes
// (DSP0277 1.1, libspdm's default).
Bytes seal(Aead, bool encrypt, const Keys &, uint32_t session_id, std::span<const uint8_t> app,
	   std::span<const uint8_t> padding = {});
// The application data, or nullopt when the record is malformed or its tag
// does not verify.  The record must be exactly 6 + Length bytes.
std::optional<Bytes> open(Aead, bool encrypt, const Keys &, std::span<const uint8_t> record);

} // namespace devsim::sess
