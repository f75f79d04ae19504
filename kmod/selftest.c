// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only faults that prove the debug-kernel lane (scripts/vm-run
 * --debug-kernel) catches what it exists for.  Both parameters default off,
 * and then this file does nothing.
 *
 *	selftest_leak=1			at load, allocate a few objects and
 *					forget them: kmemleak must report them
 *	selftest_lock_inversion=1	at load, take mutex A then B, then B
 *					then A, one after the other: no
 *					deadlock, but lockdep must report a
 *					possible circular locking dependency
 *	selftest_reset_miss (write N)	count N pci_restore_state() calls as
 *					missed by the reset probe (as when all
 *					its instances are busy): every
 *					authenticated device must get
 *					session-lost "unknown" + revalidation
 *
 * tests/vm/debug-lane-selftest runs the first two, the debug-only VM
 * scenario 085 the third.  Built only with CONFIG_SPDM_TSM_SELFTEST=y
 * (make -C kmod SPDM_TSM_SELFTEST=1): never in the shipped module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "spdm_tsm.h"

static bool selftest_leak;
module_param(selftest_leak, bool, 0444);
MODULE_PARM_DESC(selftest_leak,
		 "Test only: leak one allocation at load (kmemleak must report it)");

static bool selftest_lock_inversion;
module_param(selftest_lock_inversion, bool, 0444);
MODULE_PARM_DESC(selftest_lock_inversion,
		 "Test only: take two mutexes in both orders at load (lockdep must report it)");

static DEFINE_MUTEX(spdm_tsm_selftest_a);
static DEFINE_MUTEX(spdm_tsm_selftest_b);

/*
 * Leak several objects of different sizes, small ones from kmalloc caches
 * and one large enough to come from the page allocator.  kmemleak scans
 * conservatively: a stale copy of a just-freed slot pointer (a per-CPU
 * slab cache, another object's old contents) can hide one object by chance,
 * not all of them.  Their contents name them in kmemleak's hex dump.
 */
#define SPDM_TSM_SELFTEST_LEAKS 4

static noinline void spdm_tsm_selftest_leak(void)
{
	static const size_t sizes[SPDM_TSM_SELFTEST_LEAKS] = {
		32, 96, 512, 3 * PAGE_SIZE,
	};
	unsigned int i, n = 0;
	char *p;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = kmalloc(sizes[i], GFP_KERNEL);
		if (!p)
			continue;
		strscpy(p, "spdm_tsm selftest_leak", sizes[i]);
		n++;
		/* The only reference goes out of scope here: a leak, on purpose. */
	}
	pr_warn("selftest: leaked %u objects on purpose (selftest_leak=1)\n", n);
}

static noinline void spdm_tsm_selftest_lock_inversion(void)
{
	pr_warn("selftest: taking two mutexes in both orders (selftest_lock_inversion=1)\n");
	mutex_lock(&spdm_tsm_selftest_a);
	mutex_lock(&spdm_tsm_selftest_b);
	mutex_unlock(&spdm_tsm_selftest_b);
	mutex_unlock(&spdm_tsm_selftest_a);

	mutex_lock(&spdm_tsm_selftest_b);
	mutex_lock(&spdm_tsm_selftest_a);
	mutex_unlock(&spdm_tsm_selftest_a);
	mutex_unlock(&spdm_tsm_selftest_b);
}

static int spdm_tsm_selftest_reset_miss_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int rc = kstrtouint(val, 0, &n);

	if (rc)
		return rc;
	if (n)
		spdm_tsm_selftest_missed(n);
	return 0;
}

static const struct kernel_param_ops spdm_tsm_selftest_reset_miss_ops = {
	.set = spdm_tsm_selftest_reset_miss_set,
};
module_param_cb(selftest_reset_miss, &spdm_tsm_selftest_reset_miss_ops, NULL, 0200);
MODULE_PARM_DESC(selftest_reset_miss,
		 "Test only: write N to count N reset-probe misses (session-lost 'unknown')");

/* Called once from the module's init; does nothing unless a parameter is set. */
void spdm_tsm_selftest_init(void)
{
	if (selftest_leak)
		spdm_tsm_selftest_leak();
	if (selftest_lock_inversion)
		spdm_tsm_selftest_lock_inversion();
}

void spdm_tsm_selftest_exit(void)
{
}
