/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	kmod/spdm-tsm.yaml */
/* YNL-GEN uapi header */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#ifndef _UAPI_LINUX_SPDM_TSM_H
#define _UAPI_LINUX_SPDM_TSM_H

#define SPDM_TSM_FAMILY_NAME	"spdm-tsm"
#define SPDM_TSM_FAMILY_VERSION	1

/**
 * enum spdm_tsm_state - Authentication state of a device.
 * @SPDM_TSM_STATE_NONE: never connected (or disconnected)
 * @SPDM_TSM_STATE_CONNECTING: a handshake is running
 * @SPDM_TSM_STATE_AUTHENTICATED: the device proved possession of the key of
 *   its leaf certificate; evidence is ready for userspace
 * @SPDM_TSM_STATE_FAILED: the last handshake failed
 * @SPDM_TSM_STATE_SESSION_LOST: authenticated before, then reset, resumed or
 *   otherwise lost its SPDM state; revalidation pending or failed
 */
enum spdm_tsm_state {
	SPDM_TSM_STATE_NONE,
	SPDM_TSM_STATE_CONNECTING,
	SPDM_TSM_STATE_AUTHENTICATED,
	SPDM_TSM_STATE_FAILED,
	SPDM_TSM_STATE_SESSION_LOST,
};

/**
 * enum spdm_tsm_evidence_object - Large evidence objects, sent in chunks by
 *   evidence-get.
 * @SPDM_TSM_EVIDENCE_OBJECT_CERT_CHAIN: The slot's certificates as
 *   concatenated DER, leaf last.
 * @SPDM_TSM_EVIDENCE_OBJECT_TRANSCRIPT: The bytes the CHALLENGE_AUTH signature
 *   covers (M1/M2 per DSP0274).
 * @SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI: The leaf's SubjectPublicKeyInfo, the
 *   key the kernel cached.
 * @SPDM_TSM_EVIDENCE_OBJECT_MEAS_BLOCKS: DMTF measurement blocks.
 * @SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT: The bytes the MEASUREMENTS
 *   signature covers (L1/L2).
 */
enum spdm_tsm_evidence_object {
	SPDM_TSM_EVIDENCE_OBJECT_CERT_CHAIN = 1,
	SPDM_TSM_EVIDENCE_OBJECT_TRANSCRIPT,
	SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI,
	SPDM_TSM_EVIDENCE_OBJECT_MEAS_BLOCKS,
	SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT,
};

/**
 * enum spdm_tsm_event - What a dev-event-ntf announces.
 * @SPDM_TSM_EVENT_CONNECTED: the device authenticated (connect)
 * @SPDM_TSM_EVENT_DISCONNECTED: its session and evidence were dropped
 * @SPDM_TSM_EVENT_SESSION_LOST: reset, resume or removal ended the
 *   authenticated state (see reason)
 * @SPDM_TSM_EVENT_REVALIDATED: a fresh challenge verified with the cached key
 *   and the policy's digests matched
 * @SPDM_TSM_EVENT_REVALIDATION_FAILED: it did not (see reason)
 * @SPDM_TSM_EVENT_ADDED: a function with a CMA mailbox appeared (hot-add,
 *   rescan): an agent may connect it and check it against its policy
 * @SPDM_TSM_EVENT_SESSION_ESTABLISHED: a secured session was established again
 *   after a lost one (KEY_EXCHANGE_RSP verified with the key cached at
 *   connect; reason: what lost it). The session of a connect is announced by
 *   connected
 * @SPDM_TSM_EVENT_SESSION_ENDED: the secured session was closed with
 *   END_SESSION by session-end (reason explicit); the device stays
 *   authenticated. Disconnect also ends the session, and announces only
 *   disconnected
 */
enum spdm_tsm_event {
	SPDM_TSM_EVENT_CONNECTED = 1,
	SPDM_TSM_EVENT_DISCONNECTED,
	SPDM_TSM_EVENT_SESSION_LOST,
	SPDM_TSM_EVENT_REVALIDATED,
	SPDM_TSM_EVENT_REVALIDATION_FAILED,
	SPDM_TSM_EVENT_ADDED,
	SPDM_TSM_EVENT_SESSION_ESTABLISHED,
	SPDM_TSM_EVENT_SESSION_ENDED,
};

/*
 * Why a session was lost, or why revalidation failed. unknown: a recovery
 * trigger may have been missed (the reset probe ran out of instances);
 * downgrade: version or algorithms differ from connect; budget: the device
 * made the module exceed max_evidence_bytes; deadline: the operation exceeded
 * op_timeout_ms; serial: the Device Serial Number differs from the one the
 * policy was set for; heartbeat: the secured session's HEARTBEAT failed (no
 * answer in time, a bad tag, an ERROR, a sequence error); key-update: a
 * KEY_UPDATE failed and the session was dropped; session: establishing the
 * secured session failed (ResponderVerifyData, a secured message's tag,
 * session ID or sequence number, an ERROR inside the session).
 */
