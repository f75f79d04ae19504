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

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/stringhash.h>

#include "spdm_tsm.h"

/* Bound the memory userspace can make the kernel keep. */
#define SPDM_TSM_MAX_POLICIES	1024

/*
 * The policies in the order they were set (for dumps), indexed by address:
 * a revalidation's lookup costs the same with 1 policy or 1024.
 */
static LIST_HEAD(spdm_tsm_policies);
static DEFINE_HASHTABLE(spdm_tsm_policy_hash, 6);
static DEFINE_MUTEX(spdm_tsm_policy_lock);
static unsigned int spdm_tsm_npolicies;

static u32 spdm_tsm_policy_key(const char *bdf)
{
	return full_name_hash(NULL, bdf, strnlen(bdf, sizeof_field(struct spdm_tsm_policy, bdf)));
}

/* Under spdm_tsm_policy_lock: unlink and free. */
static void spdm_tsm_policy_free(struct spdm_tsm_policy *p)
{
	list_del(&p->node);
	hash_del(&p->hnode);
	kfree(p);
}

/* Under spdm_tsm_policy_lock. */
static struct spdm_tsm_policy *spdm_tsm_policy_lookup(const char *bdf)
{
	struct spdm_tsm_policy *p;

	lockdep_assert_held(&spdm_tsm_policy_lock);
	hash_for_each_possible(spdm_tsm_policy_hash, p, hnode, spdm_tsm_policy_key(bdf))
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
	struct spdm_tsm_policy *p;

	guard(mutex)(&spdm_tsm_policy_lock);
	p = spdm_tsm_policy_lookup(np->bdf);	/* at most one per address */
	if (p) {
		spdm_tsm_policy_free(p);
		spdm_tsm_npolicies--;
	}
	if (spdm_tsm_npolicies >= SPDM_TSM_MAX_POLICIES) {
		NL_SET_ERR_MSG_FMT(extack, "too many policies (at most %u)", SPDM_TSM_MAX_POLICIES);
		return -ENOSPC;
	}
	list_add_tail(&np->node, &spdm_tsm_policies);
	hash_add(spdm_tsm_policy_hash, &np->hnode, spdm_tsm_policy_key(np->bdf));
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
	p = spdm_tsm_policy_lookup(bdf);
	if (!p)
		return -ENOENT;
	spdm_tsm_policy_free(p);
	spdm_tsm_npolicies--;
	return 0;
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
	INIT_HLIST_NODE(&p->hnode);
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
	list_for_each_entry_safe(p, tmp, &spdm_tsm_policies, node)
		spdm_tsm_policy_free(p);
	spdm_tsm_npolicies = 0;
}
