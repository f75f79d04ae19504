// SPDX-License-Identifier: GPL-2.0
// SPDM 1.0-1.4 responder (DMTF DSP0274): VCA, digests, certificates,
// CHALLENGE_AUTH and MEASUREMENTS with transcripts as each version defines.
//
// Transcripts follow DSP0274 and libspdm:
//   A  = GET_VERSION..ALGORITHMS (VCA);  B = GET_DIGESTS/DIGESTS,
//   GET_CERTIFICATE/CERTIFICATE since the last CHALLENGE;  C = CHALLENGE ||
//   CHALLENGE_AUTH without the signature.  M1 = A || B || C.
//   L1 = (1.2+: A ||) every GET_MEASUREMENTS/MEASUREMENTS since the last
//   signed one, the last without its signature.  Any other request resets L;
//   GET_MEASUREMENTS resets B (the requester skipped CHALLENGE).
//   1.0/1.1 sign M (i.e. Hash(M)); 1.2+ sign combined_spdm_prefix || Hash(M)
//   where the prefix is "dmtf-spdm-v1.X.*" x 4, zero padding and the context.
#include "le.hpp"
#include "chunk.hpp"
#include "crypto.hpp"

#include <devsim/session.hpp>
#include <mbedtls/platform_util.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

namespace devsim {

using namespace le;

std::string_view code_name(uint8_t c)
{
	switch (c) {
	case code::DIGESTS:
		return "DIGESTS";
	case code::CERTIFICATE:
		return "CERTIFICATE";
	case code::CHALLENGE_AUTH:
		return "CHALLENGE_AUTH";
	case code::VERSION:
		return "VERSION";
	case code::MEASUREMENTS:
		return "MEASUREMENTS";
	case code::CAPABILITIES:
		return "CAPABILITIES";
	case code::ALGORITHMS:
		return "ALGORITHMS";
	case code::ERROR:
		return "ERROR";
	case code::GET_DIGESTS:
		return "GET_DIGESTS";
	case code::GET_CERTIFICATE:
		return "GET_CERTIFICATE";
	case code::CHALLENGE:
		return "CHALLENGE";
	case code::GET_VERSION:
		return "GET_VERSION";
	case code::GET_MEASUREMENTS:
		return "GET_MEASUREMENTS";
	case code::GET_CAPABILITIES:
		return "GET_CAPABILITIES";
	case code::NEGOTIATE_ALGORITHMS:
		return "NEGOTIATE_ALGORITHMS";
	case code::KEY_EXCHANGE:
		return "KEY_EXCHANGE";
	case code::KEY_EXCHANGE_RSP:
		return "KEY_EXCHANGE_RSP";
	case code::FINISH:
		return "FINISH";
	case code::FINISH_RSP:
		return "FINISH_RSP";
	case code::HEARTBEAT:
		return "HEARTBEAT";
	case code::HEARTBEAT_ACK:
		return "HEARTBEAT_ACK";
	case code::KEY_UPDATE:
		return "KEY_UPDATE";
	case code::KEY_UPDATE_ACK:
		return "KEY_UPDATE_ACK";
	case code::END_SESSION:
		return "END_SESSION";
	case code::END_SESSION_ACK:
		return "END_SESSION_ACK";
	case 0xFE:
		return "VENDOR_DEFINED_REQUEST";
	case code::RESPOND_IF_READY:
		return "RESPOND_IF_READY";
	default:
		return "UNKNOWN";
	}
}

std::vector<Measurement> default_measurements()
{
	auto data = [](const char *s) { return Bytes(s, s + strlen(s)); };
	return {
		{1, 0x00, false, true, data("spdm-devsim immutable ROM v1")},
		{2, 0x01, false, true, data("spdm-devsim firmware 1.0.0")},
		{3, 0x02, false, false, data("spdm-devsim hardware config A")},
		{4, 0x03, true, false, Bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}},
	};
}

std::string Faults::describe() const
{
	std::ostringstream o;
	auto item = [&](const char *n, const std::string &v) { o << (o.tellp() ? "," : "") << n << "=" << v; };
	auto add = [&](const char *n, int v) {
		if (v)
			item(n, std::to_string(v));
	};
	add("bad-signature", bad_signature);
	add("truncate", truncate);
	add("oversize", oversize);
	add("garbage", garbage);
	add("wrong-version", wrong_version);
	add("no-answer", no_answer);
	add("busy", busy);
	if (not_ready) {
		std::string v = std::to_string(not_ready) + ":" + std::to_string(not_ready_exp) + ":" +
				std::to_string(not_ready_rdtm);
		if (not_ready_token >= 0)
			v += ":" + std::to_string(not_ready_token);
		item("not-ready", v);
	}
	add("resynch", resynch);
	add("chain-overlong", chain_overlong);
	add("delay", int(delay_ms));
	if (!offer_versions.empty())
		item("offer-versions", version_list_text(offer_versions));
	if (offer_hash)
		item("offer-hash", hash_list_text(offer_hash));
	if (offer_asym)
		item("offer-asym", asym_list_text(offer_asym));
	add("cert-portion", int(cert_portion));
	add("cert-stall", cert_stall);
	add("cert-remainder-lie", cert_remainder_lie);
	if (!chunk_lie.empty())
		item("chunk-lie", chunk_lie);
	add("bad-verify-data", bad_verify_data);
	add("bad-kex-signature", bad_kex_signature);
	add("bad-tag", bad_tag);
	add("wrong-session-id", wrong_session_id);
	add("replay-seq", replay_seq);
	add("no-heartbeat", no_heartbeat);
	add("no-key-update", no_key_update);
	if (serial) {
		char hex[17];
		snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(*serial));
		item("serial", hex);
	}
	std::string s = o.str();
	return s.empty() ? "none" : s;
}

namespace {

void append(Bytes &to, std::span<const uint8_t> from)
{
	to.insert(to.end(), from.begin(), from.end());
}

bool take(int &ctr)
{
	if (ctr == 0)
		return false;
	if (ctr > 0)
		ctr--;
	return true;
}

std::optional<Hash> hash_from_bits(uint32_t bits, Hash preferred)
{
	if (bits & hash_bit(preferred))
		return preferred;
	for (Hash h : {Hash::Sha384, Hash::Sha512, Hash::Sha256})
		if (bits & hash_bit(h))
			return h;
	return std::nullopt;
}

constexpr size_t kNonce = 32, kReqCtx = 8;

// CAPABILITIES flags for sessions (DSP0274 1.1+ Table "Flag fields").
constexpr uint32_t kEncryptCap = 1u << 6, kMacCap = 1u << 7, kKeyExCap = 1u << 9, kHbeatCap = 1u << 13,
		   kKeyUpdCap = 1u << 14, kInClearCap = 1u << 15;

} // namespace

struct Responder::Impl {
	Config cfg;
	Identity id;
	Faults faults;
	Drbg rng;
	std::vector<std::unique_ptr<PkKey>> keys;

	enum class State { Idle, AfterVersion, AfterCaps, Negotiated } state = State::Idle;
	uint8_t version = 0;
	std::vector<uint8_t> offered; // versions the last VERSION listed
	uint32_t req_flags = 0, req_dts = 0, req_max = 0;
	Hash hash = Hash::Sha256;
	uint32_t asym_sel = 0, hash_sel = 0, meas_hash_sel = 0;
	uint8_t meas_spec_sel = 0;
	Bytes msg_a, msg_b, msg_m;
	uint64_t requests = 0;
	LargeTransfer large;
	// Sessions: what ALGORITHMS selected (0 = none) and the live sessions.
	uint16_t dhe_sel = 0, aead_sel = 0, ks_sel = 0;
	uint8_t other_sel = 0;
	struct Session;
	std::vector<std::unique_ptr<Session>> sessions;
	uint16_t next_rsp_id = 0xFFFF;

	Impl(Config c, Identity i) : cfg(std::move(c)), id(std::move(i)), faults(cfg.faults) { load_keys(); }

	void load_keys()
	{
		if (id.slots.empty() || id.slots.size() > 8)
			throw std::invalid_argument("identity needs 1..8 slots");
		keys.clear();
		for (auto &s : id.slots) {
			auto k = std::make_unique<PkKey>();
			parse_private_key(*k, s.leaf_key_pem, rng);
			if (key_asym(k->get()) != id.asym)
				throw std::invalid_argument("slot key type does not match the identity");
			keys.push_back(std::move(k));
		}
	}

	void reset()
	{
		state = State::Idle;
		version = 0;
		req_flags = req_dts = req_max = 0;
		asym_sel = hash_sel = meas_hash_sel = 0;
		meas_spec_sel = 0;
		msg_a.clear();
		msg_b.clear();
		msg_m.clear();
		large.reset();
		pending.clear();
		dhe_sel = aead_sel = ks_sel = 0;
		other_sel = 0;
		sessions.clear();
	}

	Bytes error(uint8_t code, uint8_t data = 0) const
	{
		return Bytes{version ? version : uint8_t(0x10), code::ERROR, code, data};
	}

