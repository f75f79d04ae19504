// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/x509.hpp"

#include "spdmtsm/mbed.hpp"

#include <linux/spdm_tsm.h>
#include <mbedtls/asn1.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace spdmtsm {

namespace {

Bytes attr_bytes(const nlattr *a)
{
	const auto *p = static_cast<const std::uint8_t *>(nla_data(a));
	return Bytes(p, p + nla_len(a));
}

// Where a large evidence object is reassembled; null for an unknown one.
Bytes *object_bytes(Evidence &e, std::uint32_t obj)
{
	switch (obj) {
	case SPDM_TSM_EVIDENCE_OBJECT_CERT_CHAIN:
		return &e.cert_chain;
	case SPDM_TSM_EVIDENCE_OBJECT_TRANSCRIPT:
		return &e.transcript;
	case SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI:
		return &e.leaf_spki;
	case SPDM_TSM_EVIDENCE_OBJECT_MEAS_BLOCKS:
		return &e.meas_blocks;
	case SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT:
		return &e.meas_transcript;
	default:
		return nullptr;
	}
}

// The nested session of evidence-get (policy: the binary and string
// attributes within the UAPI's limits, the u32s at least 4 bytes).
SessionEvidence session_evidence_from_attr(const nlattr *nest)
{
	static nla_policy policy[SPDM_TSM_A_SESSION_EVIDENCE_MAX + 1] = {};
	static const bool init = [] {
		for (int t : {SPDM_TSM_A_SESSION_EVIDENCE_ID, SPDM_TSM_A_SESSION_EVIDENCE_DHE,
			      SPDM_TSM_A_SESSION_EVIDENCE_AEAD})
			policy[t].type = NLA_U32;
		policy[SPDM_TSM_A_SESSION_EVIDENCE_KE_SIGNATURE] = {NLA_UNSPEC, 0, 512};
		policy[SPDM_TSM_A_SESSION_EVIDENCE_KE_TH_HASH] = {NLA_UNSPEC, 0, 64};
		policy[SPDM_TSM_A_SESSION_EVIDENCE_KE_CONTEXT] = {NLA_STRING, 0, 37};
		return true;
	}();
	(void)init;
	nlattr *t[SPDM_TSM_A_SESSION_EVIDENCE_MAX + 1] = {};
	if (nla_parse_nested(t, SPDM_TSM_A_SESSION_EVIDENCE_MAX, const_cast<nlattr *>(nest), policy) < 0)
		throw NetlinkError(EPROTO, "", -1, "malformed reply from the kernel: a malformed session evidence");
	SessionEvidence s;
	if (t[SPDM_TSM_A_SESSION_EVIDENCE_ID])
		s.id = attr_u32(t[SPDM_TSM_A_SESSION_EVIDENCE_ID]);
	if (t[SPDM_TSM_A_SESSION_EVIDENCE_DHE])
		s.dhe = attr_u32(t[SPDM_TSM_A_SESSION_EVIDENCE_DHE]);
	if (t[SPDM_TSM_A_SESSION_EVIDENCE_AEAD])
		s.aead = attr_u32(t[SPDM_TSM_A_SESSION_EVIDENCE_AEAD]);
	if (t[SPDM_TSM_A_SESSION_EVIDENCE_KE_SIGNATURE])
		s.ke_signature = attr_bytes(t[SPDM_TSM_A_SESSION_EVIDENCE_KE_SIGNATURE]);
	if (t[SPDM_TSM_A_SESSION_EVIDENCE_KE_TH_HASH])
		s.ke_th_hash = attr_bytes(t[SPDM_TSM_A_SESSION_EVIDENCE_KE_TH_HASH]);
	if (t[SPDM_TSM_A_SESSION_EVIDENCE_KE_CONTEXT])
		s.ke_context = attr_str(t[SPDM_TSM_A_SESSION_EVIDENCE_KE_CONTEXT]);
	return s;
}

Evidence evidence_get_once(GenlSocket &sock, const std::string &bdf)
{
	Evidence e;
	bool have_scalars = false;
	bool have_gen = false;
	std::map<std::uint32_t, std::uint32_t> totals;

	sock.request(
		SPDM_TSM_CMD_EVIDENCE_GET, true,
		[&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_EVIDENCE_BDF, bdf.c_str()); },
		[&](nlattr **a, int, const nlmsghdr *nlh) {
			if (!a[SPDM_TSM_A_EVIDENCE_GENERATION])
				throw std::runtime_error("evidence message without a generation");
			std::uint64_t gen = attr_u64(a[SPDM_TSM_A_EVIDENCE_GENERATION]);
			if (have_gen && gen != e.generation)
				throw NetlinkError(EAGAIN, "", -1, "the evidence changed during the dump (generation)");
			e.generation = gen;
			have_gen = true;
			if (a[SPDM_TSM_A_EVIDENCE_BDF])
				e.bdf = attr_str(a[SPDM_TSM_A_EVIDENCE_BDF]);

			if (!a[SPDM_TSM_A_EVIDENCE_OBJECT]) {
				have_scalars = true;
				auto u8 = [&](int t, std::uint8_t &v) {
					if (a[t])
						v = attr_u8(a[t]);
				};
				auto u32 = [&](int t, std::uint32_t &v) {
					if (a[t])
						v = attr_u32(a[t]);
				};
				auto bin = [&](int t, Bytes &v) {
					if (a[t])
						v = attr_bytes(a[t]);
				};
				auto str = [&](int t, std::string &v) {
					if (a[t])
						v = attr_str(a[t]);
				};
				u8(SPDM_TSM_A_EVIDENCE_VERSION, e.version);
				u32(SPDM_TSM_A_EVIDENCE_CAPS, e.caps);
				u32(SPDM_TSM_A_EVIDENCE_ASYM, e.asym);
				u32(SPDM_TSM_A_EVIDENCE_HASH, e.hash);
				u32(SPDM_TSM_A_EVIDENCE_MEAS_HASH, e.meas_hash);
				u8(SPDM_TSM_A_EVIDENCE_SLOT, e.slot);
				u8(SPDM_TSM_A_EVIDENCE_SLOT_MASK, e.slot_mask);
				bin(SPDM_TSM_A_EVIDENCE_NONCE, e.nonce);
				bin(SPDM_TSM_A_EVIDENCE_SIGNATURE, e.signature);
				str(SPDM_TSM_A_EVIDENCE_CONTEXT, e.context);
				u8(SPDM_TSM_A_EVIDENCE_MEAS_COUNT, e.meas_count);
				bin(SPDM_TSM_A_EVIDENCE_MEAS_NONCE, e.meas_nonce);
				bin(SPDM_TSM_A_EVIDENCE_MEAS_SIGNATURE, e.meas_signature);
				str(SPDM_TSM_A_EVIDENCE_MEAS_CONTEXT, e.meas_context);
				if (a[SPDM_TSM_A_EVIDENCE_SESSION])
					e.session = session_evidence_from_attr(a[SPDM_TSM_A_EVIDENCE_SESSION]);
				// slot-digest is multi-attr: walk the whole message
				nlattr *attr;
				int rem;
				nla_for_each_attr(
					attr, genlmsg_attrdata(static_cast<const genlmsghdr *>(nlmsg_data(nlh)), 0),
					genlmsg_attrlen(static_cast<const genlmsghdr *>(nlmsg_data(nlh)), 0), rem)
				{
					if (nla_type(attr) != SPDM_TSM_A_EVIDENCE_SLOT_DIGEST)
						continue;
					nlattr *sd[SPDM_TSM_A_SLOT_DIGEST_MAX + 1] = {};
					if (nla_parse_nested(sd, SPDM_TSM_A_SLOT_DIGEST_MAX, attr, nullptr) < 0 ||
					    !sd[SPDM_TSM_A_SLOT_DIGEST_SLOT] || !sd[SPDM_TSM_A_SLOT_DIGEST_DIGEST])
						throw std::runtime_error("malformed slot-digest");
					e.slot_digests[attr_u8(sd[SPDM_TSM_A_SLOT_DIGEST_SLOT])] =
						attr_bytes(sd[SPDM_TSM_A_SLOT_DIGEST_DIGEST]);
				}
				return;
			}
			std::uint32_t obj = attr_u32(a[SPDM_TSM_A_EVIDENCE_OBJECT]);
			if (!a[SPDM_TSM_A_EVIDENCE_OFFSET] || !a[SPDM_TSM_A_EVIDENCE_TOTAL] ||
			    !a[SPDM_TSM_A_EVIDENCE_DATA])
				throw std::runtime_error("evidence chunk without offset, total or data");
			std::uint32_t off = attr_u32(a[SPDM_TSM_A_EVIDENCE_OFFSET]);
			std::uint32_t total = attr_u32(a[SPDM_TSM_A_EVIDENCE_TOTAL]);
			Bytes data = attr_bytes(a[SPDM_TSM_A_EVIDENCE_DATA]);
			Bytes *dst = object_bytes(e, obj);
			if (!dst)
				return; // an object this tsmctl does not know: skip it
			auto [it, fresh] = totals.emplace(obj, total);
			if (!fresh && it->second != total)
				throw std::runtime_error("evidence object changed size during the dump");
			if (off != dst->size() || off + data.size() > total)
				throw std::runtime_error("evidence chunk out of order");
			dst->insert(dst->end(), data.begin(), data.end());
		},
		SPDM_TSM_A_EVIDENCE_MAX);
	if (!have_scalars)
		throw NetlinkError(EPROTO, "", -1, "evidence dump without its scalar message");
	for (const auto &[obj, total] : totals) {
		const Bytes *got = object_bytes(e, obj);
		if (got->size() != total)
			throw NetlinkError(EPROTO, "", -1, "evidence object truncated");
	}
	return e;
}

} // namespace

