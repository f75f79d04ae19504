// SPDX-License-Identifier: GPL-2.0
/*
 * SPDM requester core: the secured-session API (spdm.h spdm_secure_*):
 * establishment (keyex.c), HEARTBEAT, KEY_UPDATE, END_SESSION, local
 * teardown and the session's description.
 *
 * Every failure inside a session drops it: its sequence numbers or keys may
 * no longer agree with the device's.
 *
 * References: DMTF DSP0274 1.1.x - 1.3.x ("HEARTBEAT", "KEY_UPDATE",
 * "END_SESSION").
 */
#include "spdm_core.h"

/**
 * spdm_secure_drop() - forget the secured session locally, every secret
 *	zeroed; nothing is sent
 * @s: session (may have none)
 */
void spdm_secure_drop(struct spdm_session *s)
{
	struct spdm_secure *sec = s->sec;

	if (!sec)
		return;
	spdm_secure_rec_free(s);
	s->sec = NULL;
	spdm_memzero_explicit(sec, sizeof(*sec));
	spdm_free(s, sec, sizeof(*sec));
}

/* The end of a session call: what every operation releases. */
static void spdm_secure_op_end(struct spdm_session *s, int rc)
{
	if (rc)
		spdm_secure_drop(s);
	spdm_release_large(s);
	spdm_secure_rec_free(s);
	if (s->rbuf) {
		/* it held decrypted responses */
		spdm_memzero_explicit(s->rbuf, s->resp_cap);
		s->p.ops->free(s->p.priv, s->rbuf, s->resp_cap);
	}
	s->rbuf = NULL;
	s->resp = NULL;
	spdm_store_compact(s);
}

static int spdm_secure_check_active(struct spdm_session *s, const char *step)
{
	spdm_clear_fail(s);
	if (!s->sec || !s->sec->active)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -ENOTCONN,
				 "%s: no secured session", step);
	return 0;
}

static int spdm_do_secure_start(struct spdm_session *s)
{
	static const char step[] = "KEY_EXCHANGE";
	int rc = 0;

	spdm_clear_fail(s);
	if (s->sec && s->sec->active)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EALREADY,
				 "%s: a secured session is already established",
				 step);
	spdm_secure_drop(s);
	if (!s->p.secure)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EINVAL,
				 "%s: session created without secured sessions",
				 step);
	if (!s->have_identity || !s->key)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -ENOKEY,
				 "%s: no cached identity (connect first)", step);
	s->have_ke = false;
	if (!s->vca_done)
		rc = spdm_vca(s);
	if (!rc)
		rc = spdm_check_conn(s, step);
	if (rc)
		return rc;
	if (s->version < SPDM_VER_11 || !(s->caps & SPDM_CAP_KEY_EX) ||
	    !s->dhe || !s->aead || !s->key_schedule)
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EOPNOTSUPP,
				 "%s: device offers no secured session (SPDM %x.%x, flags 0x%08x)",
				 step, s->version >> 4, s->version & 0xf,
				 s->caps);
	return spdm_key_exchange(s);
}

/**
 * spdm_secure_start() - establish a secured session (KEY_EXCHANGE, FINISH)
 * @s: an authenticated session created with &spdm_params.secure
 *
 * See spdm.h.  The KEY_EXCHANGE_RSP signature is verified with the key
 * cached at connect.
 *
 * Return: 0 or a negative errno; spdm_last_error() says why.
 */
int spdm_secure_start(struct spdm_session *s)
{
	int rc = spdm_do_secure_start(s);

	/* -EALREADY: the established session stays */
	spdm_secure_op_end(s, rc == -EALREADY ? 0 : rc);
	return rc;
}

/* one request inside the session, its ACK checked exactly */
static int spdm_secure_simple(struct spdm_session *s, const char *step,
			      u8 code, u8 param1, u8 param2, u8 ack)
{
	struct spdm_header req = {
		.spdm_version = s->version,
		.request_response_code = code,
		.param1 = param1,
		.param2 = param2,
	};
	const struct spdm_header *rsp;
	ssize_t n;
	int rc;

	n = spdm_exchange(s, step, &req, sizeof(req), ack, sizeof(*rsp));
	if (n < 0)
		return n;
	rc = spdm_check_len(s, step, n, sizeof(*rsp));
	if (rc)
		return rc;
	rsp = (const void *)s->resp;
	if (code == SPDM_KEY_UPDATE &&
	    (rsp->param1 != param1 || rsp->param2 != param2))
		return spdm_fail(s, SPDM_FAIL_SESSION, -EPROTO,
				 "%s: KEY_UPDATE_ACK echoes operation %u tag %u, sent %u tag %u",
				 step, rsp->param1, rsp->param2, param1, param2);
	return 0;
}

/*
 * A failure inside the session that spdm_exchange() classed as a protocol
 * error (an ERROR, a malformed response) is a session failure too.
 */
