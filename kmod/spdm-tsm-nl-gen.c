// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	kmod/spdm-tsm.yaml */
/* YNL-GEN kernel source */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "spdm-tsm-nl-gen.h"

#include <uapi/linux/spdm_tsm.h>

/* Common nested types */
const struct nla_policy spdm_tsm_meas_rule_nl_policy[SPDM_TSM_A_MEAS_RULE_VOLATILE + 1] = {
	[SPDM_TSM_A_MEAS_RULE_INDEX] = NLA_POLICY_RANGE(NLA_U8, 1, 254),
	[SPDM_TSM_A_MEAS_RULE_DIGEST] = NLA_POLICY_MAX_LEN(64),
	[SPDM_TSM_A_MEAS_RULE_VOLATILE] = { .type = NLA_FLAG, },
};

/* SPDM_TSM_CMD_DEV_GET - do */
static const struct nla_policy spdm_tsm_dev_get_nl_policy[SPDM_TSM_A_DEV_BDF + 1] = {
	[SPDM_TSM_A_DEV_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* SPDM_TSM_CMD_CONNECT - do */
static const struct nla_policy spdm_tsm_connect_nl_policy[SPDM_TSM_A_DEV_SESSION + 1] = {
	[SPDM_TSM_A_DEV_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
	[SPDM_TSM_A_DEV_SLOT] = NLA_POLICY_MAX(NLA_U8, 7),
	[SPDM_TSM_A_DEV_NONCE] = NLA_POLICY_EXACT_LEN(32),
	[SPDM_TSM_A_DEV_MEASUREMENTS] = { .type = NLA_FLAG, },
	[SPDM_TSM_A_DEV_SESSION] = { .type = NLA_FLAG, },
};

/* SPDM_TSM_CMD_DISCONNECT - do */
static const struct nla_policy spdm_tsm_disconnect_nl_policy[SPDM_TSM_A_DEV_BDF + 1] = {
	[SPDM_TSM_A_DEV_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* SPDM_TSM_CMD_EVIDENCE_GET - dump */
static const struct nla_policy spdm_tsm_evidence_get_nl_policy[SPDM_TSM_A_EVIDENCE_OBJECTS + 1] = {
	[SPDM_TSM_A_EVIDENCE_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
	[SPDM_TSM_A_EVIDENCE_OBJECTS] = NLA_POLICY_MASK(NLA_U32, 0x3e),
};

/* SPDM_TSM_CMD_POLICY_SET - do */
static const struct nla_policy spdm_tsm_policy_set_nl_policy[SPDM_TSM_A_POLICY_MEAS_BASELINE + 1] = {
	[SPDM_TSM_A_POLICY_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
	[SPDM_TSM_A_POLICY_SERIAL] = { .type = NLA_U64, },
	[SPDM_TSM_A_POLICY_SLOT] = NLA_POLICY_MAX(NLA_U8, 7),
	[SPDM_TSM_A_POLICY_CERT_DIGEST] = NLA_POLICY_MAX_LEN(64),
	[SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT] = { .type = NLA_FLAG, },
	[SPDM_TSM_A_POLICY_MEAS_BASELINE] = { .type = NLA_FLAG, },
	[SPDM_TSM_A_POLICY_MEAS_RULE] = NLA_POLICY_NESTED(spdm_tsm_meas_rule_nl_policy),
	[SPDM_TSM_A_POLICY_ACTION] = NLA_POLICY_MAX(NLA_U32, 2),
	[SPDM_TSM_A_POLICY_REVALIDATE_MODE] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* SPDM_TSM_CMD_POLICY_GET - do */
static const struct nla_policy spdm_tsm_policy_get_nl_policy[SPDM_TSM_A_POLICY_BDF + 1] = {
	[SPDM_TSM_A_POLICY_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* SPDM_TSM_CMD_POLICY_DEL - do */
static const struct nla_policy spdm_tsm_policy_del_nl_policy[SPDM_TSM_A_POLICY_BDF + 1] = {
	[SPDM_TSM_A_POLICY_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* SPDM_TSM_CMD_REVALIDATE - do */
static const struct nla_policy spdm_tsm_revalidate_nl_policy[SPDM_TSM_A_DEV_BDF + 1] = {
	[SPDM_TSM_A_DEV_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* SPDM_TSM_CMD_SESSION_KEY_UPDATE - do */
static const struct nla_policy spdm_tsm_session_key_update_nl_policy[SPDM_TSM_A_DEV_ALL_KEYS + 1] = {
	[SPDM_TSM_A_DEV_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
	[SPDM_TSM_A_DEV_ALL_KEYS] = { .type = NLA_FLAG, },
};

/* SPDM_TSM_CMD_SESSION_END - do */
static const struct nla_policy spdm_tsm_session_end_nl_policy[SPDM_TSM_A_DEV_BDF + 1] = {
	[SPDM_TSM_A_DEV_BDF] = { .type = NLA_NUL_STRING, .len = 31, },
};

/* Ops table for spdm_tsm */
static const struct genl_split_ops spdm_tsm_nl_ops[] = {
	{
		.cmd		= SPDM_TSM_CMD_DEV_GET,
		.doit		= spdm_tsm_nl_dev_get_doit,
		.policy		= spdm_tsm_dev_get_nl_policy,
		.maxattr	= SPDM_TSM_A_DEV_BDF,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SPDM_TSM_CMD_DEV_GET,
		.dumpit	= spdm_tsm_nl_dev_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SPDM_TSM_CMD_CONNECT,
		.pre_doit	= spdm_tsm_nl_sys_admin,
		.doit		= spdm_tsm_nl_connect_doit,
		.policy		= spdm_tsm_connect_nl_policy,
		.maxattr	= SPDM_TSM_A_DEV_SESSION,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_TSM_CMD_DISCONNECT,
		.pre_doit	= spdm_tsm_nl_sys_admin,
		.doit		= spdm_tsm_nl_disconnect_doit,
		.policy		= spdm_tsm_disconnect_nl_policy,
		.maxattr	= SPDM_TSM_A_DEV_BDF,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_TSM_CMD_EVIDENCE_GET,
		.start		= spdm_tsm_nl_evidence_get_start,
		.dumpit		= spdm_tsm_nl_evidence_get_dumpit,
		.done		= spdm_tsm_nl_evidence_get_done,
		.policy		= spdm_tsm_evidence_get_nl_policy,
		.maxattr	= SPDM_TSM_A_EVIDENCE_OBJECTS,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SPDM_TSM_CMD_POLICY_SET,
		.pre_doit	= spdm_tsm_nl_sys_admin,
		.doit		= spdm_tsm_nl_policy_set_doit,
		.policy		= spdm_tsm_policy_set_nl_policy,
		.maxattr	= SPDM_TSM_A_POLICY_MEAS_BASELINE,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_TSM_CMD_POLICY_GET,
		.doit		= spdm_tsm_nl_policy_get_doit,
		.policy		= spdm_tsm_policy_get_nl_policy,
		.maxattr	= SPDM_TSM_A_POLICY_BDF,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SPDM_TSM_CMD_POLICY_GET,
		.start	= spdm_tsm_nl_policy_get_start,
		.dumpit	= spdm_tsm_nl_policy_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SPDM_TSM_CMD_POLICY_DEL,
		.pre_doit	= spdm_tsm_nl_sys_admin,
		.doit		= spdm_tsm_nl_policy_del_doit,
		.policy		= spdm_tsm_policy_del_nl_policy,
		.maxattr	= SPDM_TSM_A_POLICY_BDF,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_TSM_CMD_REVALIDATE,
		.pre_doit	= spdm_tsm_nl_sys_admin,
		.doit		= spdm_tsm_nl_revalidate_doit,
		.policy		= spdm_tsm_revalidate_nl_policy,
		.maxattr	= SPDM_TSM_A_DEV_BDF,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_TSM_CMD_SESSION_KEY_UPDATE,
		.pre_doit	= spdm_tsm_nl_sys_admin,
		.doit		= spdm_tsm_nl_session_key_update_doit,
		.policy		= spdm_tsm_session_key_update_nl_policy,
		.maxattr	= SPDM_TSM_A_DEV_ALL_KEYS,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SPDM_TSM_CMD_SESSION_END,
		.pre_doit	= spdm_tsm_nl_sys_admin,
		.doit		= spdm_tsm_nl_session_end_doit,
		.policy		= spdm_tsm_session_end_nl_policy,
		.maxattr	= SPDM_TSM_A_DEV_BDF,
		.flags		= GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group spdm_tsm_nl_mcgrps[] = {
	[SPDM_TSM_NLGRP_EVENTS] = { "events", },
};

struct genl_family spdm_tsm_nl_family __ro_after_init = {
	.name		= SPDM_TSM_FAMILY_NAME,
	.version	= SPDM_TSM_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= spdm_tsm_nl_ops,
	.n_split_ops	= ARRAY_SIZE(spdm_tsm_nl_ops),
	.mcgrps		= spdm_tsm_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(spdm_tsm_nl_mcgrps),
};
