// SPDX-License-Identifier: GPL-2.0
// spdm-devsim: an SPDM 1.0-1.4 responder (DSP0274) with fault injection.
//
// Responder::handle() takes one SPDM request message (no transport header)
// and returns one SPDM response (ERROR responses included).  It needs no
// sockets: the kernel protocol core is unit-tested against it in-process.
#pragma once
#include <algorithm>
// ERROR codes (SPDM_ERR_*) and their names: the kernel core's table, one for both.
#include "spdm_error_codes.h"

#include <spdmtsm/vocab.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace devsim {

using Bytes = std::vector<uint8_t>;

enum class Asym { EcdsaP256, EcdsaP384, EcdsaP521, Rsa2048, Rsa3072, Rsa4096 };
enum class Hash { Sha256, Sha384, Sha512 };

// Names used on the command line: ecdsa-p256 ... rsa-4096, sha256 ... sha512.
std::string_view to_string(Asym);
std::string_view to_string(Hash);
std::optional<Asym> parse_asym(std::string_view);
std::optional<Hash> parse_hash(std::string_view);
// SPDM BaseAsymAlgo / BaseHashAlgo bit for the algorithm.
uint32_t asym_bit(Asym);
uint32_t hash_bit(Hash);
size_t hash_size(Hash);
size_t signature_size(Asym);

// The default CMA Subject Alternative Name (otherName 2.23.147) of the leaf:
// QEMU's emulated nvme (1b36:0010, class 010802, rev 02, subsystem 1af4:1100).
inline constexpr std::string_view kDefaultCmaName = "Vendor=1b36:Device=0010:CC=010802:REV=02:SSVID=1af4:SSID=1100";

// One certificate slot: DER certificates from the root CA to the leaf, and
// the leaf's private key (PEM, PKCS#8 or SEC1/PKCS#1 as mbedTLS writes it).
struct Slot {
	std::vector<Bytes> certs; // certs.front() = root CA, certs.back() = leaf
	std::string leaf_key_pem;
	Bytes der_chain() const; // concatenated DER certificates
};

struct Identity {
	Asym asym = Asym::EcdsaP256;
	Hash hash = Hash::Sha384; // certificate signature hash, preferred SPDM hash
	uint64_t seed = 0;
	std::string cma_name{kDefaultCmaName};
	std::string leaf_cn;     // leaf subject CN bytes; empty: "spdm-devsim device slot N SEED"
	std::vector<Slot> slots; // slot i = SPDM slot i (at most 8)

	// SPDM certificate-chain format for slot: Length(2) Reserved(2)
	// RootHash(H) Certificates; H = the negotiated hash.  With overlong, the
	// chain carries 64 extra bytes that its Length field does not count.
	Bytes spdm_chain(unsigned slot, Hash h, bool overlong = false) const;
};

// Root CA -> intermediate CA -> leaf per slot, keys and certificates
// deterministic for (asym, hash, slots, seed, cma_name).
// cma_name and leaf_cn are bytes, not necessarily UTF-8 (a hostile device's
// names: escape sequences, invalid UTF-8), put into the certificates as given.
Identity make_identity(Asym, Hash, int slots, uint64_t seed, std::string_view cma_name = kDefaultCmaName,
		       std::string_view leaf_cn = {});
// Files: DIR/identity.txt, DIR/slotN/{root,inter,leaf}.{der,pem},
// chain.der, chain.pem, leaf.key.pem, spdm-chain.bin (for identity.hash).
void save_identity(const Identity &, const std::string &dir);
Identity load_identity(const std::string &dir);
// Builds a one-slot identity from a leaf key and certificates (PEM or DER
// files, root first, leaf last; PEM files may hold several certificates).
Identity import_identity(const std::string &key_file, const std::vector<std::string> &chain_files, Hash hash);

struct Measurement {
	uint8_t index = 1; // 1..0xFE
	uint8_t type = 0;  // DMTFSpecMeasurementValueType bits 6:0
	bool raw = false;  // true: raw bit stream, false: digest (of data)
	bool tcb = true;   // counted in the TCB measurement summary hash
	Bytes data;
};
std::vector<Measurement> default_measurements();

// Comma-separated lists as the command line and the fault specs take them;
// the parsers throw std::invalid_argument naming the bad (or empty) item.
std::vector<uint8_t> parse_version_list(std::string_view); // "1.0,1.2" -> {0x10, 0x12}
uint32_t parse_hash_list(std::string_view);                // "sha256,sha384" -> BaseHashAlgo bits
uint32_t parse_asym_list(std::string_view);                // "ecdsa-p256,rsa-3072" -> BaseAsymAlgo bits
using spdmtsm::version_text;                               // 0x12 -> "1.2", 0 -> ""
std::string version_list_text(std::span<const uint8_t>);   // {0x10, 0x12} -> "1.0,1.2"
std::string hash_list_text(uint32_t bits);                 // -> "sha256,sha384"
std::string asym_list_text(uint32_t bits);                 // -> "ecdsa-p256,rsa-3072"
// A 64-bit Device Serial Number: 1..16 hex digits, optional 0x ("0123456789abcdef").
std::optional<uint64_t> parse_serial(std::string_view);

