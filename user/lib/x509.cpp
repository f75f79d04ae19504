// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/x509.hpp"

#include "spdmtsm/mbed.hpp"

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace spdmtsm {

namespace {

std::string dn(const mbedtls_x509_name *n)
{
	char buf[1024];
	int r = mbedtls_x509_dn_gets(buf, sizeof(buf), n);
	return r < 0 ? std::string("(unprintable)") : std::string(buf, r);
}

std::string when(const mbedtls_x509_time &t)
{
	char buf[40];
	std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d UTC", t.year, t.mon, t.day, t.hour, t.min,
		      t.sec);
	return buf;
}

bool oid_is(const std::uint8_t *p, std::size_t len, const Bytes &oid)
{
	return len == oid.size() && std::memcmp(p, oid.data(), len) == 0;
}

// The body of an otherName GeneralName (what follows its [0] tag and length):
// OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }
// with the SEQUENCE tag IMPLICIT.  The value when type-id is oid and the value
// a UTF8String, PrintableString or IA5String.
std::optional<std::string> other_name_value(unsigned char *p, const unsigned char *end, const Bytes &oid)
{
	std::size_t len;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_OID) != 0)
		return std::nullopt;
	if (!oid_is(p, len, oid))
		return std::nullopt;
	p += len;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 0) != 0)
		return std::nullopt;
	const unsigned char *vend = p + len;
	for (int tag : {MBEDTLS_ASN1_UTF8_STRING, MBEDTLS_ASN1_PRINTABLE_STRING, MBEDTLS_ASN1_IA5_STRING}) {
		unsigned char *q = p;
		if (mbedtls_asn1_get_tag(&q, vend, &len, tag) == 0)
			return std::string(reinterpret_cast<const char *>(q), len);
	}
	return std::nullopt;
}

constexpr int other_name_tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_X509_SAN_OTHER_NAME;

// The otherName of type oid among the SubjectAltName entries mbedTLS kept.
std::optional<std::string> san_other_name(const mbedtls_x509_crt &crt, const Bytes &oid)
{
	for (const mbedtls_x509_sequence *s = &crt.subject_alt_names; s && s->buf.p; s = s->next) {
		if (s->buf.tag != other_name_tag)
			continue;
		if (auto v = other_name_value(s->buf.p, s->buf.p + s->buf.len, oid))
			return v;
	}
	return std::nullopt;
}

} // namespace

const Bytes oid_pcie_cma = {0x67, 0x81, 0x13}; // 2.23.147
const Bytes oid_dmtf_device_info = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0x1c, 0x82, 0x12, 0x01};
const Bytes oid_dmtf_eku_responder_auth = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0x1c, 0x82, 0x12, 0x03};
const Bytes oid_dmtf_eku_requester_auth = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0x1c, 0x82, 0x12, 0x04};

std::optional<std::string> find_other_name(const Bytes &names, const Bytes &oid)
{
	// GeneralNames ::= SEQUENCE OF GeneralName (the outer SEQUENCE optional
	// here: a bare list of GeneralName is accepted too).
	Bytes copy = names; // mbedtls_asn1_get_tag takes a non-const cursor
	unsigned char *p = copy.data(), *end = copy.data() + copy.size();
	std::size_t len;
	if (p < end && *p == (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) {
		if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return std::nullopt;
		end = p + len;
	}
	while (p < end) {
		int tag = *p++;
		if (mbedtls_asn1_get_len(&p, end, &len) != 0)
			return std::nullopt;
		if (tag == other_name_tag)
			if (auto v = other_name_value(p, p + len, oid))
				return v;
		p += len;
	}
	return std::nullopt;
}

std::optional<std::string> find_cma_other_name(const Bytes &names)
{
	return find_other_name(names, oid_pcie_cma);
}

CertInfo describe_cert(const Bytes &der)
{
	mbed::Crt c;
	if (int rc = c.add_der(der.data(), der.size()))
		throw mbed::Error("certificate does not parse", rc);
	const mbedtls_x509_crt &crt = *c.get();
	CertInfo i;
	i.subject = dn(&crt.subject);
	i.issuer = dn(&crt.issuer);
	char sbuf[128];
	int n = mbedtls_x509_serial_gets(sbuf, sizeof(sbuf), &crt.serial);
	i.serial = n > 0 ? std::string(sbuf, n) : "";
	i.not_before = when(crt.valid_from);
	i.not_after = when(crt.valid_to);
	std::string kind = mbedtls_pk_get_name(&crt.pk);
	if (kind == "EC" || kind == "EC_DH" || kind == "ECDSA")
		i.key = "EC P-" + std::to_string(mbedtls_pk_get_bitlen(&crt.pk));
	else
		i.key = kind + " " + std::to_string(mbedtls_pk_get_bitlen(&crt.pk));
	i.is_ca = crt.MBEDTLS_PRIVATE(ca_istrue) != 0;
	// mbedTLS keeps every SubjectAltName entry raw (it decodes only the
	// hardware-module otherName itself).
	i.cma_name = san_other_name(crt, oid_pcie_cma);
	i.device_info = san_other_name(crt, oid_dmtf_device_info);
	return i;
}

Json json_of(const CertInfo &c)
{
	return Json{{"subject", c.subject},
		    {"issuer", c.issuer},
		    {"serial", c.serial},
		    {"not_before", c.not_before},
		    {"not_after", c.not_after},
		    {"key", c.key},
		    {"ca", c.is_ca},
		    {"cma_name", json_or_null(c.cma_name)},
		    {"device_info", json_or_null(c.device_info)}};
}

} // namespace spdmtsm
