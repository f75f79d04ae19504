// SPDX-License-Identifier: GPL-2.0
/*
 * The "spdm-tsm" generic netlink family.  kmod/spdm-tsm.yaml is the source
 * of truth: the UAPI header, the attribute policies, the ops table and the
 * family are generated from it (scripts/ynl-regen: spdm-tsm-nl-gen.[ch],
 * include/uapi/linux/spdm_tsm.h); this file has the handlers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/pci.h>
#include <net/genetlink.h>

#include "spdm_tsm.h"
#include "spdm-tsm-nl-gen.h"

/* Largest chunk of an evidence object in one message (fits NLMSG_GOODSIZE). */
#define SPDM_TSM_CHUNK	3072
/* Most measurement rules in a policy (one per DMTF block index 1..254) */
#define SPDM_TSM_MAX_MEAS_RULES	254

/* Parse "DDDD:BB:DD.F" or "BB:DD.F" (domain 0); canonical form into @out. */
static int spdm_tsm_parse_bdf(const char *bdf, char out[16], unsigned int *dom,
			      unsigned int *bus, unsigned int *devfn)
{
	unsigned int d = 0, b, slot, fn;
	char tail;

	if (sscanf(bdf, "%x:%x:%x.%x%c", &d, &b, &slot, &fn, &tail) != 4) {
		d = 0;
		if (sscanf(bdf, "%x:%x.%x%c", &b, &slot, &fn, &tail) != 3)
			return -EINVAL;
	}
	if (d > 0xffff || b > 0xff || slot > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(out, 16, "%04x:%02x:%02x.%x", d, b, slot, fn);
	*dom = d;
	*bus = b;
	*devfn = PCI_DEVFN(slot, fn);
	return 0;
}

/* The canonical address in a policy request's required bdf attribute. */
static int spdm_tsm_nl_policy_bdf(struct genl_info *info, char bdf[16])
{
	unsigned int dom, bus, devfn;

	if (GENL_REQ_ATTR_CHECK(info, SPDM_TSM_A_POLICY_BDF)) {
		NL_SET_ERR_MSG(info->extack, "missing the device's PCI address (bdf)");
		return -EINVAL;
	}
	if (spdm_tsm_parse_bdf(nla_data(info->attrs[SPDM_TSM_A_POLICY_BDF]), bdf,
			       &dom, &bus, &devfn)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SPDM_TSM_A_POLICY_BDF],
				    "malformed PCI address, expected DDDD:BB:DD.F");
		return -EINVAL;
	}
	return 0;
}

/* Parse "DDDD:BB:DD.F" or "BB:DD.F" (domain 0) into a referenced pci_dev. */
static struct pci_dev *spdm_tsm_pdev_from_bdf(const char *bdf)
{
	unsigned int dom, bus, devfn;
	char canon[16];

	if (spdm_tsm_parse_bdf(bdf, canon, &dom, &bus, &devfn))
		return ERR_PTR(-EINVAL);
	return pci_get_domain_bus_and_slot(dom, bus, devfn) ?: ERR_PTR(-ENODEV);
}

static void spdm_tsm_pci_put(struct pci_dev *pdev)
{
	if (!IS_ERR_OR_NULL(pdev))
		pci_dev_put(pdev);
}

DEFINE_FREE(spdm_tsm_pci_put, struct pci_dev *, spdm_tsm_pci_put(_T))

/*
 * The device named by the required attribute @type of @info's request, which
 * must have a CMA mailbox.  A missing attribute names itself in the extended
 * ack (NLMSGERR_ATTR_MISS_TYPE).
 */
static struct pci_dev *spdm_tsm_nl_pdev(const struct genl_info *info, int type)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *attr = info->attrs[type];
	struct pci_dev *pdev;

	if (GENL_REQ_ATTR_CHECK(info, type)) {
		NL_SET_ERR_MSG(extack, "missing the device's PCI address (bdf)");
		return ERR_PTR(-EINVAL);
	}
	pdev = spdm_tsm_pdev_from_bdf(nla_data(attr));
	if (IS_ERR(pdev)) {
		if (PTR_ERR(pdev) == -ENODEV)
			NL_SET_ERR_MSG_ATTR(extack, attr, "no PCI device at this address");
		else
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "malformed PCI address, expected DDDD:BB:DD.F");
		return pdev;
	}
	if (!spdm_tsm_has_cma(pdev)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "device has no CMA DOE mailbox");
		pci_dev_put(pdev);
		return ERR_PTR(-ENODEV);
	}
	return pdev;
}

/* The session-info nest of dev-get: when connect asked for a session. */
static int spdm_tsm_put_session(struct sk_buff *msg, const struct spdm_tsm_sess_summary *ss)
{
	struct nlattr *nest;

	if (!ss->wanted && !ss->establishments)
		return 0;
	nest = nla_nest_start(msg, SPDM_TSM_A_DEV_SESSION_INFO);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, SPDM_TSM_A_SESSION_STATE,
			ss->active ? SPDM_TSM_SESSION_STATE_ESTABLISHED :
				     SPDM_TSM_SESSION_STATE_NONE) ||
	    nla_put_u32(msg, SPDM_TSM_A_SESSION_ESTABLISHMENTS, ss->establishments))
		goto cancel;
	if (ss->active &&
	    (nla_put_u32(msg, SPDM_TSM_A_SESSION_ID, ss->id) ||
	     nla_put_u32(msg, SPDM_TSM_A_SESSION_DHE, ss->dhe) ||
	     nla_put_u32(msg, SPDM_TSM_A_SESSION_AEAD, ss->aead) ||
	     nla_put_u32(msg, SPDM_TSM_A_SESSION_HASH, ss->hash) ||
	     nla_put_u8(msg, SPDM_TSM_A_SESSION_ENCRYPTED, ss->encrypted) ||
	     nla_put_u8(msg, SPDM_TSM_A_SESSION_HEARTBEAT_PERIOD, ss->heartbeat_period) ||
	     nla_put_u64_64bit(msg, SPDM_TSM_A_SESSION_ESTABLISHED_NS, ss->established_ns,
			       SPDM_TSM_A_SESSION_PAD) ||
	     nla_put_u32(msg, SPDM_TSM_A_SESSION_KEY_UPDATES, ss->key_updates) ||
	     nla_put_u32(msg, SPDM_TSM_A_SESSION_HEARTBEATS, ss->heartbeats)))
		goto cancel;
	if (ss->establishments &&
	    (nla_put_u32(msg, SPDM_TSM_A_SESSION_EXCHANGES, ss->exchanges) ||
	     nla_put_u64_64bit(msg, SPDM_TSM_A_SESSION_DURATION_US, ss->duration_us,
			       SPDM_TSM_A_SESSION_PAD)))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;
cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/*
 * The dev-get attributes of @pdev; @d is its state, or NULL to look it up.
 * The Device Serial Number is only for @priv (CAP_SYS_ADMIN) callers: PCI
 * sysfs shows extended config space to root only.
 */
