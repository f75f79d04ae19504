// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: DSP0277 secured messages, as PCIe Secured CMA/SPDM
 * carries them over DOE.
 *
 *   SessionID (4) || Length (2) || AEAD(ApplicationDataLength (2) ||
 *   application data || random padding) || MAC (16)
 *
 * The AAD is SessionID || Length.  Authenticated only (MAC_CAP without
 * ENCRYPT_CAP on one side): the application data follows Length in the
 * clear, without ApplicationDataLength, and is part of the AAD.  The PCIe
 * DOE binding has a sequence number of 0 bytes on the wire: each direction
 * counts its records from 0 (again from 0 after a KEY_UPDATE), and the
 * AEAD nonce is the direction's IV with that 64-bit count XORed into its
 * first eight bytes, least significant byte first (DSP0277 1.0/1.1).  A
 * count that would wrap ends the session instead.  The application data is
 * the SPDM message itself (no type byte on DOE).  Over DOE a response may
 * carry up to 3 bytes of dword padding after the record; they are outside
 * the MAC and ignored.
 *
 * References: DMTF DSP0277 1.0/1.1; PCIe r6.x sec 6.31.4 (Secured CMA/SPDM).
 */
#include "spdm_core.h"

static void spdm_secmsg_nonce(const struct spdm_secmsg_keys *k, u8 *nonce)
{
	int i;

	memcpy(nonce, k->iv, SPDM_AEAD_IV_LEN);
	for (i = 0; i < 8; i++)
		nonce[i] ^= (u8)(k->seq >> (8 * i));
}

/**
 * spdm_secmsg_seal() - wrap one SPDM message in a secured message
 * @ops: the host's ops (aead_seal)
 * @priv: their private data
 * @k: the sending direction's keys; its sequence number advances
 * @session_id: SessionID
 * @app: the SPDM message
 * @app_len: its length
 * @out: the record
 * @out_cap: its capacity
 *
 * Return: the record's length, -EOVERFLOW when the sequence number is
 * spent, -EMSGSIZE when @out is too small, or the AEAD op's errno.
 */
ssize_t spdm_secmsg_seal(const struct spdm_ops *ops, void *priv,
			 struct spdm_secmsg_keys *k, u32 session_id,
			 const u8 *app, size_t app_len, u8 *out,
			 size_t out_cap)
{
	struct spdm_secmsg_hdr *hdr = (void *)out;
	size_t body = app_len + (k->encrypt ? SPDM_SECMSG_APP_LEN : 0);
	size_t total = sizeof(*hdr) + body + SPDM_AEAD_TAG_LEN;
	u8 nonce[SPDM_AEAD_IV_LEN];
	u8 *data = out + sizeof(*hdr);
	int rc;

	if (k->seq == U64_MAX)
		return -EOVERFLOW;
	if (total > out_cap || body + SPDM_AEAD_TAG_LEN > 0xffff)
		return -EMSGSIZE;
	hdr->session_id = cpu_to_le32(session_id);
	hdr->length = cpu_to_le16(body + SPDM_AEAD_TAG_LEN);
	spdm_secmsg_nonce(k, nonce);
	if (k->encrypt) {
		put_unaligned_le16(app_len, data);
		memcpy(data + SPDM_SECMSG_APP_LEN, app, app_len);
		rc = ops->aead_seal(priv, k->aead, k->key, k->key_len, nonce,
				    out, sizeof(*hdr), data, body, data,
				    data + body);
	} else {
		memcpy(data, app, app_len);
		rc = ops->aead_seal(priv, k->aead, k->key, k->key_len, nonce,
				    out, sizeof(*hdr) + body, NULL, 0, NULL,
				    data + body);
	}
	spdm_memzero_explicit(nonce, sizeof(nonce));
	if (rc) {
		spdm_memzero_explicit(out, total);
		return rc;
	}
	k->seq++;
	return total;
}

