// SPDX-License-Identifier: GPL-2.0
// Certificate display, like a short "openssl x509 -text" (mbedTLS).
#pragma once

#include "spdmtsm/evidence.hpp"

#include <optional>
#include <string>

namespace spdmtsm {

struct CertInfo {
	std::string subject;
	std::string issuer;
	std::string serial;     // hex
	std::string not_before; // "2025-01-01 00:00:00 UTC"
	std::string not_after;
	std::string key;        // "EC P-384", "RSA 3072"
	bool is_ca = false;
	std::optional<std::string> cma_name; // PCIe CMA SAN otherName (OID 2.23.147)
};

// Throws std::runtime_error when the certificate does not parse.
CertInfo describe_cert(const Bytes &der);

// The value of a SAN otherName with OID 2.23.147 in a DER
// SubjectAltName GeneralName list, if any (exposed for tests).
std::optional<std::string> find_cma_other_name(const Bytes &general_names);

Json json_of(const CertInfo &c);

} // namespace spdmtsm
