// SPDX-License-Identifier: GPL-2.0
// SPDM session primitives: ECDH, HKDF, the DSP0274 key schedule and the
// DSP0277 secured-message record (PCIe Secured CMA: no sequence number on
// the wire).  mbedTLS 3.6 does the cryptography.
#include "le.hpp"
#include <devsim/session.hpp>

#include "crypto.hpp"

#include <mbedtls/bignum.h>
#include <mbedtls/chachapoly.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/platform_util.h>

#include <cstring>

namespace devsim::sess {

using le::put16;

namespace {

// RAII over the mbedTLS ECP objects: libspdmtsm's one context owner.
using spdmtsm::mbed::Owner;
using Mpi = Owner<mbedtls_mpi, mbedtls_mpi_init, mbedtls_mpi_free>;
using Point = Owner<mbedtls_ecp_point, mbedtls_ecp_point_init, mbedtls_ecp_point_free>;
struct Group : Owner<mbedtls_ecp_group, mbedtls_ecp_group_init, mbedtls_ecp_group_free> {
	explicit Group(Dhe d)
	{
		check(mbedtls_ecp_group_load(get(),
					     d == Dhe::Secp256r1 ? MBEDTLS_ECP_DP_SECP256R1 : MBEDTLS_ECP_DP_SECP384R1),
		      "ecp_group_load");
	}
};

size_t coord(Dhe d)
{
	return dhe_size(d) / 2;
}

Bytes mpi_bytes(const mbedtls_mpi &m, size_t n)
{
	Bytes b(n);
	check(mbedtls_mpi_write_binary(&m, b.data(), n), "mpi_write_binary");
	return b;
}

// mbedTLS's ECDH wants an RNG for blinding; a fixed-output one is enough
// (the scalar is secret, the blinding only protects against side channels
// this simulator does not care about) and keeps the functions pure.
int blind_rng(void *, unsigned char *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = uint8_t(0x5A ^ i);
	return 0;
}

} // namespace

size_t dhe_size(Dhe d)
{
	return d == Dhe::Secp256r1 ? 64 : 96;
}
size_t aead_key_size(Aead a)
{
	return a == Aead::Aes128Gcm ? 16 : 32;
}
std::string_view to_string(Dhe d)
{
	return d == Dhe::Secp256r1 ? "secp256r1" : "secp384r1";
}
std::string_view to_string(Aead a)
{
	switch (a) {
	case Aead::Aes128Gcm:
		return "aes-128-gcm";
	case Aead::Aes256Gcm:
		return "aes-256-gcm";
	default:
		return "chacha20-poly1305";
	}
}

Bytes ecdh_generate(Dhe d, std::span<const uint8_t> random)
{
	if (random.size() < coord(d) + 8)
		throw std::invalid_argument("ecdh_generate: not enough random bytes");
	Group g(d);
	Mpi r, nm1, k;
	check(mbedtls_mpi_read_binary(r.get(), random.data(), random.size()), "mpi_read_binary");
	check(mbedtls_mpi_sub_int(nm1.get(), &g.get()->N, 1), "mpi_sub_int");
	check(mbedtls_mpi_mod_mpi(k.get(), r.get(), nm1.get()), "mpi_mod_mpi");
	check(mbedtls_mpi_add_int(k.get(), k.get(), 1), "mpi_add_int");
	return mpi_bytes(*k.get(), coord(d));
}

Bytes ecdh_public(Dhe d, std::span<const uint8_t> priv)
{
	Group g(d);
	Mpi k;
	Point q;
	check(mbedtls_mpi_read_binary(k.get(), priv.data(), priv.size()), "mpi_read_binary");
	check(mbedtls_ecp_mul(g.get(), q.get(), k.get(), &g.get()->G, blind_rng, nullptr), "ecp_mul");
	Bytes out(1 + dhe_size(d));
	size_t olen = 0;
	check(mbedtls_ecp_point_write_binary(g.get(), q.get(), MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, out.data(),
					     out.size()),
	      "ecp_point_write_binary");
	return Bytes(out.begin() + 1, out.end());
}

std::optional<Bytes> ecdh_shared(Dhe d, std::span<const uint8_t> priv, std::span<const uint8_t> peer)
{
	if (peer.size() != dhe_size(d))
		return std::nullopt;
	Group g(d);
	Mpi k, z;
	Point q;
	Bytes enc{0x04};
	enc.insert(enc.end(), peer.begin(), peer.end());
	check(mbedtls_mpi_read_binary(k.get(), priv.data(), priv.size()), "mpi_read_binary");
	if (mbedtls_ecp_point_read_binary(g.get(), q.get(), enc.data(), enc.size()) != 0 ||
	    mbedtls_ecp_check_pubkey(g.get(), q.get()) != 0)
		return std::nullopt;
	if (mbedtls_ecdh_compute_shared(g.get(), z.get(), q.get(), k.get(), blind_rng, nullptr) != 0)
		return std::nullopt;
	return mpi_bytes(*z.get(), coord(d));
}

Bytes hmac(Hash h, std::span<const uint8_t> key, std::span<const uint8_t> data)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_type(h));
	Bytes out(mbedtls_md_get_size(md));
	check(mbedtls_md_hmac(md, key.data(), key.size(), data.data(), data.size(), out.data()), "md_hmac");
	return out;
}

