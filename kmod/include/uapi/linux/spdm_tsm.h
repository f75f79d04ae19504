/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * spdm-tsm generic netlink family: native PCIe CMA/SPDM device authentication.
 *
 * The source of truth is kmod/spdm-tsm.yaml (YNL genetlink spec); the names
 * below follow YNL's C naming so that tests/unit/abi checks one against the
 * other.  Attribute and command numbers are ABI: append only.
 */
#ifndef _UAPI_LINUX_SPDM_TSM_H
#define _UAPI_LINUX_SPDM_TSM_H

#define SPDM_TSM_FAMILY_NAME	"spdm-tsm"
#define SPDM_TSM_FAMILY_VERSION	1

#define SPDM_TSM_MCGRP_EVENTS	"events"

/**
 * enum spdm_tsm_state - authentication state of a device
 * @SPDM_TSM_STATE_NONE: never connected (or disconnected)
 * @SPDM_TSM_STATE_CONNECTING: a handshake is running
 * @SPDM_TSM_STATE_AUTHENTICATED: the device proved possession of the key of
 *	its leaf certificate; evidence is ready for userspace
 * @SPDM_TSM_STATE_FAILED: the last handshake failed
 * @SPDM_TSM_STATE_SESSION_LOST: authenticated before, then reset, resumed or
 *	otherwise lost its SPDM state; revalidation pending or failed
 */
enum spdm_tsm_state {
	SPDM_TSM_STATE_NONE,
	SPDM_TSM_STATE_CONNECTING,
	SPDM_TSM_STATE_AUTHENTICATED,
	SPDM_TSM_STATE_FAILED,
	SPDM_TSM_STATE_SESSION_LOST,
};

/**
 * enum spdm_tsm_event - what a dev-event-ntf announces
 * @SPDM_TSM_EVENT_CONNECTED: the device authenticated (connect)
 * @SPDM_TSM_EVENT_DISCONNECTED: its session and evidence were dropped
 * @SPDM_TSM_EVENT_SESSION_LOST: reset, resume or removal ended
 *	the authenticated state (see reason)
 * @SPDM_TSM_EVENT_REVALIDATED: a fresh challenge verified with the cached key
 *	and the policy's digests matched
 * @SPDM_TSM_EVENT_REVALIDATION_FAILED: it did not (see reason)
 * @SPDM_TSM_EVENT_ADDED: a function with a CMA mailbox appeared (hot-add,
 *	rescan): an agent may connect it and check it against its policy
 */
enum spdm_tsm_event {
	SPDM_TSM_EVENT_CONNECTED = 1,
	SPDM_TSM_EVENT_DISCONNECTED,
	SPDM_TSM_EVENT_SESSION_LOST,
	SPDM_TSM_EVENT_REVALIDATED,
	SPDM_TSM_EVENT_REVALIDATION_FAILED,
	SPDM_TSM_EVENT_ADDED,
};

/*
 * Why a session was lost, or why revalidation failed.
 * UNKNOWN: a recovery trigger may have been missed (the reset probe ran out
 * of instances); DOWNGRADE: version or algorithms differ from connect;
 * BUDGET: the device made the module exceed max_evidence_bytes; DEADLINE:
 * the operation exceeded op_timeout_ms; SERIAL: the Device Serial Number
 * differs from the one the policy was set for.
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
};

/* What the kernel does to a device that fails revalidation. */
enum spdm_tsm_action {
	SPDM_TSM_ACTION_NOTIFY,
	SPDM_TSM_ACTION_UNBIND,
	SPDM_TSM_ACTION_DISABLE_BUS_MASTER,
};

/* On a recovery trigger: revalidate automatically, or only announce. */
enum spdm_tsm_revalidate_mode {
	SPDM_TSM_REVALIDATE_MODE_AUTO,
	SPDM_TSM_REVALIDATE_MODE_ANNOUNCE,
};