static int spdm_tsm_put_dev_attrs(struct sk_buff *msg, struct pci_dev *pdev,
				  struct spdm_tsm_dev *d, bool priv)
{
	struct spdm_tsm_dev *found __free(spdm_tsm_dev_put) =
		d ? NULL : spdm_tsm_dev_find(pdev, false);
	struct spdm_tsm_summary sum = { .state = SPDM_TSM_STATE_NONE };
	u64 dsn;

	if (!d)
		d = found;
	if (d)
		spdm_tsm_dev_summary(d, &sum);
	dsn = priv ? pci_get_dsn(pdev) : 0;
	if (nla_put_string(msg, SPDM_TSM_A_DEV_BDF, pci_name(pdev)) ||
	    nla_put_u16(msg, SPDM_TSM_A_DEV_VENDOR_ID, pdev->vendor) ||
	    nla_put_u16(msg, SPDM_TSM_A_DEV_DEVICE_ID, pdev->device) ||
	    (dsn && nla_put_u64_64bit(msg, SPDM_TSM_A_DEV_SERIAL, dsn, SPDM_TSM_A_DEV_PAD)) ||
	    nla_put_u8(msg, SPDM_TSM_A_DEV_CMA, spdm_tsm_has_cma(pdev)) ||
	    nla_put_u8(msg, SPDM_TSM_A_DEV_DSM, is_pci_tsm_pf0(pdev)) ||
	    nla_put_u8(msg, SPDM_TSM_A_DEV_IDE, !!pdev->ide_cap) ||
	    nla_put_u8(msg, SPDM_TSM_A_DEV_TEE_IO, !!(pdev->devcap & PCI_EXP_DEVCAP_TEE)) ||
	    nla_put_u32(msg, SPDM_TSM_A_DEV_STATE, sum.state) ||
	    nla_put_u32(msg, SPDM_TSM_A_DEV_MEM_LIMIT, spdm_tsm_max_evidence_bytes))
		return -EMSGSIZE;
	if (sum.via_tsm &&
	    nla_put_string(msg, SPDM_TSM_A_DEV_TSM, dev_name(&spdm_tsm_tsm_dev->dev)))
		return -EMSGSIZE;
	if (sum.version &&
	    (nla_put_u8(msg, SPDM_TSM_A_DEV_VERSION, sum.version) ||
	     nla_put_u32(msg, SPDM_TSM_A_DEV_ASYM, sum.asym) ||
	     nla_put_u32(msg, SPDM_TSM_A_DEV_HASH, sum.hash) ||
	     nla_put_u8(msg, SPDM_TSM_A_DEV_SLOT, sum.slot)))
		return -EMSGSIZE;
	if (d &&
	    (nla_put_u32(msg, SPDM_TSM_A_DEV_EXCHANGES, sum.exchanges) ||
	     nla_put_u64_64bit(msg, SPDM_TSM_A_DEV_DURATION_US, sum.duration_us,
			       SPDM_TSM_A_DEV_PAD) ||
	     nla_put_u32(msg, SPDM_TSM_A_DEV_MEM_USED, sum.mem_used) ||
	     nla_put_u64_64bit(msg, SPDM_TSM_A_DEV_GENERATION, sum.generation,
			       SPDM_TSM_A_DEV_PAD)))
		return -EMSGSIZE;
	if (sum.last_error[0] &&
	    nla_put_string(msg, SPDM_TSM_A_DEV_LAST_ERROR, sum.last_error))
		return -EMSGSIZE;
	/* the core's view: it keeps a connection after a failed revalidation */
	if (is_pci_tsm_pf0(pdev) &&
	    nla_put_u8(msg, SPDM_TSM_A_DEV_CORE_CONNECTED, !!READ_ONCE(pdev->tsm)))
		return -EMSGSIZE;
	return spdm_tsm_put_session(msg, &sum.sess);
}

static int spdm_tsm_fill_dev(struct sk_buff *msg, struct pci_dev *pdev, u8 cmd,
			     u32 portid, u32 seq, int flags, bool priv)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &spdm_tsm_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (spdm_tsm_put_dev_attrs(msg, pdev, NULL, priv)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* nlmsg_free() takes NULL */
DEFINE_FREE(spdm_tsm_msg_free, struct sk_buff *, nlmsg_free(_T))

/* Reply with the dev-get attributes of @pdev in @msg (consumed). */
static int spdm_tsm_send_dev(struct sk_buff *msg, struct pci_dev *pdev, struct genl_info *info,
			     bool priv)
{
	int rc;

	rc = spdm_tsm_fill_dev(msg, pdev, info->genlhdr->cmd, info->snd_portid,
			       info->snd_seq, 0, priv);
	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	return genlmsg_reply(msg, info);
}

/**
 * spdm_tsm_nl_dev_get_doit() - dev-get do: one device with a CMA mailbox
 * @skb: the request
 * @info: its attributes (bdf) and extended ack
 *
 * Return: 0 after the reply, or a negative errno.
 */
int spdm_tsm_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pci_dev *pdev __free(spdm_tsm_pci_put) =
		spdm_tsm_nl_pdev(info, SPDM_TSM_A_DEV_BDF);
	struct sk_buff *msg;

	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	return spdm_tsm_send_dev(msg, pdev, info, netlink_capable(skb, CAP_SYS_ADMIN));
}

/* cb->ctx: the number of PCI devices already walked past */
struct spdm_tsm_dev_dump_ctx {
	unsigned long pos;
};

/**
 * spdm_tsm_nl_dev_get_dumpit() - dev-get dump: every device with a CMA mailbox
 * @skb: the dump skb to fill
 * @cb: the dump, its position in cb->ctx
 *
 * Return: the skb's length while more follows, 0 at the end, or a negative errno.
 */
