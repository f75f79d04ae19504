// SPDX-License-Identifier: GPL-2.0
// Identity store: root CA -> intermediate CA -> leaf per slot.
#include "crypto.hpp"

#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace devsim {

namespace fs = std::filesystem;

std::string_view to_string(Asym a)
{
	return spdmtsm::find_asym(asym_bit(a))->short_name;
}
std::string_view to_string(Hash h)
{
	return spdmtsm::find_hash(hash_bit(h))->name;
}
namespace {
constexpr Asym kAsyms[] = {Asym::EcdsaP256, Asym::EcdsaP384, Asym::EcdsaP521,
			   Asym::Rsa2048,   Asym::Rsa3072,   Asym::Rsa4096};
constexpr Hash kHashes[] = {Hash::Sha256, Hash::Sha384, Hash::Sha512};

template <class Alg, size_t N> std::optional<Alg> parse_alg(std::string_view s, const Alg (&all)[N])
{
	for (Alg a : all)
		if (s == to_string(a))
			return a;
	return std::nullopt;
}

// Calls f(item) for each item of a comma-separated list (no empty items).
template <class F> void for_each_item(std::string_view list, F f)
{
	for (;;) {
		size_t c = list.find(',');
		std::string_view item = list.substr(0, c);
		if (item.empty())
			throw std::invalid_argument("empty item in list '" + std::string(list) + "'");
		f(item);
		if (c == std::string_view::npos)
			return;
		list.remove_prefix(c + 1);
	}
}

template <class Alg, size_t N> uint32_t parse_alg_list(std::string_view list, const Alg (&all)[N], uint32_t (*bit)(Alg))
{
	uint32_t bits = 0;
	for_each_item(list, [&](std::string_view v) {
		auto a = parse_alg(v, all);
		if (!a) {
			std::string names;
			for (Alg x : all)
				names += (names.empty() ? "" : ",") + std::string(to_string(x));
			throw std::invalid_argument("unknown '" + std::string(v) + "' (" + names + ")");
		}
		bits |= bit(*a);
	});
	return bits;
}

template <class Alg, size_t N> std::string alg_list_text(uint32_t bits, const Alg (&all)[N], uint32_t (*bit)(Alg))
{
	std::string s;
	for (Alg a : all)
		if (bits & bit(a))
			s += (s.empty() ? "" : ",") + std::string(to_string(a));
	return s;
}
} // namespace

std::optional<Asym> parse_asym(std::string_view s)
{
	return parse_alg(s, kAsyms);
}
std::optional<Hash> parse_hash(std::string_view s)
{
	return parse_alg(s, kHashes);
}
uint32_t asym_bit(Asym a)
{
	switch (a) {
	case Asym::Rsa2048:
		return 1u << 0;
	case Asym::Rsa3072:
		return 1u << 2;
	case Asym::EcdsaP256:
		return 1u << 4;
	case Asym::Rsa4096:
		return 1u << 5;
	case Asym::EcdsaP384:
		return 1u << 7;
	case Asym::EcdsaP521:
		return 1u << 8;
	}
	return 0;
}
uint32_t hash_bit(Hash h)
{
	switch (h) {
	case Hash::Sha256:
		return 1u << 0;
	case Hash::Sha384:
		return 1u << 1;
	case Hash::Sha512:
		return 1u << 2;
	}
	return 0;
}
uint32_t parse_hash_list(std::string_view list)
{
	return parse_alg_list(list, kHashes, hash_bit);
}
uint32_t parse_asym_list(std::string_view list)
{
	return parse_alg_list(list, kAsyms, asym_bit);
}
std::string hash_list_text(uint32_t bits)
{
	return alg_list_text(bits, kHashes, hash_bit);
}
std::string asym_list_text(uint32_t bits)
{
	return alg_list_text(bits, kAsyms, asym_bit);
}

std::vector<uint8_t> parse_version_list(std::string_view list)
{
	std::vector<uint8_t> out;
	for_each_item(list, [&](std::string_view v) {
		uint8_t x = 0;
		for (uint8_t k : {0x10, 0x11, 0x12, 0x13, 0x14})
			if (v == version_text(k))
				x = k;
		if (!x)
			throw std::invalid_argument("unknown version '" + std::string(v) + "' (1.0,1.1,1.2,1.3,1.4)");
		if (std::find(out.begin(), out.end(), x) == out.end())
			out.push_back(x);
	});
	return out;
}