// Fault injection.  Counters: 0 = off, N > 0 = the next N responses,
// -1 = every response until cleared.
struct Faults {
	int bad_signature = 0; // corrupt the signature of signed responses
	int truncate = 0;      // cut the response to half its length
	int oversize = 0;      // pad the response with zeros to the transport cap
	int garbage = 0;       // replace the response by random bytes
	int wrong_version = 0; // answer with another SPDMVersion byte
	int no_answer = 0;     // no response at all (handle() returns {})
	int busy = 0;          // ERROR Busy instead of processing the request
	// ERROR ResponseNotReady: this many of them, the first to a request it
	// defers (GET_DIGESTS, GET_CERTIFICATE, CHALLENGE, GET_MEASUREMENTS),
	// the others to RESPOND_IF_READY; then RESPOND_IF_READY gets the answer.
	int not_ready = 0;
	uint8_t not_ready_exp = 10;  // RDTExponent: RDT = 2^exp us
	uint8_t not_ready_rdtm = 2;  // RDTM: WTMax = RDT * RDTM
	int not_ready_token = -1;    // Token, -1: a new one per deferred request
	int resynch = 0;             // ERROR RequestResynch (state dropped) instead of processing
	bool chain_overlong = false; // serve chains longer than their Length
	unsigned delay_ms = 0;       // transport waits this long before each reply
	// Sticky narrowing of what the device supports, taking effect at the
	// next GET_VERSION / NEGOTIATE_ALGORITHMS (empty / 0 = Config as is).
	std::vector<uint8_t> offer_versions; // VERSION lists Config::versions & these
	uint32_t offer_hash = 0;             // BaseHashAlgo bits selectable (& Config::hash_algos)
	uint32_t offer_asym = 0;             // BaseAsymAlgo bits selectable (& the identity's)
	// CERTIFICATE: at most this many chain bytes per response (0 = off)
	uint32_t cert_portion = 0;
	int cert_stall = 0;             // CERTIFICATE with PortionLength 0, RemainderLength > 0
	int cert_remainder_lie = 0;     // CERTIFICATE (Offset > 0) whose RemainderLength did not shrink
	std::optional<uint64_t> serial; // Device Serial Number override (PCI endpoint)
	std::string chunk_lie;          // a lie in CHUNK_RESPONSE headers ("" = none; chunk.hpp)
	// Sessions (KEY_EXCHANGE, secured messages)
	int bad_verify_data = 0;   // flip a bit in ResponderVerifyData
	int bad_kex_signature = 0; // flip a bit in KEY_EXCHANGE_RSP's signature
	int bad_tag = 0;           // flip a bit in a secured response's MAC
	int wrong_session_id = 0;  // secured response under another SessionID
	int replay_seq = 0;        // resend the previous secured response (a replayed sequence number)
	int no_heartbeat = 0;      // HEARTBEAT gets no answer
	int no_key_update = 0;     // KEY_UPDATE UpdateKey/UpdateAllKeys gets no answer, no key changes
	void clear() { *this = Faults{}; }
	std::string describe() const; // "bad-signature=-1,busy=2" or "none"
};

