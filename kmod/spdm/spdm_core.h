/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the SPDM requester core, shared by its phases:
 *
 *   exchange.c     one request, one response: transport, Busy and
 *                  ResponseNotReady retries, ERROR responses
 *   chunk.c        large SPDM messages (1.2+): CHUNK_SEND, CHUNK_GET
 *   transcript.c   the session's memory budget, transcripts and other
 *                  buffers, signing contexts and signature verification
 *   vca.c          GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS
 *   auth.c         GET_DIGESTS, GET_CERTIFICATE, CHALLENGE
 *   measurements.c GET_MEASUREMENTS
 *   session.c      the public API (spdm.h)
 *
 * Transcripts (what is hashed for a signature):
 *   M1 = A || B || C
 *     A = GET_VERSION || VERSION || GET_CAPABILITIES || CAPABILITIES ||
 *         NEGOTIATE_ALGORITHMS || ALGORITHMS              (the "VCA")
 *     B = GET_DIGESTS || DIGESTS || (GET_CERTIFICATE || CERTIFICATE)*
 *     C = CHALLENGE || CHALLENGE_AUTH without its signature
 *   1.0/1.1: signature over Hash(M1)
 *   1.2+:    signature over Hash(prefix || pad || context || Hash(M1))
 *   L1 = (1.2+: VCA ||) GET_MEASUREMENTS || MEASUREMENTS without signature
 *
 * Over DOE, responses arrive padded to a dword; the core computes every
 * message's length from its fields, records exactly that many bytes and
 * tolerates at most 3 trailing bytes.
 */
#ifndef SPDM_CORE_H
#define SPDM_CORE_H

#include "spdm.h"
#include "spdm_msg.h"

#define SPDM_MAX_PAD			3
#define SPDM_MAX_REQ			192	/* our largest: KEY_EXCHANGE, P-384: 164 */
#define SPDM_MAX_CERT_REQUESTS		4096
#define SPDM_MAX_OPAQUE			1024
#define SPDM_MAX_DELAY_US		1000000u

/* 1.2+ signing contexts (DSP0274 "Signature generation") */
#define SPDM_CTX_CHALLENGE_AUTH		"responder-challenge_auth signing"
#define SPDM_CTX_MEASUREMENTS		"responder-measurements signing"
#define SPDM_CTX_KEY_EXCHANGE_RSP	"responder-key_exchange_rsp signing"

/*
 * A secured request: header, ApplicationDataLength, the largest request
 * inside a session (FINISH with SHA-512: 68), MAC.
 */
#define SPDM_SECMSG_OVERHEAD	(sizeof(struct spdm_secmsg_hdr) + \
				 SPDM_SECMSG_APP_LEN + SPDM_AEAD_TAG_LEN)
#define SPDM_SECMSG_REQ_MAX	(SPDM_SECMSG_OVERHEAD + 96)

/**
 * struct spdm_secure - a secured session's state: every secret of it
 * @active: established (FINISH_RSP verified): data keys in @req / @rsp
 * @wrap: requests go as secured messages (handshake phase when the
 *	handshake is encrypted, and once @active)
 * @session_id: SessionID (ReqSessionID | RspSessionID << 16)
 * @heartbeat_period: HeartbeatPeriod (seconds)
 * @sm_version: DSP0277 version selected (0x10, 0x11)
 * @encrypted: both sides ENCRYPT_CAP
 * @in_clear: both sides HANDSHAKE_IN_THE_CLEAR_CAP
 * @key_updates: KEY_UPDATEs completed
 * @messages: secured requests sent
 * @handshake_secret: HandshakeSecret (zeroed once the data keys exist)
 * @req_finished: the requester's finished key (idem)
 * @rsp_finished: the responder's finished key (idem)
 * @req_secret: the requester's handshake, then data, secret
 * @rsp_secret: the responder's
 * @req: requester-to-responder key, IV, sequence number
 * @rsp: responder-to-requester
 * @req_rec: the secured request being sent
 * @rsp_rec: the secured response received (@rsp_rec_cap bytes; allocated
 *	per operation beside the transport buffer and, like it, outside the
 *	budget; decrypted into the session's transport buffer)
 * @rsp_rec_cap: its size
 *
 * Allocated by KEY_EXCHANGE, zeroed and freed by spdm_secure_drop().
 */
