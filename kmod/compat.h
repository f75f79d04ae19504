/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API drift, in one place (as WireGuard's compat/ does out of tree).
 * The module targets kernels with CONFIG_PCI_TSM (7.x).  Each entry names
 * the kernel version that changed the API.
 */
#ifndef _SPDM_TSM_COMPAT_H
#define _SPDM_TSM_COMPAT_H

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

#endif /* _SPDM_TSM_COMPAT_H */