	// DSP0274 ERROR with ExtendedErrorData after the 4-byte header.
	Bytes error_ext(uint8_t code, uint8_t data, std::span<const uint8_t> ext) const
	{
		Bytes e = error(code, data);
		append(e, ext);
		return e;
	}

	// A response of `size` bytes exceeds what the requester can take: 1.2+
	// ResponseTooLarge (Param2 0, ExtendedErrorData = the response's size,
	// LE32), before 1.2 (no such code) Unspecified.
	Bytes too_large(size_t size) const
	{
		if (version < 0x12)
			return error(SPDM_ERR_UNSPECIFIED);
		Bytes ext;
		put32(ext, uint32_t(size));
		return error_ext(SPDM_ERR_RESPONSE_TOO_LARGE, 0, ext);
	}

	size_t max_response() const
	{
		size_t m = std::min<size_t>(cfg.transport_cap - cfg.transport_overhead, cfg.dts());
		if (version >= 0x12 && req_dts)
			m = std::min<size_t>(m, req_dts);
		return m;
	}

	// Large messages (DSP0274 1.2+): both sides said CHUNK_CAP.
	bool chunking() const { return version >= 0x12 && cfg.chunk_cap && (req_flags & chunk::CAP); }
	// The largest response a handler may build: one message, or with
	// chunking the smaller MaxSPDMmsgSize.
	size_t max_message() const { return chunking() ? std::min<size_t>(cfg.max_msg(), req_max) : max_response(); }

	bool fits(const Bytes &transcript, size_t more) const { return transcript.size() + more <= cfg.max_transcript; }

	unsigned nslots() const { return unsigned(id.slots.size()); }
	uint8_t slot_mask() const { return uint8_t((1u << nslots()) - 1); }
	Bytes chain(unsigned slot) const { return id.spdm_chain(slot, hash, faults.chain_overlong); }

	Bytes sign(unsigned slot, std::span<const uint8_t> transcript, std::string_view context)
	{
		Bytes to_sign;
		if (version >= 0x12) {
			std::string prefix = "dmtf-spdm-v1." + std::to_string(version & 0xF) + ".*";
			for (int i = 0; i < 4; i++)
				append(to_sign,
				       std::span(reinterpret_cast<const uint8_t *>(prefix.data()), prefix.size()));
			to_sign.insert(to_sign.end(), 36 - context.size(), 0);
			append(to_sign, std::span(reinterpret_cast<const uint8_t *>(context.data()), context.size()));
			append(to_sign, digest(hash, transcript));
		} else {
			to_sign.assign(transcript.begin(), transcript.end());
		}
		Bytes sig = spdm_sign(*keys.at(slot), id.asym, hash, to_sign, rng);
		if (take(faults.bad_signature))
			sig[sig.size() / 2] ^= 0x01;
		return sig;
	}

	// raw_requested: GET_MEASUREMENTS RawBitStreamRequested (1.2+): the
	// measurement's raw value instead of its digest, where devsim has it
	// (it has every one); the summary hashes always use the plain blocks.
	Bytes meas_block(const Measurement &m, bool raw_requested = false) const
	{
		bool raw = m.raw || raw_requested;
		Bytes value = raw ? m.data : digest(hash, m.data);
		Bytes b{m.index, 0x01};
		put16(b, uint32_t(3 + value.size()));
		b.push_back(uint8_t((m.type & 0x7F) | (raw ? 0x80 : 0)));
		put16(b, uint32_t(value.size()));
		append(b, value);
		return b;
	}

	Bytes summary_hash(uint8_t type) const
	{
		Bytes all;
		for (auto &m : cfg.measurements) {
			if (type == 1 && !m.tcb)
				continue;
			// Whole measurement blocks, for every version (as libspdm does).
			append(all, meas_block(m));
		}
		return digest(hash, all);
	}

	// --- request handlers -------------------------------------------------

	Bytes get_version(std::span<const uint8_t> req)
	{
		if (req[0] != 0x10)
			return Bytes{0x10, code::ERROR, SPDM_ERR_VERSION_MISMATCH, 0};
		reset();
		offered.clear();
		for (uint8_t v : cfg.versions)
			if (faults.offer_versions.empty() ||
			    std::find(faults.offer_versions.begin(), faults.offer_versions.end(), v) !=
				    faults.offer_versions.end())
				offered.push_back(v);
		Bytes rsp{0x10, code::VERSION, 0, 0, 0, uint8_t(offered.size())};
		for (uint8_t v : offered)
			put16(rsp, uint32_t(v) << 8);
		append(msg_a, req.first(4));
		append(msg_a, rsp);
		state = State::AfterVersion;
		return rsp;
	}

	// Requester capability flags that DSP0274 makes illegal together (1.3
	// Table 13, "Flag fields definitions for the Requester", and the
	// paragraph after Table 14: "If a Responder detects an illegal
	// capability flag combination reported by the Requester, it shall issue
	// an ERROR message of ErrorCode=InvalidRequest").  Bits: CERT 1, CHAL 2,
	// ENCRYPT 6, MAC 7, MUT_AUTH 8, KEY_EX 9, PSK 11:10, ENCAP 12, HBEAT 13,
	// KEY_UPD 14, HANDSHAKE_IN_THE_CLEAR 15, PUB_KEY_ID 16, EP_INFO 23:22
	// (1.3), EVENT 25 (1.3), MULTI_KEY 27:26 (1.3).  Requester bits 5:3
	// (where a Responder has MEAS_CAP) are reserved: ignored.
	static const char *illegal_requester_flags(uint32_t f, uint8_t v)
	{
		auto bit = [&](unsigned b) { return (f >> b) & 1u; };
		unsigned cert = bit(1), chal = bit(2), encrypt = bit(6), mac = bit(7), mut = bit(8), key_ex = bit(9),
			 psk = (f >> 10) & 3, encap = bit(12), hbeat = bit(13), key_upd = bit(14), clear = bit(15),
			 pub_key = bit(16), ep_info = (f >> 22) & 3, event = bit(25), multi_key = (f >> 26) & 3;
		if (v < 0x11)
			return nullptr; // 1.0 requests carry no flags
		if (psk >= 2)
			return "PSK_CAP 10b/11b is reserved for a Requester";
		// KEY_EX_CAP / PSK_CAP: "If set, ENCRYPT_CAP or MAC_CAP shall be set".
		if ((key_ex || psk) && !encrypt && !mac)
			return "KEY_EX_CAP or PSK_CAP without ENCRYPT_CAP or MAC_CAP";
		// Without a session-secrets exchange there is no session to encrypt,
		// authenticate, heartbeat or update keys in.
		if (!key_ex && !psk && (encrypt || mac || clear || hbeat || key_upd || (v >= 0x13 && event)))
			return "a session capability without KEY_EX_CAP or PSK_CAP";
		// HANDSHAKE_IN_THE_CLEAR_CAP: zero with PSK_CAP=01b and KEY_EX_CAP=0.
		if (!key_ex && psk == 1 && clear)
			return "HANDSHAKE_IN_THE_CLEAR_CAP with PSK_CAP but no KEY_EX_CAP";
		// PUB_KEY_ID_CAP: "In this case, the CERT_CAP ... shall be 0".
		if (cert && pub_key)
			return "CERT_CAP and PUB_KEY_ID_CAP together";
		if (cert || pub_key) {
			// a key with nothing to use it for (libspdm's reading; 1.3 adds
			// signed ENDPOINT_INFO, EP_INFO_CAP=10b, as a use)
			if (!chal && !key_ex && !(v >= 0x13 && ep_info == 2))
				return "CERT_CAP/PUB_KEY_ID_CAP without CHAL_CAP or KEY_EX_CAP";
		} else if (chal || mut || (v >= 0x13 && ep_info == 2)) {
			return "CHAL_CAP, MUT_AUTH_CAP or a signed EP_INFO_CAP without CERT_CAP or PUB_KEY_ID_CAP";
		}
		if (mut && !key_ex && !chal)
			return "MUT_AUTH_CAP without KEY_EX_CAP or CHAL_CAP";
		// 1.1 only: mutual authentication ran over encapsulated requests.
		if (v == 0x11 && mut && !encap)
			return "MUT_AUTH_CAP without ENCAP_CAP (1.1)";
		if (v >= 0x13) {
			if (ep_info == 3 || multi_key == 3)
				return "EP_INFO_CAP or MULTI_KEY_CAP 11b is reserved";
			// PUB_KEY_ID_CAP: "the CERT_CAP and MULTI_KEY_CAP of the Requester shall be 0"
			if (multi_key && pub_key)
				return "MULTI_KEY_CAP with PUB_KEY_ID_CAP";
		}
		return nullptr;
	}