Evidence evidence_get(GenlSocket &sock, const std::string &bdf)
{
	return retry_eagain([&] { return evidence_get_once(sock, bdf); });
}

std::vector<Bytes> split_der_certs(const Bytes &chain)
{
	std::vector<Bytes> out;
	Bytes copy = chain; // mbedtls_asn1_get_tag takes a non-const cursor
	unsigned char *start = copy.data(), *p = start, *end = start + copy.size();
	while (p < end) {
		std::size_t pos = p - start, len;
		int rc = mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
		if (rc == MBEDTLS_ERR_ASN1_UNEXPECTED_TAG)
			throw std::runtime_error("certificate chain: expected a DER SEQUENCE at offset " +
						 std::to_string(pos));
		if (rc == MBEDTLS_ERR_ASN1_OUT_OF_DATA)
			throw std::runtime_error("certificate chain: certificate at offset " + std::to_string(pos) +
						 " runs past the end");
		if (rc)
			throw std::runtime_error("certificate chain: bad DER length at offset " + std::to_string(pos));
		p += len;
		out.emplace_back(chain.begin() + pos, chain.begin() + (p - start));
	}
	return out;
}

std::vector<MeasBlock> parse_meas_blocks(const Bytes &b)
{
	std::vector<MeasBlock> out;
	std::size_t pos = 0;
	while (pos < b.size()) {
		if (b.size() - pos < 4)
			throw std::runtime_error("measurement block header truncated at offset " + std::to_string(pos));
		std::size_t msize = b[pos + 2] | (b[pos + 3] << 8);
		if (msize > b.size() - pos - 4)
			throw std::runtime_error("measurement block at offset " + std::to_string(pos) +
						 " runs past the end");
		MeasBlock m;
		m.index = b[pos];
		m.spec = b[pos + 1];
		const std::uint8_t *p = b.data() + pos + 4;
		if (msize >= 3) {
			std::size_t vsize = p[1] | (p[2] << 8);
			if (vsize > msize - 3)
				throw std::runtime_error("measurement value of index " + std::to_string(m.index) +
							 " runs past its block");
			m.type = p[0];
			m.value.assign(p + 3, p + 3 + vsize);
		}
		out.push_back(std::move(m));
		pos += 4 + msize;
	}
	return out;
}

