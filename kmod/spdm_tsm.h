/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spdm_tsm: native PCIe CMA/SPDM authentication as a PCI/TSM link provider.
 * Internal interfaces between main.c, tsm.c and netlink.c.
 */
#ifndef _SPDM_TSM_H
#define _SPDM_TSM_H

#include <linux/pci.h>
#include <linux/pci-tsm.h>
#include <linux/tsm.h>

#include "compat.h"
#include "spdm/spdm_kernel.h"

#include <uapi/linux/spdm_tsm.h>

struct netlink_ext_ack;

/* What dev-get reports; copied under spdm_tsm_dev::slock. */
struct spdm_tsm_summary {
	enum spdm_tsm_state state;
	bool via_tsm;
	u8 version;
	u8 slot;
	u32 asym;
	u32 hash;
	u32 exchanges;
	u64 duration_us;
	size_t mem_used;
	u64 generation;
	char last_error[SPDM_ERRMSG_LEN];
};

/**
 * struct spdm_tsm_dev - authentication state of one PCI function
 * @kref: references: the registry list, and each user
 * @node: entry in the registry (empty once the function is removed)
 * @pdev: the function (referenced)
 * @lock: one operation at a time: connect, disconnect, evidence, removal
 * @slock: protects @sum
 * @sum: summary for dev-get, readable while a handshake runs
 * @session: the authenticated SPDM session: cached key, chain, transcript
 * @generation: bumped whenever the evidence changes; dumps racing a change
 *	fail with -EAGAIN
 * @via_tsm: connected through the PCI/TSM core (tsm/connect)
 * @removed: the function is being removed; refuse new operations
 */
struct spdm_tsm_dev {
	struct kref kref;
	struct list_head node;
	struct pci_dev *pdev;
	struct mutex lock;	/* see above: one operation at a time */
	spinlock_t slock;	/* protects @sum */
	struct spdm_tsm_summary sum;
	struct spdm_session *session;
	u64 generation;
	bool via_tsm;
	bool removed;
};

struct spdm_tsm_connect_args {
	u8 slot;
	bool has_nonce;
	bool measurements;
	bool via_tsm;
	u8 nonce[SPDM_NONCE_LEN];
};

/* dev.c */
struct spdm_tsm_dev *spdm_tsm_dev_find(struct pci_dev *pdev, bool create);
void spdm_tsm_dev_put(struct spdm_tsm_dev *d);
void spdm_tsm_dev_summary(struct spdm_tsm_dev *d, struct spdm_tsm_summary *out);
int spdm_tsm_dev_connect(struct spdm_tsm_dev *d, const struct spdm_tsm_connect_args *args,
			 struct netlink_ext_ack *extack);
void spdm_tsm_dev_disconnect(struct spdm_tsm_dev *d);
int spdm_tsm_dev_init(void);
void spdm_tsm_dev_exit(void);
extern unsigned int spdm_tsm_max_evidence_bytes;

DEFINE_FREE(spdm_tsm_dev_put, struct spdm_tsm_dev *, spdm_tsm_dev_put(_T))

/* main.c */
extern struct tsm_dev *spdm_tsm_tsm_dev;

/* tsm.c */
extern struct pci_tsm_ops spdm_tsm_pci_ops;
bool spdm_tsm_has_cma(struct pci_dev *pdev);

/* netlink.c */
int spdm_tsm_netlink_init(void);
void spdm_tsm_netlink_exit(void);

/* selftest.c (test only: selftest_leak, selftest_lock_inversion) */
void spdm_tsm_selftest_init(void);

#endif /* _SPDM_TSM_H */
