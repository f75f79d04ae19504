// SPDX-License-Identifier: GPL-2.0
// The mbedTLS vocabulary of libspdmtsm, tsmctl and spdm-devsim (header-only):
// RAII owners of the contexts (keys, certificate lists, certificate
// writers: one Owner template) and one error
// style, an mbedTLS return code turned into an mbed::Error whose text names
// the operation, mbedTLS's own words and the code.
#pragma once

#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace spdmtsm::mbed {

// "<mbedTLS's text> (-0x2700)"
inline std::string error_text(int rc)
{
	char buf[160];
	mbedtls_strerror(rc, buf, sizeof(buf));
	char code[16];
	std::snprintf(code, sizeof(code), "-0x%04x", static_cast<unsigned>(rc < 0 ? -rc : rc));
	return std::string(buf) + " (" + code + ")";
}

class Error : public std::runtime_error {
public:
	Error(const std::string &what, int rc) : std::runtime_error(what + ": " + error_text(rc)), rc_(rc) {}
	int code() const { return rc_; }

private:
	int rc_;
};

[[noreturn]] inline void fail(const std::string &what, int rc)
{
	throw Error(what, rc);
}

// Throws mbed::Error when rc is not 0.
inline void check(int rc, const char *what)
{
	if (rc != 0)
		fail(what, rc);
}

// The owner of one mbedTLS context: Init on construction, Free on
// destruction, never copied.
template <typename T, void (*Init)(T *), void (*Free)(T *)> class Owner {
public:
	Owner() { Init(&ctx_); }
	~Owner() { Free(&ctx_); }
	Owner(const Owner &) = delete;
	Owner &operator=(const Owner &) = delete;
	T *get() { return &ctx_; }
	const T *get() const { return &ctx_; }
	const T *operator->() const { return &ctx_; }

private:
	T ctx_;
};

using Pk = Owner<mbedtls_pk_context, mbedtls_pk_init, mbedtls_pk_free>;
using CrtWrite = Owner<mbedtls_x509write_cert, mbedtls_x509write_crt_init, mbedtls_x509write_crt_free>;

// A list of X.509 certificates (mbedtls_x509_crt is a linked list): one
// certificate, a chain, or a set of trust anchors.
class Crt : public Owner<mbedtls_x509_crt, mbedtls_x509_crt_init, mbedtls_x509_crt_free> {
public:
	// Append one DER certificate; returns mbedTLS's code (0: parsed).
	int add_der(const std::uint8_t *der, std::size_t len) { return mbedtls_x509_crt_parse_der(get(), der, len); }
	// Append the certificates of a PEM or DER file; returns mbedTLS's code.
	int add_file(const std::string &path) { return mbedtls_x509_crt_parse_file(get(), path.c_str()); }
};

} // namespace spdmtsm::mbed
