// SPDX-License-Identifier: GPL-2.0
// The mbedTLS vocabulary of libspdmtsm, tsmctl and spdm-devsim (header-only):
// RAII owners of the contexts (one key, one certificate list) and one error
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

class Pk {
public:
	Pk() { mbedtls_pk_init(&ctx_); }
	~Pk() { mbedtls_pk_free(&ctx_); }
	Pk(const Pk &) = delete;
	Pk &operator=(const Pk &) = delete;
	mbedtls_pk_context *get() { return &ctx_; }
	const mbedtls_pk_context *get() const { return &ctx_; }

private:
	mbedtls_pk_context ctx_;
};

// A list of X.509 certificates (mbedtls_x509_crt is a linked list): one
// certificate, a chain, or a set of trust anchors.
class Crt {
public:
	Crt() { mbedtls_x509_crt_init(&crt_); }
	~Crt() { mbedtls_x509_crt_free(&crt_); }
	Crt(const Crt &) = delete;
	Crt &operator=(const Crt &) = delete;
	mbedtls_x509_crt *get() { return &crt_; }
	const mbedtls_x509_crt *get() const { return &crt_; }
	const mbedtls_x509_crt *operator->() const { return &crt_; }

	// Append one DER certificate; returns mbedTLS's code (0: parsed).
	int add_der(const std::uint8_t *der, std::size_t len)
	{
		return mbedtls_x509_crt_parse_der(&crt_, der, len);
	}
	// Append the certificates of a PEM or DER file; returns mbedTLS's code.
	int add_file(const std::string &path) { return mbedtls_x509_crt_parse_file(&crt_, path.c_str()); }

private:
	mbedtls_x509_crt crt_;
};

} // namespace spdmtsm::mbed