Bytes hkdf_extract(Hash h, std::span<const uint8_t> salt, std::span<const uint8_t> ikm)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_type(h));
	Bytes out(mbedtls_md_get_size(md));
	check(mbedtls_hkdf_extract(md, salt.data(), salt.size(), ikm.data(), ikm.size(), out.data()), "hkdf_extract");
	return out;
}

Bytes hkdf_expand(Hash h, std::span<const uint8_t> prk, std::span<const uint8_t> info, size_t len)
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(md_type(h));
	Bytes out(len);
	check(mbedtls_hkdf_expand(md, prk.data(), prk.size(), info.data(), info.size(), out.data(), len),
	      "hkdf_expand");
	return out;
}

Bytes bin_concat(uint16_t length, uint8_t v, std::string_view label, std::span<const uint8_t> context)
{
	Bytes b;
	put16(b, length);
	std::string prefix = "spdm" + spdmtsm::version_text(v) + " ";
	b.insert(b.end(), prefix.begin(), prefix.end());
	b.insert(b.end(), label.begin(), label.end());
	b.insert(b.end(), context.begin(), context.end());
	return b;
}

void KeySchedule::key_iv(Keys &k) const
{
	size_t klen = aead_key_size(aead);
	k.key = hkdf_expand(hash, k.secret, bin_concat(uint16_t(klen), version, "key"), klen);
	k.iv = hkdf_expand(hash, k.secret, bin_concat(uint16_t(kIvSize), version, "iv"), kIvSize);
	k.seq = 0;
}

void KeySchedule::handshake(std::span<const uint8_t> dhe_secret, std::span<const uint8_t> th1)
{
	size_t hl = hash_size(hash);
	Bytes zero(hl, 0);
	handshake_secret = hkdf_extract(hash, zero, dhe_secret);
	req_hs.secret = hkdf_expand(hash, handshake_secret, bin_concat(uint16_t(hl), version, "req hs data", th1), hl);
	rsp_hs.secret = hkdf_expand(hash, handshake_secret, bin_concat(uint16_t(hl), version, "rsp hs data", th1), hl);
	Bytes fin = bin_concat(uint16_t(hl), version, "finished");
	req_finished_key = hkdf_expand(hash, req_hs.secret, fin, hl);
	rsp_finished_key = hkdf_expand(hash, rsp_hs.secret, fin, hl);
	key_iv(req_hs);
	key_iv(rsp_hs);
}

void KeySchedule::data(std::span<const uint8_t> th2)
{
	size_t hl = hash_size(hash);
	Bytes zero(hl, 0);
	Bytes salt1 = hkdf_expand(hash, handshake_secret, bin_concat(uint16_t(hl), version, "derived"), hl);
	master_secret = hkdf_extract(hash, salt1, zero);
	req_data.secret = hkdf_expand(hash, master_secret, bin_concat(uint16_t(hl), version, "req app data", th2), hl);
	rsp_data.secret = hkdf_expand(hash, master_secret, bin_concat(uint16_t(hl), version, "rsp app data", th2), hl);
	key_iv(req_data);
	key_iv(rsp_data);
	mbedtls_platform_zeroize(salt1.data(), salt1.size());
}

void KeySchedule::update(Keys &k) const
{
	size_t hl = hash_size(hash);
	Bytes old = std::move(k.secret);
	k.secret = hkdf_expand(hash, old, bin_concat(uint16_t(hl), version, "traffic upd"), hl);
	mbedtls_platform_zeroize(old.data(), old.size());
	key_iv(k);
}