std::string version_list_text(std::span<const uint8_t> versions)
{
	std::string s;
	for (uint8_t v : versions)
		s += (s.empty() ? "" : ",") + version_text(v);
	return s;
}

std::optional<uint64_t> parse_serial(std::string_view s)
{
	if (s.starts_with("0x") || s.starts_with("0X"))
		s.remove_prefix(2);
	return s.size() > 16 ? std::nullopt : spdmtsm::parse_uint(s, UINT64_MAX, 16);
}

size_t hash_size(Hash h)
{
	return spdmtsm::find_hash(hash_bit(h))->len;
}
size_t signature_size(Asym a)
{
	return spdmtsm::find_asym(asym_bit(a))->sig_len;
}

Bytes Slot::der_chain() const
{
	Bytes out;
	for (auto &c : certs)
		out.insert(out.end(), c.begin(), c.end());
	return out;
}

Bytes Identity::spdm_chain(unsigned slot, Hash h, bool overlong) const
{
	const Slot &s = slots.at(slot);
	Bytes root_hash = digest(h, s.certs.front());
	Bytes certs = s.der_chain();
	size_t len = 4 + root_hash.size() + certs.size();
	if (len > 0xffff)
		throw std::runtime_error("certificate chain too long for SPDM");
	Bytes out{uint8_t(len), uint8_t(len >> 8), 0, 0};
	out.insert(out.end(), root_hash.begin(), root_hash.end());
	out.insert(out.end(), certs.begin(), certs.end());
	if (overlong)
		out.insert(out.end(), 64, 0xA5);
	return out;
}

namespace {

// SubjectAltName ::= SEQUENCE { otherName [0] { type-id 2.23.147 (PCI-SIG CMA),
//                                value [0] EXPLICIT UTF8String } }
Bytes cma_san(std::string_view name)
{
	auto tlv = [](uint8_t tag, const Bytes &v) {
		Bytes out{tag};
		size_t n = v.size();
		if (n < 128)
			out.push_back(uint8_t(n));
		else if (n < 256) {
			out.push_back(0x81);
			out.push_back(uint8_t(n));
		} else {
			out.push_back(0x82);
			out.push_back(uint8_t(n >> 8));
			out.push_back(uint8_t(n));
		}
		out.insert(out.end(), v.begin(), v.end());
		return out;
	};
	Bytes utf8 = tlv(0x0C, Bytes(name.begin(), name.end()));
	Bytes value = tlv(0xA0, utf8);
	Bytes other{0x06, 0x03, 0x67, 0x81, 0x13};
	other.insert(other.end(), value.begin(), value.end());
	return tlv(0x30, tlv(0xA0, other));
}

Bytes write_cert(PkKey &subject_key, PkKey &issuer_key, const std::string &subject, const std::string &issuer, Hash h,
		 bool ca, int pathlen, uint64_t serial, std::string_view cma_name, Drbg &rng)
{
	spdmtsm::mbed::CrtWrite w;
	mbedtls_x509write_crt_set_version(w.get(), MBEDTLS_X509_CRT_VERSION_3);
	uint8_t ser[9] = {0x01};
	for (int i = 0; i < 8; i++)
		ser[1 + i] = uint8_t(serial >> (56 - 8 * i));
	check(mbedtls_x509write_crt_set_serial_raw(w.get(), ser, sizeof ser), "serial");
	check(mbedtls_x509write_crt_set_validity(w.get(), "20250101000000", "20491231235959"), "validity");
	check(mbedtls_x509write_crt_set_subject_name(w.get(), subject.c_str()), "subject");
	check(mbedtls_x509write_crt_set_issuer_name(w.get(), issuer.c_str()), "issuer");
	mbedtls_x509write_crt_set_subject_key(w.get(), subject_key.get());
	mbedtls_x509write_crt_set_issuer_key(w.get(), issuer_key.get());
	mbedtls_x509write_crt_set_md_alg(w.get(), md_type(h));
	check(mbedtls_x509write_crt_set_basic_constraints(w.get(), ca ? 1 : 0, ca ? pathlen : -1), "basicConstraints");
	check(mbedtls_x509write_crt_set_subject_key_identifier(w.get()), "ski");
	check(mbedtls_x509write_crt_set_authority_key_identifier(w.get()), "aki");
	check(mbedtls_x509write_crt_set_key_usage(w.get(),
						  ca ? (MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN)
						     : MBEDTLS_X509_KU_DIGITAL_SIGNATURE),
	      "keyUsage");
	if (!ca) {
		Bytes san = cma_san(cma_name);
		check(mbedtls_x509write_crt_set_extension(w.get(), MBEDTLS_OID_SUBJECT_ALT_NAME,
							  MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, san.data(),
							  san.size()),
		      "subjectAltName");
	}
	Bytes buf(8192);
	int len = mbedtls_x509write_crt_der(w.get(), buf.data(), buf.size(), Drbg::rng, &rng);
	if (len < 0)
		spdmtsm::mbed::fail("write certificate", len);
	return Bytes(buf.end() - len, buf.end());
}

} // namespace