enum spdm_tsm_reason {
	SPDM_TSM_REASON_NONE,
	SPDM_TSM_REASON_RESET,
	SPDM_TSM_REASON_RESUME,
	SPDM_TSM_REASON_UNKNOWN,
	SPDM_TSM_REASON_REMOVAL,
	SPDM_TSM_REASON_EXPLICIT,
	SPDM_TSM_REASON_SIGNATURE,
	SPDM_TSM_REASON_CERT_DIGEST,
	SPDM_TSM_REASON_MEASUREMENT,
	SPDM_TSM_REASON_DEVICE_ERROR,
	SPDM_TSM_REASON_TIMEOUT,
	SPDM_TSM_REASON_DOWNGRADE,
	SPDM_TSM_REASON_BUDGET,
	SPDM_TSM_REASON_DEADLINE,
	SPDM_TSM_REASON_SERIAL,
	SPDM_TSM_REASON_HEARTBEAT,
	SPDM_TSM_REASON_KEY_UPDATE,
	SPDM_TSM_REASON_SESSION,
};

/*
 * What the kernel does to a device that fails revalidation.
 */
enum spdm_tsm_action {
	SPDM_TSM_ACTION_NOTIFY,
	SPDM_TSM_ACTION_UNBIND,
	SPDM_TSM_ACTION_DISABLE_BUS_MASTER,
};

/**
 * enum spdm_tsm_session_state - State of a device's SPDM secured session.
 * @SPDM_TSM_SESSION_STATE_NONE: no session (never asked for, ended, or lost
 *   and not restored)
 * @SPDM_TSM_SESSION_STATE_ESTABLISHED: KEY_EXCHANGE and FINISH completed;
 *   secured messages flow
 */
enum spdm_tsm_session_state {
	SPDM_TSM_SESSION_STATE_NONE,
	SPDM_TSM_SESSION_STATE_ESTABLISHED,
};

/*
 * On a recovery trigger, revalidate automatically or only announce.
 */
enum spdm_tsm_revalidate_mode {
	SPDM_TSM_REVALIDATE_MODE_AUTO,
	SPDM_TSM_REVALIDATE_MODE_ANNOUNCE,
};

enum {
	SPDM_TSM_A_DEV_BDF = 1,
	SPDM_TSM_A_DEV_VENDOR_ID,
	SPDM_TSM_A_DEV_DEVICE_ID,
	SPDM_TSM_A_DEV_SERIAL,
	SPDM_TSM_A_DEV_CMA,
	SPDM_TSM_A_DEV_DSM,
	SPDM_TSM_A_DEV_IDE,
	SPDM_TSM_A_DEV_TEE_IO,
	SPDM_TSM_A_DEV_TSM,
	SPDM_TSM_A_DEV_STATE,
	SPDM_TSM_A_DEV_VERSION,
	SPDM_TSM_A_DEV_ASYM,
	SPDM_TSM_A_DEV_HASH,
	SPDM_TSM_A_DEV_SLOT,
	SPDM_TSM_A_DEV_EXCHANGES,
	SPDM_TSM_A_DEV_DURATION_US,
	SPDM_TSM_A_DEV_MEM_USED,
	SPDM_TSM_A_DEV_MEM_LIMIT,
	SPDM_TSM_A_DEV_GENERATION,
	SPDM_TSM_A_DEV_LAST_ERROR,
	SPDM_TSM_A_DEV_NONCE,
	SPDM_TSM_A_DEV_MEASUREMENTS,
	SPDM_TSM_A_DEV_EVENT,
	SPDM_TSM_A_DEV_REASON,
	SPDM_TSM_A_DEV_TIMESTAMP_NS,
	SPDM_TSM_A_DEV_CORE_CONNECTED,
	SPDM_TSM_A_DEV_PAD,
	SPDM_TSM_A_DEV_SESSION,
	SPDM_TSM_A_DEV_SESSION_INFO,
	SPDM_TSM_A_DEV_ALL_KEYS,

	__SPDM_TSM_A_DEV_MAX,
	SPDM_TSM_A_DEV_MAX = (__SPDM_TSM_A_DEV_MAX - 1)
};

enum {
	SPDM_TSM_A_SESSION_STATE = 1,
	SPDM_TSM_A_SESSION_ID,
	SPDM_TSM_A_SESSION_DHE,
	SPDM_TSM_A_SESSION_AEAD,
	SPDM_TSM_A_SESSION_HASH,
	SPDM_TSM_A_SESSION_ENCRYPTED,
	SPDM_TSM_A_SESSION_HEARTBEAT_PERIOD,
	SPDM_TSM_A_SESSION_ESTABLISHED_NS,
	SPDM_TSM_A_SESSION_KEY_UPDATES,
	SPDM_TSM_A_SESSION_HEARTBEATS,
	SPDM_TSM_A_SESSION_ESTABLISHMENTS,
	SPDM_TSM_A_SESSION_EXCHANGES,
	SPDM_TSM_A_SESSION_DURATION_US,
	SPDM_TSM_A_SESSION_PAD,

	__SPDM_TSM_A_SESSION_MAX,
	SPDM_TSM_A_SESSION_MAX = (__SPDM_TSM_A_SESSION_MAX - 1)
};

