// SPDX-License-Identifier: GPL-2.0
/*
 * The "spdm-tsm" generic netlink family.  kmod/spdm-tsm.yaml is the source
 * of truth for commands and attributes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pci.h>
#include <net/genetlink.h>

#include <uapi/linux/spdm_tsm.h>

#include "spdm_tsm.h"

static struct genl_family spdm_tsm_nl_family __ro_after_init;

static const struct nla_policy spdm_tsm_dev_get_nl_policy[SPDM_TSM_A_DEV_BDF + 1] = {
	[SPDM_TSM_A_DEV_BDF] = { .type = NLA_NUL_STRING, .len = 31 },
};

/* Parse "DDDD:BB:DD.F" or "BB:DD.F" (domain 0) into a referenced pci_dev. */
static struct pci_dev *spdm_tsm_pdev_from_bdf(const char *bdf)
{
	unsigned int dom = 0, bus, slot, fn;
	char tail;

	if (sscanf(bdf, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &tail) != 4) {
		dom = 0;
		if (sscanf(bdf, "%x:%x.%x%c", &bus, &slot, &fn, &tail) != 3)
			return ERR_PTR(-EINVAL);
	}
	if (dom > 0xffff || bus > 0xff || slot > 0x1f || fn > 7)
		return ERR_PTR(-EINVAL);
	return pci_get_domain_bus_and_slot(dom, bus, PCI_DEVFN(slot, fn)) ?:
	       ERR_PTR(-ENODEV);
}

static int spdm_tsm_fill_dev(struct sk_buff *msg, struct pci_dev *pdev,
			     u32 portid, u32 seq, int flags)
{
	void *hdr;
	u64 dsn;

	hdr = genlmsg_put(msg, portid, seq, &spdm_tsm_nl_family, flags,
			  SPDM_TSM_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;

	dsn = pci_get_dsn(pdev);
	if (nla_put_string(msg, SPDM_TSM_A_DEV_BDF, pci_name(pdev)) ||
	    nla_put_u16(msg, SPDM_TSM_A_DEV_VENDOR_ID, pdev->vendor) ||
	    nla_put_u16(msg, SPDM_TSM_A_DEV_DEVICE_ID, pdev->device) ||
	    (dsn && nla_put_u64_64bit(msg, SPDM_TSM_A_DEV_SERIAL, dsn, 0)) ||
	    nla_put_u8(msg, SPDM_TSM_A_DEV_CMA, spdm_tsm_has_cma(pdev)) ||
	    nla_put_u8(msg, SPDM_TSM_A_DEV_DSM, is_pci_tsm_pf0(pdev)) ||
	    nla_put_u8(msg, SPDM_TSM_A_DEV_IDE, !!pdev->ide_cap) ||
	    nla_put_u8(msg, SPDM_TSM_A_DEV_TEE_IO,
		       !!(pdev->devcap & PCI_EXP_DEVCAP_TEE)) ||
	    nla_put_u32(msg, SPDM_TSM_A_DEV_STATE, SPDM_TSM_STATE_NONE)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int spdm_tsm_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pci_dev *pdev;
	struct sk_buff *msg;
	int rc;

	if (GENL_REQ_ATTR_CHECK(info, SPDM_TSM_A_DEV_BDF))
		return -EINVAL;

	pdev = spdm_tsm_pdev_from_bdf(nla_data(info->attrs[SPDM_TSM_A_DEV_BDF]));
	if (IS_ERR(pdev)) {
		if (PTR_ERR(pdev) == -ENODEV)
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SPDM_TSM_A_DEV_BDF],
					    "no PCI device at this address");
		else
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SPDM_TSM_A_DEV_BDF],
					    "malformed PCI address, expected DDDD:BB:DD.F");
		return PTR_ERR(pdev);
	}
	if (!spdm_tsm_has_cma(pdev)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SPDM_TSM_A_DEV_BDF],
				    "device has no CMA DOE mailbox");
		rc = -ENODEV;
		goto out_put;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		rc = -ENOMEM;
		goto out_put;
	}
	rc = spdm_tsm_fill_dev(msg, pdev, info->snd_portid, info->snd_seq, 0);
	if (rc) {
		nlmsg_free(msg);
		goto out_put;
	}
	pci_dev_put(pdev);
	return genlmsg_reply(msg, info);

out_put:
	pci_dev_put(pdev);
	return rc;
}

/* cb->ctx holds the number of PCI devices already walked past */
struct spdm_tsm_dump_ctx {
	unsigned long pos;
};

static int spdm_tsm_nl_dev_get_dumpit(struct sk_buff *skb,
				      struct netlink_callback *cb)
{
	struct spdm_tsm_dump_ctx *ctx = (void *)cb->ctx;
	struct pci_dev *pdev = NULL;
	unsigned long i = 0;
	int rc = 0;

	for_each_pci_dev(pdev) {
		if (i++ < ctx->pos)
			continue;
		if (spdm_tsm_has_cma(pdev)) {
			rc = spdm_tsm_fill_dev(skb, pdev,
					       NETLINK_CB(cb->skb).portid,
					       cb->nlh->nlmsg_seq, NLM_F_MULTI);
			if (rc) {
				pci_dev_put(pdev);
				break;
			}
		}
		ctx->pos = i;
	}
	/* -EMSGSIZE with something in the skb: come back for the rest */
	if (rc == -EMSGSIZE && skb->len)
		return skb->len;
	return rc;
}

static const struct genl_split_ops spdm_tsm_nl_ops[] = {
	{
		.cmd = SPDM_TSM_CMD_DEV_GET,
		.doit = spdm_tsm_nl_dev_get_doit,
		.policy = spdm_tsm_dev_get_nl_policy,
		.maxattr = SPDM_TSM_A_DEV_BDF,
		.flags = GENL_CMD_CAP_DO,
	},
	{
		.cmd = SPDM_TSM_CMD_DEV_GET,
		.dumpit = spdm_tsm_nl_dev_get_dumpit,
		.flags = GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group spdm_tsm_nl_mcgrps[] = {
	{ .name = SPDM_TSM_MCGRP_EVENTS, },
};

static struct genl_family spdm_tsm_nl_family __ro_after_init = {
	.name = SPDM_TSM_FAMILY_NAME,
	.version = SPDM_TSM_FAMILY_VERSION,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.split_ops = spdm_tsm_nl_ops,
	.n_split_ops = ARRAY_SIZE(spdm_tsm_nl_ops),
	.resv_start_op = SPDM_TSM_CMD_DEV_GET + 1,
	.mcgrps = spdm_tsm_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(spdm_tsm_nl_mcgrps),
};

int spdm_tsm_netlink_init(void)
{
	BUILD_BUG_ON(sizeof(struct spdm_tsm_dump_ctx) > sizeof_field(struct netlink_callback, ctx));
	return genl_register_family(&spdm_tsm_nl_family);
}

void spdm_tsm_netlink_exit(void)
{
	genl_unregister_family(&spdm_tsm_nl_family);
}