	Bytes get_capabilities(std::span<const uint8_t> req)
	{
		if (state != State::AfterVersion)
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		uint8_t v = req[0];
		// Not a version the last VERSION listed: VersionMismatch, in 1.0
		// (nothing is negotiated yet).
		if (std::find(offered.begin(), offered.end(), v) == offered.end())
			return error(SPDM_ERR_VERSION_MISMATCH);
		// From here the Requester has selected v ("The selected version
		// shall be the version in the SPDMVersion field of the Request
		// immediately following the GET_VERSION", DSP0274 GET_VERSION
		// clause): ERRORs are in v, and a refused request leaves the state
		// AfterVersion, so the Requester may retry.
		auto invalid = [&] { return Bytes{v, code::ERROR, SPDM_ERR_INVALID_REQUEST, 0}; };
		size_t len = v == 0x10 ? 4 : v == 0x11 ? 12 : 20;
		if (req.size() < len)
			return invalid();
		uint32_t flags = v >= 0x11 ? get32(req, 8) : 0;
		if (v >= 0x11) {
			// CTExponent: CT = 2^CTExponent us.  DSP0274 gives no upper bound in
			// Table 11; devsim takes libspdm's (31: CT of about 36 minutes), since a
			// larger exponent overflows any 32-bit microsecond timer.
			if (req[5] > 31)
				return invalid();
			if (illegal_requester_flags(flags, v))
				return invalid();
		}
		if (v >= 0x12) {
			uint32_t dts = get32(req, 12), max = get32(req, 16);
			// MinDataTransferSize is 42; MaxSPDMmsgSize >= DataTransferSize,
			// and without CHUNK_CAP (bit 17) equal to it (Table 11).
			if (dts < 42 || max < dts || (!(flags & chunk::CAP) && max != dts))
				return invalid();
		}
		// 1.3 Param1 bit 0 (Supported Algorithms extended capability): "If the
		// Requester does not support the Large SPDM message transfer mechanism
		// (CHUNK_CAP=0), this bit shall be 0", and with it set "the Responder
		// [without] CHUNK_CAP ... shall send an ERROR message of
		// ErrorCode=InvalidRequest" (Table 11 and the text before it).  devsim
		// does not offer the extended capability: Param1 of CAPABILITIES stays 0.
		if (v >= 0x13 && (req[2] & 1) && (!(flags & chunk::CAP) || !cfg.chunk_cap))
			return invalid();
		req_flags = flags;
		if (v >= 0x12) {
			req_dts = get32(req, 12);
			req_max = get32(req, 16);
		}
		uint32_t rflags = 0;
		if (cfg.cert_cap)
			rflags |= 1u << 1;
		if (cfg.chal_cap)
			rflags |= 1u << 2;
		if (cfg.meas_cap)
			rflags |= (cfg.meas_sig ? 2u : 1u) << 3;
		if (v >= 0x12 && cfg.chunk_cap && faults.chunk_lie != "no-cap")
			rflags |= chunk::CAP;
		if (v >= 0x11 && cfg.sessions) {
			rflags |= kMacCap | kKeyExCap | kHbeatCap | kKeyUpdCap;
			if (!cfg.session_mac_only)
				rflags |= kEncryptCap;
			if (cfg.handshake_in_clear)
				rflags |= kInClearCap;
		}
		Bytes rsp{v, code::CAPABILITIES, 0, 0, 0, cfg.ct_exponent, 0, 0};
		put32(rsp, rflags);
		if (v >= 0x12) {
			put32(rsp, cfg.dts());
			put32(rsp, cfg.max_msg());
		}
		version = v;
		append(msg_a, req.first(len));
		append(msg_a, rsp);
		state = State::AfterCaps;
		return rsp;
	}

	Bytes negotiate_algorithms(std::span<const uint8_t> req)
	{
		if (state != State::AfterCaps)
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		if (req.size() < 32)
			return error(SPDM_ERR_INVALID_REQUEST);
		// Length: the whole request, at most 128 bytes (1.1+, Table 15); 1.0
		// allows 64.  Extended algorithms: ExtAsymCount + ExtHashCount (+ the
		// ExtAlgCounts of the structures, 1.1+) at most 20; 1.0: 8.
		size_t length = get16(req, 4);
		size_t max_len = version == 0x10 ? 64 : 128, max_ext = version == 0x10 ? 8 : 20;
		if (length < 32 || length > req.size() || length > max_len)
			return error(SPDM_ERR_INVALID_REQUEST);
		size_t ext = size_t(req[28]) + req[29];
		size_t off = 32 + 4 * ext;
		std::vector<uint8_t> struct_types;
		// ReqAlgStruct (1.1+; in 1.0 Param1 is reserved: no structures).
		// "AlgType shall monotonically increase for subsequent entries", so
		// out of order and repeated types are both invalid; types are DHE 2,
		// AEAD 3, ReqBaseAsymAlg 4, KeySchedule 5 and, in 1.4 (libspdm's
		// reading: ReqPqcAsymAlg 6, KEM 7), others reserved.  AlgCount bits
		// 7:4 (FixedAlgCount) shall be 2 for each of them.
		unsigned nstruct = version >= 0x11 ? req[2] : 0;
		uint8_t max_type = version >= 0x14 ? 7 : 5;
		for (unsigned i = 0; i < nstruct; i++) {
			if (off + 4 > length)
				return error(SPDM_ERR_INVALID_REQUEST);
			uint8_t type = req[off], cnt = req[off + 1];
			if (type < 2 || type > max_type)
				return error(SPDM_ERR_INVALID_REQUEST);
			if (!struct_types.empty() && type <= struct_types.back())
				return error(SPDM_ERR_INVALID_REQUEST);
			if ((cnt >> 4) != 2)
				return error(SPDM_ERR_INVALID_REQUEST);
			struct_types.push_back(type);
			ext += cnt & 0xF;
			off += 2 + 2 + 4 * size_t(cnt & 0xF);
		}
		if (ext > max_ext || off != length)
			return error(SPDM_ERR_INVALID_REQUEST);
		uint32_t base_asym = get32(req, 8), base_hash = get32(req, 12);
		uint32_t asym = base_asym & asym_bit(id.asym) & (faults.offer_asym ? faults.offer_asym : ~0u);
		auto h = hash_from_bits(base_hash & cfg.hash_algos & (faults.offer_hash ? faults.offer_hash : ~0u),
					id.hash);
		bool need_asym = cfg.cert_cap || cfg.chal_cap || (cfg.meas_cap && cfg.meas_sig);
		if (!h || (need_asym && !asym))
			return error(SPDM_ERR_INVALID_REQUEST);
		hash = *h;
		hash_sel = hash_bit(hash);
		asym_sel = asym;
		if (cfg.meas_cap && (req[6] & 1)) {
			meas_spec_sel = 1;
			meas_hash_sel = hash_bit(hash) << 1; // MeasurementHashAlgo: SHA-256 is bit 1
		}
		uint8_t other = version >= 0x12 ? uint8_t(req[7] & 0x02) : 0;
		// Session algorithms (AlgType 2 DHE, 3 AEAD, 5 KeySchedule) when
		// both sides can exchange keys; ReqBaseAsymAlg (4) stays 0: no
		// mutual authentication.
		std::vector<uint16_t> sel(struct_types.size(), 0);
		if (cfg.sessions && (req_flags & kKeyExCap)) {
			size_t at = 32 + 4 * (size_t(req[28]) + req[29]);
			for (size_t i = 0; i < struct_types.size(); i++) {
				uint16_t offer = uint16_t(get16(req, at + 2));
				auto pick = [&](uint16_t mine, std::initializer_list<uint16_t> order) -> uint16_t {
					for (uint16_t b : order)
						if (offer & mine & b)
							return b;
					return 0;
				};
				if (struct_types[i] == 2)
					sel[i] = dhe_sel = pick(cfg.dhe_algos, {0x10, 0x08});
				else if (struct_types[i] == 3)
					sel[i] = aead_sel = pick(cfg.aead_algos, {0x02, 0x01, 0x04});
				else if (struct_types[i] == 5)
					sel[i] = ks_sel = pick(sess::kKeyScheduleSpdm, {sess::kKeyScheduleSpdm});
				at += 4 + 4 * size_t(req[at + 1] & 0xF);
			}
		}
		other_sel = other;
		Bytes rsp{version, code::ALGORITHMS, uint8_t(struct_types.size()), 0};
		put16(rsp, uint32_t(36 + 4 * struct_types.size()));
		rsp.push_back(meas_spec_sel);
		rsp.push_back(other);
		put32(rsp, meas_hash_sel);
		put32(rsp, asym_sel);
		put32(rsp, hash_sel);
		rsp.insert(rsp.end(), 16, 0); // reserved, MEL, ext counts, reserved
		for (size_t i = 0; i < struct_types.size(); i++)
			append(rsp, Bytes{struct_types[i], 0x20, uint8_t(sel[i]), uint8_t(sel[i] >> 8)});
		append(msg_a, req.first(length));
		append(msg_a, rsp);
		state = State::Negotiated;
		return rsp;
	}

	Bytes get_digests(std::span<const uint8_t> req)
	{
		if (!cfg.cert_cap)
			return error(SPDM_ERR_UNSUPPORTED_REQUEST, code::GET_DIGESTS);
		Bytes rsp{version, code::DIGESTS, uint8_t(version >= 0x13 ? slot_mask() : 0), slot_mask()};
		for (unsigned s = 0; s < nslots(); s++)
			append(rsp, digest(hash, chain(s)));
		if (rsp.size() > max_message())
			return too_large(rsp.size());
		return add_to_msg_b(req.first(4), std::move(rsp));
	}

