// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/x509.hpp"

#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "mbed_raii.hpp"

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace spdmtsm {

namespace {

using mbed::Crt;

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

// One DER TLV at p (< end): tag, content start and length.  False if malformed.
bool tlv(const std::uint8_t *&p, const std::uint8_t *end, std::uint8_t &tag, const std::uint8_t *&content,
	 std::size_t &len)
{
	if (end - p < 2)
		return false;
	tag = p[0];
	std::size_t l = p[1], hdr = 2;
	if (l & 0x80) {
		std::size_t n = l & 0x7f;
		if (n == 0 || n > 3 || static_cast<std::size_t>(end - p) < 2 + n)
			return false;
		l = 0;
		for (std::size_t i = 0; i < n; i++)
			l = l << 8 | p[2 + i];
		hdr += n;
	}
	if (l > static_cast<std::size_t>(end - p) - hdr)
		return false;
	content = p + hdr;
	len = l;
	p = content + l;
	return true;
}

} // namespace

std::optional<std::string> find_cma_other_name(const Bytes &names)
{
	// GeneralNames ::= SEQUENCE OF GeneralName; otherName is [0] IMPLICIT
	// SEQUENCE { type-id OID, value [0] EXPLICIT ANY }.
	static const std::uint8_t cma_oid[] = {0x67, 0x81, 0x13}; // 2.23.147
	const std::uint8_t *p = names.data(), *end = names.data() + names.size();
	std::uint8_t tag;
	const std::uint8_t *c;
	std::size_t len;
	if (p < end && p[0] == 0x30) {
		if (!tlv(p, end, tag, c, len))
			return std::nullopt;
		p = c;
		end = c + len;
	}
	while (p < end) {
		if (!tlv(p, end, tag, c, len))
			return std::nullopt;
		if (tag != 0xa0)
			continue;
		const std::uint8_t *q = c, *qend = c + len, *oid, *val;
		std::size_t oidlen, vallen;
		if (!tlv(q, qend, tag, oid, oidlen) || tag != 0x06)
			continue;
		if (oidlen != sizeof(cma_oid) || std::memcmp(oid, cma_oid, oidlen))
			continue;
		if (!tlv(q, qend, tag, val, vallen) || tag != 0xa0)
			continue;
		const std::uint8_t *r = val, *s;
		std::size_t slen;
		if (!tlv(r, val + vallen, tag, s, slen))
			continue;
		if (tag == 0x0c || tag == 0x13 || tag == 0x16) // UTF8String, PrintableString, IA5String
			return std::string(reinterpret_cast<const char *>(s), slen);
	}
	return std::nullopt;
}

CertInfo describe_cert(const Bytes &der)
{
	Crt c;
	int rc = mbedtls_x509_crt_parse_der(&c.crt, der.data(), der.size());
	if (rc) {
		char buf[32];
		std::snprintf(buf, sizeof(buf), "-0x%04x", static_cast<unsigned>(-rc));
		throw std::runtime_error(std::string("certificate does not parse (mbedTLS ") + buf + ")");
	}
	CertInfo i;
	i.subject = dn(&c.crt.subject);
	i.issuer = dn(&c.crt.issuer);
	char sbuf[128];
	int n = mbedtls_x509_serial_gets(sbuf, sizeof(sbuf), &c.crt.serial);
	i.serial = n > 0 ? std::string(sbuf, n) : "";
	i.not_before = when(c.crt.valid_from);
	i.not_after = when(c.crt.valid_to);
	std::string kind = mbedtls_pk_get_name(&c.crt.pk);
	if (kind == "EC" || kind == "EC_DH" || kind == "ECDSA")
		i.key = "EC P-" + std::to_string(mbedtls_pk_get_bitlen(&c.crt.pk));
	else
		i.key = kind + " " + std::to_string(mbedtls_pk_get_bitlen(&c.crt.pk));
	i.is_ca = c.crt.MBEDTLS_PRIVATE(ca_istrue) != 0;
	// Walk the raw SubjectAltName GeneralNames: mbedTLS 3.6 decodes only the
	// hardware-module otherName, not the PCIe CMA one.
	const mbedtls_x509_buf &v3 = c.crt.v3_ext;
	const std::uint8_t *p = v3.p, *end = v3.p + v3.len;
	std::uint8_t tag;
	const std::uint8_t *content;
	std::size_t len;
	// v3_ext is the Extensions SEQUENCE: SEQUENCE OF Extension
	if (p && tlv(p, end, tag, content, len) && tag == 0x30) {
		const std::uint8_t *e = content, *eend = content + len;
		while (e < eend) {
			const std::uint8_t *ext, *oid, *val;
			std::size_t extlen, oidlen, vallen;
			if (!tlv(e, eend, tag, ext, extlen) || tag != 0x30)
				break;
			const std::uint8_t *q = ext, *qend = ext + extlen;
			if (!tlv(q, qend, tag, oid, oidlen) || tag != 0x06)
				continue;
			static const std::uint8_t san[] = {0x55, 0x1d, 0x11}; // 2.5.29.17
			if (oidlen != 3 || std::memcmp(oid, san, 3))
				continue;
			if (!tlv(q, qend, tag, val, vallen))
				continue;
			if (tag == 0x01 && !tlv(q, qend, tag, val, vallen)) // critical BOOLEAN
				continue;
			if (tag == 0x04)
				i.cma_name = find_cma_other_name(Bytes(val, val + vallen));
		}
	}
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
		    {"cma_name", json_or_null(c.cma_name)}};
}

} // namespace spdmtsm
