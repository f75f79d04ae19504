/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API drift, in one place (as WireGuard's compat/ does out of tree).
 * The module targets kernels with CONFIG_PCI_TSM (7.x).  Each entry names
 * the kernel version that changed the API.
 */
#ifndef _SPDM_TSM_COMPAT_H
#define _SPDM_TSM_COMPAT_H

#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#error "spdm_tsm needs Linux 7.0 or later (PCI/TSM link ops with tsm_register(parent, ops))"
#endif

#ifndef CONFIG_PCI_TSM
#error "spdm_tsm needs a kernel built with CONFIG_PCI_TSM=y"
#endif

#ifndef CONFIG_PCI_DOE
#error "spdm_tsm needs a kernel built with CONFIG_PCI_DOE=y"
#endif

/* 7.1 added the typed allocators kzalloc_obj() & co. */
#ifndef kzalloc_obj
#define kzalloc_obj(P, GFP) kzalloc(sizeof(P), GFP)
#endif

#ifndef kzalloc_flex
#define kzalloc_flex(P, FAM, COUNT, GFP) kzalloc(struct_size(&(P), FAM, COUNT), GFP)
#endif

/*
 * Whether the PCI core still counts @pdev as added: the core sets
 * PCI_DEV_ADDED (bit 0 of pci_dev::priv_flags, drivers/pci/pci.h, unchanged
 * since 4.x) in pci_bus_add_device() after the device's "add" uevent, and
 * clears it first thing on removal (pci_stop_dev()), before the PCI/TSM
 * core's teardown and before BUS_NOTIFY_DEL_DEVICE.  Out of tree there is no
 * exported accessor; in tree this is pci_dev_is_added().
 */
#define SPDM_TSM_PCI_DEV_ADDED 0
static inline bool spdm_tsm_pci_dev_added(const struct pci_dev *pdev)
{
	return test_bit(SPDM_TSM_PCI_DEV_ADDED, &pdev->priv_flags);
}

#endif /* _SPDM_TSM_COMPAT_H */