int spdm_tsm_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct spdm_tsm_dev_dump_ctx *ctx = (void *)cb->ctx;
	struct pci_dev *pdev = NULL;
	unsigned long i = 0;
	int rc = 0;

	for_each_pci_dev(pdev) {
		if (i++ < ctx->pos)
			continue;
		if (spdm_tsm_has_cma(pdev)) {
			rc = spdm_tsm_fill_dev(skb, pdev, SPDM_TSM_CMD_DEV_GET,
					       NETLINK_CB(cb->skb).portid,
					       cb->nlh->nlmsg_seq, NLM_F_MULTI,
					       netlink_capable(cb->skb, CAP_SYS_ADMIN));
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

/**
 * spdm_tsm_nl_connect_doit() - connect: authenticate a function that is not a DSM
 * @skb: the request
 * @info: its attributes (bdf, slot, nonce, measurements) and extended ack
 *
 * Return: 0 after the reply (the device, as dev-get), or a negative errno.
 */
int spdm_tsm_nl_connect_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pci_dev *pdev __free(spdm_tsm_pci_put) =
		spdm_tsm_nl_pdev(info, SPDM_TSM_A_DEV_BDF);
	struct spdm_tsm_connect_args args = {};
	int rc;

	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	if (is_pci_tsm_pf0(pdev)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SPDM_TSM_A_DEV_BDF],
				    "device is a DSM: connect with echo tsmN > .../tsm/connect");
		return -EOPNOTSUPP;
	}
	if (info->attrs[SPDM_TSM_A_DEV_SLOT])
		args.slot = nla_get_u8(info->attrs[SPDM_TSM_A_DEV_SLOT]);
	if (info->attrs[SPDM_TSM_A_DEV_NONCE]) {
		nla_memcpy(args.nonce, info->attrs[SPDM_TSM_A_DEV_NONCE], sizeof(args.nonce));
		args.has_nonce = true;
	}
	args.measurements = nla_get_flag(info->attrs[SPDM_TSM_A_DEV_MEASUREMENTS]);
	args.session = nla_get_flag(info->attrs[SPDM_TSM_A_DEV_SESSION]);

	/* the reply first: out of memory must not follow a state change */
	struct sk_buff *msg __free(spdm_tsm_msg_free) = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return -ENOMEM;

	struct spdm_tsm_dev *d __free(spdm_tsm_dev_put) = spdm_tsm_dev_find(pdev, true);

	if (IS_ERR(d)) {
		if (PTR_ERR(d) == -ENODEV)
			NL_SET_ERR_MSG(info->extack, "device is being removed");
		return PTR_ERR(d);
	}
	scoped_cond_guard(mutex_intr, return -EINTR, &d->lock) {
		if (d->via_tsm) {
			NL_SET_ERR_MSG(info->extack,
				       "connected through the PCI/TSM core: use tsm/disconnect first");
			return -EBUSY;
		}
		rc = spdm_tsm_dev_connect(d, &args, info->extack);
		if (rc)
			return rc;
	}
	return spdm_tsm_send_dev(no_free_ptr(msg), pdev, info, true);
}

/**
 * spdm_tsm_nl_disconnect_doit() - disconnect: forget a netlink-connected device's session
 * @skb: the request
 * @info: its attributes (bdf) and extended ack
 *
 * Return: 0, or a negative errno.
 */
int spdm_tsm_nl_disconnect_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pci_dev *pdev __free(spdm_tsm_pci_put) =
		spdm_tsm_nl_pdev(info, SPDM_TSM_A_DEV_BDF);

	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	struct spdm_tsm_dev *d __free(spdm_tsm_dev_put) = spdm_tsm_dev_find(pdev, false);

	if (!d || !d->session) {
		NL_SET_ERR_MSG(info->extack, "device is not connected");
		return -ENOTCONN;
	}
	scoped_cond_guard(mutex_intr, return -EINTR, &d->lock) {
		if (d->via_tsm) {
			NL_SET_ERR_MSG(info->extack,
				       "connected through the PCI/TSM core: echo tsmN > .../tsm/disconnect");
			return -EBUSY;
		}
		spdm_tsm_dev_disconnect(d);
	}
	return 0;
}

/*
 * evidence-get dump state, in cb->ctx: the device (references taken by
 * .start, dropped by .done) and the position.
 */
struct spdm_tsm_ev_dump_ctx {
	struct pci_dev *pdev;
	struct spdm_tsm_dev *d;
	u64 generation;
	u32 objects;
	u32 offset;	/* within the current object */
	u8 object;	/* 0: the scalar message is next */
	u8 started;
};

/*
 * cb->seq for genl_dump_check_consistent(): the evidence generation, never
 * 0 (0 means "not set" to the check).
 */
static u32 spdm_tsm_ev_dump_seq(u64 generation)
{
	return (lower_32_bits(generation) + 1) ?: 1;
}

