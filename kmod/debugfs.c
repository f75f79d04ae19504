// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: where the time of an operation goes, for "make bench".
 *
 * /sys/kernel/debug/spdm_tsm/stats: one line per device, its last connect
 * or revalidation: start and end (CLOCK_MONOTONIC ns), DOE exchanges, time
 * in DOE exchanges (and the slowest one), hashing and signature
 * verification, evidence bytes.
 *
 * /sys/kernel/debug/spdm_tsm/doe_floor: write "BDF N" to time N DOE
 * Discovery exchanges (index 0) on that function's CMA mailbox, the
 * mailbox's round trip with no SPDM work on either side; read the result.
 * Root only, like all of debugfs; not an ABI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "spdm_tsm.h"

#include <linux/pci-doe.h>

#define SPDM_TSM_FLOOR_MAX	1000

static struct dentry *spdm_tsm_dbg;
static DEFINE_MUTEX(spdm_tsm_floor_lock);
static char spdm_tsm_floor_result[160];

static int spdm_tsm_dbg_stat_one(struct spdm_tsm_dev *d, void *arg)
{
	struct seq_file *m = arg;
	struct spdm_tsm_opstat o;

	scoped_guard(spinlock, &d->slock)
		o = d->last_op;
	if (!o.op)
		return 0;
	seq_printf(m, "%s op=%s rc=%d start_ns=%llu end_ns=%llu exchanges=%u mem=%zu",
		   pci_name(d->pdev), o.op == SPDM_TSM_OP_CONNECT ? "connect" : "revalidate",
		   o.rc, o.start_ns, o.end_ns, o.exchanges, o.mem_used);
	seq_printf(m, " doe_ns=%llu doe_max_ns=%llu doe_n=%u", o.k.doe_ns, o.k.doe_max_ns,
		   o.k.doe_n);
	seq_printf(m, " hash_ns=%llu hash_n=%u verify_ns=%llu verify_n=%u\n", o.k.hash_ns,
		   o.k.hash_n, o.k.verify_ns, o.k.verify_n);
	return 0;
}

static int spdm_tsm_dbg_stats_show(struct seq_file *m, void *unused)
{
	return spdm_tsm_dev_for_each(spdm_tsm_dbg_stat_one, m);
}
DEFINE_SHOW_ATTRIBUTE(spdm_tsm_dbg_stats);

static int spdm_tsm_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Under d->lock, so no removal destroys the mailbox meanwhile (the removal
 * notifier takes d->lock and marks d->removed before it is destroyed).
 */
static int spdm_tsm_doe_floor(struct spdm_tsm_dev *d, unsigned int n)
{
	u64 *t __free(kfree) = kcalloc(n, sizeof(*t), GFP_KERNEL);
	struct pci_dev *pdev = d->pdev;
	struct pci_doe_mb *mb;
	u64 sum = 0;
	unsigned int i;

	if (!t)
		return -ENOMEM;
	guard(mutex)(&d->lock);
	if (d->removed || !spdm_tsm_pci_dev_added(pdev))
		return -ENODEV;
	mb = pci_find_doe_mailbox(pdev, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA);
	if (!mb)
		return -ENODEV;
	for (i = 0; i < n; i++) {
		__le32 req = cpu_to_le32(0), resp;	/* Discovery, index 0 */
		u64 t0 = ktime_get_ns();
		int rc = pci_doe(mb, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_DISCOVERY,
				 &req, sizeof(req), &resp, sizeof(resp));

		t[i] = ktime_get_ns() - t0;
		if (rc < 0)
			return rc;
		sum += t[i];
	}
	sort(t, n, sizeof(*t), spdm_tsm_cmp_u64, NULL);
	scnprintf(spdm_tsm_floor_result, sizeof(spdm_tsm_floor_result),
		  "%s n=%u min_ns=%llu median_ns=%llu max_ns=%llu mean_ns=%llu\n",
		  pci_name(pdev), n, t[0], t[n / 2], t[n - 1], div_u64(sum, n));
	return 0;
}

static ssize_t spdm_tsm_dbg_floor_write(struct file *file, const char __user *ubuf,
					size_t len, loff_t *ppos)
{
	unsigned int dom, bus, slot, fn, n;
	char buf[64];
	int rc;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%x:%x:%x.%x %u", &dom, &bus, &slot, &fn, &n) != 5 ||
	    !n || n > SPDM_TSM_FLOOR_MAX || bus > 0xff || slot > 0x1f || fn > 7)
		return -EINVAL;

	struct pci_dev *pdev __free(pci_dev_put) =
		pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	struct spdm_tsm_dev *d __free(spdm_tsm_dev_put) = spdm_tsm_dev_find(pdev, false);
	if (!d)
		return -ENODEV;	/* the module never saw it: connect it first */

	guard(mutex)(&spdm_tsm_floor_lock);
	spdm_tsm_floor_result[0] = '\0';
	rc = spdm_tsm_doe_floor(d, n);
	return rc ?: len;
}

static ssize_t spdm_tsm_dbg_floor_read(struct file *file, char __user *ubuf,
				       size_t len, loff_t *ppos)
{
	char buf[sizeof(spdm_tsm_floor_result)];

	scoped_guard(mutex, &spdm_tsm_floor_lock)
		strscpy(buf, spdm_tsm_floor_result);
	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static const struct file_operations spdm_tsm_dbg_floor_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = spdm_tsm_dbg_floor_read,
	.write = spdm_tsm_dbg_floor_write,
	.llseek = default_llseek,
};

/**
 * spdm_tsm_debugfs_init() - create /sys/kernel/debug/spdm_tsm
 *
 * Failures are ignored, as debugfs wants: the module works without it.
 */
void spdm_tsm_debugfs_init(void)
{
	spdm_tsm_dbg = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0400, spdm_tsm_dbg, NULL, &spdm_tsm_dbg_stats_fops);
	debugfs_create_file("doe_floor", 0600, spdm_tsm_dbg, NULL, &spdm_tsm_dbg_floor_fops);
}

/**
 * spdm_tsm_debugfs_exit() - remove it; waits for readers and writers
 */
void spdm_tsm_debugfs_exit(void)
{
	debugfs_remove(spdm_tsm_dbg);
}
