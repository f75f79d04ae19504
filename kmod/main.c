// SPDX-License-Identifier: GPL-2.0
/*
 * spdm_tsm: native PCIe CMA/SPDM device authentication, registered as a
 * PCI/TSM "link" TSM so that
 *
 *	echo tsmN > /sys/bus/pci/devices/$dev/tsm/connect
 *
 * runs the SPDM handshake with the device, and a generic netlink family
 * ("spdm-tsm") hands the evidence to userspace, which judges it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device/faux.h>
#include <linux/module.h>
#include <net/genetlink.h>

#include "spdm_tsm.h"

static struct faux_device *spdm_tsm_faux;
struct tsm_dev *spdm_tsm_tsm_dev;

static int __init spdm_tsm_init(void)
{
	int rc;

	spdm_tsm_selftest_init();

	/* first: everything below may announce events */
	rc = spdm_tsm_netlink_init();
	if (rc) {
		pr_err("registering the generic netlink family failed: %d\n", rc);
		return rc;
	}

	rc = spdm_tsm_dev_init();
	if (rc)
		goto err_netlink;

	rc = spdm_tsm_recovery_init();
	if (rc)
		goto err_dev;

	spdm_tsm_faux = faux_device_create(KBUILD_MODNAME, NULL, NULL);
	if (!spdm_tsm_faux) {
		rc = -ENOMEM;
		goto err_recovery;
	}

	spdm_tsm_tsm_dev = tsm_register(&spdm_tsm_faux->dev, &spdm_tsm_pci_ops);
	if (IS_ERR(spdm_tsm_tsm_dev)) {
		rc = PTR_ERR(spdm_tsm_tsm_dev);
		pr_err("tsm_register failed: %d\n", rc);
		goto err_faux;
	}

	spdm_tsm_debugfs_init();
	pr_info("registered %s\n", dev_name(&spdm_tsm_tsm_dev->dev));
	return 0;

err_faux:
	faux_device_destroy(spdm_tsm_faux);
err_recovery:
	spdm_tsm_recovery_exit();
err_dev:
	spdm_tsm_dev_exit();
err_netlink:
	spdm_tsm_netlink_exit();
	spdm_tsm_selftest_exit();
	return rc;
}

static void __exit spdm_tsm_exit(void)
{
	/* first: its readers and writers look devices up */
	spdm_tsm_debugfs_exit();
	/* END_SESSION to every device; no heartbeat runs or is queued after */
	spdm_tsm_secure_exit();
	/* no new triggers, queued recovery drained (it may still notify) */
	spdm_tsm_recovery_exit();
	/* ->disconnect of every tsm/connect'ed device: may notify */
	tsm_unregister(spdm_tsm_tsm_dev);
	faux_device_destroy(spdm_tsm_faux);
	spdm_tsm_dev_exit();
	spdm_tsm_policy_exit();
	/* last: nothing above can announce an event any more */
	spdm_tsm_netlink_exit();
	spdm_tsm_selftest_exit();
}

module_init(spdm_tsm_init);
module_exit(spdm_tsm_exit);

MODULE_DESCRIPTION("Native PCIe CMA/SPDM device authentication (PCI/TSM provider)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_GENL_FAMILY("spdm-tsm");
