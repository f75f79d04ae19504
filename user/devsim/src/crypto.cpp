// SPDX-License-Identifier: GPL-2.0
#include "crypto.hpp"

#include <mbedtls/asn1.h>
#include <mbedtls/base64.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pem.h>
#include <mbedtls/rsa.h>
#include <psa/crypto.h>
extern "C" { // psa_util.h lacks the C++ guards of the other headers (3.6)
#include <mbedtls/psa_util.h>
}

#include <cstring>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

namespace devsim {

mbedtls_md_type_t md_type(Hash h)
{
	return spdmtsm::find_hash(hash_bit(h))->md;
}

Bytes digest(Hash h, std::span<const uint8_t> data)
{
	Bytes out(hash_size(h));
	check(mbedtls_md(mbedtls_md_info_from_type(md_type(h)), data.data(), data.size(), out.data()), "hash");
	return out;
}

static void ensure_psa()
{
	static bool done = [] {
		psa_crypto_init();
		return true;
	}();
	(void)done;
}

Drbg::Drbg(uint64_t seed, std::string_view label)
{
	ensure_psa();
	mbedtls_ctr_drbg_init(&ctx_);
	// Expand (seed, label) into plenty of seed material with SHA-512.
	for (uint32_t ctr = 0; ctr < 8; ctr++) {
		Bytes in;
		for (int i = 0; i < 8; i++)
			in.push_back(uint8_t(seed >> (8 * i)));
		for (int i = 0; i < 4; i++)
			in.push_back(uint8_t(ctr >> (8 * i)));
		in.insert(in.end(), label.begin(), label.end());
		Bytes d = digest(Hash::Sha512, in);
		seed_material_.insert(seed_material_.end(), d.begin(), d.end());
	}
	check(mbedtls_ctr_drbg_seed(&ctx_, &Drbg::seed_entropy, this, nullptr, 0), "ctr_drbg_seed");
	// Never reseed from the (exhaustible) seed material.
	mbedtls_ctr_drbg_set_reseed_interval(&ctx_, 0x7fffffff);
}

Drbg::Drbg()
{
	ensure_psa();
	mbedtls_ctr_drbg_init(&ctx_);
	seed_material_ = Bytes(256);
	std::ifstream ur("/dev/urandom", std::ios::binary);
	ur.read(reinterpret_cast<char *>(seed_material_.data()), seed_material_.size());
	if (!ur)
		throw std::runtime_error("cannot read /dev/urandom");
	check(mbedtls_ctr_drbg_seed(&ctx_, &Drbg::seed_entropy, this, nullptr, 0), "ctr_drbg_seed");
	mbedtls_ctr_drbg_set_reseed_interval(&ctx_, 0x7fffffff);
}

Drbg::~Drbg()
{
	mbedtls_ctr_drbg_free(&ctx_);
}

int Drbg::seed_entropy(void *self, unsigned char *out, size_t len)
{
	auto *d = static_cast<Drbg *>(self);
	if (d->seed_pos_ + len > d->seed_material_.size())
		return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
	memcpy(out, d->seed_material_.data() + d->seed_pos_, len);
	d->seed_pos_ += len;
	return 0;
}

void Drbg::fill(uint8_t *out, size_t len)
{
	while (len) {
		size_t n = std::min<size_t>(len, MBEDTLS_CTR_DRBG_MAX_REQUEST);
		check(mbedtls_ctr_drbg_random(&ctx_, out, n), "ctr_drbg_random");
		out += n;
		len -= n;
	}
}

int Drbg::rng(void *self, unsigned char *out, size_t len)
{
	return mbedtls_ctr_drbg_random(&static_cast<Drbg *>(self)->ctx_, out, len);
}

void generate_key(PkKey &k, Asym a, Drbg &rng)
{
	bool ec = a == Asym::EcdsaP256 || a == Asym::EcdsaP384 || a == Asym::EcdsaP521;
	check(mbedtls_pk_setup(k.get(), mbedtls_pk_info_from_type(ec ? MBEDTLS_PK_ECKEY : MBEDTLS_PK_RSA)), "pk_setup");
	switch (a) {
	case Asym::EcdsaP256:
		check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*k.get()), Drbg::rng, &rng),
		      "ecp_gen_key");
		break;
	case Asym::EcdsaP384:
		check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP384R1, mbedtls_pk_ec(*k.get()), Drbg::rng, &rng),
		      "ecp_gen_key");
		break;
	case Asym::EcdsaP521:
		check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP521R1, mbedtls_pk_ec(*k.get()), Drbg::rng, &rng),
		      "ecp_gen_key");
		break;
	case Asym::Rsa2048:
	case Asym::Rsa3072:
	case Asym::Rsa4096: {
		unsigned bits = a == Asym::Rsa2048 ? 2048 : a == Asym::Rsa3072 ? 3072 : 4096;
		check(mbedtls_rsa_gen_key(mbedtls_pk_rsa(*k.get()), Drbg::rng, &rng, bits, 65537), "rsa_gen_key");
		break;
	}
	}
}

