// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: HKDF (RFC 5869) over the host's HMAC op and the
 * DSP0274 key schedule of a secured session.
 *
 *   HandshakeSecret  = HKDF-Extract(Salt_0 = 0^H, DHE shared secret)
 *   {req,rsp}HsSecret = HKDF-Expand(HandshakeSecret,
 *                         BinConcat(H, "req hs data" / "rsp hs data", TH1), H)
 *   FinishedKey      = HKDF-Expand(xHsSecret, BinConcat(H, "finished"), H)
 *   Salt_1           = HKDF-Expand(HandshakeSecret, BinConcat(H, "derived"), H)
 *   MasterSecret     = HKDF-Extract(Salt_1, 0^H)
 *   {req,rsp}DataSecret = HKDF-Expand(MasterSecret,
 *                         BinConcat(H, "req app data" / "rsp app data", TH2), H)
 *   key / iv         = HKDF-Expand(secret, BinConcat(keylen, "key") /
 *                                          BinConcat(12, "iv"))
 *   KEY_UPDATE       : secret' = HKDF-Expand(secret, BinConcat(H, "traffic upd"), H)
 *
 * BinConcat(Length, Label, Context) = Length (16-bit LE) || "spdm1.N " ||
 * Label || Context, N the negotiated minor version.  TH1 and TH2 are hashes
 * (keyex.c builds them).  Every intermediate secret is zeroed here.
 *
 * References: DMTF DSP0274 1.1.x - 1.3.x "Key schedule"; RFC 5869.
 */
#include "spdm_core.h"

#define SPDM_BIN_CONCAT_MAX	(2 + 8 + 16 + SPDM_MAX_HASH)

static size_t spdm_bin_concat(u8 *out, u16 len, u8 version, const char *label,
			      const u8 *ctx, size_t ctx_len)
{
	size_t llen = strlen(label), n = 0;

	put_unaligned_le16(len, out);
	n += 2;
	memcpy(out + n, "spdm1.0 ", 8);
	out[n + 6] = '0' + (version & 0xf);
	n += 8;
	memcpy(out + n, label, llen);
	n += llen;
	if (ctx_len)
		memcpy(out + n, ctx, ctx_len);
	return n + ctx_len;
}

static int spdm_hmac(struct spdm_session *s, const char *step, const u8 *key,
		     size_t key_len, const u8 *data, size_t len, u8 *out)
{
	int rc = s->p.ops->hmac(s->p.priv, s->hash, key, key_len, data, len,
				out);

	if (rc)
		return spdm_fail(s, spdm_platform_class(rc), rc,
				 "%s: HMAC failed (%d)", step, rc);
	return 0;
}

/**
 * spdm_hkdf_expand() - HKDF-Expand(@prk, @info, @len) with the session hash
 * @s: session
 * @step: the step, for messages
 * @prk: pseudorandom key, s->hlen bytes
 * @info: info
 * @info_len: its length (at most SPDM_BIN_CONCAT_MAX)
 * @out: output
 * @len: its length (at most 255 * s->hlen)
 *
 * Return: 0 or a negative errno.
 */
int spdm_hkdf_expand(struct spdm_session *s, const char *step, const u8 *prk,
		     const u8 *info, size_t info_len, u8 *out, size_t len)
{
	u8 buf[SPDM_MAX_HASH + SPDM_BIN_CONCAT_MAX + 1];
	u8 t[SPDM_MAX_HASH];
	size_t done = 0, tlen = 0;
	u8 i = 0;
	int rc = 0;

	if (info_len > SPDM_BIN_CONCAT_MAX || len > 255 * s->hlen)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
				 "%s: HKDF-Expand parameters out of range", step);
	while (done < len) {
		size_t n = 0, take;

		memcpy(buf, t, tlen);
		n += tlen;
		memcpy(buf + n, info, info_len);
		n += info_len;
		buf[n++] = ++i;
		rc = spdm_hmac(s, step, prk, s->hlen, buf, n, t);
		if (rc)
			break;
		tlen = s->hlen;
		take = len - done < tlen ? len - done : tlen;
		memcpy(out + done, t, take);
		done += take;
	}
	spdm_memzero_explicit(buf, sizeof(buf));
	spdm_memzero_explicit(t, sizeof(t));
	return rc;
}

/* HKDF-Expand(secret, BinConcat(len, label, ctx), len) */
static int spdm_ks_expand(struct spdm_session *s, const char *step,
			  const u8 *secret, const char *label, const u8 *ctx,
			  size_t ctx_len, u8 *out, size_t len)
{
	u8 info[SPDM_BIN_CONCAT_MAX];
	size_t n = spdm_bin_concat(info, len, s->version, label, ctx, ctx_len);

	return spdm_hkdf_expand(s, step, secret, info, n, out, len);
}

static size_t spdm_aead_key_len(u32 aead)
{
	return aead == SPDM_AEAD_AES_128_GCM ? 16 : 32;
}

/* The key and IV of one direction from its secret; sequence number 0. */
static int spdm_ks_keys(struct spdm_session *s, const char *step,
			const u8 *secret, struct spdm_secmsg_keys *k)
{
	int rc;

	k->aead = s->aead;
	k->encrypt = s->sec->encrypted;
	k->key_len = spdm_aead_key_len(s->aead);
	k->seq = 0;
	rc = spdm_ks_expand(s, step, secret, "key", NULL, 0, k->key,
			    k->key_len);
	return rc ?: spdm_ks_expand(s, step, secret, "iv", NULL, 0, k->iv,
				    SPDM_AEAD_IV_LEN);
}