/**
 * spdm_secmsg_open() - check and unwrap one secured message
 * @ops: the host's ops (aead_open)
 * @priv: their private data
 * @k: the receiving direction's keys; its sequence number advances on
 *	success only
 * @session_id: the SessionID it must carry
 * @rec: the record (up to 3 bytes of DOE padding may follow it)
 * @rec_len: its length
 * @out: where the SPDM message goes (the decrypted data first); may be
 *	@rec + 6 (in place)
 * @out_cap: its capacity
 * @why: set to the reason on failure
 *
 * Return: the SPDM message's length, or -EBADMSG (malformed, another
 * SessionID, MAC mismatch: corrupted, replayed or out of order),
 * -EOVERFLOW (sequence number spent), -EMSGSIZE (@out too small).
 */
ssize_t spdm_secmsg_open(const struct spdm_ops *ops, void *priv,
			 struct spdm_secmsg_keys *k, u32 session_id,
			 const u8 *rec, size_t rec_len, u8 *out,
			 size_t out_cap, const char **why)
{
	const struct spdm_secmsg_hdr *hdr = (const void *)rec;
	u8 nonce[SPDM_AEAD_IV_LEN];
	size_t len, body, app_len;
	const u8 *data;
	int rc;

	if (k->seq == U64_MAX) {
		*why = "sequence number spent";
		return -EOVERFLOW;
	}
	if (rec_len < sizeof(*hdr)) {
		*why = "shorter than its header";
		return -EBADMSG;
	}
	if (le32_to_cpu(hdr->session_id) != session_id) {
		*why = "another SessionID";
		return -EBADMSG;
	}
	len = le16_to_cpu(hdr->length);
	if (sizeof(*hdr) + len > rec_len) {
		*why = "Length overruns the record";
		return -EBADMSG;
	}
	if (rec_len - sizeof(*hdr) - len > SPDM_MAX_PAD) {
		*why = "bytes after the record";
		return -EBADMSG;
	}
	if (len < SPDM_AEAD_TAG_LEN + (k->encrypt ? SPDM_SECMSG_APP_LEN : 0)) {
		*why = "Length too small for its MAC";
		return -EBADMSG;
	}
	body = len - SPDM_AEAD_TAG_LEN;
	data = rec + sizeof(*hdr);
	if (body > out_cap) {
		*why = "larger than the buffer";
		return -EMSGSIZE;
	}
	spdm_secmsg_nonce(k, nonce);
	if (k->encrypt)
		rc = ops->aead_open(priv, k->aead, k->key, k->key_len, nonce,
				    rec, sizeof(*hdr), data, body, out,
				    data + body);
	else
		rc = ops->aead_open(priv, k->aead, k->key, k->key_len, nonce,
				    rec, sizeof(*hdr) + body, NULL, 0, NULL,
				    data + body);
	spdm_memzero_explicit(nonce, sizeof(nonce));
	if (rc) {
		spdm_memzero_explicit(out, body);
		*why = rc == -EBADMSG ?
		       "MAC does not verify (corrupted, replayed or out of order)" :
		       "AEAD failed";
		return rc == -EBADMSG ? -EBADMSG : rc;
	}
	if (!k->encrypt) {
		memmove(out, data, body);	/* @out may be @rec's data */
		k->seq++;
		return body;
	}
	app_len = get_unaligned_le16(out);
	if (app_len > body - SPDM_SECMSG_APP_LEN) {
		spdm_memzero_explicit(out, body);
		*why = "ApplicationDataLength overruns the record";
		return -EBADMSG;
	}
	memmove(out, out + SPDM_SECMSG_APP_LEN, app_len);
	spdm_memzero_explicit(out + app_len, body - app_len);
	k->seq++;
	return app_len;
}

/**
 * spdm_secure_rec_free() - release the secured-response buffer
 * @s: session (with or without a secured session)
 *
 * The buffer (the transport's largest record) lives for one operation, as
 * s->rbuf does: what a device keeps between operations stays small.
 */
