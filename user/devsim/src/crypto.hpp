// SPDX-License-Identifier: GPL-2.0
// RAII wrappers over the mbedTLS contexts devsim uses.
#pragma once
#include <devsim/responder.hpp>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <spdmtsm/mbed.hpp>
#include <spdmtsm/vocab.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace devsim {

// libspdmtsm's vocabulary (header-only): the mbedTLS error style, the
// context owners, the hex codec, PEM.
using spdmtsm::from_hex;
using spdmtsm::mbed::check;
using PkKey = spdmtsm::mbed::Pk;
using X509Crt = spdmtsm::mbed::Crt;

mbedtls_md_type_t md_type(Hash);
Bytes digest(Hash, std::span<const uint8_t>);

// CTR-DRBG.  Seeded either from a 64-bit seed and a label (deterministic)
// or from the system entropy source.
class Drbg {
public:
	explicit Drbg(uint64_t seed, std::string_view label);
	Drbg(); // system entropy
	~Drbg();
	Drbg(const Drbg &) = delete;
	Drbg &operator=(const Drbg &) = delete;
	void fill(uint8_t *out, size_t len);
	Bytes bytes(size_t n)
	{
		Bytes b(n);
		fill(b.data(), n);
		return b;
	}
	static int rng(void *self, unsigned char *out, size_t len); // f_rng
private:
	mbedtls_ctr_drbg_context ctx_;
	Bytes seed_material_;
	size_t seed_pos_ = 0;
	static int seed_entropy(void *self, unsigned char *out, size_t len);
};

void generate_key(PkKey &, Asym, Drbg &);
void parse_private_key(PkKey &, const std::string &pem, Drbg &);
std::string key_to_pem(PkKey &);
Asym key_asym(const mbedtls_pk_context *); // throws when unsupported

// SPDM signature over message: Hash(message) signed; ECDSA as raw r||s,
// RSA as RSASSA-PKCS1-v1_5.
Bytes spdm_sign(PkKey &, Asym, Hash, std::span<const uint8_t> message, Drbg &);

Bytes read_file(const std::string &path);
void write_file(const std::string &path, std::span<const uint8_t> data, bool private_file = false);
// Certificates (DER) in a PEM bundle or a single DER file.
std::vector<Bytes> parse_cert_file(const std::string &path);

} // namespace devsim