	// Message B of the transcript: the request (its fixed part) and rsp;
	// ERROR Unspecified instead when the transcript would overflow.
	Bytes add_to_msg_b(std::span<const uint8_t> req, Bytes rsp)
	{
		if (!fits(msg_b, req.size() + rsp.size()))
			return error(SPDM_ERR_UNSPECIFIED);
		append(msg_b, req);
		append(msg_b, rsp);
		return rsp;
	}

	Bytes get_certificate(std::span<const uint8_t> req)
	{
		if (!cfg.cert_cap)
			return error(SPDM_ERR_UNSUPPORTED_REQUEST, code::GET_CERTIFICATE);
		if (req.size() < 8)
			return error(SPDM_ERR_INVALID_REQUEST);
		unsigned slot = req[2] & 0xF;
		if (slot >= nslots())
			return error(SPDM_ERR_INVALID_REQUEST);
		size_t offset = get16(req, 4), length = get16(req, 6);
		Bytes c = chain(slot);
		size_t portion, remainder;
		if (version >= 0x13 && (req[3] & 1)) { // SlotSizeRequested
			portion = 0;
			remainder = c.size();
			offset = 0;
		} else {
			if (offset >= c.size())
				return error(SPDM_ERR_INVALID_REQUEST);
			size_t limit = max_message() - 8;
			if (cfg.max_chunk)
				limit = std::min<size_t>(limit, cfg.max_chunk);
			if (faults.cert_portion)
				limit = std::min<size_t>(limit, faults.cert_portion);
			portion = std::min({length, limit, c.size() - offset});
			remainder = c.size() - offset - portion;
			if (take(faults.cert_stall))
				portion = 0, remainder = c.size() - offset; // no progress
			else if (offset > 0 && portion && take(faults.cert_remainder_lie))
				remainder += portion; // as before this portion: for the 2nd response, the 1st's value
		}
		Bytes rsp{version, code::CERTIFICATE, uint8_t(slot), 0};
		put16(rsp, uint32_t(portion));
		put16(rsp, uint32_t(remainder));
		rsp.insert(rsp.end(), c.begin() + offset, c.begin() + offset + portion);
		return add_to_msg_b(req.first(8), std::move(rsp));
	}

	Bytes challenge(std::span<const uint8_t> req)
	{
		if (!cfg.chal_cap)
			return error(SPDM_ERR_UNSUPPORTED_REQUEST, code::CHALLENGE);
		size_t len = 4 + kNonce + (version >= 0x13 ? kReqCtx : 0);
		if (req.size() < len)
			return error(SPDM_ERR_INVALID_REQUEST);
		unsigned slot = req[2];
		uint8_t mtype = req[3];
		if (slot >= nslots())
			return error(SPDM_ERR_INVALID_REQUEST);
		if (mtype != 0 && mtype != 1 && mtype != 0xFF)
			return error(SPDM_ERR_INVALID_REQUEST);
		if (mtype != 0 && !cfg.meas_cap)
			return error(SPDM_ERR_INVALID_REQUEST);
		Bytes rsp{version, code::CHALLENGE_AUTH, uint8_t(slot), uint8_t(1u << slot)};
		append(rsp, digest(hash, chain(slot)));
		append(rsp, rng.bytes(kNonce));
		if (mtype)
			append(rsp, summary_hash(mtype));
		put16(rsp, 0); // OpaqueDataLength
		if (version >= 0x13)
			append(rsp, req.subspan(4 + kNonce, kReqCtx));
		if (rsp.size() + signature_size(id.asym) > max_message())
			return too_large(rsp.size() + signature_size(id.asym));
		Bytes m = msg_a;
		append(m, msg_b);
		append(m, req.first(len));
		append(m, rsp);
		append(rsp, sign(slot, m, "responder-challenge_auth signing"));
		msg_b.clear();
		return rsp;
	}

	Bytes get_measurements(std::span<const uint8_t> req)
	{
		auto fail = [&](uint8_t code, uint8_t data = 0) {
			msg_m.clear();
			return error(code, data);
		};
		if (!cfg.meas_cap)
			return fail(SPDM_ERR_UNSUPPORTED_REQUEST, code::GET_MEASUREMENTS);
		if (!meas_spec_sel)
			return fail(SPDM_ERR_UNEXPECTED_REQUEST);
		// Param1: bit 0 SignatureRequested; bit 1 RawBitStreamRequested (1.2+,
		// reserved before: ignored); 1.3 bit 2 NewMeasurementRequested: devsim
		// has no pending measurement, so it answers the current ones.
		bool sig = req[2] & 1;
		bool raw_req = version >= 0x12 && (req[2] & 2);
		size_t len = 4;
		if (sig)
			len += kNonce + (version >= 0x11 ? 1 : 0);
		if (version >= 0x13)
			len += kReqCtx;
		if (req.size() < len)
			return fail(SPDM_ERR_INVALID_REQUEST);
		if (sig && !cfg.meas_sig)
			return fail(SPDM_ERR_INVALID_REQUEST);
		unsigned slot = 0;
		if (sig && version >= 0x11) {
			slot = req[4 + kNonce] & 0xF;
			if (slot >= nslots())
				return fail(SPDM_ERR_INVALID_REQUEST);
		}
		msg_b.clear(); // the requester skipped CHALLENGE: M1/M2 start over
		uint8_t idx = req[3];
		Bytes record;
		uint8_t nblocks = 0, param1 = 0;
		if (idx == 0) {
			param1 = uint8_t(cfg.measurements.size());
		} else {
			for (auto &m : cfg.measurements)
				if (idx == 0xFF || m.index == idx) {
					append(record, meas_block(m, raw_req));
					nblocks++;
				}
			if (!nblocks)
				return fail(SPDM_ERR_INVALID_REQUEST);
		}
		Bytes rsp{version, code::MEASUREMENTS, param1, uint8_t(sig && version >= 0x11 ? slot : 0), nblocks};
		put24(rsp, uint32_t(record.size()));
		append(rsp, record);
		append(rsp, rng.bytes(kNonce));
		put16(rsp, 0); // OpaqueDataLength
		if (version >= 0x13)
			append(rsp, req.subspan(len - kReqCtx, kReqCtx));
		if (size_t n = rsp.size() + (sig ? signature_size(id.asym) : 0); n > max_message()) {
			msg_m.clear();
			return too_large(n);
		}
		if (!fits(msg_m, len + rsp.size()))
			return fail(SPDM_ERR_UNSPECIFIED);
		append(msg_m, req.first(len));
		append(msg_m, rsp);
		if (sig) {
			Bytes l = version >= 0x12 ? msg_a : Bytes{};
			append(l, msg_m);
			msg_m.clear();
			append(rsp, sign(slot, l, "responder-measurements signing"));
		}
		return rsp;
	}

	Bytes dispatch(std::span<const uint8_t> req)
	{
		if (req.size() < 4)
			return error(SPDM_ERR_INVALID_REQUEST);
		uint8_t c = req[1];
		if (c != code::GET_MEASUREMENTS)
			msg_m.clear();
		if (c == code::GET_VERSION)
			return get_version(req);
		if (!(c & 0x80))
			return error(SPDM_ERR_INVALID_REQUEST);
		if (state == State::Idle)
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		switch (c) {
		case code::GET_CAPABILITIES:
			return get_capabilities(req);
		case code::NEGOTIATE_ALGORITHMS:
		case code::GET_DIGESTS:
		case code::GET_CERTIFICATE:
		case code::CHALLENGE:
		case code::GET_MEASUREMENTS:
			break;
		case code::KEY_EXCHANGE:
		case code::FINISH:
		case code::HEARTBEAT:
		case code::KEY_UPDATE:
		case code::END_SESSION:
			if (cfg.sessions && version >= 0x11)
				break;
			return error(SPDM_ERR_UNSUPPORTED_REQUEST, c);
		default:
			return error(SPDM_ERR_UNSUPPORTED_REQUEST, c);
		}
		if (state == State::AfterVersion)
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		if (req[0] != version)
			return error(SPDM_ERR_VERSION_MISMATCH);
		if (c == code::NEGOTIATE_ALGORITHMS)
			return negotiate_algorithms(req);
		if (state != State::Negotiated)
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		switch (c) {
		case code::GET_DIGESTS:
			return get_digests(req);
		case code::GET_CERTIFICATE:
			return get_certificate(req);
		case code::CHALLENGE:
			return challenge(req);
		case code::KEY_EXCHANGE:
			return key_exchange(req);
		case code::FINISH:
			return finish_in_clear(req);
		case code::HEARTBEAT:
		case code::KEY_UPDATE:
		case code::END_SESSION:
			// only inside a session: 1.2 has an ERROR for that
			return error(version >= 0x12 ? SPDM_ERR_SESSION_REQUIRED : SPDM_ERR_UNEXPECTED_REQUEST);
		default:
			return get_measurements(req);
		}
	}