static int spdm_tsm_put_scalars(struct sk_buff *skb, const struct spdm_evidence *ev,
				const struct spdm_secure_info *sinfo)
{
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_u8(skb, SPDM_TSM_A_EVIDENCE_VERSION, ev->version) ||
	    nla_put_u32(skb, SPDM_TSM_A_EVIDENCE_CAPS, ev->caps) ||
	    nla_put_u32(skb, SPDM_TSM_A_EVIDENCE_ASYM, ev->asym) ||
	    nla_put_u32(skb, SPDM_TSM_A_EVIDENCE_HASH, ev->hash) ||
	    nla_put_u32(skb, SPDM_TSM_A_EVIDENCE_MEAS_HASH, ev->meas_hash) ||
	    nla_put_u8(skb, SPDM_TSM_A_EVIDENCE_SLOT, ev->slot) ||
	    nla_put_u8(skb, SPDM_TSM_A_EVIDENCE_SLOT_MASK, ev->slot_mask))
		return -EMSGSIZE;
	for (i = 0; i < SPDM_SLOTS; i++) {
		if (!(ev->slot_mask & BIT(i)))
			continue;
		nest = nla_nest_start(skb, SPDM_TSM_A_EVIDENCE_SLOT_DIGEST);
		if (!nest ||
		    nla_put_u8(skb, SPDM_TSM_A_SLOT_DIGEST_SLOT, i) ||
		    nla_put(skb, SPDM_TSM_A_SLOT_DIGEST_DIGEST, ev->hash_len, ev->digests[i]))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	if (ev->nonce.len &&
	    nla_put(skb, SPDM_TSM_A_EVIDENCE_NONCE, ev->nonce.len, ev->nonce.data))
		return -EMSGSIZE;
	if (ev->signature.len &&
	    nla_put(skb, SPDM_TSM_A_EVIDENCE_SIGNATURE, ev->signature.len,
		    ev->signature.data))
		return -EMSGSIZE;
	if (ev->context && nla_put_string(skb, SPDM_TSM_A_EVIDENCE_CONTEXT, ev->context))
		return -EMSGSIZE;
	if (ev->meas_signature.len &&
	    (nla_put_u8(skb, SPDM_TSM_A_EVIDENCE_MEAS_COUNT, ev->meas_count) ||
	     nla_put(skb, SPDM_TSM_A_EVIDENCE_MEAS_NONCE, ev->meas_nonce.len,
		     ev->meas_nonce.data) ||
	     nla_put(skb, SPDM_TSM_A_EVIDENCE_MEAS_SIGNATURE, ev->meas_signature.len,
		     ev->meas_signature.data)))
		return -EMSGSIZE;
	if (ev->meas_context &&
	    nla_put_string(skb, SPDM_TSM_A_EVIDENCE_MEAS_CONTEXT, ev->meas_context))
		return -EMSGSIZE;
	if (!ev->ke_signature.len)
		return 0;
	/* the secured session's KEY_EXCHANGE_RSP, checked offline like CHALLENGE_AUTH */
	nest = nla_nest_start(skb, SPDM_TSM_A_EVIDENCE_SESSION);
	if (!nest ||
	    (sinfo->active &&
	     nla_put_u32(skb, SPDM_TSM_A_SESSION_EVIDENCE_ID, sinfo->session_id)) ||
	    nla_put_u32(skb, SPDM_TSM_A_SESSION_EVIDENCE_DHE, ev->dhe) ||
	    nla_put_u32(skb, SPDM_TSM_A_SESSION_EVIDENCE_AEAD, ev->aead) ||
	    nla_put(skb, SPDM_TSM_A_SESSION_EVIDENCE_KE_SIGNATURE, ev->ke_signature.len,
		    ev->ke_signature.data) ||
	    (ev->ke_th.len && nla_put(skb, SPDM_TSM_A_SESSION_EVIDENCE_KE_TH_HASH, ev->ke_th.len,
				      ev->ke_th.data)) ||
	    (ev->ke_context &&
	     nla_put_string(skb, SPDM_TSM_A_SESSION_EVIDENCE_KE_CONTEXT, ev->ke_context)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The bytes of evidence object @obj (1-based), or an empty view. */
static struct spdm_seg_view spdm_tsm_object(const struct spdm_evidence *ev, unsigned int obj)
{
	struct spdm_seg_view v = {};
	size_t hdr;

	switch (obj) {
	case SPDM_TSM_EVIDENCE_OBJECT_CERT_CHAIN:
		/* strip the SPDM chain header: length, reserved, root hash */
		hdr = 4 + ev->hash_len;
		if (ev->chain.len > hdr) {
			v.seg[0].data = ev->chain.data + hdr;
			v.seg[0].len = ev->chain.len - hdr;
		}
		break;
	case SPDM_TSM_EVIDENCE_OBJECT_TRANSCRIPT:
		return ev->transcript;	/* kept in pieces: A, B, C */
	case SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI:
		v.seg[0] = ev->leaf_spki;
		break;
	case SPDM_TSM_EVIDENCE_OBJECT_MEAS_BLOCKS:
		v.seg[0] = ev->meas_blocks;
		break;
	case SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT:
		return ev->meas_transcript;
	}
	v.len = v.seg[0].len;
	return v;
}

#define SPDM_TSM_OBJECT_LAST SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT

/**
 * spdm_tsm_nl_evidence_get_start() - begin an evidence-get dump
 * @cb: the dump; its request's bdf names the device
 *
 * Takes references to the device and its state for the dump's lifetime
 * (dropped by spdm_tsm_nl_evidence_get_done()) and reads the object mask.
 *
 * Return: 0, or a negative errno with an extended-ack message.
 */
int spdm_tsm_nl_evidence_get_start(struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct spdm_tsm_ev_dump_ctx *ctx = (void *)cb->ctx;
	struct pci_dev *pdev __free(spdm_tsm_pci_put) =
		spdm_tsm_nl_pdev(info, SPDM_TSM_A_EVIDENCE_BDF);

	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	ctx->d = spdm_tsm_dev_find(pdev, false);
	if (!ctx->d) {
		NL_SET_ERR_MSG(info->extack, "device was never connected: no evidence");
		return -ENODATA;
	}
	ctx->objects = info->attrs[SPDM_TSM_A_EVIDENCE_OBJECTS] ?
		nla_get_u32(info->attrs[SPDM_TSM_A_EVIDENCE_OBJECTS]) : ~0u;
	ctx->pdev = no_free_ptr(pdev);
	return 0;
}

/**
 * spdm_tsm_nl_evidence_get_done() - end an evidence-get dump
 * @cb: the dump
 *
 * Drops the references spdm_tsm_nl_evidence_get_start() took.
 *
 * Return: 0.
 */
int spdm_tsm_nl_evidence_get_done(struct netlink_callback *cb)
{
	struct spdm_tsm_ev_dump_ctx *ctx = (void *)cb->ctx;

	spdm_tsm_dev_put(ctx->d);
	spdm_tsm_pci_put(ctx->pdev);
	ctx->d = NULL;
	ctx->pdev = NULL;
	return 0;
}

/*
 * A dump that races a change of the evidence ends with one message flagged
 * NLM_F_DUMP_INTR (bdf and the new generation, nothing of the new evidence:
 * never two handshakes' evidence presented as one) and NLMSG_DONE; the
 * reader starts again.
 */
static int spdm_tsm_ev_dump_intr(struct sk_buff *skb, struct netlink_callback *cb,
				 struct spdm_tsm_ev_dump_ctx *ctx, u64 generation)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &spdm_tsm_nl_family, NLM_F_MULTI, SPDM_TSM_CMD_EVIDENCE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_string(skb, SPDM_TSM_A_EVIDENCE_BDF, pci_name(ctx->pdev)) ||
	    nla_put_u64_64bit(skb, SPDM_TSM_A_EVIDENCE_GENERATION, generation,
			      SPDM_TSM_A_EVIDENCE_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	ctx->object = SPDM_TSM_OBJECT_LAST + 1;
	return 0;
}

/**
 * spdm_tsm_nl_evidence_get_dumpit() - evidence-get dump: the scalars, then each object in chunks
 * @skb: the dump skb to fill
 * @cb: the dump, set up by spdm_tsm_nl_evidence_get_start()
 *
 * Return: the skb's length while more follows, 0 at the end, or a negative errno.
 */
int spdm_tsm_nl_evidence_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct spdm_tsm_ev_dump_ctx *ctx = (void *)cb->ctx;
	struct spdm_tsm_dev *d = ctx->d;
	struct spdm_secure_info sinfo;
	struct spdm_evidence ev;
	void *hdr;
	int rc = 0;

	scoped_cond_guard(mutex_intr, return -EINTR, &d->lock) {
		if (ctx->object > SPDM_TSM_OBJECT_LAST)
			return 0;
		if (!d->session || READ_ONCE(d->sum.state) != SPDM_TSM_STATE_AUTHENTICATED) {
			NL_SET_ERR_MSG(cb->extack, "device is not authenticated: no evidence");
			return -ENODATA;
		}
		cb->seq = spdm_tsm_ev_dump_seq(d->generation);
		if (!ctx->started) {
			ctx->started = 1;
			ctx->generation = d->generation;
		} else if (ctx->generation != d->generation) {
			rc = spdm_tsm_ev_dump_intr(skb, cb, ctx, d->generation);
			return rc ?: skb->len;
		}
		spdm_get_evidence(d->session, &ev);
		spdm_secure_get_info(d->session, &sinfo);
		if (!ev.complete) {
			/* never two handshakes' evidence presented as one */
			NL_SET_ERR_MSG(cb->extack,
				       "evidence withheld: the last revalidation did not complete; revalidate again");
			return -ENODATA;
		}

		while (ctx->object <= SPDM_TSM_OBJECT_LAST) {
			struct spdm_seg_view v = {};
			struct nlattr *data;
			u32 len = 0;

			if (ctx->object) {
				v = spdm_tsm_object(&ev, ctx->object);
				if (!(ctx->objects & BIT(ctx->object)) || ctx->offset >= v.len) {
					ctx->object++;
					ctx->offset = 0;
					continue;
				}
				len = min_t(size_t, v.len - ctx->offset, SPDM_TSM_CHUNK);
			}
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
					  &spdm_tsm_nl_family, NLM_F_MULTI,
					  SPDM_TSM_CMD_EVIDENCE_GET);
			if (!hdr) {
				rc = -EMSGSIZE;
				break;
			}
			genl_dump_check_consistent(cb, hdr);
			if (nla_put_string(skb, SPDM_TSM_A_EVIDENCE_BDF, pci_name(ctx->pdev)) ||
			    nla_put_u64_64bit(skb, SPDM_TSM_A_EVIDENCE_GENERATION,
					      ctx->generation, SPDM_TSM_A_EVIDENCE_PAD)) {
				rc = -EMSGSIZE;
			} else if (!ctx->object) {
				rc = spdm_tsm_put_scalars(skb, &ev, &sinfo);
			} else if (nla_put_u32(skb, SPDM_TSM_A_EVIDENCE_OBJECT, ctx->object) ||
				   nla_put_u32(skb, SPDM_TSM_A_EVIDENCE_OFFSET, ctx->offset) ||
				   nla_put_u32(skb, SPDM_TSM_A_EVIDENCE_TOTAL, v.len)) {
				rc = -EMSGSIZE;
			} else {
				data = nla_reserve(skb, SPDM_TSM_A_EVIDENCE_DATA, len);
				if (data)
					spdm_seg_copy(&v, ctx->offset, nla_data(data), len);
				else
					rc = -EMSGSIZE;
			}
			if (rc) {
				genlmsg_cancel(skb, hdr);
				break;
			}
			genlmsg_end(skb, hdr);
			if (!ctx->object)
				ctx->object = 1;
			else
				ctx->offset += len;
		}
	}
	if (rc == -EMSGSIZE && skb->len)
		return skb->len;
	return rc;
}

/* ---- policies ---------------------------------------------------------- */

/*
 * The size of a policy message with @n_meas measurement rules, at most: the
 * largest policy (254 rules with 64-byte digests) is about 21 KiB, more than
 * NLMSG_GOODSIZE.
 */
static size_t spdm_tsm_policy_msg_size(unsigned int n_meas)
{
	size_t rule = nla_total_size(0) +		/* meas-rule nest */
		      nla_total_size(sizeof(u8)) +	/* index */
		      nla_total_size(SPDM_MAX_HASH) +	/* digest */
		      nla_total_size(0);		/* volatile */

	return nlmsg_total_size(GENL_HDRLEN +
				nla_total_size(16) +			/* bdf */
				nla_total_size_64bit(sizeof(u64)) +	/* serial */
				nla_total_size(sizeof(u8)) +		/* slot */
				nla_total_size(SPDM_MAX_HASH) +		/* cert-digest */
				nla_total_size(sizeof(u32)) * 2 +	/* action, mode */
				nla_total_size(0) +			/* meas-baseline */
				n_meas * rule);
}

/* A policy message; the serial only for @priv (CAP_SYS_ADMIN) readers. */
static int spdm_tsm_fill_policy(struct sk_buff *msg, const struct spdm_tsm_policy *p,
				u8 cmd, u32 portid, u32 seq, int flags, bool priv)
{
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &spdm_tsm_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(msg, SPDM_TSM_A_POLICY_BDF, p->bdf) ||
	    (priv && p->serial &&
	     nla_put_u64_64bit(msg, SPDM_TSM_A_POLICY_SERIAL, p->serial, SPDM_TSM_A_POLICY_PAD)) ||
	    nla_put_u8(msg, SPDM_TSM_A_POLICY_SLOT, p->slot) ||
	    (p->cert_digest_len &&
	     nla_put(msg, SPDM_TSM_A_POLICY_CERT_DIGEST, p->cert_digest_len, p->cert_digest)) ||
	    nla_put_u32(msg, SPDM_TSM_A_POLICY_ACTION, p->action) ||
	    nla_put_u32(msg, SPDM_TSM_A_POLICY_REVALIDATE_MODE, p->mode) ||
	    (p->meas_baseline && nla_put_flag(msg, SPDM_TSM_A_POLICY_MEAS_BASELINE)))
		goto cancel;
	for (i = 0; i < p->n_meas; i++) {
		const struct spdm_tsm_meas_rule *r = &p->meas[i];

		nest = nla_nest_start(msg, SPDM_TSM_A_POLICY_MEAS_RULE);
		if (!nest ||
		    nla_put_u8(msg, SPDM_TSM_A_MEAS_RULE_INDEX, r->index) ||
		    (r->len && nla_put(msg, SPDM_TSM_A_MEAS_RULE_DIGEST, r->len, r->digest)) ||
		    (r->is_volatile && nla_put_flag(msg, SPDM_TSM_A_MEAS_RULE_VOLATILE)))
			goto cancel;
		nla_nest_end(msg, nest);
	}
	genlmsg_end(msg, hdr);
	return 0;

cancel:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/*
 * The identity a new policy is bound to: the chain digest verified at
 * connect for the slot authenticated then -- never what the device claims
 * now.  With @required (cert-digest-current) a device that is not
 * authenticated, or another slot, is an error; otherwise the policy stays
 * unbound when there is no connected device.
 */
static int spdm_tsm_connect_digest(const char *bdf, struct spdm_tsm_policy *p,
				   struct nlattr *attr, bool required,
				   struct netlink_ext_ack *extack)
{
	struct pci_dev *pdev __free(spdm_tsm_pci_put) = spdm_tsm_pdev_from_bdf(bdf);

	if (IS_ERR(pdev)) {
		if (!required)
			return 0;
		NL_SET_ERR_MSG_ATTR(extack, attr, "cert-digest-current: no device at this address");
		return -ENODEV;
	}

	struct spdm_tsm_dev *d __free(spdm_tsm_dev_put) = spdm_tsm_dev_find(pdev, false);

	if (!d)
		goto not_auth;
	scoped_cond_guard(mutex_intr, return -EINTR, &d->lock) {
		if (!d->session || !d->cached_digest_len)
			goto not_auth;
		if (p->slot != d->sum.slot) {
			if (!required)
				return 0;
			NL_SET_ERR_MSG_ATTR_FMT(extack, attr,
						"cert-digest-current: slot %u was not authenticated at connect (slot %u was)",
						p->slot, d->sum.slot);
			return -ENOENT;
		}
		p->cert_digest_len = d->cached_digest_len;
		memcpy(p->cert_digest, d->cached_digest, d->cached_digest_len);
	}
	return 0;

not_auth:
	if (!required)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "cert-digest-current: the device is not authenticated (connect first)");
	return -ENODATA;
}