void parse_private_key(PkKey &k, const std::string &pem, Drbg &rng)
{
	check(mbedtls_pk_parse_key(k.get(), reinterpret_cast<const unsigned char *>(pem.c_str()), pem.size() + 1,
				   nullptr, 0, Drbg::rng, &rng),
	      "parse private key");
}

std::string key_to_pem(PkKey &k)
{
	std::string buf(16000, '\0');
	check(mbedtls_pk_write_key_pem(k.get(), reinterpret_cast<unsigned char *>(buf.data()), buf.size()),
	      "write key");
	buf.resize(strlen(buf.c_str()));
	return buf;
}

Asym key_asym(const mbedtls_pk_context *pk)
{
	auto t = mbedtls_pk_get_type(pk);
	if (t == MBEDTLS_PK_ECKEY || t == MBEDTLS_PK_ECDSA) {
		switch (mbedtls_pk_ec(*pk)->MBEDTLS_PRIVATE(grp).id) {
		case MBEDTLS_ECP_DP_SECP256R1:
			return Asym::EcdsaP256;
		case MBEDTLS_ECP_DP_SECP384R1:
			return Asym::EcdsaP384;
		case MBEDTLS_ECP_DP_SECP521R1:
			return Asym::EcdsaP521;
		default:
			break;
		}
	} else if (t == MBEDTLS_PK_RSA) {
		switch (mbedtls_pk_get_bitlen(pk)) {
		case 2048:
			return Asym::Rsa2048;
		case 3072:
			return Asym::Rsa3072;
		case 4096:
			return Asym::Rsa4096;
		default:
			break;
		}
	}
	throw std::runtime_error("unsupported key type (need ECDSA P-256/384/521 or RSA 2048/3072/4096)");
}

Bytes spdm_sign(PkKey &k, Asym a, Hash h, std::span<const uint8_t> message, Drbg &rng)
{
	Bytes hash = digest(h, message);
	Bytes sig(MBEDTLS_PK_SIGNATURE_MAX_SIZE);
	size_t len = 0;
	check(mbedtls_pk_sign(k.get(), md_type(h), hash.data(), hash.size(), sig.data(), sig.size(), &len, Drbg::rng,
			      &rng),
	      "sign");
	sig.resize(len);
	if (a == Asym::Rsa2048 || a == Asym::Rsa3072 || a == Asym::Rsa4096)
		return sig;
	// ECDSA: DER SEQUENCE { INTEGER r, INTEGER s } -> fixed-size r || s
	Bytes raw(signature_size(a));
	size_t raw_len = 0;
	check(mbedtls_ecdsa_der_to_raw(raw.size() / 2 * 8, sig.data(), sig.size(), raw.data(), raw.size(), &raw_len),
	      "ecdsa der");
	raw.resize(raw_len);
	return raw;
}

Bytes read_file(const std::string &path)
{
	std::ifstream f(path, std::ios::binary);
	if (!f)
		throw std::runtime_error("cannot open " + path);
	return Bytes(std::istreambuf_iterator<char>(f), {});
}

void write_file(const std::string &path, std::span<const uint8_t> data, bool private_file)
{
	std::ofstream f(path, std::ios::binary | std::ios::trunc);
	if (!f)
		throw std::runtime_error("cannot write " + path);
	f.write(reinterpret_cast<const char *>(data.data()), data.size());
	f.close();
	if (!f)
		throw std::runtime_error("cannot write " + path);
	if (private_file)
		chmod(path.c_str(), 0600);
}

std::vector<Bytes> parse_cert_file(const std::string &path)
{
	Bytes data = read_file(path);
	X509Crt chain;
	int rc;
	std::string text(data.begin(), data.end());
	if (text.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
		rc = mbedtls_x509_crt_parse(chain.get(), reinterpret_cast<const unsigned char *>(text.c_str()),
					    text.size() + 1);
		if (rc < 0)
			spdmtsm::mbed::fail("parse " + path, rc);
		if (rc > 0)
			throw std::runtime_error(path + ": " + std::to_string(rc) + " certificate(s) failed to parse");
	} else {
		// One or more concatenated DER certificates.
		size_t off = 0;
		while (off < data.size()) {
			unsigned char *p = data.data() + off, *end = data.data() + data.size();
			size_t len;
			check(mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE),
			      ("parse " + path).c_str());
			size_t total = size_t(p - (data.data() + off)) + len;
			check(mbedtls_x509_crt_parse_der(chain.get(), data.data() + off, total),
			      ("parse " + path).c_str());
			off += total;
		}
	}
	std::vector<Bytes> out;
	for (mbedtls_x509_crt *c = chain.get(); c && c->raw.len; c = c->next)
		out.emplace_back(c->raw.p, c->raw.p + c->raw.len);
	return out;
}

} // namespace devsim
