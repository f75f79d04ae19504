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

	__SPDM_TSM_A_DEV_MAX,
	SPDM_TSM_A_DEV_MAX = (__SPDM_TSM_A_DEV_MAX - 1)
};

enum {
	SPDM_TSM_CMD_DEV_GET = 1,

	__SPDM_TSM_CMD_MAX,
	SPDM_TSM_CMD_MAX = (__SPDM_TSM_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_SPDM_TSM_H */