struct spdm_secure {
	bool active;
	bool wrap;
	u32 session_id;
	u8 heartbeat_period;
	u8 sm_version;
	bool encrypted;
	bool in_clear;
	u32 key_updates;
	u64 messages;
	u8 handshake_secret[SPDM_MAX_HASH];
	u8 req_finished[SPDM_MAX_HASH];
	u8 rsp_finished[SPDM_MAX_HASH];
	u8 req_secret[SPDM_MAX_HASH];
	u8 rsp_secret[SPDM_MAX_HASH];
	struct spdm_secmsg_keys req;
	struct spdm_secmsg_keys rsp;
	u8 req_rec[SPDM_SECMSG_REQ_MAX] __aligned(8);	/* pci_doe() reads dwords */
	u8 *rsp_rec;
	size_t rsp_rec_cap;
};

/**
 * struct spdm_buf - a growable byte buffer charged to the session's budget
 * @data: the bytes (NULL until the first reservation)
 * @len: bytes used
 * @cap: bytes allocated
 */
struct spdm_buf {
	u8 *data;
	size_t len;
	size_t cap;
};

/**
 * struct spdm_span - a range of the session's store (struct spdm_session.t)
 * @off: where it starts
 * @len: its length; 0: empty (then @off means nothing)
 *
 * A span is built by spdm_transcript_append() while it is the last thing
 * in the store; spans may nest (the chain inside B, the leaf key inside the
 * chain).
 */
struct spdm_span {
	size_t off;
	size_t len;
};

/**
 * struct spdm_conn - what the connect fixed
 * @version: SPDMVersion (0: any, pinned by the first revalidation)
 * @asym: BaseAsymAlgo
 * @hash: BaseHashAlgo
 * @hlen: digest size of @hash
 * @slot: the slot authenticated
 * @digest: its chain digest from DIGESTS
 * @dhe: DHESel at connect (secured sessions; 0: none)
 * @aead: AEADCipherSuiteSel at connect
 * @pinned_sess: @dhe and @aead are known (false after
 *	spdm_set_cached_identity(): pinned by the next negotiation)
 *
 * Written only by a successful spdm_authenticate() or
 * spdm_set_cached_identity() (and @version once, when it was "any"); every
 * later negotiation must come out the same.
 */
struct spdm_conn {
	u8 version;
	u32 asym, hash;
	size_t hlen;
	u8 slot;
	u8 digest[SPDM_MAX_HASH];
	u32 dhe, aead;
	bool pinned_sess;
};

/**
 * struct spdm_session - an SPDM requester's state for one responder
 * @p: the parameters, defaults applied
 * @used: bytes charged to @p.mem_budget
 * @exchanges: transport exchanges so far, retries and chunks included
 * @err: what the innermost failure of the last operation was, "" after
 *	success
 * @failure: the class of @err
 * @resp: the current response: @rbuf, or @large.data after CHUNK_GET
 * @rbuf: one transport response (@resp_cap bytes), allocated by the first
 *	exchange of an operation and released when the operation ends
 * @resp_cap: its size, our DataTransferSize
 * @large: a large response reassembled from chunks, released when the
 *	operation ends
 * @chain_tmp: a chain that came in several portions, assembled before it
 *	is checked and moved into the store; released when the operation ends
 * @vca_done: @vca holds a VCA the device still has
 * @b_empty: the device's B and C are empty: after VCA (GET_VERSION starts
 *	its transcripts over) and after a verified CHALLENGE_AUTH (a
 *	responder resets B and C once it sent one).  Then a CHALLENGE alone
 *	is signed over A || C.  Cleared by every GET_DIGESTS, GET_CERTIFICATE
 *	or CHALLENGE until that CHALLENGE verifies.
 * @version: negotiated SPDMVersion
 * @caps: the responder's CAPABILITIES Flags
 * @rsp_dts: the responder's DataTransferSize (1.2+; 0 before)
 * @rsp_max_msg: the responder's MaxSPDMmsgSize (1.2+)
 * @chunk: both sides have CHUNK_CAP (1.2+)
 * @send_handle: Handle of our last CHUNK_SEND transfer
 * @asym: BaseAsymSel
 * @hash: BaseHashSel
 * @meas_hash: MeasurementHashAlgo
 * @meas_spec: MeasurementSpecificationSel
 * @dhe: DHESel (1.1+, with @p.secure; 0 otherwise)
 * @aead: AEADCipherSuiteSel (idem)
 * @key_schedule: KeyScheduleSel (idem)
 * @opaque_fmt1: OpaqueDataFmt1 selected (1.2+): the general opaque data
 *	format
 * @sec: the secured session, or NULL
 * @have_ke: @ke_th, @ke_sig valid (the last established session's)
 * @ke_th: what the KEY_EXCHANGE_RSP signature covers (see spdm_evidence)
 * @ke_sig: that signature (@slen bytes)
 * @hlen: digest size of @hash (H)
 * @slen: signature size of @asym (S)
 * @slot_mask: SlotMask of the last DIGESTS
 * @digests: its digests, by slot
 * @have_identity: @conn, @key and @spki are valid
 * @slot: the slot authenticated
 * @conn: what the connect fixed
 * @key: the leaf public key, as the key_load op prepared it
 * @pub_off: offset of the subjectPublicKey contents in @spki
 * @pub_len: their length
 * @chal_ok: one verified challenge: VCA, B, M1, nonce and signature agree
 * @complete: see struct spdm_evidence
 * @nonce: the CHALLENGE nonce
 * @chal_ctx: RequesterContext of the CHALLENGE (1.3+)
 * @meas_ctx: RequesterContext of the GET_MEASUREMENTS (1.3+)
 * @have_nonce: @nonce is valid
 * @meas_nonce: the GET_MEASUREMENTS nonce
 * @have_meas: @l1, @meas_sig and the record are valid
 * @meas_count: NumberOfBlocks
 * @meas_off: offset of the MeasurementRecord in @l1
 * @meas_len: MeasurementRecordLength
 * @t: the store: every byte the session keeps between operations, once.
 *	Append-only within an operation; spdm_store_compact() drops what no
 *	span covers any more when the operation ends
 * @vca: transcript A
 * @b: transcript B of the device, and of the last M1
 * @c: C of the last M1 (the CHALLENGE_AUTH without its signature)
 * @sig: the CHALLENGE_AUTH signature
 * @l1: the measurement messages: L1 is (1.2+: @vca ||) @l1
 * @meas_sig: the MEASUREMENTS signature
 * @chain: the certificate chain of @slot, its header included: inside @b
 *	when it came in one CERTIFICATE response
 * @spki: the leaf's SubjectPublicKeyInfo, inside @chain (or alone, from
 *	spdm_set_cached_identity())
 *
 * Allocated by spdm_session_create(), released by spdm_session_free(); one
 * caller at a time.
 */