void print_evidence(std::FILE *out, const Evidence &e, const std::vector<Bytes> &certs)
{
	std::fprintf(out, "device:      %s (generation %llu)\n", e.bdf.c_str(),
		     static_cast<unsigned long long>(e.generation));
	std::fprintf(out, "spdm:        %s, %s, %s, slot %u\n", version_text(e.version).c_str(), asym_name(e.asym),
		     hash_name(e.hash), e.slot);
	for (const auto &[slot, d] : e.slot_digests)
		std::fprintf(out, "digest[%u]:   %s\n", slot, hex(d).c_str());
	std::fprintf(out, "chain:       %zu certificates, %zu bytes (root first)\n", certs.size(), e.cert_chain.size());
	for (std::size_t i = 0; i < certs.size(); i++) {
		try {
			CertInfo c = describe_cert(certs[i]);
			std::fprintf(out, "  [%zu] subject:  %s\n", i, term_safe(c.subject).c_str());
			std::fprintf(out, "      issuer:   %s\n", term_safe(c.issuer).c_str());
			std::fprintf(out, "      validity: %s .. %s\n", c.not_before.c_str(), c.not_after.c_str());
			std::fprintf(out, "      key:      %s%s\n", c.key.c_str(), c.is_ca ? ", CA" : "");
			if (c.cma_name)
				std::fprintf(out, "      PCIe CMA: %s\n", term_safe(*c.cma_name).c_str());
			if (c.device_info)
				std::fprintf(out, "      DMTF device-info: %s\n", term_safe(*c.device_info).c_str());
		} catch (const std::exception &ex) {
			std::fprintf(out, "  [%zu] %s\n", i, term_safe(ex.what()).c_str());
		}
	}
	std::fprintf(out, "nonce:       %s\n", hex(e.nonce).c_str());
	std::fprintf(out, "transcript:  %zu bytes\n", e.transcript.size());
	if (!e.context.empty())
		std::fprintf(out, "context:     %s\n", term_safe(e.context).c_str());
	std::fprintf(out, "signature:   %s\n", hex(e.signature).c_str());
	if (!e.meas_signature.empty())
		std::fprintf(out, "measurements: %u blocks, %zu bytes, signed\n", e.meas_count, e.meas_blocks.size());
	if (e.session) {
		const SessionEvidence &s = *e.session;
		std::fprintf(out, "session:     ");
		if (s.id)
			std::fprintf(out, "id 0x%08x, ", *s.id);
		std::fprintf(out, "%s, %s (KEY_EXCHANGE_RSP)\n", s.dhe ? dhe_name(s.dhe) : "-",
			     s.aead ? aead_name(s.aead) : "-");
		std::fprintf(out, "  th hash:   %s\n", hex(s.ke_th_hash).c_str());
		if (!s.ke_context.empty())
			std::fprintf(out, "  context:   %s\n", term_safe(s.ke_context).c_str());
		std::fprintf(out, "  signature: %s\n", hex(s.ke_signature).c_str());
	}
}

