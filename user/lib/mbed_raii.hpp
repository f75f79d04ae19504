// SPDX-License-Identifier: GPL-2.0
// RAII owners of the mbedTLS contexts libspdmtsm uses (private header).
#pragma once

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

namespace spdmtsm::mbed {

struct Pk {
	mbedtls_pk_context ctx;
	Pk() { mbedtls_pk_init(&ctx); }
	~Pk() { mbedtls_pk_free(&ctx); }
	Pk(const Pk &) = delete;
	Pk &operator=(const Pk &) = delete;
};

struct Crt {
	mbedtls_x509_crt crt;
	Crt() { mbedtls_x509_crt_init(&crt); }
	~Crt() { mbedtls_x509_crt_free(&crt); }
	Crt(const Crt &) = delete;
	Crt &operator=(const Crt &) = delete;
};

} // namespace spdmtsm::mbed
