// SPDX-License-Identifier: GPL-2.0
// RAII wrappers over the mbedTLS contexts devsim uses.
#pragma once
#include <devsim/responder.hpp>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace devsim {

[[noreturn]] void throw_mbedtls(const char *what, int rc);

inline void check(int rc, const char *what) {
    if (rc != 0)
        throw_mbedtls(what, rc);
}

mbedtls_md_type_t md_type(Hash);
Bytes digest(Hash, std::span<const uint8_t>);

// CTR-DRBG.  Seeded either from a 64-bit seed and a label (deterministic)
// or from the system entropy source.
class Drbg {
public:
    explicit Drbg(uint64_t seed, std::string_view label);
    Drbg();  // system entropy
    ~Drbg();
    Drbg(const Drbg &) = delete;
    Drbg &operator=(const Drbg &) = delete;
    void fill(uint8_t *out, size_t len);
    Bytes bytes(size_t n) { Bytes b(n); fill(b.data(), n); return b; }
    static int rng(void *self, unsigned char *out, size_t len);  // f_rng
private:
    mbedtls_ctr_drbg_context ctx_;
    Bytes seed_material_;
    size_t seed_pos_ = 0;
    static int seed_entropy(void *self, unsigned char *out, size_t len);
};

class PkKey {
public:
    PkKey() { mbedtls_pk_init(&pk_); }
    ~PkKey() { mbedtls_pk_free(&pk_); }
    PkKey(const PkKey &) = delete;
    PkKey &operator=(const PkKey &) = delete;
    mbedtls_pk_context *get() { return &pk_; }
    const mbedtls_pk_context *get() const { return &pk_; }
private:
    mbedtls_pk_context pk_;
};

class X509Crt {
public:
    X509Crt() { mbedtls_x509_crt_init(&c_); }
    ~X509Crt() { mbedtls_x509_crt_free(&c_); }
    X509Crt(const X509Crt &) = delete;
    X509Crt &operator=(const X509Crt &) = delete;
    mbedtls_x509_crt *get() { return &c_; }
private:
    mbedtls_x509_crt c_;
};

void generate_key(PkKey &, Asym, Drbg &);
void parse_private_key(PkKey &, const std::string &pem, Drbg &);
std::string key_to_pem(PkKey &);
Asym key_asym(const mbedtls_pk_context *);   // throws when unsupported

// SPDM signature over message: Hash(message) signed; ECDSA as raw r||s,
// RSA as RSASSA-PKCS1-v1_5.
Bytes spdm_sign(PkKey &, Asym, Hash, std::span<const uint8_t> message, Drbg &);

std::string to_hex(std::span<const uint8_t>);
std::optional<Bytes> from_hex(std::string_view);
Bytes read_file(const std::string &path);
void write_file(const std::string &path, std::span<const uint8_t> data, bool private_file = false);
std::string der_to_pem(std::span<const uint8_t> der, const char *label);
// Certificates (DER) in a PEM bundle or a single DER file.
std::vector<Bytes> parse_cert_file(const std::string &path);

}  // namespace devsim
