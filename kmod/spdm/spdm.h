/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPDM requester core (DMTF DSP0274 1.0 - 1.4), as used for PCIe
 * Component Measurement and Authentication (CMA).
 *
 * The core is transport- and crypto-agnostic: it calls a struct spdm_ops
 * supplied by the host (platform-kernel.c in the module, an mbedTLS shim in
 * the unit tests).  Every response is treated as hostile.  Every failure
 * returns a negative errno and leaves a message naming the step and the
 * reason in spdm_last_error().
 */
#ifndef SPDM_H
#define SPDM_H

#include "spdm_platform.h"

/* SPDM version numbers as they appear in the header byte. */
#define SPDM_VER_10 0x10
#define SPDM_VER_11 0x11
#define SPDM_VER_12 0x12
#define SPDM_VER_13 0x13
#define SPDM_VER_14 0x14

/* BaseAsymAlgo bits (DSP0274 NEGOTIATE_ALGORITHMS). */
#define SPDM_ASYM_RSASSA_2048	BIT(0)
#define SPDM_ASYM_RSASSA_3072	BIT(2)
#define SPDM_ASYM_ECDSA_P256	BIT(4)
#define SPDM_ASYM_RSASSA_4096	BIT(5)
#define SPDM_ASYM_ECDSA_P384	BIT(7)
#define SPDM_ASYM_ECDSA_P521	BIT(8)
#define SPDM_ASYM_SUPPORTED	(SPDM_ASYM_RSASSA_2048 | SPDM_ASYM_RSASSA_3072 | \
				 SPDM_ASYM_RSASSA_4096 | SPDM_ASYM_ECDSA_P256 | \
				 SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_ECDSA_P521)

/* BaseHashAlgo bits. */
#define SPDM_HASH_SHA256	BIT(0)
#define SPDM_HASH_SHA384	BIT(1)
#define SPDM_HASH_SHA512	BIT(2)
#define SPDM_HASH_SUPPORTED	(SPDM_HASH_SHA256 | SPDM_HASH_SHA384 | SPDM_HASH_SHA512)

/* MeasurementHashAlgo bits. */
#define SPDM_MEAS_HASH_RAW	BIT(0)
#define SPDM_MEAS_HASH_SHA256	BIT(1)
#define SPDM_MEAS_HASH_SHA384	BIT(2)
#define SPDM_MEAS_HASH_SHA512	BIT(3)

/* Responder CAPABILITIES flags used by the core. */
#define SPDM_CAP_CERT		BIT(1)
#define SPDM_CAP_CHAL		BIT(2)
#define SPDM_CAP_MEAS_MASK	(3u << 3)
#define SPDM_CAP_MEAS_NOSIG	BIT(3)
#define SPDM_CAP_MEAS_SIG	(2u << 3)
#define SPDM_CAP_ENCRYPT	BIT(6)	/* 1.1+: sessions */
#define SPDM_CAP_MAC		BIT(7)
#define SPDM_CAP_MUT_AUTH	BIT(8)
#define SPDM_CAP_KEY_EX		BIT(9)
#define SPDM_CAP_PSK_MASK	(3u << 10)
#define SPDM_CAP_ENCAP		BIT(12)
#define SPDM_CAP_HBEAT		BIT(13)
#define SPDM_CAP_KEY_UPD	BIT(14)
#define SPDM_CAP_HANDSHAKE_IN_THE_CLEAR	BIT(15)
#define SPDM_CAP_CHUNK		BIT(17)
#define SPDM_CAP_LARGE_RESP	BIT(31)	/* 1.4; the core does not set it */

#define SPDM_MAX_HASH		64
#define SPDM_MAX_SIG		512
#define SPDM_NONCE_LEN		32
#define SPDM_SLOTS		8
#define SPDM_MAX_CHAIN		65535
#define SPDM_DEFAULT_BUDGET	(1024 * 1024)
#define SPDM_DEFAULT_MAX_RESP	0x1200
#define SPDM_MIN_MAX_RESP	64
#define SPDM_DEFAULT_MAX_MSG	(256 * 1024)
#define SPDM_MAX_MSG		(16 * 1024 * 1024)
#define SPDM_ERRMSG_LEN		160
#define SPDM_BUSY_RETRIES	8