enum {
	SPDM_TSM_A_EVIDENCE_BDF = 1,
	SPDM_TSM_A_EVIDENCE_GENERATION,
	SPDM_TSM_A_EVIDENCE_OBJECT,
	SPDM_TSM_A_EVIDENCE_OFFSET,
	SPDM_TSM_A_EVIDENCE_TOTAL,
	SPDM_TSM_A_EVIDENCE_DATA,
	SPDM_TSM_A_EVIDENCE_OBJECTS,
	SPDM_TSM_A_EVIDENCE_VERSION,
	SPDM_TSM_A_EVIDENCE_CAPS,
	SPDM_TSM_A_EVIDENCE_ASYM,
	SPDM_TSM_A_EVIDENCE_HASH,
	SPDM_TSM_A_EVIDENCE_MEAS_HASH,
	SPDM_TSM_A_EVIDENCE_SLOT,
	SPDM_TSM_A_EVIDENCE_SLOT_MASK,
	SPDM_TSM_A_EVIDENCE_SLOT_DIGEST,
	SPDM_TSM_A_EVIDENCE_NONCE,
	SPDM_TSM_A_EVIDENCE_SIGNATURE,
	SPDM_TSM_A_EVIDENCE_CONTEXT,
	SPDM_TSM_A_EVIDENCE_MEAS_COUNT,
	SPDM_TSM_A_EVIDENCE_MEAS_NONCE,
	SPDM_TSM_A_EVIDENCE_MEAS_SIGNATURE,
	SPDM_TSM_A_EVIDENCE_MEAS_CONTEXT,
	SPDM_TSM_A_EVIDENCE_PAD,
	SPDM_TSM_A_EVIDENCE_SESSION,

	__SPDM_TSM_A_EVIDENCE_MAX,
	SPDM_TSM_A_EVIDENCE_MAX = (__SPDM_TSM_A_EVIDENCE_MAX - 1)
};

enum {
	SPDM_TSM_A_SESSION_EVIDENCE_ID = 1,
	SPDM_TSM_A_SESSION_EVIDENCE_DHE,
	SPDM_TSM_A_SESSION_EVIDENCE_AEAD,
	SPDM_TSM_A_SESSION_EVIDENCE_KE_SIGNATURE,
	SPDM_TSM_A_SESSION_EVIDENCE_KE_TH_HASH,
	SPDM_TSM_A_SESSION_EVIDENCE_KE_CONTEXT,

	__SPDM_TSM_A_SESSION_EVIDENCE_MAX,
	SPDM_TSM_A_SESSION_EVIDENCE_MAX = (__SPDM_TSM_A_SESSION_EVIDENCE_MAX - 1)
};

enum {
	SPDM_TSM_A_POLICY_BDF = 1,
	SPDM_TSM_A_POLICY_SERIAL,
	SPDM_TSM_A_POLICY_SLOT,
	SPDM_TSM_A_POLICY_CERT_DIGEST,
	SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT,
	SPDM_TSM_A_POLICY_MEAS_RULE,
	SPDM_TSM_A_POLICY_ACTION,
	SPDM_TSM_A_POLICY_REVALIDATE_MODE,
	SPDM_TSM_A_POLICY_MEAS_BASELINE,
	SPDM_TSM_A_POLICY_PAD,

	__SPDM_TSM_A_POLICY_MAX,
	SPDM_TSM_A_POLICY_MAX = (__SPDM_TSM_A_POLICY_MAX - 1)
};

enum {
	SPDM_TSM_A_MEAS_RULE_INDEX = 1,
	SPDM_TSM_A_MEAS_RULE_DIGEST,
	SPDM_TSM_A_MEAS_RULE_VOLATILE,

	__SPDM_TSM_A_MEAS_RULE_MAX,
	SPDM_TSM_A_MEAS_RULE_MAX = (__SPDM_TSM_A_MEAS_RULE_MAX - 1)
};

enum {
	SPDM_TSM_A_SLOT_DIGEST_SLOT = 1,
	SPDM_TSM_A_SLOT_DIGEST_DIGEST,

	__SPDM_TSM_A_SLOT_DIGEST_MAX,
	SPDM_TSM_A_SLOT_DIGEST_MAX = (__SPDM_TSM_A_SLOT_DIGEST_MAX - 1)
};

enum {
	SPDM_TSM_CMD_DEV_GET = 1,
	SPDM_TSM_CMD_CONNECT,
	SPDM_TSM_CMD_DISCONNECT,
	SPDM_TSM_CMD_EVIDENCE_GET,
	SPDM_TSM_CMD_POLICY_SET,
	SPDM_TSM_CMD_POLICY_GET,
	SPDM_TSM_CMD_POLICY_DEL,
	SPDM_TSM_CMD_DEV_EVENT_NTF,
	SPDM_TSM_CMD_REVALIDATE,
	SPDM_TSM_CMD_SESSION_KEY_UPDATE,
	SPDM_TSM_CMD_SESSION_END,

	__SPDM_TSM_CMD_MAX,
	SPDM_TSM_CMD_MAX = (__SPDM_TSM_CMD_MAX - 1)
};

#define SPDM_TSM_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_SPDM_TSM_H */
