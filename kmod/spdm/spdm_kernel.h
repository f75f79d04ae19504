/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel binding of the SPDM core: DOE transport, kernel
 * crypto (crypto_sig, sha2 library), get_random_bytes, kvzalloc.
 */
#ifndef SPDM_KERNEL_H
#define SPDM_KERNEL_H

#include <linux/ktime.h>
#include <linux/wait.h>

#include "spdm.h"

struct pci_dev;
struct pci_doe_mb;

/* Where an operation's time went (ns) and how many calls took it. */
struct spdm_kernel_stats {
	u64 doe_ns, doe_max_ns, hash_ns, verify_ns;
	u32 doe_n, hash_n, verify_n;
};

/**
 * struct spdm_kernel_ctl - what a kernel SPDM session runs against
 * @pdev: the function, for removal detection (may be NULL: no detection)
 * @mb: its CMA DOE mailbox
 * @deadline: end of the current operation (ktime_get() clock); 0: none.
 *	Set per operation with spdm_kernel_set_deadline().
 * @aborted: set by spdm_kernel_abort(); read with READ_ONCE()
 * @wq: retry delays sleep here; spdm_kernel_abort() wakes them
 * @stats: time spent in DOE exchanges, hashing and signature verification
 *	(ktime_get_ns(), accumulated; the caller resets it per operation)
 *
 * Owned by the caller; must outlive the session.  Initialise it with
 * spdm_kernel_ctl_init().
 */
struct spdm_kernel_ctl {
	struct pci_dev *pdev;
	struct pci_doe_mb *mb;
	ktime_t deadline;
	bool aborted;
	wait_queue_head_t wq;
	struct spdm_kernel_stats stats;
};

void spdm_kernel_ctl_init(struct spdm_kernel_ctl *ctl, struct pci_dev *pdev,
			  struct pci_doe_mb *mb);
void spdm_kernel_set_deadline(struct spdm_kernel_ctl *ctl, unsigned int ms);
void spdm_kernel_abort(struct spdm_kernel_ctl *ctl);
int spdm_kernel_session_create(struct spdm_kernel_ctl *ctl, size_t max_resp,
			       size_t mem_budget, struct spdm_session **out);
/*
 * As spdm_kernel_session_create(), with the parameters of @tmpl (max_resp,
 * mem_budget, versions, masks, secure, dhe_mask, aead_mask); its ops and
 * priv are ignored (the kernel's and @ctl).
 */
int spdm_kernel_session_create_ex(struct spdm_kernel_ctl *ctl,
				  const struct spdm_params *tmpl,
				  struct spdm_session **out);

#endif /* SPDM_KERNEL_H */