/* DHE AlgSupported bits (NEGOTIATE_ALGORITHMS DHE structure). */
#define SPDM_DHE_SECP256R1	BIT(3)
#define SPDM_DHE_SECP384R1	BIT(4)
#define SPDM_DHE_SUPPORTED	(SPDM_DHE_SECP256R1 | SPDM_DHE_SECP384R1)

/* AEAD AlgSupported bits. */
#define SPDM_AEAD_AES_128_GCM		BIT(0)
#define SPDM_AEAD_AES_256_GCM		BIT(1)
#define SPDM_AEAD_CHACHA20_POLY1305	BIT(2)
#define SPDM_AEAD_SUPPORTED	(SPDM_AEAD_AES_128_GCM | SPDM_AEAD_AES_256_GCM | \
				 SPDM_AEAD_CHACHA20_POLY1305)

/* KeySchedule AlgSupported: the SPDM key schedule. */
#define SPDM_KEY_SCHEDULE_SPDM	BIT(0)

#define SPDM_MAX_DHE_PUB	96	/* secp384r1 X || Y */
#define SPDM_MAX_DHE_SECRET	48
#define SPDM_AEAD_KEY_MAX	32
#define SPDM_AEAD_IV_LEN	12
#define SPDM_AEAD_TAG_LEN	16

/* Hash algorithm identifiers passed to spdm_ops.hash (== BaseHashAlgo bit). */
enum spdm_hash_alg {
	SPDM_HASH_ALG_SHA256 = SPDM_HASH_SHA256,
	SPDM_HASH_ALG_SHA384 = SPDM_HASH_SHA384,
	SPDM_HASH_ALG_SHA512 = SPDM_HASH_SHA512,
};

/**
 * enum spdm_transport_type - what one exchange carries
 * @SPDM_TRANSPORT_SPDM: a plain SPDM message (PCIe: the CMA/SPDM DOE data
 *	object type)
 * @SPDM_TRANSPORT_SECURED: a DSP0277 secured message (PCIe: Secured
 *	CMA/SPDM, DOE type 2): SessionID, Length, the AEAD-protected record and
 *	its MAC, no sequence number on the wire.  A host that gets a plain
 *	SPDM message (another data object type) in answer returns -EPROTO.
 */
enum spdm_transport_type {
	SPDM_TRANSPORT_SPDM,
	SPDM_TRANSPORT_SECURED,
};