static int spdm_secure_class(struct spdm_session *s, int rc)
{
	if (rc && s->failure == SPDM_FAIL_PROTOCOL)
		s->failure = SPDM_FAIL_SESSION;
	return rc;
}

/**
 * spdm_secure_heartbeat() - HEARTBEAT / HEARTBEAT_ACK inside the session
 * @s: session
 *
 * Return: 0 or a negative errno (the session is dropped then).
 */
int spdm_secure_heartbeat(struct spdm_session *s)
{
	static const char step[] = "HEARTBEAT";
	int rc = spdm_secure_check_active(s, step);

	if (!rc)
		rc = spdm_secure_simple(s, step, SPDM_HEARTBEAT, 0, 0,
					SPDM_HEARTBEAT_ACK);
	spdm_secure_op_end(s, spdm_secure_class(s, rc) == -ENOTCONN ? 0 : rc);
	return rc;
}

/*
 * KEY_UPDATE: UpdateKey (our direction) or UpdateAllKeys, sent under the
 * old keys; our new key applies from the next request.  With UpdateAllKeys
 * the device updates its own key on receipt, so its KEY_UPDATE_ACK comes
 * under the new response key (as libspdm's requester expects).  Then
 * VerifyNewKey under the new keys proves both sides have them.  Each new
 * key starts its sequence number at 0.
 */
static int spdm_do_key_update(struct spdm_session *s, bool all)
{
	static const char step[] = "KEY_UPDATE";
	struct spdm_secure *sec;
	u8 op = all ? SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS :
		      SPDM_KEY_UPDATE_OP_UPDATE_KEY;
	u8 tag;
	int rc;

	rc = spdm_secure_check_active(s, step);
	if (rc)
		return rc;
	sec = s->sec;
	if (!(s->caps & SPDM_CAP_KEY_UPD))
		return spdm_fail(s, SPDM_FAIL_UNSUPPORTED, -EOPNOTSUPP,
				 "%s: device lacks KEY_UPD_CAP", step);
	if (s->p.ops->random(s->p.priv, &tag, sizeof(tag)))
		return spdm_fail(s, SPDM_FAIL_PROTOCOL, -EIO,
				 "%s: no random tag", step);
	if (all) {
		rc = spdm_ks_update(s, step, sec->rsp_secret, &sec->rsp);
		if (rc)
			return rc;
	}
	rc = spdm_secure_simple(s, step, SPDM_KEY_UPDATE, op, tag,
				SPDM_KEY_UPDATE_ACK);
	if (!rc)
		rc = spdm_ks_update(s, step, sec->req_secret, &sec->req);
	if (!rc)
		rc = spdm_secure_simple(s, "KEY_UPDATE VerifyNewKey",
					SPDM_KEY_UPDATE,
					SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY,
					(u8)(tag + 1), SPDM_KEY_UPDATE_ACK);
	if (!rc)
		sec->key_updates++;
	return spdm_secure_class(s, rc);
}

/**
 * spdm_secure_key_update() - KEY_UPDATE, then VerifyNewKey
 * @s: session
 * @all: UpdateAllKeys (both directions); false: UpdateKey (ours)
 *
 * Return: 0 or a negative errno (the session is dropped then).
 */
int spdm_secure_key_update(struct spdm_session *s, bool all)
{
	int rc = spdm_do_key_update(s, all);

	spdm_secure_op_end(s, rc == -ENOTCONN ? 0 : rc);
	return rc;
}

/**
 * spdm_secure_end() - END_SESSION, then local teardown
 * @s: session
 *
 * Return: 0 (also when no session was active) or the exchange's negative
 * errno; the session is gone either way.
 */
int spdm_secure_end(struct spdm_session *s)
{
	static const char step[] = "END_SESSION";
	int rc = 0;

	spdm_clear_fail(s);
	if (s->sec && s->sec->active) {
		rc = spdm_secure_simple(s, step, SPDM_END_SESSION, 0, 0,
					SPDM_END_SESSION_ACK);
		spdm_secure_class(s, rc);
	}
	spdm_secure_op_end(s, 1);
	return rc;
}

/**
 * spdm_secure_get_info() - describe the secured session
 * @s: session
 * @info: filled in (all zero when no session is active)
 */
void spdm_secure_get_info(const struct spdm_session *s,
			  struct spdm_secure_info *info)
{
	const struct spdm_secure *sec = s->sec;

	memset(info, 0, sizeof(*info));
	if (!sec || !sec->active)
		return;
	info->active = true;
	info->session_id = sec->session_id;
	info->dhe = s->dhe;
	info->aead = s->aead;
	info->hash = s->hash;
	info->version = s->version;
	info->sm_version = sec->sm_version;
	info->heartbeat_period = sec->heartbeat_period;
	info->encrypted = sec->encrypted;
	info->handshake_in_clear = sec->in_clear;
	info->key_updates = sec->key_updates;
	info->messages = sec->messages;
	info->key_messages = sec->req.seq;
}
