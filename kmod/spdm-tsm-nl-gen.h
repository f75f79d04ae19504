/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	kmod/spdm-tsm.yaml */
/* YNL-GEN kernel header */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#ifndef _LINUX_SPDM_TSM_GEN_H
#define _LINUX_SPDM_TSM_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/spdm_tsm.h>

/* Common nested types */
extern const struct nla_policy spdm_tsm_meas_rule_nl_policy[SPDM_TSM_A_MEAS_RULE_VOLATILE + 1];

int spdm_tsm_nl_sys_admin(const struct genl_split_ops *ops,
			  struct sk_buff *skb, struct genl_info *info);
int spdm_tsm_nl_evidence_get_start(struct netlink_callback *cb);
int spdm_tsm_nl_policy_get_start(struct netlink_callback *cb);
int spdm_tsm_nl_evidence_get_done(struct netlink_callback *cb);

int spdm_tsm_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_tsm_nl_dev_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int spdm_tsm_nl_connect_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_tsm_nl_disconnect_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_tsm_nl_evidence_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);
int spdm_tsm_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_tsm_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_tsm_nl_policy_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int spdm_tsm_nl_policy_del_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_tsm_nl_revalidate_doit(struct sk_buff *skb, struct genl_info *info);
int spdm_tsm_nl_session_key_update_doit(struct sk_buff *skb,
					struct genl_info *info);
int spdm_tsm_nl_session_end_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	SPDM_TSM_NLGRP_EVENTS,
};

extern struct genl_family spdm_tsm_nl_family;

#endif /* _LINUX_SPDM_TSM_GEN_H */
