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

/* main.c */
extern struct tsm_dev *spdm_tsm_tsm_dev;

/* tsm.c */
extern struct pci_tsm_ops spdm_tsm_pci_ops;
bool spdm_tsm_has_cma(struct pci_dev *pdev);

/* netlink.c */
int spdm_tsm_netlink_init(void);
void spdm_tsm_netlink_exit(void);

#endif /* _SPDM_TSM_H */