/**
 * spdm_tsm_nl_policy_set_doit() - policy-set: create or replace the policy of a device
 * @skb: the request
 * @info: its attributes and extended ack
 *
 * Return: 0 after the reply (the policy as stored), or a negative errno.
 */
int spdm_tsm_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SPDM_TSM_A_MEAS_RULE_MAX + 1];
	struct nlattr **attrs = info->attrs;
	unsigned int dom, bus, devfn, n = 0, i;
	struct nlattr *attr;
	struct sk_buff *msg;
	char bdf[16];
	int rem, rc;

	if (GENL_REQ_ATTR_CHECK(info, SPDM_TSM_A_POLICY_BDF)) {
		NL_SET_ERR_MSG(info->extack, "missing the device's PCI address (bdf)");
		return -EINVAL;
	}
	if (spdm_tsm_parse_bdf(nla_data(attrs[SPDM_TSM_A_POLICY_BDF]), bdf, &dom, &bus, &devfn)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SPDM_TSM_A_POLICY_BDF],
				    "malformed PCI address, expected DDDD:BB:DD.F");
		return -EINVAL;
	}
	if (attrs[SPDM_TSM_A_POLICY_CERT_DIGEST] && attrs[SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT],
				    "give cert-digest or cert-digest-current, not both");
		return -EINVAL;
	}
	nla_for_each_attr_type(attr, SPDM_TSM_A_POLICY_MEAS_RULE,
			       genlmsg_data(info->genlhdr), genlmsg_len(info->genlhdr), rem)
		n++;
	if (n > SPDM_TSM_MAX_MEAS_RULES) {
		NL_SET_ERR_MSG(info->extack, "at most 254 measurement rules");
		return -E2BIG;
	}

	struct spdm_tsm_policy *p __free(kfree) = kzalloc_flex(*p, meas, n, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	p->n_meas = n;
	strscpy(p->bdf, bdf);
	if (attrs[SPDM_TSM_A_POLICY_SLOT])
		p->slot = nla_get_u8(attrs[SPDM_TSM_A_POLICY_SLOT]);
	if (attrs[SPDM_TSM_A_POLICY_ACTION])
		p->action = nla_get_u32(attrs[SPDM_TSM_A_POLICY_ACTION]);
	if (attrs[SPDM_TSM_A_POLICY_REVALIDATE_MODE])
		p->mode = nla_get_u32(attrs[SPDM_TSM_A_POLICY_REVALIDATE_MODE]);
	p->meas_baseline = nla_get_flag(attrs[SPDM_TSM_A_POLICY_MEAS_BASELINE]);
	if (attrs[SPDM_TSM_A_POLICY_SERIAL]) {
		p->serial = nla_get_u64(attrs[SPDM_TSM_A_POLICY_SERIAL]);
	} else {
		struct pci_dev *pdev __free(spdm_tsm_pci_put) =
			pci_get_domain_bus_and_slot(dom, bus, devfn);

		if (pdev)
			p->serial = pci_get_dsn(pdev);
	}
	if (attrs[SPDM_TSM_A_POLICY_CERT_DIGEST]) {
		attr = attrs[SPDM_TSM_A_POLICY_CERT_DIGEST];
		if (nla_len(attr) != 32 && nla_len(attr) != 48 && nla_len(attr) != 64) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "cert-digest must be 32, 48 or 64 bytes (SHA-256/384/512)");
			return -EINVAL;
		}
		p->cert_digest_len = nla_len(attr);
		nla_memcpy(p->cert_digest, attr, sizeof(p->cert_digest));
	} else {
		/* bound to the identity verified at connect (or unbound) */
		attr = attrs[SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT];
		rc = spdm_tsm_connect_digest(bdf, p, attr ?: attrs[SPDM_TSM_A_POLICY_BDF],
					     !!attr, info->extack);
		if (rc)
			return rc;
	}

	i = 0;
	nla_for_each_attr_type(attr, SPDM_TSM_A_POLICY_MEAS_RULE,
			       genlmsg_data(info->genlhdr), genlmsg_len(info->genlhdr), rem) {
		struct spdm_tsm_meas_rule *r = &p->meas[i];
		unsigned int j;

		rc = nla_parse_nested(tb, SPDM_TSM_A_MEAS_RULE_MAX, attr,
				      spdm_tsm_meas_rule_nl_policy, info->extack);
		if (rc)
			return rc;
		if (NL_REQ_ATTR_CHECK(info->extack, attr, tb, SPDM_TSM_A_MEAS_RULE_INDEX)) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "meas-rule without an index");
			return -EINVAL;
		}
		r->index = nla_get_u8(tb[SPDM_TSM_A_MEAS_RULE_INDEX]);
		r->is_volatile = nla_get_flag(tb[SPDM_TSM_A_MEAS_RULE_VOLATILE]);
		if (tb[SPDM_TSM_A_MEAS_RULE_DIGEST]) {
			r->len = nla_len(tb[SPDM_TSM_A_MEAS_RULE_DIGEST]);
			nla_memcpy(r->digest, tb[SPDM_TSM_A_MEAS_RULE_DIGEST], sizeof(r->digest));
		}
		if (!r->is_volatile && !r->len) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "meas-rule needs a digest unless it is volatile");
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (p->meas[j].index == r->index) {
				NL_SET_ERR_MSG_ATTR(info->extack, attr,
						    "two meas-rules for the same index");
				return -EINVAL;
			}
		}
		i++;
	}

	msg = genlmsg_new(spdm_tsm_policy_msg_size(n), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rc = spdm_tsm_fill_policy(msg, p, SPDM_TSM_CMD_POLICY_SET, info->snd_portid,
				  info->snd_seq, 0, true);
	if (!rc)
		rc = spdm_tsm_policy_set(p, info->extack);
	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	retain_and_null_ptr(p);
	return genlmsg_reply(msg, info);
}