// An RFC 4514 attribute value that holds any bytes: each one as \XX (mbedTLS
// 3.6 parses hex pairs), so none is taken for a separator.
std::string dn_value_bytes(std::string_view v)
{
	std::string r;
	char b[4];
	for (unsigned char c : v) {
		snprintf(b, sizeof b, "\\%02X", c);
		r += b;
	}
	return r;
}

Identity make_identity(Asym asym, Hash hash, int nslots, uint64_t seed, std::string_view cma_name,
		       std::string_view leaf_cn)
{
	if (nslots < 1 || nslots > 8)
		throw std::invalid_argument("slots must be 1..8");
	Drbg rng(seed, "spdm-devsim identity " + std::string(to_string(asym)));
	Identity id;
	id.asym = asym;
	id.hash = hash;
	id.seed = seed;
	id.cma_name = std::string(cma_name);
	id.leaf_cn = std::string(leaf_cn);
	if (leaf_cn.find('\0') != std::string_view::npos)
		throw std::invalid_argument("the leaf CN cannot hold a NUL byte (mbedTLS refuses it)");
	PkKey root, inter;
	generate_key(root, asym, rng);
	generate_key(inter, asym, rng);
	std::string sfx = " " + std::to_string(seed);
	std::string root_dn = "CN=spdm-devsim root CA" + sfx + ",O=spdm-tsm";
	std::string inter_dn = "CN=spdm-devsim intermediate CA" + sfx + ",O=spdm-tsm";
	Bytes root_der = write_cert(root, root, root_dn, root_dn, hash, true, 1, seed * 16 + 1, {}, rng);
	Bytes inter_der = write_cert(inter, root, inter_dn, root_dn, hash, true, 0, seed * 16 + 2, {}, rng);
	for (int s = 0; s < nslots; s++) {
		PkKey leaf;
		generate_key(leaf, asym, rng);
		std::string leaf_dn = leaf_cn.empty()
					      ? "CN=spdm-devsim device slot " + std::to_string(s) + sfx + ",O=spdm-tsm"
					      : "CN=" + dn_value_bytes(leaf_cn) + ",O=spdm-tsm";
		Bytes leaf_der =
			write_cert(leaf, inter, leaf_dn, inter_dn, hash, false, 0, seed * 16 + 3 + s, cma_name, rng);
		id.slots.push_back(Slot{{root_der, inter_der, leaf_der}, key_to_pem(leaf)});
	}
	return id;
}

void save_identity(const Identity &id, const std::string &dir)
{
	fs::create_directories(dir);
	std::ostringstream meta;
	meta << "asym=" << to_string(id.asym) << "\nhash=" << to_string(id.hash) << "\nseed=" << id.seed
	     << "\nslots=" << id.slots.size() << "\ncma_name_hex="
	     << spdmtsm::hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(id.cma_name.data()),
						      id.cma_name.size()))
	     << "\n";
	std::string m = meta.str();
	write_file(dir + "/identity.txt", Bytes(m.begin(), m.end()));
	for (size_t s = 0; s < id.slots.size(); s++) {
		const Slot &sl = id.slots[s];
		std::string sd = dir + "/slot" + std::to_string(s);
		fs::create_directories(sd);
		std::string pem_chain;
		for (size_t i = 0; i < sl.certs.size(); i++) {
			std::string name = sl.certs.size() == 3 ? std::string(i == 0   ? "root"
									      : i == 1 ? "inter"
										       : "leaf")
								: "cert" + std::to_string(i);
			std::string pem = spdmtsm::pem(sl.certs[i]);
			pem_chain += pem;
			write_file(sd + "/" + name + ".der", sl.certs[i]);
			write_file(sd + "/" + name + ".pem", Bytes(pem.begin(), pem.end()));
		}
		write_file(sd + "/chain.der", sl.der_chain());
		write_file(sd + "/chain.pem", Bytes(pem_chain.begin(), pem_chain.end()));
		write_file(sd + "/leaf.key.pem", Bytes(sl.leaf_key_pem.begin(), sl.leaf_key_pem.end()), true);
		write_file(sd + "/spdm-chain.bin", id.spdm_chain(unsigned(s), id.hash));
	}
}

