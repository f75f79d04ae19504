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
 *	selftest_pci_dev_leak=1		at load, take a reference on the first
 *					function with a CMA mailbox and never
 *					drop it: the unload check below must
 *					report it
 *
 * And one check that always runs in this build: at load the reference
 * count of every PCI function is recorded, and at unload, after the rest
 * of the module is gone, each must be back where it was (see
 * spdm_tsm_selftest_refs_check()); a higher count is a pci_dev reference
 * the module took and never dropped: an error line and a WARNING.
 *
 * tests/vm/debug-lane-selftest runs the first two and the fourth, the
 * debug-only VM scenario 085 the third.  Built only with
 * CONFIG_SPDM_TSM_SELFTEST=y (make -C kmod SPDM_TSM_SELFTEST=1): never in
 * the shipped module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
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

static bool selftest_pci_dev_leak;
module_param(selftest_pci_dev_leak, bool, 0444);
MODULE_PARM_DESC(selftest_pci_dev_leak,
		 "Test only: leak a pci_dev reference at load (the unload check must report it)");

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

/*
 * pci_dev references.  At load, every PCI function present, with a
 * reference of our own (so that a function hot-removed meanwhile is still
 * there to look at), its reference count and its driver.  At unload, last:
 *
 *  - a function still present with the same driver must have the count it
 *    had (a driver holds references of its own: nvme takes one while bound,
 *    so a function whose driver changed is not judged);
 *  - a removed function must be down to our reference: the PCI core
 *    dropped its own, and nothing of the module's may keep it alive.
 *
 * Functions added after the load are not judged.  The counts are read
 * with kref_read(): at load and at unload nothing of the module runs.
 */
struct spdm_tsm_selftest_ref {
	struct pci_dev *pdev;
	unsigned int refs;
	struct device_driver *drv;
};

static struct spdm_tsm_selftest_ref *spdm_tsm_selftest_refs;
static unsigned int spdm_tsm_selftest_nrefs;

static unsigned int spdm_tsm_selftest_refcount(struct pci_dev *pdev)
{
	return kref_read(&pdev->dev.kobj.kref);
}

static void spdm_tsm_selftest_refs_record(void)
{
	struct pci_dev *pdev = NULL;
	unsigned int n = 0, i = 0;

	for_each_pci_dev(pdev)
		n++;
	spdm_tsm_selftest_refs = kcalloc(n, sizeof(*spdm_tsm_selftest_refs), GFP_KERNEL);
	if (!spdm_tsm_selftest_refs) {
		pr_warn("selftest: no memory to record pci_dev references\n");
		return;
	}
	/* for_each_pci_dev() holds a reference on the current function too */
	for_each_pci_dev(pdev) {
		if (i == n) {
			pci_dev_put(pdev);
			break;
		}
		/* less ours and the iterator's */
		spdm_tsm_selftest_refs[i].pdev = pci_dev_get(pdev);
		spdm_tsm_selftest_refs[i].refs = spdm_tsm_selftest_refcount(pdev) - 2;
		spdm_tsm_selftest_refs[i].drv = READ_ONCE(pdev->dev.driver);
		i++;
	}
	spdm_tsm_selftest_nrefs = i;
}

static void spdm_tsm_selftest_refs_check(void)
{
	unsigned int i, refs, same = 0, other = 0, removed = 0, leaked = 0;
	struct spdm_tsm_selftest_ref *r;

	for (i = 0; i < spdm_tsm_selftest_nrefs; i++) {
		r = &spdm_tsm_selftest_refs[i];
		/* less our own, taken after the count at load was read */
		refs = spdm_tsm_selftest_refcount(r->pdev) - 1;
		if (!spdm_tsm_pci_dev_added(r->pdev)) {
			removed++;
			if (refs) {
				leaked++;
				pr_err("selftest: %s (removed): %u references left: a leaked pci_dev reference\n",
				       pci_name(r->pdev), refs);
				WARN_ON(1);
			}
		} else if (READ_ONCE(r->pdev->dev.driver) != r->drv) {
			other++;
		} else {
			same++;
			if (refs > r->refs) {
				leaked++;
				pr_err("selftest: %s: %u references at unload, %u at load: a leaked pci_dev reference\n",
				       pci_name(r->pdev), refs, r->refs);
				WARN_ON(1);
			}
		}
		pci_dev_put(r->pdev);
	}
	if (spdm_tsm_selftest_refs)
		pr_info("selftest: pci_dev references of %u functions: %u present, %u removed, %u with another driver (not judged): %u leaked\n",
			spdm_tsm_selftest_nrefs, same, removed, other, leaked);
	kfree(spdm_tsm_selftest_refs);
	spdm_tsm_selftest_refs = NULL;
	spdm_tsm_selftest_nrefs = 0;
}

static void spdm_tsm_selftest_pci_dev_leak(void)
{
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev) {
		if (pci_find_doe_mailbox(pdev, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA)) {
			/* a second reference, never dropped: a leak, on purpose */
			pci_dev_get(pdev);
			pr_warn("selftest: leaked a reference on %s on purpose (selftest_pci_dev_leak=1)\n",
				pci_name(pdev));
			pci_dev_put(pdev);
			return;
		}
	}
	pr_warn("selftest: selftest_pci_dev_leak=1 found no function with a CMA mailbox\n");
}

/* Called first from the module's init. */
void spdm_tsm_selftest_init(void)
{
	spdm_tsm_selftest_refs_record();
	if (selftest_leak)
		spdm_tsm_selftest_leak();
	if (selftest_lock_inversion)
		spdm_tsm_selftest_lock_inversion();
	if (selftest_pci_dev_leak)
		spdm_tsm_selftest_pci_dev_leak();
}

/* Called last from the module's exit (and from a failed init). */
void spdm_tsm_selftest_exit(void)
{
	spdm_tsm_selftest_refs_check();
}