/**
 * spdm_tsm_nl_policy_get_doit() - policy-get do: the policy of one device
 * @skb: the request
 * @info: its attributes (bdf) and extended ack
 *
 * Return: 0 after the reply, or a negative errno.
 */
int spdm_tsm_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	char bdf[16];
	int rc;

	rc = spdm_tsm_nl_policy_bdf(info, bdf);
	if (rc)
		return rc;

	struct spdm_tsm_policy *p __free(kfree) = spdm_tsm_policy_copy(bdf);

	if (IS_ERR(p))
		return PTR_ERR(no_free_ptr(p));
	if (!p) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SPDM_TSM_A_POLICY_BDF],
				    "no policy for this device");
		return -ENOENT;
	}
	msg = genlmsg_new(spdm_tsm_policy_msg_size(p->n_meas), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rc = spdm_tsm_fill_policy(msg, p, SPDM_TSM_CMD_POLICY_GET, info->snd_portid,
				  info->snd_seq, 0, netlink_capable(skb, CAP_SYS_ADMIN));
	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	return genlmsg_reply(msg, info);
}

struct spdm_tsm_policy_dump_arg {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int spdm_tsm_policy_dump_one(const struct spdm_tsm_policy *p, void *arg)
{
	struct spdm_tsm_policy_dump_arg *a = arg;