struct Config {
	std::vector<uint8_t> versions{0x10, 0x11, 0x12, 0x13, 0x14}; // offered in VERSION
	uint8_t ct_exponent = 16;
	bool cert_cap = true, chal_cap = true, meas_cap = true, meas_sig = true;
	uint32_t hash_algos = 0x7; // BaseHashAlgo bits the device supports
	// Largest complete transport object a reply may be (QEMU drops more than
	// 0x1200 bytes); includes the 8-byte DOE header.
	uint32_t transport_cap = 0x1200;
	uint32_t transport_overhead = 8; // DOE header
	uint32_t max_chunk = 0;          // device max CERTIFICATE portion, 0 = fit
	uint32_t data_transfer_size = 0; // 0 = transport_cap - overhead
	uint32_t max_spdm_msg_size = 0;  // 0 = chunk_cap ? max(dts, 64 KiB) : dts
	// CHUNK_CAP (1.2+): responses larger than one message (the smaller of
	// both DataTransferSizes) go as LargeResponse + CHUNK_GET; CHUNK_SEND
	// is received
	bool chunk_cap = false;
	std::vector<Measurement> measurements = default_measurements();
	// Secured sessions (1.1+): KEY_EX_CAP, ENCRYPT_CAP, MAC_CAP, HBEAT_CAP,
	// KEY_UPD_CAP in CAPABILITIES, DHE/AEAD/KeySchedule selected in
	// ALGORITHMS when the requester says KEY_EX_CAP; false: the pre-session
	// behaviour (KEY_EXCHANGE unsupported, secured CMA refused).
	bool sessions = true;
	bool handshake_in_clear = false; // HANDSHAKE_IN_THE_CLEAR_CAP
	bool session_mac_only = false;   // MAC_CAP without ENCRYPT_CAP: authenticated-only sessions
	// KEY_EXCHANGE_RSP's OpaqueData also carries a PCI-SIG vendor element
	// before the DMTF one (conforming; tests of requesters that must skip it)
	bool kex_rsp_vendor_element = false;
	uint8_t heartbeat_period = 10;   // KEY_EXCHANGE_RSP HeartbeatPeriod, seconds (0: none)
	unsigned max_sessions = 4;       // more: ERROR SessionLimitExceeded
	uint16_t dhe_algos = 0x18;       // secp256r1, secp384r1
	uint16_t aead_algos = 0x7;       // AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305
	Faults faults;                   // initial faults
	// Largest transcript kept (B: digests/certificates since the last
	// CHALLENGE; L: unsigned measurements since the last signed one); a
	// request that would grow one past it gets ERROR Unspecified (as
	// libspdm answers a full message buffer), so no sequence of requests
	// makes devsim's memory grow without bound.
	size_t max_transcript = 256 * 1024;
	uint32_t dts() const { return data_transfer_size ? data_transfer_size : transport_cap - transport_overhead; }
	uint32_t max_msg() const
	{
		if (max_spdm_msg_size)
			return max_spdm_msg_size;
		return chunk_cap ? std::max<uint32_t>(dts(), 0x10000) : dts();
	}
};

// SPDM codes
namespace code {
inline constexpr uint8_t DIGESTS = 0x01, CERTIFICATE = 0x02, CHALLENGE_AUTH = 0x03, VERSION = 0x04, MEASUREMENTS = 0x60,
			 CAPABILITIES = 0x61, ALGORITHMS = 0x63, ERROR = 0x7F, GET_DIGESTS = 0x81,
			 GET_CERTIFICATE = 0x82, CHALLENGE = 0x83, GET_VERSION = 0x84, GET_MEASUREMENTS = 0xE0,
			 GET_CAPABILITIES = 0xE1, NEGOTIATE_ALGORITHMS = 0xE3, RESPOND_IF_READY = 0xFF,
			 KEY_EXCHANGE_RSP = 0x64, FINISH_RSP = 0x65, HEARTBEAT_ACK = 0x68, KEY_UPDATE_ACK = 0x69,
			 END_SESSION_ACK = 0x6C, KEY_EXCHANGE = 0xE4, FINISH = 0xE5, HEARTBEAT = 0xE8,
			 KEY_UPDATE = 0xE9,
			 END_SESSION = 0xEC; // DSP0274: 0xEA/0x6A are GET_ENCAPSULATED_REQUEST/ENCAPSULATED_REQUEST
}
std::string_view code_name(uint8_t code);

class Responder {
public:
	Responder(Config, Identity);
	~Responder();
	Responder(const Responder &) = delete;
	Responder &operator=(const Responder &) = delete;

	// One SPDM request in, one SPDM response out; empty for no-answer.
	std::vector<uint8_t> handle(std::span<const uint8_t> request);
	void reset(); // drop negotiated state, transcripts and sessions
	// One DSP0277 secured message (PCIe Secured CMA: SessionID, Length,
	// ciphertext, MAC; no sequence number on the wire) in, the reply out:
	// a secured message (secured = true) or, when the request could not be
	// opened, a plain ERROR (InvalidSession, DecryptError); empty for
	// no-answer and the heartbeat-ignored fault.
	struct SecuredReply {
		Bytes data;
		bool secured = false;
	};
	SecuredReply handle_secured(std::span<const uint8_t> record);
	void drop_sessions(); // forget every session (device lost its state)
	size_t session_count() const;
	Faults &faults();
	// Applies one --fault SPEC (see spdm-devsim --help); throws
	// std::invalid_argument with a message on a bad spec.
	void apply_fault(std::string_view spec);
	void swap_identity(Identity); // device replacement (also resets)
	void set_measurement(uint8_t index, Bytes data);
	// Remove measurement INDEX (the block disappears from MEASUREMENTS).
	void drop_measurement(uint8_t index);

	const Identity &identity() const;
	const Config &config() const;
	uint8_t negotiated_version() const; // 0 before GET_CAPABILITIES
	std::string status_json() const;
	// ResponseNotReady bookkeeping (also in status_json()).
	struct ReadyStats {
		uint64_t not_ready = 0;        // ERROR ResponseNotReady sent
		uint64_t respond_if_ready = 0; // RESPOND_IF_READY received
		uint64_t rir_matched = 0;      // ... naming the deferred request and its token
		int last_token = -1;           // token of the last ResponseNotReady
	};
	ReadyStats ready_stats() const;

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace devsim