/**
 * struct spdm_ops - what the core needs from its host
 * @exchange: send one message of @type (no transport header) and receive
 *	one response into @resp (capacity @resp_cap).  Returns the response
 *	length or a negative errno (timeout, transport error; -EOPNOTSUPP for
 *	a @type the host cannot carry).  Required.
 * @hash: one-shot hash of @len bytes with @alg (a SPDM_HASH_* bit) into @out.
 * @key_load: prepare a verifier for @asym (one SPDM_ASYM_* bit) over digests
 *	made with @hash (one SPDM_HASH_* bit, for RSA's DigestInfo).  @spki is
 *	the DER SubjectPublicKeyInfo of the leaf, @pub the contents of its
 *	subjectPublicKey BIT STRING (EC: 0x04||X||Y; RSA: DER RSAPublicKey).
 * @verify: verify @sig over the already computed digest @digest.  0 if valid,
 *	-EKEYREJECTED (or another negative errno) otherwise.
 * @key_free: release a handle from @key_load.
 * @random: fill @buf with @len cryptographically random bytes.
 * @zalloc: zeroed allocation; NULL on failure.
 * @free: release @p (@len bytes: what @zalloc was asked for).  @p may be
 *	NULL.  The core zeroes every buffer that held a secret (DHE private
 *	key, shared secret, session secrets, keys, IVs, finished keys,
 *	decrypted records) with spdm_memzero_explicit() before freeing it.
 * @delay_us: optional; sleep before retrying after Busy/ResponseNotReady.
 *	It may return early (deadline, abort): the core calls @check next.
 * @check: optional; called before every exchange and before every
 *	Busy/ResponseNotReady retry delay.  0 to go on; a negative errno ends
 *	the operation with that errno: -ETIME is SPDM_FAIL_DEADLINE ("STEP:
 *	operation deadline exceeded"), anything else SPDM_FAIL_ABORTED
 *	(-ENODEV: "STEP: aborted (device removed)").
 *
 * Secured sessions (spdm_secure_start() and after; required only when
 * &spdm_params.secure is set; spdm_session_create() refuses -EINVAL if one
 * is missing then).  A missing algorithm (the kernel lacks ecdh-nist-p384,
 * gcm(aes), ...) is -ENOPKG or -EOPNOTSUPP from the op: the session call
 * fails with SPDM_FAIL_UNSUPPORTED, nothing else is affected.
 * @dhe_gen: make an ephemeral key pair for @dhe (one SPDM_DHE_* bit); write
 *	the public key as SPDM ExchangeData (X || Y, big-endian, @pub_len =
 *	64 or 96 bytes) and return an opaque handle in @key.
 * @dhe_shared: the ECDH shared secret (the X coordinate, @secret_len = 32
 *	or 48 bytes) of @key with the peer's ExchangeData @peer (X || Y);
 *	-EINVAL (or another errno) for a point not on the curve.
 * @dhe_free: release @key (zeroing the private scalar).
 * @hmac: HMAC with @alg (a SPDM_HASH_* bit) under @key over @data into
 *	@out (the hash length).  The core builds HKDF on it.
 * @aead_seal: AEAD @aead (one SPDM_AEAD_* bit) with @key (16 or 32 bytes)
 *	and the 12-byte @iv: encrypt @len bytes of @in into @out (may be the
 *	same buffer; @len may be 0: MAC only) authenticating @aad too, and
 *	write the 16-byte tag to @tag.
 * @aead_open: the inverse: decrypt @len bytes of @in into @out and check
 *	@tag; -EBADMSG when the tag does not match (@out is then zeroed).
 */
struct spdm_ops {
	ssize_t (*exchange)(void *priv, enum spdm_transport_type type,
			    const void *req, size_t req_len, void *resp,
			    size_t resp_cap);
	int (*hash)(void *priv, u32 alg, const void *data, size_t len, u8 *out);
	int (*key_load)(void *priv, u32 asym, u32 hash, const u8 *spki,
			size_t spki_len, const u8 *pub, size_t pub_len,
			void **key);
	int (*verify)(void *priv, void *key, const u8 *digest, size_t digest_len,
		      const u8 *sig, size_t sig_len);
	void (*key_free)(void *priv, void *key);
	int (*random)(void *priv, void *buf, size_t len);
	void *(*zalloc)(void *priv, size_t len);
	void (*free)(void *priv, void *p, size_t len);
	void (*delay_us)(void *priv, unsigned int us);
	int (*check)(void *priv);
	int (*dhe_gen)(void *priv, u32 dhe, void **key, u8 *pub,
		       size_t pub_len);
	int (*dhe_shared)(void *priv, void *key, const u8 *peer,
			  size_t peer_len, u8 *secret, size_t secret_len);
	void (*dhe_free)(void *priv, void *key);
	int (*hmac)(void *priv, u32 alg, const u8 *key, size_t key_len,
		    const u8 *data, size_t len, u8 *out);
	int (*aead_seal)(void *priv, u32 aead, const u8 *key, size_t key_len,
			 const u8 *iv, const u8 *aad, size_t aad_len,
			 const u8 *in, size_t len, u8 *out, u8 *tag);
	int (*aead_open)(void *priv, u32 aead, const u8 *key, size_t key_len,
			 const u8 *iv, const u8 *aad, size_t aad_len,
			 const u8 *in, size_t len, u8 *out, const u8 *tag);
};