namespace {

Bytes nonce(const Keys &k)
{
	Bytes iv = k.iv;
	for (size_t i = 0; i < 8 && i < iv.size(); i++)
		iv[i] ^= uint8_t(k.seq >> (8 * i));
	return iv;
}

// AEAD over (aad, in) -> out, tag; or the inverse.  MAC only: in empty.
bool aead(Aead a, bool enc, const Keys &k, std::span<const uint8_t> aad, std::span<const uint8_t> in, uint8_t *out,
	  uint8_t *tag)
{
	Bytes n = nonce(k);
	if (a == Aead::ChaCha20Poly1305) {
		Owner<mbedtls_chachapoly_context, mbedtls_chachapoly_init, mbedtls_chachapoly_free> owner;
		mbedtls_chachapoly_context *c = owner.get();
		int rc = mbedtls_chachapoly_setkey(c, k.key.data());
		if (!rc)
			rc = enc ? mbedtls_chachapoly_encrypt_and_tag(c, in.size(), n.data(), aad.data(), aad.size(),
								      in.data(), out, tag)
				 : mbedtls_chachapoly_auth_decrypt(c, in.size(), n.data(), aad.data(), aad.size(), tag,
								   in.data(), out);
		return rc == 0;
	}
	Owner<mbedtls_gcm_context, mbedtls_gcm_init, mbedtls_gcm_free> owner;
	mbedtls_gcm_context *c = owner.get();
	int rc = mbedtls_gcm_setkey(c, MBEDTLS_CIPHER_ID_AES, k.key.data(), unsigned(k.key.size() * 8));
	if (!rc)
		rc = enc ? mbedtls_gcm_crypt_and_tag(c, MBEDTLS_GCM_ENCRYPT, in.size(), n.data(), n.size(), aad.data(),
						     aad.size(), in.data(), out, kTagSize, tag)
			 : mbedtls_gcm_auth_decrypt(c, in.size(), n.data(), n.size(), aad.data(), aad.size(), tag,
						    kTagSize, in.data(), out);
	return rc == 0;
}

} // namespace

Bytes seal(Aead a, bool encrypt, const Keys &k, uint32_t sid, std::span<const uint8_t> app,
	   std::span<const uint8_t> padding)
{
	Bytes rec;
	put16(rec, sid);
	put16(rec, sid >> 16);
	if (encrypt) {
		Bytes plain;
		put16(plain, uint32_t(app.size()));
		plain.insert(plain.end(), app.begin(), app.end());
		plain.insert(plain.end(), padding.begin(), padding.end());
		put16(rec, uint32_t(plain.size() + kTagSize));
		size_t at = rec.size();
		rec.resize(at + plain.size() + kTagSize);
		Bytes aad(rec.begin(), rec.begin() + 6);
		if (!aead(a, true, k, aad, plain, rec.data() + at, rec.data() + at + plain.size()))
			throw std::runtime_error("AEAD encryption failed");
		mbedtls_platform_zeroize(plain.data(), plain.size());
	} else {
		put16(rec, uint32_t(app.size() + kTagSize));
		rec.insert(rec.end(), app.begin(), app.end());
		size_t at = rec.size();
		rec.resize(at + kTagSize);
		if (!aead(a, true, k, std::span(rec.data(), at), {}, nullptr, rec.data() + at))
			throw std::runtime_error("AEAD MAC failed");
	}
	return rec;
}

std::optional<Bytes> open(Aead a, bool encrypt, const Keys &k, std::span<const uint8_t> rec)
{
	if (rec.size() < 6 + kTagSize)
		return std::nullopt;
	size_t len = rec[4] | rec[5] << 8;
	if (rec.size() != 6 + len || len < kTagSize + (encrypt ? 2 : 0))
		return std::nullopt;
	size_t body = len - kTagSize;
	const uint8_t *tag = rec.data() + 6 + body;
	if (!encrypt) {
		Bytes t(tag, tag + kTagSize), calc(kTagSize);
		if (!aead(a, true, k, rec.first(6 + body), {}, nullptr, calc.data()))
			return std::nullopt;
		// constant time, as a MAC check should be
		uint8_t diff = 0;
		for (size_t i = 0; i < kTagSize; i++)
			diff |= uint8_t(t[i] ^ calc[i]);
		if (diff)
			return std::nullopt;
		return Bytes(rec.begin() + 6, rec.begin() + 6 + body);
	}
	Bytes plain(body);
	Bytes tagc(tag, tag + kTagSize);
	if (!aead(a, false, k, rec.first(6), rec.subspan(6, body), plain.data(), tagc.data()))
		return std::nullopt;
	size_t alen = plain[0] | plain[1] << 8;
	if (alen > body - 2)
		return std::nullopt;
	Bytes app(plain.begin() + 2, plain.begin() + 2 + alen);
	mbedtls_platform_zeroize(plain.data(), plain.size());
	return app;
}

} // namespace devsim::sess
