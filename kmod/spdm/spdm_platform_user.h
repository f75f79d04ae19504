/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spdm_platform_user.h - what spdm_platform.h provides outside the kernel
 * (unit tests, libFuzzer): libc headers, the kernel's fixed-width types and
 * unaligned little-endian helpers.  Userspace code, not kernel code: the
 * style checks that apply to the module do not apply here.
 */
#ifndef SPDM_PLATFORM_USER_H
#define SPDM_PLATFORM_USER_H

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

typedef uint16_t __le16;
typedef uint32_t __le32;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define cpu_to_le16(x) __builtin_bswap16(x)
#define cpu_to_le32(x) __builtin_bswap32(x)
#else
#define cpu_to_le16(x) ((u16)(x))
#define cpu_to_le32(x) ((u32)(x))
#endif
#define le16_to_cpu(x) cpu_to_le16(x)
#define le32_to_cpu(x) cpu_to_le32(x)

#define __packed __attribute__((packed))
#ifndef __cplusplus
/* the kernel's one-or-two-argument static_assert (linux/build_bug.h) */
#undef static_assert
#define static_assert(expr, ...) __spdm_static_assert(expr, ##__VA_ARGS__, #expr)
#define __spdm_static_assert(expr, msg, ...) _Static_assert(expr, msg)
#endif

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

/* memzero_explicit(): the stores cannot be elided (what explicit_bzero() does) */
static inline void spdm_memzero_explicit(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef U64_MAX
#define U64_MAX UINT64_MAX
#endif

#ifndef BIT
#define BIT(nr) (1UL << (nr))
#endif
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define hweight8(x) __builtin_popcount((unsigned int)(u8)(x))
#define hweight32(x) __builtin_popcount((u32)(x))

#endif /* SPDM_PLATFORM_USER_H */