/**
 * struct spdm_params - session parameters
 * @ops: host primitives; must outlive the session.
 * @priv: passed to every op (e.g. the DOE mailbox).
 * @max_resp: largest response the transport accepts (bytes, >= 64; 0 means
 *	SPDM_DEFAULT_MAX_RESP).  Sent as DataTransferSize (1.2+).
 * @max_msg: largest response reassembled from chunks (CHUNK_GET, 1.2+),
 *	sent as MaxSPDMmsgSize (0: SPDM_DEFAULT_MAX_MSG; raised to @max_resp,
 *	at most SPDM_MAX_MSG).  The memory budget bounds it too.
 * @mem_budget: cap on the session's allocations (0: SPDM_DEFAULT_BUDGET):
 *	what it keeps and what a device makes it allocate (transcripts, chain,
 *	reassembled responses).  The transport buffer (@max_resp bytes, the
 *	host's choice) is allocated per operation beside it.
 * @min_version: lowest SPDM version accepted (0: 1.0).
 * @max_version: highest SPDM version offered (0: 1.4).
 * @asym_mask: BaseAsymAlgo offered (0: SPDM_ASYM_SUPPORTED); masked with it.
 * @hash_mask: BaseHashAlgo offered (0: SPDM_HASH_SUPPORTED); masked with it.
 * @secure: offer secured sessions (SPDM 1.1+): GET_CAPABILITIES with
 *	ENCRYPT_CAP, MAC_CAP, KEY_EX_CAP, HBEAT_CAP, KEY_UPD_CAP and
 *	HANDSHAKE_IN_THE_CLEAR_CAP (the device decides: the handshake is in
 *	the clear only when both sides set it), NEGOTIATE_ALGORITHMS with the
 *	DHE, AEAD and KeySchedule structures.  false: the handshake is
 *	byte-identical to a core without sessions.  Needs the session ops.
 * @dhe_mask: DHE groups offered (0: SPDM_DHE_SUPPORTED); masked with it.
 * @aead_mask: AEAD suites offered (0: SPDM_AEAD_SUPPORTED); masked with it.
 */
struct spdm_params {
	const struct spdm_ops *ops;
	void *priv;
	size_t max_resp;
	size_t max_msg;
	size_t mem_budget;
	u8 min_version;
	u8 max_version;
	u32 asym_mask;
	u32 hash_mask;
	bool secure;
	u32 dhe_mask;
	u32 aead_mask;
};

struct spdm_session;

/** struct spdm_buf_view - pointer and length of session-owned bytes */
struct spdm_buf_view {
	const u8 *data;
	size_t len;
};

#define SPDM_VIEW_SEGS		3

/**
 * struct spdm_seg_view - session-owned bytes kept in pieces, read in order
 * @seg: the pieces (empty ones have @seg[i].len 0)
 * @len: their total length
 *
 * A transcript is not copied together: M1 = A || B || C and L1 = A || ...
 * share the one A the session keeps.  spdm_seg_copy() reads a range.
 */
struct spdm_seg_view {
	struct spdm_buf_view seg[SPDM_VIEW_SEGS];
	size_t len;
};