	return spdm_tsm_fill_policy(a->skb, p, SPDM_TSM_CMD_POLICY_GET,
				    NETLINK_CB(a->cb->skb).portid, a->cb->nlh->nlmsg_seq,
				    NLM_F_MULTI, netlink_capable(a->cb->skb, CAP_SYS_ADMIN));
}

/**
 * spdm_tsm_nl_policy_get_start() - begin a policy-get dump
 * @cb: the dump
 *
 * Every policy goes into a dump skb whole: ask for skbs that hold the
 * largest one (netlink_dump() otherwise starts with NLMSG_GOODSIZE, or
 * what the reader's last receive buffer was, and a policy that does not
 * fit an empty skb ends the dump with EMSGSIZE).
 *
 * Return: 0.
 */
int spdm_tsm_nl_policy_get_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = spdm_tsm_policy_msg_size(SPDM_TSM_MAX_MEAS_RULES);
	return 0;
}

/**
 * spdm_tsm_nl_policy_get_dumpit() - policy-get dump: every policy
 * @skb: the dump skb to fill
 * @cb: the dump, its position in cb->ctx
 *
 * Return: the skb's length while more follows, 0 at the end, or a negative errno.
 */
int spdm_tsm_nl_policy_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct spdm_tsm_dev_dump_ctx *ctx = (void *)cb->ctx;
	struct spdm_tsm_policy_dump_arg a = { .skb = skb, .cb = cb };
	int rc;

	rc = spdm_tsm_policy_for_each(&ctx->pos, spdm_tsm_policy_dump_one, &a);
	if (rc == -EMSGSIZE && skb->len)
		return skb->len;
	return rc;
}

/**
 * spdm_tsm_nl_policy_del_doit() - policy-del: delete the policy of a device
 * @skb: the request
 * @info: its attributes (bdf) and extended ack
 *
 * Return: 0, or a negative errno.
 */
int spdm_tsm_nl_policy_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	char bdf[16];
	int rc;

	rc = spdm_tsm_nl_policy_bdf(info, bdf);
	if (rc)
		return rc;
	if (spdm_tsm_policy_del(bdf)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SPDM_TSM_A_POLICY_BDF],
				    "no policy for this device");
		return -ENOENT;
	}
	return 0;
}

/*
 * revalidate, session-key-update and session-end: run @op on the connected
 * device named by the request, then reply with the device as dev-get.
 */
static int spdm_tsm_nl_dev_op(struct genl_info *info,
			      int (*op)(struct spdm_tsm_dev *d, bool all,
					struct netlink_ext_ack *extack),
			      bool all)
{
	struct pci_dev *pdev __free(spdm_tsm_pci_put) =
		spdm_tsm_nl_pdev(info, SPDM_TSM_A_DEV_BDF);
	int rc;

	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	/* the reply first: out of memory must not follow a verdict */
	struct sk_buff *msg __free(spdm_tsm_msg_free) = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return -ENOMEM;

	struct spdm_tsm_dev *d __free(spdm_tsm_dev_put) = spdm_tsm_dev_find(pdev, false);

	if (!d) {
		NL_SET_ERR_MSG(info->extack, "device is not connected");
		return -ENOTCONN;
	}
	rc = op(d, all, info->extack);
	if (rc)
		return rc;
	return spdm_tsm_send_dev(no_free_ptr(msg), pdev, info, true);
}

static int spdm_tsm_revalidate_op(struct spdm_tsm_dev *d, bool all,
				  struct netlink_ext_ack *extack)
{
	return spdm_tsm_revalidate(d, SPDM_TSM_REASON_EXPLICIT, extack);
}

/**
 * spdm_tsm_nl_revalidate_doit() - revalidate: challenge an authenticated device again
 * @skb: the request
 * @info: its attributes (bdf) and extended ack
 *
 * Return: 0 after the reply (the device, as dev-get), or a negative errno.
 */
int spdm_tsm_nl_revalidate_doit(struct sk_buff *skb, struct genl_info *info)
{
	return spdm_tsm_nl_dev_op(info, spdm_tsm_revalidate_op, false);
}

static int spdm_tsm_session_end_op(struct spdm_tsm_dev *d, bool all,
				   struct netlink_ext_ack *extack)
{
	return spdm_tsm_secure_end(d, extack);
}

/**
 * spdm_tsm_nl_session_key_update_doit() - session-key-update: KEY_UPDATE in the session
 * @skb: the request
 * @info: its attributes (bdf, all-keys) and extended ack
 *
 * Return: 0 after the reply (the device, as dev-get), or a negative errno.
 */
int spdm_tsm_nl_session_key_update_doit(struct sk_buff *skb, struct genl_info *info)
{
	return spdm_tsm_nl_dev_op(info, spdm_tsm_secure_key_update,
				  nla_get_flag(info->attrs[SPDM_TSM_A_DEV_ALL_KEYS]));
}

/**
 * spdm_tsm_nl_session_end_doit() - session-end: END_SESSION
 * @skb: the request
 * @info: its attributes (bdf) and extended ack
 *
 * Return: 0 after the reply (the device, as dev-get), or a negative errno.
 */
int spdm_tsm_nl_session_end_doit(struct sk_buff *skb, struct genl_info *info)
{
	return spdm_tsm_nl_dev_op(info, spdm_tsm_session_end_op, false);
}

/* ---- events ------------------------------------------------------------ */

static const char *const spdm_tsm_event_names[] = {
	[SPDM_TSM_EVENT_CONNECTED] = "connected",
	[SPDM_TSM_EVENT_DISCONNECTED] = "disconnected",
	[SPDM_TSM_EVENT_SESSION_LOST] = "session-lost",
	[SPDM_TSM_EVENT_REVALIDATED] = "revalidated",
	[SPDM_TSM_EVENT_REVALIDATION_FAILED] = "revalidation-failed",
	[SPDM_TSM_EVENT_ADDED] = "added",
	[SPDM_TSM_EVENT_SESSION_ESTABLISHED] = "session-established",
	[SPDM_TSM_EVENT_SESSION_ENDED] = "session-ended",
};

static const char *const spdm_tsm_reason_names[] = {
	[SPDM_TSM_REASON_NONE] = "none",
	[SPDM_TSM_REASON_RESET] = "reset",
	[SPDM_TSM_REASON_RESUME] = "resume",
	[SPDM_TSM_REASON_UNKNOWN] = "unknown",
	[SPDM_TSM_REASON_REMOVAL] = "removal",
	[SPDM_TSM_REASON_EXPLICIT] = "explicit",
	[SPDM_TSM_REASON_SIGNATURE] = "signature",
	[SPDM_TSM_REASON_CERT_DIGEST] = "cert-digest",
	[SPDM_TSM_REASON_MEASUREMENT] = "measurement",
	[SPDM_TSM_REASON_DEVICE_ERROR] = "device-error",
	[SPDM_TSM_REASON_TIMEOUT] = "timeout",
	[SPDM_TSM_REASON_DOWNGRADE] = "downgrade",
	[SPDM_TSM_REASON_BUDGET] = "budget",
	[SPDM_TSM_REASON_DEADLINE] = "deadline",
	[SPDM_TSM_REASON_SERIAL] = "serial",
	[SPDM_TSM_REASON_HEARTBEAT] = "heartbeat",
	[SPDM_TSM_REASON_KEY_UPDATE] = "key-update",
	[SPDM_TSM_REASON_SESSION] = "session",
};