enum {
	SPDM_TSM_A_DEV_BDF = 1,		/* string: "0000:01:00.0" */
	SPDM_TSM_A_DEV_VENDOR_ID,	/* u16 */
	SPDM_TSM_A_DEV_DEVICE_ID,	/* u16 */
	SPDM_TSM_A_DEV_SERIAL,		/* u64: PCIe Device Serial Number, if any */
	SPDM_TSM_A_DEV_CMA,		/* u8: 1 if it has a CMA DOE mailbox */
	SPDM_TSM_A_DEV_DSM,		/* u8: 1 if the PCI/TSM core offers tsm/connect */
	SPDM_TSM_A_DEV_IDE,		/* u8: 1 if it has an IDE capability */
	SPDM_TSM_A_DEV_TEE_IO,		/* u8: 1 if DevCap TEE-IO is set */
	SPDM_TSM_A_DEV_TSM,		/* string: the TSM it is connected to ("tsm0") */
	SPDM_TSM_A_DEV_STATE,		/* u32: enum spdm_tsm_state */
	SPDM_TSM_A_DEV_VERSION,		/* u8: negotiated SPDM version, 0x12 = 1.2 */
	SPDM_TSM_A_DEV_ASYM,		/* u32: BaseAsymAlgo bit selected */
	SPDM_TSM_A_DEV_HASH,		/* u32: BaseHashAlgo bit selected */
	SPDM_TSM_A_DEV_SLOT,		/* u8: certificate slot (connect: which to use) */
	SPDM_TSM_A_DEV_EXCHANGES,	/* u32: DOE exchanges of the last handshake */
	SPDM_TSM_A_DEV_DURATION_US,	/* u64: duration of the last handshake */
	SPDM_TSM_A_DEV_MEM_USED,	/* u32: bytes of evidence kept */
	SPDM_TSM_A_DEV_MEM_LIMIT,	/* u32: max_evidence_bytes */
	SPDM_TSM_A_DEV_GENERATION,	/* u64: bumped on every change of evidence */
	SPDM_TSM_A_DEV_LAST_ERROR,	/* string: why the last handshake failed */
	SPDM_TSM_A_DEV_NONCE,		/* binary, 32 bytes: connect with this nonce */
	SPDM_TSM_A_DEV_MEASUREMENTS,	/* flag: connect also takes signed measurements */
	SPDM_TSM_A_DEV_EVENT,		/* u32: enum spdm_tsm_event (dev-event-ntf) */
	SPDM_TSM_A_DEV_REASON,		/* u32: enum spdm_tsm_reason (dev-event-ntf) */
	SPDM_TSM_A_DEV_TIMESTAMP_NS,	/* u64: CLOCK_REALTIME of the event */
	SPDM_TSM_A_DEV_CORE_CONNECTED,	/* u8: DSMs: 1 if the PCI/TSM core holds a connection */

	__SPDM_TSM_A_DEV_MAX,
	SPDM_TSM_A_DEV_MAX = (__SPDM_TSM_A_DEV_MAX - 1)
};

/**
 * enum spdm_tsm_evidence_object - large evidence objects, sent in chunks
 * @SPDM_TSM_EVIDENCE_OBJECT_CERT_CHAIN: the slot's certificates, concatenated
 *	DER, leaf last (the SPDM chain without its length/root-hash header)
 * @SPDM_TSM_EVIDENCE_OBJECT_TRANSCRIPT: the bytes the CHALLENGE_AUTH
 *	signature covers (M1/M2 as DSP0274 defines them for the version)
 * @SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI: the leaf's SubjectPublicKeyInfo, the
 *	key the kernel verified with and cached
 * @SPDM_TSM_EVIDENCE_OBJECT_MEAS_BLOCKS: DMTF measurement blocks
 * @SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT: the bytes the MEASUREMENTS
 *	signature covers (L1/L2)
 */
enum spdm_tsm_evidence_object {
	SPDM_TSM_EVIDENCE_OBJECT_CERT_CHAIN = 1,
	SPDM_TSM_EVIDENCE_OBJECT_TRANSCRIPT,
	SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI,
	SPDM_TSM_EVIDENCE_OBJECT_MEAS_BLOCKS,
	SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT,
};

/*
 * evidence-get is a dump: the first message carries the scalar evidence
 * (no OBJECT attribute); every further message carries one chunk of one
 * object and stands alone: BDF, GENERATION, OBJECT, OFFSET, TOTAL, DATA.
 * A dump that races a change of the evidence fails with EAGAIN.
 */