	// A response too large for one message, with chunking: LargeResponse.
	Bytes maybe_large(Bytes rsp, size_t overhead = 0)
	{
		if (chunking() && rsp.size() + overhead > max_response())
			return large.start_response(version, std::move(rsp));
		return rsp;
	}

	// CHUNK_GET and CHUNK_SEND; every other request ends a transfer.
	Bytes large_dispatch(std::span<const uint8_t> req)
	{
		if (req.size() < 4 || (req[1] != chunk::CHUNK_GET && req[1] != chunk::CHUNK_SEND)) {
			large.reset();
			return maybe_large(dispatch(req));
		}
		if (!cfg.chunk_cap)
			return error(SPDM_ERR_UNSUPPORTED_REQUEST, req[1]);
		if (state != State::Negotiated || !chunking())
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		if (req[0] != version)
			return error(SPDM_ERR_VERSION_MISMATCH);
		if (req[1] == chunk::CHUNK_GET)
			return large.chunk_get(version, req, max_response(), faults.chunk_lie, req_dts, req_max);
		auto sent = large.chunk_send(version, req, cfg.dts(), cfg.max_msg());
		if (!sent.request)
			return sent.reply;
		// the reassembled request, as if it had come in one message; its
		// response rides in the last CHUNK_SEND_ACK (6 bytes of header)
		Bytes rsp = maybe_large(dispatch(*sent.request), 6);
		return LargeTransfer::send_ack(version, sent.handle, sent.seq, rsp);
	}

	// ResponseNotReady (DSP0274 ERROR, ExtendedErrorData RDTExponent,
	// RequestCode, Token, RDTM).  The deferred request is kept and
	// processed, as libspdm does, when RESPOND_IF_READY asks for it.
	Bytes pending; // deferred request, empty = none
	uint8_t pending_token = 0, next_token = 0;
	Responder::ReadyStats ready;

	Bytes not_ready()
	{
		ready.not_ready++;
		ready.last_token = pending_token;
		Bytes ext{faults.not_ready_exp, pending[1], pending_token, faults.not_ready_rdtm};
		return error_ext(SPDM_ERR_RESPONSE_NOT_READY, 0, ext);
	}

	static bool deferrable(uint8_t c)
	{
		return c == code::GET_DIGESTS || c == code::GET_CERTIFICATE || c == code::CHALLENGE ||
		       c == code::GET_MEASUREMENTS;
	}

	Bytes respond_if_ready(std::span<const uint8_t> req)
	{
		ready.respond_if_ready++;
		if (pending.empty() || state != State::Negotiated)
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		if (req[0] != version)
			return error(SPDM_ERR_VERSION_MISMATCH);
		// Param1 = the original request code, Param2 = its token.
		if (req[2] != pending[1] || req[3] != pending_token)
			return error(SPDM_ERR_INVALID_REQUEST);
		ready.rir_matched++;
		if (take(faults.not_ready))
			return not_ready();
		Bytes r = std::move(pending);
		pending.clear();
		return maybe_large(dispatch(r));
	}

	// --- sessions (DSP0274 1.1+ KEY_EXCHANGE ... END_SESSION, DSP0277) ----

	struct Session {
		uint16_t req_id = 0, rsp_id = 0;
		bool established = false, encrypt = true, in_clear = false;
		unsigned slot = 0;
		uint8_t sm_version = 0x11; // DSP0277 version selected in KEY_EXCHANGE_RSP
		sess::KeySchedule ks;
		Bytes th;                    // A || Hash(chain) || K (|| F): the session transcript
		Bytes last_record;           // the last secured response (replay-seq fault)
		bool update_pending = false; // VerifyNewKey expected
		// KEY_UPDATE (UpdateKey / UpdateAllKeys) until VerifyNewKey: both
		// directions' keys as they were before it (the request key just
		// after the KEY_UPDATE itself), its KeyOperation and Tag, so that a
		// KEY_UPDATE whose ACK was lost can be retried with the old key
		// (DSP0274 "KEY_UPDATE request and KEY_UPDATE_ACK response").
		struct Backup {
			bool valid = false;
			sess::Keys req, rsp;
			uint8_t op = 0, tag = 0;
		} backup;
		uint64_t heartbeats = 0, key_updates = 0, key_update_retries = 0, messages = 0;
		uint32_t id() const { return req_id | uint32_t(rsp_id) << 16; }
		static void wipe(sess::Keys &k)
		{
			for (Bytes *b : {&k.secret, &k.key, &k.iv})
				mbedtls_platform_zeroize(b->data(), b->size());
		}
		void drop_backup()
		{
			wipe(backup.req);
			wipe(backup.rsp);
			backup = Backup{};
		}
		~Session()
		{
			for (Bytes *b : {&ks.handshake_secret, &ks.master_secret, &ks.req_finished_key, &ks.rsp_finished_key})
				mbedtls_platform_zeroize(b->data(), b->size());
			for (sess::Keys *k : {&ks.req_hs, &ks.rsp_hs, &ks.req_data, &ks.rsp_data})
				wipe(*k);
			drop_backup();
		}
		sess::Keys &rx() { return established ? ks.req_data : ks.req_hs; }
		sess::Keys &tx() { return established ? ks.rsp_data : ks.rsp_hs; }
	};

	Session *find_session(uint32_t id)
	{
		for (auto &s : sessions)
			if (s->id() == id)
				return s.get();
		return nullptr;
	}
	void end_session(const Session *s)
	{
		std::erase_if(sessions, [&](auto &p) { return p.get() == s; });
	}

	// Secured message versions (DSP0277) devsim speaks, as SPDM version
	// bytes (major << 4 | minor): 1.0 and 1.1 (the same record format).
	static constexpr uint8_t kSmVersions[] = {0x10, 0x11};

	// OpaqueData of KEY_EXCHANGE / KEY_EXCHANGE_RSP.  1.2+ with
	// OpaqueDataFmt1: the general opaque data format of DSP0274 (TotalElements,
	// Reserved(3)); otherwise DSP0277's own table (SpecID "DMTF",
	// OpaqueVersion 1, TotalElements, Reserved(2)).  Each element: ID,
	// VendorLen, VendorID (VendorLen bytes), OpaqueElementDataLen (2), data,
	// AlignPadding to a multiple of 4.  The DMTF element (ID 0, VendorLen 0)
	// carries SMDataVersion 1, SMDataID (0: version selection, 1: supported
	// version list) and its data.
	bool opaque_fmt1() const { return version >= 0x12 && (other_sel & 0x02); }

	// The requester's SupportedVersionList from KEY_EXCHANGE's OpaqueData:
	// the highest secured message version both sides have, 0 when the
	// OpaqueData is malformed (every length checked), holds no list, more
	// than one, or nothing in common.  Elements of other registries or
	// vendors are skipped.
	uint8_t select_sm_version(std::span<const uint8_t> o) const
	{
		size_t n, count;
		if (opaque_fmt1()) {
			if (o.size() < 4 || o[1] || o[2] || o[3])
				return 0;
			count = o[0];
			n = 4;
		} else {
			if (o.size() < 8 || get32(o, 0) != 0x444D5446 || o[4] != 1 || o[6] || o[7])
				return 0;
			count = o[5];
			n = 8;
		}
		std::optional<std::span<const uint8_t>> list;
		for (size_t e = 0; e < count; e++) {
			if (o.size() - n < 2)
				return 0;
			uint8_t eid = o[n], vlen = o[n + 1];
			size_t start = n;
			n += 2;
			if (o.size() - n < size_t(vlen) + 2)
				return 0;
			n += vlen;
			size_t dlen = get16(o, n);
			n += 2;
			if (o.size() - n < dlen)
				return 0;
			auto data = o.subspan(n, dlen);
			n += dlen;
			while ((n - start) % 4) {
				if (n >= o.size() || o[n])
					return 0;
				n++;
			}
			if (eid != 0 || vlen != 0)
				continue; // another registry's element
			if (dlen < 2 || data[0] != 1)
				return 0;
			if (data[1] != 1)
				continue; // a DMTF element of another kind
			if (list)
				return 0; // two lists
			list = data;
		}
		if (n != o.size() || !list)
			return 0;
		auto l = *list;
		if (l.size() < 3 || l[2] == 0 || l.size() != 3 + 2 * size_t(l[2]))
			return 0;
		uint8_t best = 0;
		for (size_t i = 0; i < l[2]; i++) {
			uint8_t v = l[3 + 2 * i + 1]; // VersionNumberEntry: major:minor in bits 15:8
			for (uint8_t ours : kSmVersions)
				if (v == ours && v > best)
					best = v;
		}
		return best;
	}