struct spdm_session {
	struct spdm_params p;
	size_t used;
	unsigned int exchanges;
	char err[SPDM_ERRMSG_LEN];
	enum spdm_failure failure;

	u8 *resp;
	u8 *rbuf;
	size_t resp_cap;
	struct spdm_buf large;
	struct spdm_buf chain_tmp;

	bool vca_done;
	bool b_empty;
	u8 version;
	u32 caps;
	u32 rsp_dts;
	u32 rsp_max_msg;
	bool chunk;
	u8 send_handle;
	u32 asym;
	u32 hash;
	u32 meas_hash;
	u8 meas_spec;
	u32 dhe;
	u32 aead;
	u32 key_schedule;
	bool opaque_fmt1;
	struct spdm_secure *sec;
	bool have_ke;
	u8 ke_th[SPDM_MAX_HASH];
	u8 ke_sig[SPDM_MAX_SIG];
	size_t hlen;
	size_t slen;

	u8 slot_mask;
	u8 digests[SPDM_SLOTS][SPDM_MAX_HASH];
	bool have_identity;
	u8 slot;
	struct spdm_conn conn;
	void *key;
	size_t pub_off;
	size_t pub_len;

	bool chal_ok;
	bool complete;
	u8 nonce[SPDM_NONCE_LEN];
	u8 chal_ctx[SPDM_REQ_CTX_LEN];
	u8 meas_ctx[SPDM_REQ_CTX_LEN];
	bool have_nonce;
	u8 meas_nonce[SPDM_NONCE_LEN];
	bool have_meas;
	u8 meas_count;
	size_t meas_off;
	size_t meas_len;

	struct spdm_buf t;
	struct spdm_span vca;
	struct spdm_span b;
	struct spdm_span c;
	struct spdm_span sig;
	struct spdm_span l1;
	struct spdm_span meas_sig;
	struct spdm_span chain;
	struct spdm_span spki;
};

/* exchange.c */
__printf(4, 5) int spdm_fail(struct spdm_session *s, enum spdm_failure cls,
			     int err, const char *fmt, ...);
void spdm_clear_fail(struct spdm_session *s);
enum spdm_failure spdm_platform_class(int rc);
int spdm_check_op(struct spdm_session *s, const char *step);
int spdm_check_len(struct spdm_session *s, const char *step, size_t got,
		   size_t want);