void spdm_secure_rec_free(struct spdm_session *s)
{
	struct spdm_secure *sec = s->sec;

	if (!sec || !sec->rsp_rec)
		return;
	spdm_memzero_explicit(sec->rsp_rec, sec->rsp_rec_cap);
	s->p.ops->free(s->p.priv, sec->rsp_rec, sec->rsp_rec_cap);
	sec->rsp_rec = NULL;
}

/**
 * spdm_secure_transport() - one secured exchange of an SPDM message
 * @s: session with an active (or handshaking) s->sec
 * @step: the step, for messages
 * @req: the SPDM request
 * @req_len: its length
 *
 * The response's SPDM message lands in s->rbuf.  Any failure is
 * SPDM_FAIL_SESSION (or the transport's) and the caller drops the session.
 *
 * Return: the response's length or a negative errno.
 */
ssize_t spdm_secure_transport(struct spdm_session *s, const char *step,
			      const void *req, size_t req_len)
{
	struct spdm_secure *sec = s->sec;
	const char *why = "";
	ssize_t n, m;

	n = spdm_secmsg_seal(s->p.ops, s->p.priv, &sec->req, sec->session_id,
			     req, req_len, sec->req_rec, sizeof(sec->req_rec));
	if (n == -EOVERFLOW)
		return spdm_fail(s, SPDM_FAIL_SESSION, -EOVERFLOW,
				 "%s: request sequence number spent: the session must be renewed",
				 step);
	if (n < 0)
		return spdm_fail(s, spdm_platform_class(n), n,
				 "%s: sealing the secured message failed (%d)",
				 step, (int)n);
	if (!sec->rsp_rec) {
		/* per operation, like s->rbuf: spdm_secure_rec_free() */
		sec->rsp_rec = s->p.ops->zalloc(s->p.priv, sec->rsp_rec_cap);
		if (!sec->rsp_rec)
			return spdm_fail(s, SPDM_FAIL_NOMEM, -ENOMEM,
					 "%s: out of memory for the secured response", step);
	}
	sec->messages++;
	m = s->p.ops->exchange(s->p.priv, SPDM_TRANSPORT_SECURED, sec->req_rec,
			       n, sec->rsp_rec, sec->rsp_rec_cap);
	s->exchanges++;
	spdm_memzero_explicit(sec->req_rec, n);
	if (m == -EPROTO)
		return spdm_fail(s, SPDM_FAIL_SESSION, -ECONNRESET,
				 "%s: device answered the secured message in the clear (session unknown to it)",
				 step);
	if (m < 0)
		return spdm_fail(s, SPDM_FAIL_TRANSPORT, (int)m,
				 "%s: transport error %d", step, (int)m);
	if ((size_t)m > sec->rsp_rec_cap)
		return spdm_fail(s, SPDM_FAIL_TRANSPORT, -EIO,
				 "%s: transport returned %zd bytes into a %zu byte buffer",
				 step, m, sec->rsp_rec_cap);
	/*
	 * Opened in place: the record's data may exceed our buffer by
	 * ApplicationDataLength (and padding) while the message fits it.
	 */
	n = spdm_secmsg_open(s->p.ops, s->p.priv, &sec->rsp, sec->session_id,
			     sec->rsp_rec, m, sec->rsp_rec + SPDM_SECMSG_HDR_LEN,
			     sec->rsp_rec_cap - SPDM_SECMSG_HDR_LEN, &why);
	if (n >= 0 && (size_t)n > s->resp_cap) {
		why = "message larger than our DataTransferSize";
		n = -EMSGSIZE;
	}
	if (n >= 0)
		memcpy(s->rbuf, sec->rsp_rec + SPDM_SECMSG_HDR_LEN, n);
	spdm_memzero_explicit(sec->rsp_rec, sec->rsp_rec_cap);
	if (n < 0)
		return spdm_fail(s, n == -EBADMSG || n == -EOVERFLOW ?
				 SPDM_FAIL_SESSION : spdm_platform_class(n),
				 n == -EMSGSIZE ? -EPROTO : (int)n,
				 "%s: secured response refused: %s", step, why);
	return n;
}
