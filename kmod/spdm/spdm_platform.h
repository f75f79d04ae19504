/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few primitives the SPDM core needs from its host.
 *
 * The core in this directory compiles in the kernel (__KERNEL__) and in
 * userspace (unit tests, libFuzzer).  It includes no other system header.
 */
#ifndef SPDM_PLATFORM_H
#define SPDM_PLATFORM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/unaligned.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <asm/byteorder.h>
#define spdm_memzero_explicit(p, n)	memzero_explicit(p, n)
#else
#include "spdm_platform_user.h"
#endif /* __KERNEL__ */

#endif /* SPDM_PLATFORM_H */