	// KEY_EXCHANGE_RSP's OpaqueData: the DMTF element with the version
	// selection (SMDataID 0, SelectedVersion).
	Bytes version_selection(uint8_t sm_version) const
	{
		Bytes o;
		uint8_t n = cfg.kex_rsp_vendor_element ? 2 : 1;
		if (opaque_fmt1())
			o = {n, 0, 0, 0};
		else
			o = {0x46, 0x54, 0x4D, 0x44, 1, n, 0, 0};
		if (cfg.kex_rsp_vendor_element) // ID 3 (PCI-SIG), VendorID 0x1b36, 3 bytes, AlignPadding
			append(o, Bytes{3, 2, 0x36, 0x1b, 3, 0, 0xAA, 0xBB, 0xCC, 0, 0, 0});
		append(o, Bytes{0, 0, 4, 0, 1, 0, 0x00, sm_version});
		return o;
	}

	Bytes key_exchange(std::span<const uint8_t> req)
	{
		if (!(req_flags & kKeyExCap) || !dhe_sel || !aead_sel || !ks_sel)
			return error(SPDM_ERR_UNEXPECTED_REQUEST); // no session was negotiated
		auto dhe = sess::Dhe(dhe_sel);
		size_t d = sess::dhe_size(dhe);
		// Header, ReqSessionID, SessionPolicy + Reserved (1.1: Reserved(2)),
		// RandomData(32), ExchangeData(D), OpaqueDataLength(2), OpaqueData.
		size_t fixed = 4 + 2 + 2 + 32 + d + 2;
		if (req.size() < fixed)
			return error(SPDM_ERR_INVALID_REQUEST);
		size_t olen = get16(req, fixed - 2);
		if (olen > 1024 || req.size() < fixed + olen)
			return error(SPDM_ERR_INVALID_REQUEST);
		size_t len = fixed + olen;
		uint8_t mtype = req[2];
		unsigned slot = req[3];
		if (slot >= nslots()) // 0xFF (a provisioned public key) included: devsim has certificates
			return error(SPDM_ERR_INVALID_REQUEST);
		if ((mtype != 0 && mtype != 1 && mtype != 0xFF) || (mtype && !cfg.meas_cap))
			return error(SPDM_ERR_INVALID_REQUEST);
		// DSP0277: the secured message version is selected from the
		// requester's SupportedVersionList; without one, a malformed one or
		// none in common the request is invalid (libspdm answers these
		// with InvalidRequest as well).
		uint8_t sm_version = select_sm_version(req.subspan(fixed, olen));
		if (!sm_version)
			return error(SPDM_ERR_INVALID_REQUEST);
		if (sessions.size() >= cfg.max_sessions)
			return error(SPDM_ERR_SESSION_LIMIT_EXCEEDED);
		Bytes priv = sess::ecdh_generate(dhe, rng.bytes(d / 2 + 16));
		auto shared = sess::ecdh_shared(dhe, priv, req.subspan(40, d));
		if (!shared) {
			mbedtls_platform_zeroize(priv.data(), priv.size());
			return error(SPDM_ERR_INVALID_REQUEST); // not a point on the curve
		}
		auto s = std::make_unique<Session>();
		s->req_id = uint16_t(get16(req, 4));
		do {
			s->rsp_id = next_rsp_id--;
			if (!next_rsp_id)
				next_rsp_id = 0xFFFF;
		} while (find_session(s->id()));
		s->slot = slot;
		s->encrypt = (req_flags & kEncryptCap) && !cfg.session_mac_only;
		s->in_clear = cfg.handshake_in_clear && (req_flags & kInClearCap);
		s->ks.hash = hash;
		s->ks.aead = sess::Aead(aead_sel);
		s->ks.version = version;
		s->sm_version = sm_version;
		uint8_t hb = (req_flags & kHbeatCap) ? cfg.heartbeat_period : 0;
		Bytes rsp{version, code::KEY_EXCHANGE_RSP, hb, 0};
		put16(rsp, s->rsp_id);
		rsp.push_back(0); // MutAuthRequested
		rsp.push_back(0); // ReqSlotIDParam
		append(rsp, rng.bytes(32));
		append(rsp, sess::ecdh_public(dhe, priv));
		mbedtls_platform_zeroize(priv.data(), priv.size());
		if (mtype)
			append(rsp, summary_hash(mtype));
		Bytes opaque = version_selection(sm_version);
		put16(rsp, uint32_t(opaque.size()));
		append(rsp, opaque);
		size_t total = rsp.size() + signature_size(id.asym) + (s->in_clear ? 0 : hash_size(hash));
		if (total > max_message()) {
			mbedtls_platform_zeroize(shared->data(), shared->size());
			return too_large(total);
		}
		// TH = A || Hash(certificate chain, SPDM format) || KEY_EXCHANGE || KEY_EXCHANGE_RSP
		s->th = msg_a;
		append(s->th, digest(hash, chain(slot)));
		append(s->th, req.first(len));
		append(s->th, rsp);
		Bytes sig = sign(slot, s->th, "responder-key_exchange_rsp signing");
		if (take(faults.bad_kex_signature))
			sig[sig.size() / 2] ^= 0x01;
		append(rsp, sig);
		append(s->th, sig);
		s->ks.handshake(*shared, digest(hash, s->th)); // TH1
		mbedtls_platform_zeroize(shared->data(), shared->size());
		if (!s->in_clear) {
			Bytes verify = sess::hmac(hash, s->ks.rsp_finished_key, digest(hash, s->th));
			if (take(faults.bad_verify_data))
				verify[0] ^= 0x01;
			append(rsp, verify);
			append(s->th, verify);
		}
		sessions.push_back(std::move(s));
		return rsp;
	}

	// FINISH (no mutual authentication: Param1 bit 0 clear, no signature).
	// The transcript gets FINISH || FINISH_RSP; TH2 = Hash(of it all).
	Bytes finish(Session &s, std::span<const uint8_t> req)
	{
		size_t hl = hash_size(hash);
		if (s.established)
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		if (req.size() < 4 + hl || (req[2] & 1))
			return error(SPDM_ERR_INVALID_REQUEST);
		Bytes th = s.th;
		append(th, req.first(4));
		Bytes want = sess::hmac(hash, s.ks.req_finished_key, digest(hash, th));
		uint8_t diff = 0;
		for (size_t i = 0; i < hl; i++)
			diff |= uint8_t(want[i] ^ req[4 + i]);
		if (diff)
			return Bytes{}; // the caller answers DecryptError and ends the session
		append(s.th, req.first(4 + hl));
		Bytes rsp{version, code::FINISH_RSP, 0, 0};
		if (s.in_clear) {
			Bytes t = s.th;
			append(t, rsp);
			Bytes verify = sess::hmac(hash, s.ks.rsp_finished_key, digest(hash, t));
			if (take(faults.bad_verify_data))
				verify[0] ^= 0x01;
			append(rsp, verify);
		}
		append(s.th, rsp);
		return rsp;
	}

	// Handshake in the clear: FINISH arrives as a plain message for the
	// session in its handshake phase (the latest one).
	Bytes finish_in_clear(std::span<const uint8_t> req)
	{
		Session *s = nullptr;
		for (auto &p : sessions)
			if (!p->established && p->in_clear)
				s = p.get();
		if (!s)
			return error(SPDM_ERR_UNEXPECTED_REQUEST);
		Bytes rsp = finish(*s, req);
		if (rsp.empty()) {
			end_session(s);
			return error(SPDM_ERR_DECRYPT_ERROR);
		}
		if (rsp[1] == code::FINISH_RSP)
			establish(*s);
		return rsp;
	}

	void establish(Session &s)
	{
		s.ks.data(digest(hash, s.th)); // TH2
		s.established = true;
		s.th.clear();
	}

	// A request inside an established session.
	Bytes in_session(Session &s, std::span<const uint8_t> req)
	{
		uint8_t c = req[1];
		if (c != code::GET_MEASUREMENTS)
			msg_m.clear();
		switch (c) {
		case code::GET_VERSION:
		case code::GET_CAPABILITIES:
		case code::NEGOTIATE_ALGORITHMS:
		case code::GET_DIGESTS:
		case code::GET_CERTIFICATE:
		case code::CHALLENGE:
		case code::KEY_EXCHANGE:
		case code::FINISH:
		case code::RESPOND_IF_READY:
			return error(SPDM_ERR_UNEXPECTED_REQUEST); // not inside a session (here)
		default:
			break;
		}
		if (req[0] != version)
			return error(SPDM_ERR_VERSION_MISMATCH);
		switch (c) {
		case code::HEARTBEAT:
			s.heartbeats++;
			return Bytes{version, code::HEARTBEAT_ACK, 0, 0};
		case code::KEY_UPDATE: {
			uint8_t op = req[2];
			Bytes ack{version, code::KEY_UPDATE_ACK, op, req[3]};
			if (op == 1 || op == 2) {           // UpdateKey, UpdateAllKeys
				s.drop_backup();
				s.backup = Session::Backup{true, s.ks.req_data, s.ks.rsp_data, op, req[3]};
				s.ks.update(s.ks.req_data); // requests from the next one on
				if (op == 2)
					s.ks.update(s.ks.rsp_data); // this ACK already
				s.update_pending = true;
				s.key_updates++;
				return ack;
			}
			if (op == 3 && s.update_pending) { // VerifyNewKey: it came with the new key
				s.update_pending = false;
				s.drop_backup(); // the old key is no longer needed
				return ack;
			}
			return error(SPDM_ERR_INVALID_REQUEST);
		}
		case code::END_SESSION:
			return Bytes{version, code::END_SESSION_ACK, 0, 0};
		case code::GET_MEASUREMENTS:
			return get_measurements(req);
		default:
			return error(SPDM_ERR_UNSUPPORTED_REQUEST, c);
		}
	}

