/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel binding of the SPDM core: DOE transport, kernel
 * crypto (crypto_sig, sha2 library), get_random_bytes, kvzalloc.
 */
#ifndef SPDM_KERNEL_H
#define SPDM_KERNEL_H

#include "spdm.h"

struct pci_doe_mb;

extern const struct spdm_ops spdm_kernel_ops;

int spdm_kernel_session_create(struct pci_doe_mb *doe_mb, size_t max_resp,
			       size_t mem_budget, struct spdm_session **out);

#endif /* SPDM_KERNEL_H */
