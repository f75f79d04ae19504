// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/verify.hpp"

#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "spdmtsm/mbed.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/x509.hpp"

// psa_util.h lacks the C++ guards of the other mbedTLS headers (3.6)
extern "C" {
#include <mbedtls/psa_util.h>
}
#include <psa/crypto.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace spdmtsm {

struct TrustAnchors {
	mbed::Crt crt;
};

void TrustAnchorsDeleter::operator()(TrustAnchors *t) const
{
	delete t;
}

namespace {

mbedtls_md_type_t md_type(std::uint32_t hash)
{
	const HashAlg *h = find_hash(hash);
	return h ? h->md : MBEDTLS_MD_NONE;
}

void crypto_init()
{
	static const bool done = [] { return psa_crypto_init() == PSA_SUCCESS; }();
	if (!done)
		throw std::runtime_error("cannot initialise the PSA crypto library");
}

Bytes digest(std::uint32_t hash, const Bytes &data)
{
	crypto_init();
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md_type(hash));
	if (!info)
		throw std::runtime_error("unknown hash algorithm");
	Bytes out(mbedtls_md_get_size(info));
	if (mbedtls_md(info, data.data(), data.size(), out.data()) != 0)
		throw std::runtime_error("hashing failed");
	return out;
}

// ECDSA raw r||s -> DER Ecdsa-Sig-Value (mbedTLS's PSA utility).
Bytes ecdsa_raw_to_der(const Bytes &sig)
{
	Bytes der(sig.size() + 16);
	std::size_t len = 0;
	mbed::check(mbedtls_ecdsa_raw_to_der(sig.size() / 2 * 8, sig.data(), sig.size(), der.data(), der.size(), &len),
		    "ECDSA signature");
	der.resize(len);
	return der;
}

std::string mbed_err(int rc)
{
	return "mbedTLS: " + mbed::error_text(rc);
}

bool has_oid(const mbedtls_x509_sequence *seq, const Bytes &oid)
{
	for (const mbedtls_x509_sequence *s = seq; s && s->buf.p; s = s->next)
		if (s->buf.len == oid.size() && std::memcmp(s->buf.p, oid.data(), oid.size()) == 0)
			return true;
	return false;
}

// DSP0274 "Leaf certificate": keyUsage, when present, has digitalSignature.
CheckResult check_key_usage(const mbedtls_x509_crt &leaf)
{
	if (!mbedtls_x509_crt_has_ext_type(&leaf, MBEDTLS_X509_EXT_KEY_USAGE))
		return {"key-usage", true, "the leaf has no keyUsage extension"};
	if (mbedtls_x509_crt_check_key_usage(&leaf, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0)
		return {"key-usage", false, "the leaf's keyUsage lacks digitalSignature"};
	return {"key-usage", true, "the leaf's keyUsage has digitalSignature"};
}

// DSP0274 SPDM extended key usages: a leaf with an extendedKeyUsage must
// name id-DMTF-eku-responder-auth (1.3.6.1.4.1.412.274.3) to authenticate
// a Responder; requester-auth alone (.4) is a Requester's certificate.
CheckResult check_eku(const mbedtls_x509_crt &leaf)
{
	if (!mbedtls_x509_crt_has_ext_type(&leaf, MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE))
		return {"eku", true, "the leaf has no extendedKeyUsage extension"};
	if (has_oid(&leaf.ext_key_usage, oid_dmtf_eku_responder_auth))
		return {"eku", true, "the leaf's extendedKeyUsage has SPDM responder authentication"};
	if (has_oid(&leaf.ext_key_usage, oid_dmtf_eku_requester_auth))
		return {"eku", false,
			"the leaf's extendedKeyUsage has SPDM requester authentication only, not responder "
			"authentication (1.3.6.1.4.1.412.274.3)"};
	return {"eku", false,
		"the leaf's extendedKeyUsage lacks SPDM responder authentication (1.3.6.1.4.1.412.274.3)"};
}

} // namespace

namespace {

// DSP0274 1.2 "Signature generation": the version string repeated four
// times, zero padding to 36 bytes of context, the context.
Bytes spdm_prefix(std::uint8_t version, const std::string &context)
{
	std::string ver = "dmtf-spdm-v" + version_text(version) + ".*";
	Bytes m;
	for (int i = 0; i < 4; i++)
		m.insert(m.end(), ver.begin(), ver.end());
	if (context.size() > 36)
		throw std::runtime_error("signing context longer than 36 bytes");
	m.insert(m.end(), 36 - context.size(), 0);
	m.insert(m.end(), context.begin(), context.end());
	return m;
}

} // namespace