/**
 * struct spdm_evidence - read-only view of what the last operations produced
 * @version: negotiated SPDM version (0x10-0x14)
 * @caps: the responder's CAPABILITIES flags
 * @asym: negotiated BaseAsymAlgo (one SPDM_ASYM_* bit)
 * @hash: negotiated BaseHashAlgo (one SPDM_HASH_* bit)
 * @meas_hash: negotiated MeasurementHashAlgo
 * @meas_spec: negotiated MeasurementSpecification (0x01: DMTF)
 * @slot: slot authenticated
 * @slot_mask: slots provisioned according to DIGESTS
 * @hash_len: bytes per digest
 * @sig_len: bytes per signature
 * @digests: DIGESTS per slot (@hash_len bytes valid each)
 * @chain: the certificate chain of @slot, with its SPDM header and root hash
 * @leaf_spki: DER SubjectPublicKeyInfo of the leaf (the key that verified)
 * @leaf_pub: the subjectPublicKey contents inside @leaf_spki
 * @nonce: the CHALLENGE nonce
 * @transcript: the bytes hashed for the CHALLENGE_AUTH signature: M1 =
 *	A||B||C, C ending before the signature.  1.0/1.1 sign Hash(M1); 1.2+
 *	sign Hash(prefix||zero pad||@context||Hash(M1)), prefix being
 *	"dmtf-spdm-v1.N.*" four times.
 * @signature: the CHALLENGE_AUTH signature (EC: r||s; RSA: PKCS#1 v1.5)
 * @context: the 1.2+ signing context, NULL before 1.2
 * @meas_blocks: the MEASUREMENTS record (DMTF measurement blocks)
 * @meas_count: number of blocks in @meas_blocks
 * @meas_nonce: the GET_MEASUREMENTS nonce
 * @meas_transcript: L1 = (1.2+: VCA ||) GET_MEASUREMENTS || MEASUREMENTS
 *	without its signature, signed like @transcript
 * @meas_signature: the MEASUREMENTS signature
 * @meas_context: the 1.2+ signing context for measurements
 * @dhe: negotiated DHE group (one SPDM_DHE_* bit; 0 without @p.secure or
 *	when the device offered no session)
 * @aead: negotiated AEAD suite (one SPDM_AEAD_* bit, or 0)
 * @ke_th: the transcript hash the last successful KEY_EXCHANGE_RSP
 *	signature covers: Hash(A || Ct || KEY_EXCHANGE || KEY_EXCHANGE_RSP up
 *	to its Signature), Ct = Hash(the slot's certificate chain, SPDM
 *	format).  1.0/1.1 sign @ke_th itself; 1.2+ sign Hash(prefix || zero
 *	pad || @ke_context || @ke_th).  Empty before a session was established.
 * @ke_signature: that KEY_EXCHANGE_RSP signature
 * @ke_context: the 1.2+ signing context ("responder-key_exchange_rsp
 *	signing"), NULL before 1.2 or without a session
 * @complete: the evidence is one coherent handshake: false from the moment
 *	an authenticate, revalidate or get_measurements call starts changing
 *	transcripts, nonces or signatures until a later call succeeds (and
 *	after measurements taken on a session whose last challenge failed)
 *
 * All pointers stay valid until the next call that changes the session.
 * Measurement fields are empty unless the last spdm_get_measurements()
 * succeeded; authenticate and revalidate clear them (the measurements of an
 * earlier handshake do not belong to the new one).
 */
struct spdm_evidence {
	u8 version;
	u32 caps;
	u32 asym;
	u32 hash;
	u32 meas_hash;
	u8 meas_spec;
	u8 slot;
	u8 slot_mask;
	size_t hash_len;
	size_t sig_len;
	u8 digests[SPDM_SLOTS][SPDM_MAX_HASH];
	struct spdm_buf_view chain;
	struct spdm_buf_view leaf_spki;
	struct spdm_buf_view leaf_pub;
	struct spdm_buf_view nonce;
	struct spdm_seg_view transcript;
	struct spdm_buf_view signature;
	const char *context;
	struct spdm_buf_view meas_blocks;
	u8 meas_count;
	struct spdm_buf_view meas_nonce;
	struct spdm_seg_view meas_transcript;
	struct spdm_buf_view meas_signature;
	const char *meas_context;
	u32 dhe;
	u32 aead;
	struct spdm_buf_view ke_th;
	struct spdm_buf_view ke_signature;
	const char *ke_context;
	bool complete;
};