ssize_t spdm_check_rsp(struct spdm_session *s, const char *step, u8 ver,
		       ssize_t n, u8 expect, size_t min);
ssize_t spdm_large_response(struct spdm_session *s, const char *step,
			    ssize_t n, u8 ver, u8 *handle);
ssize_t spdm_exchange_raw(struct spdm_session *s, const char *step,
			  const void *req, size_t req_len, u8 *handle);
ssize_t spdm_exchange(struct spdm_session *s, const char *step,
		      const void *req, size_t req_len, u8 expect, size_t min);
void spdm_release_large(struct spdm_session *s);

/* chunk.c */
ssize_t spdm_chunk_send(struct spdm_session *s, const char *step,
			const u8 *req, size_t req_len, u8 ver, u8 *handle);
ssize_t spdm_chunk_get(struct spdm_session *s, const char *step, u8 handle);

/* transcript.c */
void *spdm_alloc(struct spdm_session *s, size_t len);
void spdm_free(struct spdm_session *s, void *p, size_t len);
void spdm_buf_release(struct spdm_session *s, struct spdm_buf *b);
int spdm_buf_reserve(struct spdm_session *s, const char *step,
		     struct spdm_buf *b, size_t extra);
static inline u8 *spdm_at(struct spdm_session *s, const struct spdm_span *sp)
{
	return s->t.data + sp->off;
}

void spdm_span_clear(struct spdm_span *sp);
int spdm_transcript_append(struct spdm_session *s, const char *step,
			   struct spdm_span *sp, const void *d, size_t len);
void spdm_store_compact(struct spdm_session *s);
int spdm_verify_signature(struct spdm_session *s, const char *step,
			  const struct spdm_span *a, const struct spdm_span *b,
			  const struct spdm_span *c, const char *context,
			  const struct spdm_span *sig);
int spdm_verify_digest(struct spdm_session *s, const char *step,
		       const u8 *th, const char *context, const u8 *sig,
		       size_t sig_len);
int spdm_get_nonce(struct spdm_session *s, const char *step, u8 *dst,
		   const u8 *nonce);
int spdm_get_req_ctx(struct spdm_session *s, const char *step, u8 *dst);

/* vca.c */
int spdm_vca(struct spdm_session *s);
void spdm_reset_transcripts(struct spdm_session *s);
int spdm_check_conn(struct spdm_session *s, const char *step);

/* auth.c */
int spdm_get_digests(struct spdm_session *s);
int spdm_get_certificate(struct spdm_session *s, u8 slot);
int spdm_load_key(struct spdm_session *s, const char *step);
int spdm_parse_signed_tail(struct spdm_session *s, const char *step,
			   size_t n, size_t off, const u8 *req_ctx,
			   size_t *body);
int spdm_challenge(struct spdm_session *s, u8 slot, const u8 *chain_hash,
		   const u8 *nonce);

/*
 * The session capabilities a requester with @secure offers (1.1+): no
 * CERT_CAP, CHAL_CAP or MUT_AUTH_CAP (no mutual authentication), no PSK.
 */
#define SPDM_REQ_SESSION_CAPS	(SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | \
				 SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT | \
				 SPDM_CAP_KEY_UPD | \
				 SPDM_CAP_HANDSHAKE_IN_THE_CLEAR)

/* hkdf.c */
int spdm_hkdf_expand(struct spdm_session *s, const char *step, const u8 *prk,
		     const u8 *info, size_t info_len, u8 *out, size_t len);
int spdm_ks_handshake(struct spdm_session *s, const char *step,
		      const u8 *shared, size_t shared_len, const u8 *th1);
int spdm_ks_data(struct spdm_session *s, const char *step, const u8 *th2);
int spdm_ks_update(struct spdm_session *s, const char *step, u8 *secret,
		   struct spdm_secmsg_keys *k);
int spdm_hmac_verify(struct spdm_session *s, const char *step, const u8 *key,
		     const u8 *th, const u8 *mac);
int spdm_hmac_make(struct spdm_session *s, const char *step, const u8 *key,
		   const u8 *th, u8 *out);

/* secmsg.c */
void spdm_secure_rec_free(struct spdm_session *s);
ssize_t spdm_secure_transport(struct spdm_session *s, const char *step,
			      const void *req, size_t req_len);

/* keyex.c */
int spdm_key_exchange(struct spdm_session *s);

/* secure.c */
void spdm_secure_free(struct spdm_session *s);

/* measurements.c */
int spdm_measurements(struct spdm_session *s, const u8 *nonce);

#endif /* SPDM_CORE_H */