	Responder::SecuredReply handle_secured(std::span<const uint8_t> rec)
	{
		requests++;
		auto plain = [&](uint8_t code, std::span<const uint8_t> ext = {}) {
			return Responder::SecuredReply{error_ext(code, 0, ext), false};
		};
		if (!cfg.sessions || state != State::Negotiated || rec.size() < 6)
			return plain(SPDM_ERR_INVALID_REQUEST);
		uint32_t sid = get32(rec, 0);
		Session *s = find_session(sid);
		if (!s) {
			// InvalidSession (DSP0274 1.1), ExtendedErrorData = the SessionID,
			// in the clear: there are no keys to protect it with.
			Bytes ext;
			put32(ext, sid);
			return plain(SPDM_ERR_INVALID_SESSION, ext);
		}
		// DOE objects are whole dwords: up to 3 bytes of padding after the record.
		size_t len = get16(rec, 4);
		if (rec.size() < 6 + len || rec.size() - (6 + len) > 3) {
			end_session(s);
			return plain(SPDM_ERR_DECRYPT_ERROR);
		}
		auto app = sess::open(s->ks.aead, s->encrypt, s->rx(), rec.first(6 + len));
		if (!app && s->established && s->backup.valid) {
			// A KEY_UPDATE retried under the old key (its ACK was lost):
			// back to the keys before it, and it is processed again (the
			// same new keys, the same ACK).  Nothing else is accepted
			// under the old key.
			auto old = sess::open(s->ks.aead, s->encrypt, s->backup.req, rec.first(6 + len));
			if (old && old->size() == 4 && (*old)[0] == version && (*old)[1] == code::KEY_UPDATE &&
			    (*old)[2] == s->backup.op && (*old)[3] == s->backup.tag) {
				Session::wipe(s->ks.req_data);
				Session::wipe(s->ks.rsp_data);
				s->ks.req_data = s->backup.req;
				s->ks.rsp_data = s->backup.rsp;
				s->drop_backup();
				s->key_updates--; // counted again below
				s->key_update_retries++;
				app = std::move(old);
			} else if (old) {
				mbedtls_platform_zeroize(old->data(), old->size());
			}
		}
		if (!app || app->size() < 4 || (s->established ? false : (*app)[1] != code::FINISH)) {
			// a bad tag, a replayed or skipped sequence number, or (handshake
			// phase) anything but FINISH: the session is over
			end_session(s);
			return plain(SPDM_ERR_DECRYPT_ERROR);
		}
		s->rx().seq++;
		s->messages++;
		if (take(faults.no_answer))
			return {};
		Bytes rsp;
		bool establish_after = false, end_after = false;
		if (!s->established) {
			if (s->in_clear) {
				end_session(s);
				return plain(SPDM_ERR_UNEXPECTED_REQUEST);
			}
			if ((*app)[0] != version)
				rsp = error(SPDM_ERR_VERSION_MISMATCH);
			else
				rsp = finish(*s, *app);
			if (rsp.empty()) {
				end_session(s);
				return plain(SPDM_ERR_DECRYPT_ERROR);
			}
			establish_after = rsp[1] == code::FINISH_RSP;
		} else {
			if ((*app)[1] == code::HEARTBEAT && take(faults.no_heartbeat))
				return {};
			// an update that never arrived: no answer, no key changed
			if ((*app)[1] == code::KEY_UPDATE && ((*app)[2] == 1 || (*app)[2] == 2) &&
			    take(faults.no_key_update))
				return {};
			rsp = in_session(*s, *app);
			end_after = rsp[1] == code::END_SESSION_ACK;
		}
		mbedtls_platform_zeroize(app->data(), app->size());
		Responder::SecuredReply out{{}, true};
		if (take(faults.replay_seq) && !s->last_record.empty()) {
			out.data = s->last_record; // the previous record again: its sequence number is old
		} else {
			uint32_t wire_id = take(faults.wrong_session_id) ? sid ^ 0x00010000u : sid;
			out.data = sess::seal(s->ks.aead, s->encrypt, s->tx(), wire_id, rsp);
			s->tx().seq++;
			s->last_record = out.data;
			if (take(faults.bad_tag))
				out.data.back() ^= 0x01;
		}
		if (establish_after)
			establish(*s);
		if (end_after)
			end_session(s);
		return out;
	}

	Bytes handle(std::span<const uint8_t> req)
	{
		requests++;
		uint8_t c = req.size() >= 2 ? req[1] : 0;
		if (take(faults.busy)) {
			// GET_VERSION and its ERRORs are always version 1.0.
			uint8_t v = version && c != code::GET_VERSION ? version : 0x10;
			return Bytes{v, code::ERROR, SPDM_ERR_BUSY, 0};
		}
		if (take(faults.no_answer))
			return {};
		Bytes rsp;
		if (req.size() >= 4 && c == code::RESPOND_IF_READY) {
			rsp = respond_if_ready(req);
		} else {
			pending.clear(); // any other request abandons a deferred one
			if (req.size() >= 4 && c != code::GET_VERSION && state != State::Idle && take(faults.resynch)) {
				// The device lost its state: the requester must start over
				// with GET_VERSION (Param2 and ExtendedErrorData: none).
				rsp = error(SPDM_ERR_REQUEST_RESYNCH);
				reset();
			} else if (req.size() >= 4 && deferrable(c) && state == State::Negotiated &&
				   req[0] == version && take(faults.not_ready)) {
				pending.assign(req.begin(), req.end());
				pending_token =
					faults.not_ready_token >= 0 ? uint8_t(faults.not_ready_token) : next_token++;
				rsp = not_ready();
			} else {
				rsp = large_dispatch(req);
			}
		}
		if (take(faults.garbage)) {
			rsp = rng.bytes(std::max<size_t>(rsp.size(), 4));
			rsp[0] = 0xEE; // never a valid SPDM version
		}
		if (take(faults.wrong_version))
			rsp[0] = rsp[0] == 0x11 ? 0x12 : 0x11;
		if (take(faults.truncate))
			rsp.resize(std::max<size_t>(2, rsp.size() / 2));
		if (take(faults.oversize)) {
			size_t target = cfg.transport_cap - cfg.transport_overhead;
			rsp.resize(std::max(target, rsp.size() + 16), 0);
		}
		return rsp;
	}
};

Responder::Responder(Config c, Identity i) : impl_(std::make_unique<Impl>(std::move(c), std::move(i))) {}
Responder::~Responder() = default;
std::vector<uint8_t> Responder::handle(std::span<const uint8_t> request)
{
	return impl_->handle(request);
}
void Responder::reset()
{
	impl_->reset();
}
Responder::SecuredReply Responder::handle_secured(std::span<const uint8_t> record)
{
	return impl_->handle_secured(record);
}
void Responder::drop_sessions()
{
	impl_->sessions.clear();
}
size_t Responder::session_count() const
{
	return impl_->sessions.size();
}
Faults &Responder::faults()
{
	return impl_->faults;
}
const Identity &Responder::identity() const
{
	return impl_->id;
}
const Config &Responder::config() const
{
	return impl_->cfg;
}
uint8_t Responder::negotiated_version() const
{
	return impl_->version;
}
Responder::ReadyStats Responder::ready_stats() const
{
	return impl_->ready;
}

void Responder::swap_identity(Identity id)
{
	Identity old = std::move(impl_->id);
	impl_->id = std::move(id);
	try {
		impl_->load_keys();
	} catch (...) {
		impl_->id = std::move(old);
		impl_->load_keys();
		throw;
	}
	impl_->reset();
}

void Responder::set_measurement(uint8_t index, Bytes data)
{
	if (index == 0 || index == 0xFF)
		throw std::invalid_argument("measurement index must be 1..254");
	for (auto &m : impl_->cfg.measurements)
		if (m.index == index) {
			m.data = std::move(data);
			return;
		}
	impl_->cfg.measurements.push_back(Measurement{index, 0x01, false, false, std::move(data)});
	std::sort(impl_->cfg.measurements.begin(), impl_->cfg.measurements.end(),
		  [](auto &a, auto &b) { return a.index < b.index; });
}

void Responder::drop_measurement(uint8_t index)
{
	auto &ms = impl_->cfg.measurements;
	auto it = std::find_if(ms.begin(), ms.end(), [&](auto &m) { return m.index == index; });
	if (it == ms.end())
		throw std::invalid_argument("no measurement " + std::to_string(index) + " to drop");
	ms.erase(it);
}