/**
 * enum spdm_failure - class of the last failure, for callers that act on it
 * @SPDM_FAIL_NONE: the last call succeeded
 * @SPDM_FAIL_PROTOCOL: the device broke DSP0274 (malformed, inconsistent or
 *	unexpected response, ERROR response) or its data is inconsistent
 * @SPDM_FAIL_TRANSPORT: the exchange itself failed (DOE error or timeout)
 * @SPDM_FAIL_TIMEOUT: Busy/ResponseNotReady retries exhausted
 * @SPDM_FAIL_SIGNATURE: a signature did not verify with the leaf key
 * @SPDM_FAIL_CERT_DIGEST: the slot digest or CHALLENGE_AUTH's CertChainHash
 *	differs from the connect's (or the slot is no longer provisioned)
 * @SPDM_FAIL_DOWNGRADE: version or algorithms differ from the connect's
 * @SPDM_FAIL_BUDGET: the device's data would exceed the memory budget
 * @SPDM_FAIL_DEADLINE: the check op reported -ETIME (deadline exceeded)
 * @SPDM_FAIL_ABORTED: the check op reported another error (device removed)
 * @SPDM_FAIL_NOMEM: the allocator (or a platform op) ran out of memory
 * @SPDM_FAIL_UNSUPPORTED: the device lacks a capability or slot the call
 *	needs, the platform lacks an algorithm, or the call does not fit the
 *	session's state or its arguments are invalid
 * @SPDM_FAIL_SESSION: the secured session failed: ResponderVerifyData
 *	wrong, a secured response with a bad tag, another SessionID, a bad
 *	length or answered in the clear, an ERROR (InvalidSession,
 *	DecryptError, ...) or a malformed response inside the session, a
 *	sequence number that would wrap.  The session is dropped (keys
 *	zeroed) on every failure inside it, whatever the class.
 */
enum spdm_failure {
	SPDM_FAIL_NONE,
	SPDM_FAIL_PROTOCOL,
	SPDM_FAIL_TRANSPORT,
	SPDM_FAIL_TIMEOUT,
	SPDM_FAIL_SIGNATURE,
	SPDM_FAIL_CERT_DIGEST,
	SPDM_FAIL_DOWNGRADE,
	SPDM_FAIL_BUDGET,
	SPDM_FAIL_DEADLINE,
	SPDM_FAIL_ABORTED,
	SPDM_FAIL_NOMEM,
	SPDM_FAIL_UNSUPPORTED,
	SPDM_FAIL_SESSION,
};

int spdm_session_create(const struct spdm_params *p, struct spdm_session **out);
void spdm_session_free(struct spdm_session *s);

int spdm_authenticate(struct spdm_session *s, u8 slot, const u8 *nonce);
int spdm_revalidate(struct spdm_session *s, const u8 *nonce);
void spdm_state_lost(struct spdm_session *s);
int spdm_get_measurements(struct spdm_session *s, const u8 *nonce);
int spdm_set_cached_identity(struct spdm_session *s, u8 version, u32 asym,
			     u32 hash, u8 slot, const u8 *digest,
			     const u8 *spki, size_t spki_len);

/**
 * struct spdm_secure_info - the secured session, as spdm_secure_get_info()
 *	reports it
 * @active: a session is established (FINISH_RSP verified)
 * @session_id: SessionID (ReqSessionID | RspSessionID << 16, DSP0274; the
 *	first four bytes of every secured message, little-endian)
 * @dhe: DHE group (SPDM_DHE_*)
 * @aead: AEAD suite (SPDM_AEAD_*)
 * @hash: the session's hash (BaseHashSel)
 * @version: SPDM version of the session
 * @sm_version: the DSP0277 secured message version the device selected
 *	(e.g. 0x11 for 1.1)
 * @heartbeat_period: HeartbeatPeriod from KEY_EXCHANGE_RSP, seconds (0:
 *	no heartbeat; the caller sends spdm_secure_heartbeat() at about half
 *	of it, the device may end the session after twice it)
 * @encrypted: records are encrypted and authenticated (both sides
 *	ENCRYPT_CAP); false: authenticated only (MAC_CAP)
 * @handshake_in_clear: KEY_EXCHANGE_RSP and FINISH went in the clear (both
 *	sides HANDSHAKE_IN_THE_CLEAR_CAP); false: FINISH went as a secured
 *	message under the handshake keys
 * @key_updates: KEY_UPDATE operations completed in this session
 * @messages: secured requests sent in this session (FINISH included when
 *	it was secured)
 * @key_messages: secured requests sent under the current request key (its
 *	sequence number: 0 when established, 1 after a KEY_UPDATE, whose
 *	VerifyNewKey goes under the new key)
 */