enum {
	SPDM_TSM_A_EVIDENCE_BDF = 1,		/* string */
	SPDM_TSM_A_EVIDENCE_GENERATION,		/* u64 */
	SPDM_TSM_A_EVIDENCE_OBJECT,		/* u32: enum spdm_tsm_evidence_object */
	SPDM_TSM_A_EVIDENCE_OFFSET,		/* u32: of DATA within the object */
	SPDM_TSM_A_EVIDENCE_TOTAL,		/* u32: length of the whole object */
	SPDM_TSM_A_EVIDENCE_DATA,		/* binary: one chunk (<= 3072 bytes) */
	SPDM_TSM_A_EVIDENCE_OBJECTS,		/* u32: request mask, 1 << object */
	SPDM_TSM_A_EVIDENCE_VERSION,		/* u8 */
	SPDM_TSM_A_EVIDENCE_CAPS,		/* u32: responder CAPABILITIES flags */
	SPDM_TSM_A_EVIDENCE_ASYM,		/* u32 */
	SPDM_TSM_A_EVIDENCE_HASH,		/* u32 */
	SPDM_TSM_A_EVIDENCE_MEAS_HASH,		/* u32 */
	SPDM_TSM_A_EVIDENCE_SLOT,		/* u8 */
	SPDM_TSM_A_EVIDENCE_SLOT_MASK,		/* u8: slots with a digest */
	SPDM_TSM_A_EVIDENCE_SLOT_DIGEST,	/* nest, multi: slot-digest */
	SPDM_TSM_A_EVIDENCE_NONCE,		/* binary, 32 bytes */
	SPDM_TSM_A_EVIDENCE_SIGNATURE,		/* binary: raw (ECDSA r||s, RSA) */
	SPDM_TSM_A_EVIDENCE_CONTEXT,		/* string: 1.2+ signing context */
	SPDM_TSM_A_EVIDENCE_MEAS_COUNT,		/* u8 */
	SPDM_TSM_A_EVIDENCE_MEAS_NONCE,		/* binary, 32 bytes */
	SPDM_TSM_A_EVIDENCE_MEAS_SIGNATURE,	/* binary */
	SPDM_TSM_A_EVIDENCE_MEAS_CONTEXT,	/* string */

	__SPDM_TSM_A_EVIDENCE_MAX,
	SPDM_TSM_A_EVIDENCE_MAX = (__SPDM_TSM_A_EVIDENCE_MAX - 1)
};

enum {
	SPDM_TSM_A_SLOT_DIGEST_SLOT = 1,	/* u8 */
	SPDM_TSM_A_SLOT_DIGEST_DIGEST,		/* binary */

	__SPDM_TSM_A_SLOT_DIGEST_MAX,
	SPDM_TSM_A_SLOT_DIGEST_MAX = (__SPDM_TSM_A_SLOT_DIGEST_MAX - 1)
};

/*
 * A policy tells the kernel what to expect of a device on revalidation.  It
 * is keyed by PCI address and, when the device has a Device Serial Number,
 * by that serial too: a policy follows the device to another slot.
 */
enum {
	SPDM_TSM_A_POLICY_BDF = 1,		/* string */
	SPDM_TSM_A_POLICY_SERIAL,		/* u64: DSN the device must also report */
	SPDM_TSM_A_POLICY_SLOT,			/* u8: certificate slot */
	SPDM_TSM_A_POLICY_CERT_DIGEST,		/* binary: expected chain digest */
	SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT,	/* flag: take the current one */
	SPDM_TSM_A_POLICY_MEAS_RULE,		/* nest, multi: meas-rule */
	SPDM_TSM_A_POLICY_ACTION,		/* u32: enum spdm_tsm_action */
	SPDM_TSM_A_POLICY_REVALIDATE_MODE,	/* u32: enum spdm_tsm_revalidate_mode */
	SPDM_TSM_A_POLICY_MEAS_BASELINE,	/* flag: blocks must be those seen at connect */

	__SPDM_TSM_A_POLICY_MAX,
	SPDM_TSM_A_POLICY_MAX = (__SPDM_TSM_A_POLICY_MAX - 1)
};

enum {
	SPDM_TSM_A_MEAS_RULE_INDEX = 1,		/* u8: 1..254 */
	SPDM_TSM_A_MEAS_RULE_DIGEST,		/* binary: expected measurement */
	SPDM_TSM_A_MEAS_RULE_VOLATILE,		/* flag: ignore this index */

	__SPDM_TSM_A_MEAS_RULE_MAX,
	SPDM_TSM_A_MEAS_RULE_MAX = (__SPDM_TSM_A_MEAS_RULE_MAX - 1)
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

	__SPDM_TSM_CMD_MAX,
	SPDM_TSM_CMD_MAX = (__SPDM_TSM_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_SPDM_TSM_H */