/**
 * spdm_ks_handshake() - the handshake secrets, finished keys and keys
 * @s: session with s->sec allocated
 * @step: the step, for messages
 * @shared: the DHE shared secret
 * @shared_len: its length
 * @th1: TH1 (s->hlen bytes)
 *
 * Return: 0 or a negative errno.
 */
int spdm_ks_handshake(struct spdm_session *s, const char *step,
		      const u8 *shared, size_t shared_len, const u8 *th1)
{
	struct spdm_secure *sec = s->sec;
	u8 zero[SPDM_MAX_HASH] = { 0 };
	int rc;

	rc = spdm_hmac(s, step, zero, s->hlen, shared, shared_len,
		       sec->handshake_secret);
	if (!rc)
		rc = spdm_ks_expand(s, step, sec->handshake_secret,
				    "req hs data", th1, s->hlen,
				    sec->req_secret, s->hlen);
	if (!rc)
		rc = spdm_ks_expand(s, step, sec->handshake_secret,
				    "rsp hs data", th1, s->hlen,
				    sec->rsp_secret, s->hlen);
	if (!rc)
		rc = spdm_ks_expand(s, step, sec->req_secret, "finished", NULL,
				    0, sec->req_finished, s->hlen);
	if (!rc)
		rc = spdm_ks_expand(s, step, sec->rsp_secret, "finished", NULL,
				    0, sec->rsp_finished, s->hlen);
	if (!rc)
		rc = spdm_ks_keys(s, step, sec->req_secret, &sec->req);
	if (!rc)
		rc = spdm_ks_keys(s, step, sec->rsp_secret, &sec->rsp);
	return rc;
}

/**
 * spdm_ks_data() - the data secrets and keys from TH2; the handshake
 *	secrets are zeroed
 * @s: session
 * @step: the step, for messages
 * @th2: TH2 (s->hlen bytes)
 *
 * Return: 0 or a negative errno.
 */
int spdm_ks_data(struct spdm_session *s, const char *step, const u8 *th2)
{
	struct spdm_secure *sec = s->sec;
	u8 zero[SPDM_MAX_HASH] = { 0 };
	u8 salt1[SPDM_MAX_HASH], master[SPDM_MAX_HASH];
	int rc;

	rc = spdm_ks_expand(s, step, sec->handshake_secret, "derived", NULL, 0,
			    salt1, s->hlen);
	if (!rc)
		rc = spdm_hmac(s, step, salt1, s->hlen, zero, s->hlen, master);
	if (!rc)
		rc = spdm_ks_expand(s, step, master, "req app data", th2,
				    s->hlen, sec->req_secret, s->hlen);
	if (!rc)
		rc = spdm_ks_expand(s, step, master, "rsp app data", th2,
				    s->hlen, sec->rsp_secret, s->hlen);
	if (!rc)
		rc = spdm_ks_keys(s, step, sec->req_secret, &sec->req);
	if (!rc)
		rc = spdm_ks_keys(s, step, sec->rsp_secret, &sec->rsp);
	spdm_memzero_explicit(salt1, sizeof(salt1));
	spdm_memzero_explicit(master, sizeof(master));
	spdm_memzero_explicit(sec->handshake_secret,
			      sizeof(sec->handshake_secret));
	spdm_memzero_explicit(sec->req_finished, sizeof(sec->req_finished));
	spdm_memzero_explicit(sec->rsp_finished, sizeof(sec->rsp_finished));
	return rc;
}

/**
 * spdm_ks_update() - KEY_UPDATE: the next secret of one direction, its key
 *	and IV, sequence number 0
 * @s: session
 * @step: the step, for messages
 * @secret: the direction's data secret (replaced)
 * @k: its keys (replaced)
 *
 * Return: 0 or a negative errno.
 */
int spdm_ks_update(struct spdm_session *s, const char *step, u8 *secret,
		   struct spdm_secmsg_keys *k)
{
	u8 next[SPDM_MAX_HASH];
	int rc;

	rc = spdm_ks_expand(s, step, secret, "traffic upd", NULL, 0, next,
			    s->hlen);
	if (!rc) {
		memcpy(secret, next, s->hlen);
		rc = spdm_ks_keys(s, step, secret, k);
	}
	spdm_memzero_explicit(next, sizeof(next));
	return rc;
}

/**
 * spdm_hmac_verify() - HMAC(@key, @th) must equal @mac (constant time)
 * @s: session
 * @step: the step, for messages
 * @key: a finished key (s->hlen bytes)
 * @th: the transcript hash
 * @mac: the VerifyData received
 *
 * Return: 0, -EBADMSG (SPDM_FAIL_SESSION) or the HMAC op's errno.
 */
int spdm_hmac_verify(struct spdm_session *s, const char *step, const u8 *key,
		     const u8 *th, const u8 *mac)
{
	u8 want[SPDM_MAX_HASH], diff = 0;
	size_t i;
	int rc;

	rc = spdm_hmac(s, step, key, s->hlen, th, s->hlen, want);
	if (rc)
		return rc;
	for (i = 0; i < s->hlen; i++)
		diff |= want[i] ^ mac[i];
	spdm_memzero_explicit(want, sizeof(want));
	if (diff)
		return spdm_fail(s, SPDM_FAIL_SESSION, -EBADMSG,
				 "%s: ResponderVerifyData does not match", step);
	return 0;
}

/**
 * spdm_hmac_make() - HMAC(@key, @th): RequesterVerifyData
 * @s: session
 * @step: the step, for messages
 * @key: the requester's finished key
 * @th: the transcript hash
 * @out: s->hlen bytes
 *
 * Return: 0 or a negative errno.
 */
int spdm_hmac_make(struct spdm_session *s, const char *step, const u8 *key,
		   const u8 *th, u8 *out)
{
	return spdm_hmac(s, step, key, s->hlen, th, s->hlen, out);
}