struct spdm_secure_info {
	bool active;
	u32 session_id;
	u32 dhe;
	u32 aead;
	u32 hash;
	u8 version;
	u8 sm_version;
	u8 heartbeat_period;
	bool encrypted;
	bool handshake_in_clear;
	u32 key_updates;
	u64 messages;
	u64 key_messages;
};

/*
 * Secured sessions (DSP0274 1.1+ KEY_EXCHANGE / FINISH, DSP0277 records;
 * kmod/spdm/README.md "Secured sessions").  One session per spdm_session; no
 * mutual authentication, no PSK.
 *
 * spdm_secure_start(): needs a successful spdm_authenticate() (or
 *	spdm_set_cached_identity()) on a session created with @secure.  Runs
 *	VCA first when the device's state is unknown (and checks it against the
 *	connect: SPDM_FAIL_DOWNGRADE, which covers DHE and AEAD too), then
 *	KEY_EXCHANGE for the connect's slot with an ephemeral DHE key.  The
 *	KEY_EXCHANGE_RSP signature is verified with the leaf key cached at
 *	connect, never with a key offered now (SPDM_FAIL_SIGNATURE), Ct is the
 *	connect's slot digest; ResponderVerifyData (SPDM_FAIL_SESSION), then
 *	FINISH with RequesterVerifyData (a secured message unless both sides
 *	have HANDSHAKE_IN_THE_CLEAR_CAP).  -EALREADY if one is active.
 * spdm_secure_heartbeat(): HEARTBEAT / HEARTBEAT_ACK in the session.
 * spdm_secure_key_update(): KEY_UPDATE UpdateKey (@all false: our
 *	direction) or UpdateAllKeys, then VerifyNewKey under the new key.
 * spdm_secure_end(): END_SESSION / END_SESSION_ACK, then local teardown
 *	(always, even when the exchange failed; 0 if nothing was active).
 * spdm_secure_drop(): local teardown, every secret zeroed, nothing sent
 *	(reset, resume, removal, heartbeat loss).  Also done by every failure
 *	inside the session, by a VCA (GET_VERSION ends the device's sessions)
 *	and by spdm_state_lost() / spdm_session_free().
 * spdm_get_measurements(): inside the session when one is active
 *	(automatic; a failure there drops the session).
 * Each returns 0 or a negative errno with spdm_last_error() /
 * spdm_last_failure() set; -ENOTCONN (SPDM_FAIL_UNSUPPORTED) when no
 * session is active.
 */
int spdm_secure_start(struct spdm_session *s);
int spdm_secure_heartbeat(struct spdm_session *s);
int spdm_secure_key_update(struct spdm_session *s, bool all);
int spdm_secure_end(struct spdm_session *s);
void spdm_secure_drop(struct spdm_session *s);
void spdm_secure_get_info(const struct spdm_session *s,
			  struct spdm_secure_info *info);

const char *spdm_last_error(const struct spdm_session *s);
enum spdm_failure spdm_last_failure(const struct spdm_session *s);
unsigned int spdm_exchange_count(const struct spdm_session *s);
size_t spdm_mem_used(const struct spdm_session *s);
void spdm_get_evidence(const struct spdm_session *s, struct spdm_evidence *ev);
size_t spdm_seg_copy(const struct spdm_seg_view *v, size_t off, void *dst,
		     size_t len);

/* Parsers and helpers, exposed for tests and fuzzing. */