Bytes signed_message(const Evidence &e, const Bytes &transcript, const std::string &context)
{
	if (e.version < 0x12)
		return transcript;
	// combined_spdm_prefix || Hash(M)
	Bytes m = spdm_prefix(e.version, context);
	Bytes h = digest(e.hash, transcript);
	m.insert(m.end(), h.begin(), h.end());
	return m;
}

std::string verify_signature(const Bytes &spki, std::uint32_t asym, std::uint32_t hash, const Bytes &message,
			     const Bytes &signature)
{
	if (md_type(hash) == MBEDTLS_MD_NONE)
		return "unknown hash algorithm";
	return verify_signature_digest(spki, asym, hash, digest(hash, message), signature);
}

std::string verify_signature_digest(const Bytes &spki, std::uint32_t asym, std::uint32_t hash, const Bytes &h,
				    const Bytes &signature)
{
	crypto_init();
	mbed::Pk pk;
	int rc = mbedtls_pk_parse_public_key(pk.get(), spki.data(), spki.size());
	if (rc)
		return "cannot parse the public key (" + mbed_err(rc) + ")";
	mbedtls_md_type_t md = md_type(hash);
	if (md == MBEDTLS_MD_NONE)
		return "unknown hash algorithm";
	if (h.size() != hash_len(hash))
		return "a digest of " + std::to_string(h.size()) + " bytes, expected " +
		       std::to_string(hash_len(hash)) + " for " + hash_name(hash);
	Bytes sig = signature;
	const AsymAlg *alg = find_asym(asym);
	if (alg && alg->ecdsa) {
		if (!mbedtls_pk_can_do(pk.get(), MBEDTLS_PK_ECKEY))
			return "the key is not an EC key but the algorithm is ECDSA";
		if (signature.size() != alg->sig_len)
			return "ECDSA signature of " + std::to_string(signature.size()) + " bytes, expected " +
			       std::to_string(alg->sig_len);
		try {
			sig = ecdsa_raw_to_der(signature);
		} catch (const mbed::Error &ex) {
			return ex.what();
		}
	} else if (!mbedtls_pk_can_do(pk.get(), MBEDTLS_PK_RSA)) {
		return "the key is not an RSA key but the algorithm is RSASSA";
	}
	rc = mbedtls_pk_verify(pk.get(), md, h.data(), h.size(), sig.data(), sig.size());
	if (rc)
		return "signature does not verify (" + mbed_err(rc) + ")";
	return "";
}

CheckResult verify_key_exchange(const Evidence &e)
{
	const char *name = "session-signature";
	if (!e.session)
		return {name, false, "the evidence has no secured session"};
	const SessionEvidence &s = *e.session;
	if (s.ke_signature.empty() || s.ke_th_hash.empty())
		return {name, false,
			"the session evidence lacks the KEY_EXCHANGE_RSP signature or its transcript hash"};
	if (s.ke_th_hash.size() != hash_len(e.hash))
		return {name, false,
			"KEY_EXCHANGE_RSP: a transcript hash of " + std::to_string(s.ke_th_hash.size()) +
				" bytes, expected " + std::to_string(hash_len(e.hash)) + " (" + hash_name(e.hash) +
				")"};
	std::string why;
	try {
		if (e.version < 0x12) {
			// 1.0/1.1: the signature is over TH itself: its digest is the hash
			why = verify_signature_digest(e.leaf_spki, e.asym, e.hash, s.ke_th_hash, s.ke_signature);
		} else {
			// the context is DSP0274's, not whatever the evidence claims
			if (!s.ke_context.empty() && s.ke_context != key_exchange_context)
				return {name, false,
					"KEY_EXCHANGE_RSP: the evidence's signing context \"" +
						term_safe(s.ke_context) + "\" is not DSP0274's \"" +
						key_exchange_context + "\""};
			Bytes m = spdm_prefix(e.version, key_exchange_context);
			m.insert(m.end(), s.ke_th_hash.begin(), s.ke_th_hash.end());
			why = verify_signature(e.leaf_spki, e.asym, e.hash, m, s.ke_signature);
		}
	} catch (const std::exception &ex) {
		why = ex.what();
	}
	if (!why.empty())
		return {name, false, "KEY_EXCHANGE_RSP: " + why};
	return {name, true,
		"KEY_EXCHANGE_RSP signature verifies over the session's transcript hash with the cached key"};
}

std::unique_ptr<TrustAnchors, TrustAnchorsDeleter> load_anchors(const std::vector<std::string> &files)
{
	std::unique_ptr<TrustAnchors, TrustAnchorsDeleter> t(new TrustAnchors);
	for (const auto &f : files) {
		int rc = t->crt.add_file(f);
		if (rc != 0)
			throw std::runtime_error(
				"cannot load trust anchor " + f + ": " +
				(rc == MBEDTLS_ERR_PK_FILE_IO_ERROR ? "cannot read the file" : mbed_err(rc)));
	}
	return t;
}