std::string Responder::status_json() const
{
	const Impl &i = *impl_;
	static const char *states[] = {"idle", "after-version", "after-capabilities", "negotiated"};
	nlohmann::ordered_json meas = nlohmann::ordered_json::object();
	for (auto &m : i.cfg.measurements)
		meas[std::to_string(int(m.index))] = spdmtsm::hex(m.data);
	nlohmann::ordered_json sess_j = nlohmann::ordered_json::array();
	for (auto &s : i.sessions) {
		char sid[12];
		snprintf(sid, sizeof sid, "0x%08x", s->id());
		sess_j.push_back({{"id", sid},
				  {"state", s->established ? "established" : "handshake"},
				  {"aead", sess::to_string(s->ks.aead)},
				  {"encrypt", s->encrypt},
				  {"secured_message_version", version_text(s->sm_version)},
				  {"messages", s->messages},
				  {"heartbeats", s->heartbeats},
				  {"key_updates", s->key_updates},
				  {"key_update_retries", s->key_update_retries}});
	}
	nlohmann::ordered_json j{
		{"state", states[int(i.state)]},
		{"version", version_text(i.version)},
		{"asym", to_string(i.id.asym)},
		{"hash", to_string(i.id.hash)},
		{"seed", i.id.seed},
		{"slots", i.id.slots.size()},
		{"requests", i.requests},
		{"not_ready", i.ready.not_ready},
		{"respond_if_ready", i.ready.respond_if_ready},
		{"rir_matched", i.ready.rir_matched},
		{"last_token", i.ready.last_token},
		{"transcript",
		 {{"a", i.msg_a.size()}, {"b", i.msg_b.size()}, {"l", i.msg_m.size()}, {"max", i.cfg.max_transcript}}},
		{"faults", i.faults.describe()},
		{"sessions", std::move(sess_j)},
		{"measurements", std::move(meas)}};
	return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void Responder::apply_fault(std::string_view spec)
{
	std::string name(spec), arg;
	bool has_arg = false;
	if (auto eq = spec.find('='); eq != std::string_view::npos) {
		name = std::string(spec.substr(0, eq));
		arg = std::string(spec.substr(eq + 1));
		has_arg = true;
	}
	auto bad = [&](const std::string &why) {
		return std::invalid_argument("bad fault '" + std::string(spec) + "': " + why);
	};
	auto number = [&](long dflt) -> long {
		if (!has_arg)
			return dflt;
		if (arg == "always")
			return -1;
		if (arg == "-1")
			return -1;
		auto v = spdmtsm::parse_uint(arg, 1000000, 10);
		if (!v)
			throw bad("expected a count (N, 0 = off, -1 or 'always' = sticky)");
		return long(*v);
	};
	Faults &f = impl_->faults;
	if (name == "clear" || name == "none")
		f.clear();
	else if (name == "bad-signature")
		f.bad_signature = int(number(-1));
	else if (name == "truncate")
		f.truncate = int(number(1));
	else if (name == "oversize")
		f.oversize = int(number(1));
	else if (name == "garbage")
		f.garbage = int(number(1));
	else if (name == "wrong-version")
		f.wrong_version = int(number(1));
	else if (name == "no-answer")
		f.no_answer = int(number(1));
	else if (name == "busy")
		f.busy = int(number(1));
	else if (name == "resynch")
		f.resynch = int(number(1));
	else if (name == "bad-verify-data")
		f.bad_verify_data = int(number(1));
	else if (name == "bad-kex-signature")
		f.bad_kex_signature = int(number(1));
	else if (name == "bad-tag")
		f.bad_tag = int(number(1));
	else if (name == "wrong-session-id")
		f.wrong_session_id = int(number(1));
	else if (name == "replay-seq")
		f.replay_seq = int(number(1));
	else if (name == "no-heartbeat")
		f.no_heartbeat = int(number(-1));
	else if (name == "no-key-update")
		f.no_key_update = int(number(1));
	else if (name == "session-drop")
		drop_sessions();
	else if (name == "not-ready") {
		// not-ready[=N[:EXP[:RDTM[:TOKEN]]]]
		std::vector<std::string> parts;
		for (size_t at = 0;;) {
			size_t colon = arg.find(':', at);
			parts.push_back(arg.substr(at, colon == std::string::npos ? std::string::npos : colon - at));
			if (colon == std::string::npos)
				break;
			at = colon + 1;
		}
		if (parts.size() > 4)
			throw bad("expected not-ready=N[:RDTEXP[:RDTM[:TOKEN]]]");
		auto field = [&](size_t i, long lo, long hi, const char *what) -> long {
			auto v = spdmtsm::parse_uint(parts[i], uint64_t(hi));
			if (!v || long(*v) < lo)
				throw bad(std::string("expected ") + what);
			return long(*v);
		};
		long n = 1;
		if (has_arg) {
			std::string saved = arg;
			arg = parts[0];
			n = number(1);
			arg = saved;
		}
		uint8_t exp = 10, rdtm = 2;
		int token = -1;
		if (parts.size() > 1)
			exp = uint8_t(field(1, 0, 31, "RDTEXP 0..31 (RDT = 2^RDTEXP us)"));
		if (parts.size() > 2)
			rdtm = uint8_t(field(2, 1, 255, "RDTM 1..255"));
		if (parts.size() > 3)
			token = int(field(3, 0, 255, "TOKEN 0..255"));
		f.not_ready = int(n);
		f.not_ready_exp = exp;
		f.not_ready_rdtm = rdtm;
		f.not_ready_token = token;
	} else if (name == "chain-overlong")
		f.chain_overlong = number(1) != 0;
	else if (name == "cert-stall")
		f.cert_stall = int(number(1));
	else if (name == "cert-remainder-lie")
		f.cert_remainder_lie = int(number(1));
	else if (name == "chunk-lie") {
		if (arg == "none" || arg == "0")
			f.chunk_lie.clear();
		else if (chunk::valid_lie(arg))
			f.chunk_lie = arg;
		else
			throw bad("expected chunk-lie=KIND, KIND one of " + std::string(chunk::kLies) +
				  " (none = off)");
	} else if (name == "delay") {
		long ms = number(-2);
		if (ms < 0)
			throw bad("expected delay=MS");
		f.delay_ms = unsigned(ms);
	} else if (name == "cert-portion") {
		long n = number(-2);
		if (n < 0 || n > 0xFFFF)
			throw bad("expected cert-portion=N with N 1..65535 (0 = off)");
		f.cert_portion = uint32_t(n);
	} else if (name == "offer-versions" || name == "offer-hash" || name == "offer-asym") {
		if (arg.empty())
			throw bad("expected " + name + "=LIST");
		try {
			if (name == "offer-versions") {
				auto v = parse_version_list(arg);
				const auto &have = impl_->cfg.versions;
				if (std::ranges::find_first_of(have, v) == have.end())
					throw std::invalid_argument("none of them is offered (--version " +
								    version_list_text(have) + ")");
				f.offer_versions = std::move(v);
			} else if (name == "offer-hash") {
				uint32_t bits = parse_hash_list(arg);
				if (!(bits & impl_->cfg.hash_algos))
					throw std::invalid_argument("none of them is supported (--hash-algos " +
								    hash_list_text(impl_->cfg.hash_algos) + ")");
				f.offer_hash = bits;
			} else {
				f.offer_asym = parse_asym_list(arg);
			}
		} catch (const std::invalid_argument &e) {
			throw bad(e.what());
		}
	} else if (name == "serial") {
		auto s = parse_serial(arg);
		if (!s)
			throw bad("expected serial=HEX with 1..16 hex digits (e.g. serial=0123456789abcdef)");
		f.serial = *s;
	} else if (name == "reset") {
		reset();
	} else if (name == "swap-identity") {
		const Identity &cur = impl_->id;
		if (!has_arg) {
			swap_identity(
				make_identity(cur.asym, cur.hash, int(cur.slots.size()), cur.seed + 1, cur.cma_name));
		} else if (std::filesystem::is_directory(arg)) {
			swap_identity(load_identity(arg));
		} else {
			auto seed = spdmtsm::parse_uint(arg, UINT64_MAX, 10);
			if (!seed)
				throw bad("expected swap-identity=SEED or swap-identity=DIR (an existing directory)");
			swap_identity(make_identity(cur.asym, cur.hash, int(cur.slots.size()), *seed, cur.cma_name));
		}
	} else if (name == "measurement") {
		auto colon = arg.find(':');
		if (colon == std::string::npos)
			throw bad("expected measurement=IDX:HEX");
		auto idx = spdmtsm::parse_uint(std::string_view(arg).substr(0, colon), 254, 10);
		bool idx_ok = idx && *idx >= 1;
		if (idx_ok && std::string_view(arg).substr(colon + 1) == "none") {
			drop_measurement(uint8_t(*idx));
			return;
		}
		auto data = from_hex(std::string_view(arg).substr(colon + 1));
		if (!idx_ok || !data || data->empty())
			throw bad("expected measurement=IDX:HEX with IDX 1..254 and an even number of hex digits");
		set_measurement(uint8_t(*idx), std::move(*data));
	} else {
		throw bad("unknown fault (see spdm-devsim serve --help)");
	}
}

} // namespace devsim
