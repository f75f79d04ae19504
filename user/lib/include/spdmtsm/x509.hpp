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
	std::string key; // "EC P-384", "RSA 3072"
	bool is_ca = false;
	std::optional<std::string> cma_name; // PCIe CMA SAN otherName (OID 2.23.147)
	// DMTF SAN otherName id-DMTF-device-info (1.3.6.1.4.1.412.274.1, DSP0274)
	std::optional<std::string> device_info;
};

// DER contents (no tag, no length) of the OIDs libspdmtsm looks for.
extern const Bytes oid_pcie_cma;                // 2.23.147
extern const Bytes oid_dmtf_device_info;        // 1.3.6.1.4.1.412.274.1
extern const Bytes oid_dmtf_eku_responder_auth; // 1.3.6.1.4.1.412.274.3
extern const Bytes oid_dmtf_eku_requester_auth; // 1.3.6.1.4.1.412.274.4

// Throws std::runtime_error (mbed::Error) when the certificate does not parse.
CertInfo describe_cert(const Bytes &der);

// The value of a SAN otherName with OID 2.23.147 in a DER
// SubjectAltName GeneralName list, if any (exposed for tests).
std::optional<std::string> find_cma_other_name(const Bytes &general_names);
// The same for any otherName type-id (DER contents of the OID).
std::optional<std::string> find_other_name(const Bytes &general_names, const Bytes &oid);

Json json_of(const CertInfo &c);

} // namespace spdmtsm