VerifyReport verify_evidence(const Evidence &e, const TrustAnchors *anchors)
{
	crypto_init();
	VerifyReport r;
	std::vector<Bytes> certs;
	try {
		certs = split_der_certs(e.cert_chain);
	} catch (const std::exception &ex) {
		r.checks.push_back({"chain", false, ex.what()});
		return r;
	}
	if (certs.empty()) {
		r.checks.push_back({"chain", false, "the evidence has no certificate"});
		return r;
	}

	// 1. The chain to a trust anchor (leaf first for mbedTLS).
	mbed::Crt chain;
	bool parsed = true;
	for (auto it = certs.rbegin(); it != certs.rend(); ++it) {
		int rc = chain.add_der(it->data(), it->size());
		if (rc) {
			r.checks.push_back({"chain", false, "certificate does not parse: " + mbed_err(rc)});
			parsed = false;
			break;
		}
	}
	if (parsed && anchors) {
		std::uint32_t flags = 0;
		int rc = mbedtls_x509_crt_verify(chain.get(), const_cast<mbedtls_x509_crt *>(anchors->crt.get()),
						 nullptr, nullptr, &flags, nullptr, nullptr);
		if (rc == 0) {
			r.checks.push_back({"chain", true,
					    std::to_string(certs.size()) + " certificates chain to a trust anchor"});
		} else {
			char buf[512];
			int n = mbedtls_x509_crt_verify_info(buf, sizeof(buf), "", flags);
			std::string why = n > 0 ? std::string(buf, n) : mbed_err(rc);
			while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
				why.pop_back();
			for (auto &c : why)
				if (c == '\n')
					c = ';';
			r.checks.push_back({"chain", false, why});
		}
	}

	// 2. The leaf's key is the key the kernel verified with and cached.
	const Bytes &leaf = certs.back();
	mbed::Crt leafc;
	if (leafc.add_der(leaf.data(), leaf.size()) == 0) {
		Bytes leaf_spki(leafc->pk_raw.p, leafc->pk_raw.p + leafc->pk_raw.len);
		if (e.leaf_spki.empty())
			r.checks.push_back({"leaf-key", false, "the evidence lacks the kernel's cached key"});
		else if (leaf_spki == e.leaf_spki)
			r.checks.push_back({"leaf-key", true, "the leaf's key is the key the kernel cached"});
		else
			r.checks.push_back(
				{"leaf-key", false, "the leaf's key differs from the key the kernel cached"});
		// 2a. What the leaf may be used for (DSP0274 "Leaf certificate").
		r.checks.push_back(check_key_usage(*leafc.get()));
		r.checks.push_back(check_eku(*leafc.get()));
	} else {
		r.checks.push_back({"leaf-key", false, "the leaf certificate does not parse"});
	}

	// 3. The CHALLENGE_AUTH signature over the transcript, with the leaf key.
	try {
		Bytes msg = signed_message(e, e.transcript, e.context);
		std::string why =
			verify_signature(e.leaf_spki.empty() ? Bytes() : e.leaf_spki, e.asym, e.hash, msg, e.signature);
		r.checks.push_back({"signature", why.empty(),
				    why.empty() ? "CHALLENGE_AUTH signature verifies over the " +
							  std::to_string(e.transcript.size()) + "-byte transcript"
						: "CHALLENGE_AUTH: " + why});
	} catch (const std::exception &ex) {
		r.checks.push_back({"signature", false, ex.what()});
	}

	// 4. Signed measurements, when taken.
	if (!e.meas_signature.empty()) {
		try {
			Bytes msg = signed_message(e, e.meas_transcript, e.meas_context);
			std::string why = verify_signature(e.leaf_spki, e.asym, e.hash, msg, e.meas_signature);
			r.checks.push_back({"measurements", why.empty(),
					    why.empty() ? "MEASUREMENTS signature verifies" : "MEASUREMENTS: " + why});
		} catch (const std::exception &ex) {
			r.checks.push_back({"measurements", false, ex.what()});
		}
	}

	// 5. The KEY_EXCHANGE_RSP signature of the secured session, when one is up.
	if (e.session)
		r.checks.push_back(verify_key_exchange(e));
	return r;
}

Json json_of(const std::string &bdf, const VerifyReport &r)
{
	Json checks = Json::array();
	for (const auto &c : r.checks)
		checks.push_back({{"check", c.name}, {"ok", c.ok}, {"detail", c.detail}});
	return Json{{"bdf", bdf}, {"ok", r.ok()}, {"checks", std::move(checks)}};
}

} // namespace spdmtsm