Identity load_identity(const std::string &dir)
{
	Identity id;
	std::map<std::string, std::string> meta;
	{
		std::ifstream f(dir + "/identity.txt");
		if (!f)
			throw std::runtime_error("cannot open " + dir +
						 "/identity.txt (create it with spdm-devsim keygen or import)");
		std::string line;
		while (std::getline(f, line)) {
			auto eq = line.find('=');
			if (eq != std::string::npos)
				meta[line.substr(0, eq)] = line.substr(eq + 1);
		}
	}
	auto h = parse_hash(meta["hash"]);
	if (!h)
		throw std::runtime_error(dir + "/identity.txt: bad hash '" + meta["hash"] + "'");
	id.hash = *h;
	id.seed = meta.count("seed") ? std::stoull(meta["seed"]) : 0;
	if (meta.count("cma_name"))
		id.cma_name = meta["cma_name"];
	if (meta.count("cma_name_hex")) {
		auto b = from_hex(meta["cma_name_hex"]);
		if (!b)
			throw std::runtime_error(dir + "/identity.txt: bad cma_name_hex");
		id.cma_name.assign(b->begin(), b->end());
	}
	Drbg rng;
	for (int s = 0; s < 8; s++) {
		std::string sd = dir + "/slot" + std::to_string(s);
		if (!fs::exists(sd + "/chain.der"))
			break;
		Slot sl;
		sl.certs = parse_cert_file(sd + "/chain.der");
		Bytes key = read_file(sd + "/leaf.key.pem");
		sl.leaf_key_pem.assign(key.begin(), key.end());
		PkKey k;
		parse_private_key(k, sl.leaf_key_pem, rng);
		Asym a = key_asym(k.get());
		if (s == 0)
			id.asym = a;
		else if (a != id.asym)
			throw std::runtime_error(sd + ": all slots must use the same key type");
		id.slots.push_back(std::move(sl));
	}
	if (id.slots.empty())
		throw std::runtime_error(dir + ": no slot0/chain.der");
	return id;
}

Identity import_identity(const std::string &key_file, const std::vector<std::string> &chain_files, Hash hash)
{
	Identity id;
	id.hash = hash;
	Slot sl;
	for (auto &f : chain_files) {
		auto certs = parse_cert_file(f);
		sl.certs.insert(sl.certs.end(), certs.begin(), certs.end());
	}
	if (sl.certs.empty())
		throw std::runtime_error("no certificates given");
	Bytes key = read_file(key_file);
	sl.leaf_key_pem.assign(key.begin(), key.end());
	if (sl.leaf_key_pem.find("-----BEGIN") == std::string::npos) {
		// DER key: store as PEM so that load_identity can read it back.
		Drbg rng;
		PkKey k;
		check(mbedtls_pk_parse_key(k.get(), key.data(), key.size(), nullptr, 0, Drbg::rng, &rng), "parse key");
		sl.leaf_key_pem = key_to_pem(k);
	}
	Drbg rng;
	PkKey k;
	parse_private_key(k, sl.leaf_key_pem, rng);
	id.asym = key_asym(k.get());
	// The leaf's public key must match the private key.
	X509Crt leaf;
	check(mbedtls_x509_crt_parse_der(leaf.get(), sl.certs.back().data(), sl.certs.back().size()), "parse leaf");
	check(mbedtls_pk_check_pair(&leaf.get()->pk, k.get(), Drbg::rng, &rng),
	      "the last certificate's public key does not match the private key");
	id.slots.push_back(std::move(sl));
	return id;
}

} // namespace devsim
