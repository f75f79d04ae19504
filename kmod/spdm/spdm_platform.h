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

#define spdm_vsnprintf vsnprintf
#else /* userspace */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#ifndef EKEYREJECTED
#define EKEYREJECTED 129
#endif
#ifndef EBADMSG
#define EBADMSG 74
#endif

#define spdm_vsnprintf vsnprintf

static inline u16 get_unaligned_le16(const void *p)
{
	const u8 *b = (const u8 *)p;

	return (u16)(b[0] | (b[1] << 8));
}

static inline u32 get_unaligned_le24(const void *p)
{
	const u8 *b = (const u8 *)p;

	return (u32)b[0] | ((u32)b[1] << 8) | ((u32)b[2] << 16);
}

static inline u32 get_unaligned_le32(const void *p)
{
	const u8 *b = (const u8 *)p;

	return (u32)b[0] | ((u32)b[1] << 8) | ((u32)b[2] << 16) |
	       ((u32)b[3] << 24);
}

static inline void put_unaligned_le16(u16 v, void *p)
{
	u8 *b = (u8 *)p;

	b[0] = v;
	b[1] = v >> 8;
}

static inline void put_unaligned_le32(u32 v, void *p)
{
	u8 *b = (u8 *)p;

	b[0] = v;
	b[1] = v >> 8;
	b[2] = v >> 16;
	b[3] = v >> 24;
}

#ifndef BIT
#define BIT(nr) (1UL << (nr))
#endif
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define hweight8(x) __builtin_popcount((unsigned int)(u8)(x))
#define hweight32(x) __builtin_popcount((u32)(x))
#endif /* __KERNEL__ */

#endif /* SPDM_PLATFORM_H */