/**
 * spdm_tsm_event_name() - the name of an event, as in the YNL spec
 * @event: enum spdm_tsm_event
 *
 * Return: the name, "unknown" for a value outside the enum.
 */
const char *spdm_tsm_event_name(enum spdm_tsm_event event)
{
	if ((unsigned int)event >= ARRAY_SIZE(spdm_tsm_event_names) ||
	    !spdm_tsm_event_names[event])
		return "unknown";
	return spdm_tsm_event_names[event];
}

/**
 * spdm_tsm_reason_name() - the name of a reason, as in the YNL spec
 * @reason: enum spdm_tsm_reason
 *
 * Return: the name, "unknown" for a value outside the enum.
 */
const char *spdm_tsm_reason_name(enum spdm_tsm_reason reason)
{
	if ((unsigned int)reason >= ARRAY_SIZE(spdm_tsm_reason_names) ||
	    !spdm_tsm_reason_names[reason])
		return "unknown";
	return spdm_tsm_reason_names[reason];
}

/*
 * Multicast a dev-event-ntf on the "events" group (the dev-get attributes,
 * without the Device Serial Number since the group is open to every user,
 * plus event, reason and timestamp-ns) and emit a "change" uevent on the PCI
 * device with SPDM_TSM_EVENT= and SPDM_TSM_REASON=.  When the event cannot
 * be built (out of memory), every listener is told with ENOBUFS.
 */
static void __spdm_tsm_notify(struct pci_dev *pdev, struct spdm_tsm_dev *d,
			      enum spdm_tsm_event event, enum spdm_tsm_reason reason)
{
	char ev_env[48], reason_env[48];
	char *envp[3] = { ev_env, reason_env, NULL };
	struct sk_buff *msg;
	void *hdr;

	int rc;

	snprintf(ev_env, sizeof(ev_env), "SPDM_TSM_EVENT=%s", spdm_tsm_event_names[event]);
	snprintf(reason_env, sizeof(reason_env), "SPDM_TSM_REASON=%s",
		 spdm_tsm_reason_names[reason]);
	rc = kobject_uevent_env(&pdev->dev.kobj, KOBJ_CHANGE, envp);
	if (rc)
		pci_notice_ratelimited(pdev, "spdm_tsm: uevent %s not sent (%d)\n",
				       spdm_tsm_event_names[event], rc);

	if (!genl_has_listeners(&spdm_tsm_nl_family, &init_net, SPDM_TSM_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto lost;
	hdr = genlmsg_put(msg, 0, 0, &spdm_tsm_nl_family, 0, SPDM_TSM_CMD_DEV_EVENT_NTF);
	if (!hdr ||
	    spdm_tsm_put_dev_attrs(msg, pdev, d, false) ||
	    nla_put_u32(msg, SPDM_TSM_A_DEV_EVENT, event) ||
	    nla_put_u32(msg, SPDM_TSM_A_DEV_REASON, reason) ||
	    nla_put_u64_64bit(msg, SPDM_TSM_A_DEV_TIMESTAMP_NS, ktime_get_real_ns(),
			      SPDM_TSM_A_DEV_PAD))
		goto free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&spdm_tsm_nl_family, msg, 0, SPDM_TSM_NLGRP_EVENTS, GFP_KERNEL);
	return;
free:
	nlmsg_free(msg);
lost:
	/*
	 * Never lose an event silently: every listener's next receive fails
	 * with ENOBUFS, as when its socket overflows, and it resynchronises
	 * (tsmctl agent rescans; tsmctl monitor says so).
	 */
	genl_set_err(&spdm_tsm_nl_family, &init_net, 0, SPDM_TSM_NLGRP_EVENTS, -ENOBUFS);
}

/**
 * spdm_tsm_notify() - announce an event of a device
 * @d: the device, with @d->lock held: the event goes out in the same
 *	critical section as the state change it announces, so listeners see
 *	events in the order the state changed, and any action taken for it
 *	(unbind, bus mastering off) is done before it is announced
 * @event: what happened
 * @reason: why (SPDM_TSM_REASON_NONE when there is no reason to give)
 *
 * The event is also measured into IMA (spdm_tsm_ima_record()) when the IMA
 * policy asks for the label spdm-tsm.
 *
 * Context: process context; may sleep.
 */
void spdm_tsm_notify(struct spdm_tsm_dev *d, enum spdm_tsm_event event,
		     enum spdm_tsm_reason reason)
{
	lockdep_assert_held(&d->lock);
	/* the IMA record first: whoever hears the event finds it in the log */
	if (event == SPDM_TSM_EVENT_CONNECTED)
		spdm_tsm_ima_connected(d);
	spdm_tsm_ima_record(d, spdm_tsm_event_name(event), spdm_tsm_reason_name(reason));
	__spdm_tsm_notify(d->pdev, d, event, reason);
}

/**
 * spdm_tsm_notify_added() - announce a function with a CMA mailbox appeared
 * @pdev: the function, after its own "add" uevent
 *
 * Context: process context; may sleep.
 */
void spdm_tsm_notify_added(struct pci_dev *pdev)
{
	__spdm_tsm_notify(pdev, NULL, SPDM_TSM_EVENT_ADDED, SPDM_TSM_REASON_NONE);
}

/**
 * spdm_tsm_nl_sys_admin() - pre_doit of the commands that need CAP_SYS_ADMIN
 * @ops: the operation
 * @skb: the request
 * @info: its attributes and extended ack
 *
 * Commands that talk to a device or change state need CAP_SYS_ADMIN: with
 * connect, a policy and revalidate, a caller can unbind the driver of any
 * device with a CMA mailbox.  (GENL_ADMIN_PERM would only ask for
 * CAP_NET_ADMIN.)  netlink_capable() asks the initial user namespace, so
 * root in a container's own namespaces is not enough either.
 *
 * Return: 0, or -EPERM.
 */
int spdm_tsm_nl_sys_admin(const struct genl_split_ops *ops, struct sk_buff *skb,
			  struct genl_info *info)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(info->extack, "needs CAP_SYS_ADMIN");
	return -EPERM;
}

/**
 * spdm_tsm_netlink_init() - register the spdm-tsm generic netlink family
 *
 * Return: 0, or a negative errno.
 */
int spdm_tsm_netlink_init(void)
{
	BUILD_BUG_ON(sizeof(struct spdm_tsm_dev_dump_ctx) >
		     sizeof_field(struct netlink_callback, ctx));
	BUILD_BUG_ON(sizeof(struct spdm_tsm_ev_dump_ctx) >
		     sizeof_field(struct netlink_callback, ctx));
	return genl_register_family(&spdm_tsm_nl_family);
}

/**
 * spdm_tsm_netlink_exit() - unregister the spdm-tsm generic netlink family
 */
void spdm_tsm_netlink_exit(void)
{
	genl_unregister_family(&spdm_tsm_nl_family);
}