Json json_of(const Evidence &e)
{
	Json j;
	j["bdf"] = e.bdf;
	j["generation"] = e.generation;
	j["version"] = version_text(e.version);
	j["caps"] = e.caps;
	j["asym"] = asym_name(e.asym);
	j["hash"] = hash_name(e.hash);
	j["slot"] = e.slot;
	Json sd = Json::object();
	for (const auto &[slot, d] : e.slot_digests)
		sd[std::to_string(slot)] = hex(d);
	j["slot_digests"] = std::move(sd);
	j["nonce"] = hex(e.nonce);
	j["signature"] = hex(e.signature);
	j["context"] = json_or_null(e.context);
	j["transcript"] = hex(e.transcript);
	j["leaf_spki"] = hex(e.leaf_spki);
	Json certs = Json::array();
	for (const auto &c : split_der_certs(e.cert_chain)) {
		Json cj;
		try {
			cj = json_of(describe_cert(c));
			cj["error"] = nullptr;
		} catch (const std::exception &ex) {
			// every field present: null when the certificate does not parse
			for (const char *k : {"subject", "issuer", "serial", "not_before", "not_after", "key", "ca",
					      "cma_name", "device_info"})
				cj[k] = nullptr;
			cj["error"] = ex.what();
		}
		cj["der"] = base64(c);
		certs.push_back(std::move(cj));
	}
	j["certificates"] = std::move(certs);
	if (e.meas_signature.empty()) {
		j["measurements"] = nullptr;
	} else {
		Json values = Json::object();
		for (const auto &m : parse_meas_blocks(e.meas_blocks))
			values[std::to_string(m.index)] = hex(m.value);
		j["measurements"] = Json{{"count", e.meas_count},
					 {"values", std::move(values)},
					 {"blocks", hex(e.meas_blocks)},
					 {"nonce", hex(e.meas_nonce)},
					 {"signature", hex(e.meas_signature)},
					 {"context", json_or_null(e.meas_context)},
					 {"transcript", hex(e.meas_transcript)}};
	}
	if (!e.session) {
		j["session"] = nullptr;
	} else {
		const SessionEvidence &s = *e.session;
		j["session"] = Json{{"id", json_or_null(s.id)},
				    {"dhe", s.dhe ? Json(dhe_name(s.dhe)) : Json(nullptr)},
				    {"aead", s.aead ? Json(aead_name(s.aead)) : Json(nullptr)},
				    {"ke_signature", hex(s.ke_signature)},
				    {"ke_th_hash", hex(s.ke_th_hash)},
				    {"ke_context", json_or_null(s.ke_context)}};
	}
	return j;
}

} // namespace spdmtsm
