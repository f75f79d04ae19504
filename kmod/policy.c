// SPDX-License-Identifier: GPL-2.0
/*
 * Revalidation policies pushed by userspace: the expected certificate-chain
 * digest of a slot, expected measurement digests per index (some marked
 * volatile and ignored), the action on failure, and whether recovery
 * triggers revalidate automatically or only announce.
 *
 * A policy is keyed by PCI address only, and bound to the identity of the
 * device authenticated there (the chain digest verified at connect).  What
 * the device reports about itself -- its Device Serial Number -- never
 * selects a policy: a device reporting another device's serial must not get
 * that device's policy, nor replace it.  A serial in a policy only narrows
 * it: revalidation fails (reason "serial") when the device reports another.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "spdm_tsm.h"

/* Bound the memory userspace can make the kernel keep. */
#define SPDM_TSM_MAX_POLICIES	1024

static LIST_HEAD(spdm_tsm_policies);
static DEFINE_MUTEX(spdm_tsm_policy_lock);
static unsigned int spdm_tsm_npolicies;

static void spdm_tsm_policy_free(struct spdm_tsm_policy *p)
{
	kfree(p);
}

/* Under spdm_tsm_policy_lock. */
static struct spdm_tsm_policy *spdm_tsm_policy_lookup(const char *bdf)
{
	struct spdm_tsm_policy *p;

	lockdep_assert_held(&spdm_tsm_policy_lock);
	list_for_each_entry(p, &spdm_tsm_policies, node)
		if (!strcmp(p->bdf, bdf))
			return p;
	return NULL;
}

/**
 * spdm_tsm_policy_set() - add or replace a policy
 * @np: the new policy (ownership passes to the store on success)
 * @extack: why not
 *
 * A policy with the same BDF is replaced (and no other).
 *
 * Return: 0 or a negative errno.
 */
int spdm_tsm_policy_set(struct spdm_tsm_policy *np, struct netlink_ext_ack *extack)
{
	struct spdm_tsm_policy *p, *tmp;
	unsigned int replaced = 0;

	guard(mutex)(&spdm_tsm_policy_lock);
	list_for_each_entry_safe(p, tmp, &spdm_tsm_policies, node) {
		if (!strcmp(p->bdf, np->bdf)) {
			list_del(&p->node);
			spdm_tsm_policy_free(p);
			replaced++;
		}
	}
	spdm_tsm_npolicies -= replaced;
	if (spdm_tsm_npolicies >= SPDM_TSM_MAX_POLICIES) {
		NL_SET_ERR_MSG_FMT(extack, "too many policies (at most %u)", SPDM_TSM_MAX_POLICIES);
		return -ENOSPC;
	}
	list_add_tail(&np->node, &spdm_tsm_policies);
	spdm_tsm_npolicies++;
	return 0;
}

/**
 * spdm_tsm_policy_del() - delete the policy of @bdf
 * @bdf: PCI address the policy was set for
 *
 * Return: 0, or -ENOENT when there is none.
 */
int spdm_tsm_policy_del(const char *bdf)
{
	struct spdm_tsm_policy *p;

	guard(mutex)(&spdm_tsm_policy_lock);
	list_for_each_entry(p, &spdm_tsm_policies, node) {
		if (!strcmp(p->bdf, bdf)) {
			list_del(&p->node);
			spdm_tsm_policy_free(p);
			spdm_tsm_npolicies--;
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * spdm_tsm_policy_copy() - a private copy of the policy set for an address
 * @bdf: the device's PCI address
 *
 * The caller checks the policy's identity (cert_digest) and serial against
 * the device.
 *
 * Return: a copy to kfree(), NULL when there is none, or ERR_PTR(-ENOMEM).
 */
struct spdm_tsm_policy *spdm_tsm_policy_copy(const char *bdf)
{
	struct spdm_tsm_policy *p;

	guard(mutex)(&spdm_tsm_policy_lock);
	p = spdm_tsm_policy_lookup(bdf);
	if (!p)
		return NULL;
	p = kmemdup(p, struct_size(p, meas, p->n_meas), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&p->node);
	return p;
}

/**
 * spdm_tsm_policy_for_each() - call @fn on a copy of each policy, from @pos
 * @pos: in: index to start at; out: index of the first policy not passed
 * @fn: returns non-zero to stop (e.g. a full netlink message)
 * @arg: passed to @fn
 *
 * Return: what @fn returned last, or 0.
 */
int spdm_tsm_policy_for_each(unsigned long *pos,
			     int (*fn)(const struct spdm_tsm_policy *p, void *arg), void *arg)
{
	struct spdm_tsm_policy *p;
	unsigned long i = 0;
	int rc = 0;

	guard(mutex)(&spdm_tsm_policy_lock);
	list_for_each_entry(p, &spdm_tsm_policies, node) {
		if (i++ < *pos)
			continue;
		rc = fn(p, arg);
		if (rc)
			break;
		*pos = i;
	}
	return rc;
}

void spdm_tsm_policy_exit(void)
{
	struct spdm_tsm_policy *p, *tmp;

	guard(mutex)(&spdm_tsm_policy_lock);
	list_for_each_entry_safe(p, tmp, &spdm_tsm_policies, node) {
		list_del(&p->node);
		spdm_tsm_policy_free(p);
	}
	spdm_tsm_npolicies = 0;
}