/**
 * struct spdm_secmsg_keys - one direction of a session's record protection
 * @aead: SPDM_AEAD_* bit
 * @encrypt: encrypt and authenticate (false: authenticate only)
 * @key: the AEAD key (@key_len bytes)
 * @key_len: 16 or 32
 * @iv: the 12-byte IV the per-message nonce is made from
 * @seq: the sequence number of the next record in this direction
 */
struct spdm_secmsg_keys {
	u32 aead;
	bool encrypt;
	u8 key[SPDM_AEAD_KEY_MAX];
	size_t key_len;
	u8 iv[SPDM_AEAD_IV_LEN];
	u64 seq;
};

ssize_t spdm_secmsg_seal(const struct spdm_ops *ops, void *priv,
			 struct spdm_secmsg_keys *k, u32 session_id,
			 const u8 *app, size_t app_len, u8 *out,
			 size_t out_cap);
ssize_t spdm_secmsg_open(const struct spdm_ops *ops, void *priv,
			 struct spdm_secmsg_keys *k, u32 session_id,
			 const u8 *rec, size_t rec_len, u8 *out,
			 size_t out_cap, const char **why);
size_t spdm_hash_len(u32 hash);
size_t spdm_sig_len(u32 asym);

/**
 * struct spdm_der_cert_info - what the walker extracts from the leaf
 * @spki_off: offset of the leaf's SubjectPublicKeyInfo TLV in the input
 * @spki_len: its length
 * @pub_off: offset of the subjectPublicKey BIT STRING contents (after the
 *	unused-bits octet)
 * @pub_len: their length
 * @asym: the SPDM_ASYM_* bit the key is usable for
 * @ncerts: number of certificates in the chain
 */
struct spdm_der_cert_info {
	size_t spki_off, spki_len;
	size_t pub_off, pub_len;
	u32 asym;
	unsigned int ncerts;
};

int spdm_der_walk_chain(const u8 *certs, size_t len,
			struct spdm_der_cert_info *leaf, const char **why);
int spdm_der_parse_spki(const u8 *spki, size_t len, size_t *pub_off,
			size_t *pub_len, u32 *asym, const char **why);

/**
 * struct spdm_meas_block - one block of a MEASUREMENTS record (meas.c)
 * @index: Index
 * @spec: MeasurementSpecification
 * @dmtf: @spec has the DMTF bit: @value is the DMTF measurement value
 * @dmtf_type: DMTFSpecMeasurementValueType (when @dmtf)
 * @value: the DMTF value, or the raw Measurement of a non-DMTF block
 * @value_len: its length
 * @raw: the whole block, header included
 * @raw_len: its length
 */
struct spdm_meas_block {
	u8 index;
	u8 spec;
	bool dmtf;
	u8 dmtf_type;
	const u8 *value;
	size_t value_len;
	const u8 *raw;
	size_t raw_len;
};

/**
 * struct spdm_meas_expect - an expected measurement
 * @index: the block's Index
 * @len: length of @digest
 * @digest: what the block's value must be
 */
struct spdm_meas_expect {
	u8 index;
	u8 len;
	const u8 *digest;
};

/**
 * struct spdm_meas_policy - what spdm_meas_check() compares a record with
 * @expect: expected values by index
 * @n_expect: their number
 * @volatile_map: bitmap of indices that are not compared (bit i: index i)
 * @baseline: the record taken at connect, or NULL: with it, the blocks of
 *	the record must be exactly the baseline's, volatile indices aside
 * @baseline_len: its length
 */
struct spdm_meas_policy {
	const struct spdm_meas_expect *expect;
	unsigned int n_expect;
	u8 volatile_map[32];
	const u8 *baseline;
	size_t baseline_len;
};

int spdm_meas_next(const u8 *rec, size_t len, size_t *off, struct spdm_meas_block *b);
int spdm_meas_check(const struct spdm_meas_policy *p, const u8 *rec, size_t len,
		    char *err, size_t errlen);

#endif /* SPDM_H */
