/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spdm_tsm: native PCIe CMA/SPDM authentication as a PCI/TSM link provider.
 * Internal interfaces between main.c, tsm.c and netlink.c.
 */
#ifndef _SPDM_TSM_H
#define _SPDM_TSM_H

#include <linux/pci.h>
#include <linux/pci-tsm.h>
#include <linux/tsm.h>

#include "compat.h"
#include "spdm/spdm_kernel.h"

#include <uapi/linux/spdm_tsm.h>

#include <linux/netlink.h>

/**
 * struct spdm_tsm_sess_summary - the secured session, as dev-get reports it
 * @wanted: connect asked for a session (kept until disconnect or session-end)
 * @active: a session is established
 * @encrypted: its records are encrypted (not only MACed)
 * @heartbeat_period: HeartbeatPeriod in seconds, 0 for none
 * @id: SessionID
 * @dhe: DHE group (one SPDM_DHE_* bit)
 * @aead: AEAD suite (one SPDM_AEAD_* bit)
 * @hash: the session's hash (one SPDM_HASH_* bit)
 * @established_ns: CLOCK_REALTIME of the establishment
 * @key_updates: KEY_UPDATEs completed in this session
 * @heartbeats: HEARTBEATs answered in this session
 * @establishments: sessions established since connect
 * @exchanges: DOE exchanges of the last establishment
 * @duration_us: its duration
 */
struct spdm_tsm_sess_summary {
	bool wanted;
	bool active;
	bool encrypted;
	u8 heartbeat_period;
	u32 id;
	u32 dhe;
	u32 aead;
	u32 hash;
	u64 established_ns;
	u32 key_updates;
	u32 heartbeats;
	u32 establishments;
	u32 exchanges;
	u64 duration_us;
};

/* What dev-get reports; copied under spdm_tsm_dev::slock. */
struct spdm_tsm_summary {
	enum spdm_tsm_state state;
	bool via_tsm;
	u8 version;
	u8 slot;
	u32 asym;
	u32 hash;
	u32 exchanges;
	u64 duration_us;
	size_t mem_used;
	u64 generation;
	char last_error[SPDM_ERRMSG_LEN];
	struct spdm_tsm_sess_summary sess;
};

/**
 * struct spdm_tsm_opstat - timing of a device's last operation (debugfs)
 * @op: SPDM_TSM_OP_CONNECT or SPDM_TSM_OP_REVALIDATE, 0 for none yet
 * @rc: its result
 * @start_ns: when it started (ktime_get_ns(), CLOCK_MONOTONIC)
 * @end_ns: when it ended
 * @exchanges: DOE exchanges it took
 * @mem_used: evidence bytes kept afterwards
 * @k: time in DOE exchanges, hashing and signature verification
 */
struct spdm_tsm_opstat {
	u8 op;
	int rc;
	u64 start_ns;
	u64 end_ns;
	u32 exchanges;
	size_t mem_used;
	struct spdm_kernel_stats k;
};

#define SPDM_TSM_OP_CONNECT	1
#define SPDM_TSM_OP_REVALIDATE	2

/**
 * struct spdm_tsm_ima_id - the identity named by a device's IMA records
 * @version: SPDM version of the last successful connect, 0 for none
 * @slot: its certificate slot
 * @asym: its signature algorithm (one SPDM_ASYM_* bit)
 * @hash: its hash algorithm (one SPDM_HASH_* bit)
 * @chain_len: bytes of @chain, 0 for none
 * @chain: the slot's chain digest verified at that connect
 * @dsn: the Device Serial Number read at that connect, 0 for none
 */
struct spdm_tsm_ima_id {
	u64 dsn;
	u8 version;
	u8 slot;
	u32 asym;
	u32 hash;
	u8 chain_len;
	u8 chain[SPDM_MAX_HASH];
};

/**
 * struct spdm_tsm_dev - authentication state of one PCI function
 * @kref: references: the registry list, and each user
 * @node: entry in the registry, a hash table keyed by @pdev (unhashed once
 *	the function is removed)
 * @pdev: the function (referenced)
 * @lock: one operation at a time: connect, disconnect, evidence, removal
 * @slock: protects @sum
 * @sum: summary for dev-get, readable while a handshake runs
 * @last_op: timing of the last connect or revalidation (under @slock)
 * @session: the authenticated SPDM session: cached key, chain, transcript
 * @ctl: what @session runs against (mailbox, per-operation deadline, abort
 *	flag); outlives it.  Removal aborts an operation in flight through it
 *	without waiting for @lock
 * @generation: bumped whenever the evidence changes; dumps racing a change
 *	fail with -EAGAIN
 * @via_tsm: connected through the PCI/TSM core (tsm/connect)
 * @removed: the function is being removed; refuse new operations
 * @cached_digest: the slot's chain digest verified at connect: the
 *	device's identity, which policies are bound to and revalidation
 *	expects; never updated from what the device claims later
 * @cached_digest_len: its length, 0 when not authenticated
 * @conn_meas: the signed measurement record taken by connect (the baseline
 *	of a meas-baseline policy), NULL when connect took none
 * @conn_meas_len: its length
 * @track: entry in the hash table of authenticated devices the recovery
 *	triggers look at, keyed by @pdev (under spdm_tsm_track_lock;
 *	unhashed when not tracked)
 * @action_running: a policy action (unbind) runs with @lock dropped; every
 *	state change but removal waits for it (spdm_tsm_dev_wait_action())
 * @action_wq: woken when @action_running clears
 * @trigger_work: recovery work queued by a trigger (reset, resume)
 * @trigger_reason: enum spdm_tsm_reason of the last trigger
 * @ima_id: the identity of the last successful connect, for IMA records
 *	(under @lock)
 * @want_session: connect asked for a secured session: revalidation
 *	re-establishes it after a loss (under @lock)
 * @hb_work: the session's heartbeat (and interval key update), on the
 *	module's workqueue; holds a reference while queued
 * @key_update_last: jiffies of the session's last key update (or of its
 *	establishment): session_key_update_s counts from it
 * @secure_exit_done: module unload ended this device's session
 */
struct spdm_tsm_dev {
	struct kref kref;
	struct hlist_node node;
	struct pci_dev *pdev;
	struct mutex lock;	/* see above: one operation at a time */
	spinlock_t slock;	/* protects @sum and @last_op */
	struct spdm_tsm_summary sum;
	struct spdm_tsm_opstat last_op;
	struct spdm_session *session;
	struct spdm_kernel_ctl ctl;
	u64 generation;
	bool via_tsm;
	bool removed;
	u8 cached_digest[SPDM_MAX_HASH];
	u8 cached_digest_len;
	u8 *conn_meas;
	size_t conn_meas_len;
	struct hlist_node track;
	bool action_running;
	wait_queue_head_t action_wq;
	struct work_struct trigger_work;
	int trigger_reason;
	struct spdm_tsm_ima_id ima_id;
	bool want_session;
	struct delayed_work hb_work;
	unsigned long key_update_last;
	bool secure_exit_done;
};

struct spdm_tsm_connect_args {
	u8 slot;
	bool has_nonce;
	bool measurements;
	bool session;
	bool via_tsm;
	u8 nonce[SPDM_NONCE_LEN];
};

/* Per-device operations (dev.c), for recovery.c and netlink.c. */
bool spdm_tsm_dev_guest_owned(struct spdm_tsm_dev *d);
void spdm_tsm_dev_begin_op(struct spdm_tsm_dev *d);
void spdm_tsm_dev_begin_op_max(struct spdm_tsm_dev *d, unsigned int max_ms);
void spdm_tsm_dev_wait_action(struct spdm_tsm_dev *d);
void spdm_tsm_dev_op_begin(struct spdm_tsm_dev *d, u8 op);
void spdm_tsm_dev_op_end(struct spdm_tsm_dev *d, int rc, u32 exchanges, size_t mem_used);
size_t spdm_tsm_dev_mem(struct spdm_tsm_dev *d);
enum spdm_tsm_reason spdm_tsm_reason_of(enum spdm_failure f);

/* One expected measurement of a policy. */
struct spdm_tsm_meas_rule {
	u8 index;
	u8 len;
	bool is_volatile;
	u8 digest[SPDM_MAX_HASH];
};

/**
 * struct spdm_tsm_policy - what to expect of a device on revalidation
 * @node: entry in the policy store's list (the order they were set)
 * @hnode: entry in the policy store's index by @bdf
 * @bdf: PCI address the policy was set for: the only lookup key
 * @serial: Device Serial Number the device must also report, 0 for none
 *	(it narrows a match, never selects a policy)
 * @slot: certificate slot
 * @cert_digest_len: 0 when the policy is bound to no identity (set for an
 *	address with no connected device and no digest given)
 * @cert_digest: the identity the policy is bound to: the chain digest the
 *	device connected at @bdf must have been verified with at connect
 * @action: enum spdm_tsm_action
 * @mode: enum spdm_tsm_revalidate_mode
 * @meas_baseline: the blocks must be exactly those seen at connect
 * @n_meas: number of @meas
 * @meas: expected measurements, by index
 */
struct spdm_tsm_policy {
	struct list_head node;
	struct hlist_node hnode;
	char bdf[16];
	u64 serial;
	u8 slot;
	u8 cert_digest_len;
	u8 cert_digest[SPDM_MAX_HASH];
	u32 action;
	u32 mode;
	bool meas_baseline;
	unsigned int n_meas;
	struct spdm_tsm_meas_rule meas[] __counted_by(n_meas);
};

/* policy.c */
int spdm_tsm_policy_set(struct spdm_tsm_policy *np, struct netlink_ext_ack *extack);
int spdm_tsm_policy_del(const char *bdf);
struct spdm_tsm_policy *spdm_tsm_policy_copy(const char *bdf);
int spdm_tsm_policy_for_each(unsigned long *pos,
			     int (*fn)(const struct spdm_tsm_policy *p, void *arg), void *arg);
void spdm_tsm_policy_exit(void);

/* recovery.c */
int spdm_tsm_recovery_init(void);
void spdm_tsm_recovery_exit(void);
void spdm_tsm_track(struct spdm_tsm_dev *d);
void spdm_tsm_untrack(struct spdm_tsm_dev *d);
void spdm_tsm_trigger_work(struct work_struct *work);
void spdm_tsm_check_missed(void);
int spdm_tsm_revalidate(struct spdm_tsm_dev *d, enum spdm_tsm_reason trigger,
			struct netlink_ext_ack *extack);
void spdm_tsm_trigger_dev(struct spdm_tsm_dev *d, enum spdm_tsm_reason reason);
extern struct workqueue_struct *spdm_tsm_wq;

/* secured.c: the secured session of a device (KEY_EXCHANGE, heartbeat) */
extern bool spdm_tsm_session_default;
void spdm_tsm_hb_work(struct work_struct *work);
int spdm_tsm_secure_start(struct spdm_tsm_dev *d, char *err, size_t errlen,
			  enum spdm_tsm_reason *why);
void spdm_tsm_secure_sync(struct spdm_tsm_dev *d);
void spdm_tsm_secure_disarm(struct spdm_tsm_dev *d);
int spdm_tsm_secure_end(struct spdm_tsm_dev *d, struct netlink_ext_ack *extack);
int spdm_tsm_secure_key_update(struct spdm_tsm_dev *d, bool all,
			       struct netlink_ext_ack *extack);
void spdm_tsm_secure_exit(void);

/*
 * netlink.c: announce an event on the "events" group and as a uevent.
 * spdm_tsm_notify() is called with d->lock held, in the same critical
 * section as the state change it announces, so listeners see events in the
 * order the state changed.
 */
void spdm_tsm_notify(struct spdm_tsm_dev *d, enum spdm_tsm_event event,
		     enum spdm_tsm_reason reason);
void spdm_tsm_notify_added(struct pci_dev *pdev);

/* dev.c */
struct spdm_tsm_dev *spdm_tsm_dev_find(struct pci_dev *pdev, bool create);
void spdm_tsm_dev_put(struct spdm_tsm_dev *d);
void spdm_tsm_dev_summary(struct spdm_tsm_dev *d, struct spdm_tsm_summary *out);
int spdm_tsm_dev_connect(struct spdm_tsm_dev *d, const struct spdm_tsm_connect_args *args,
			 struct netlink_ext_ack *extack);
void spdm_tsm_dev_disconnect(struct spdm_tsm_dev *d);
int spdm_tsm_dev_init(void);
void spdm_tsm_dev_exit(void);
int spdm_tsm_dev_for_each(int (*fn)(struct spdm_tsm_dev *d, void *arg), void *arg);
extern unsigned int spdm_tsm_max_evidence_bytes;

/* debugfs.c: timing counters and the DOE round-trip floor, for make bench */
void spdm_tsm_debugfs_init(void);
void spdm_tsm_debugfs_exit(void);

DEFINE_FREE(spdm_tsm_dev_put, struct spdm_tsm_dev *, spdm_tsm_dev_put(_T))

/* ima.c: authentication results as IMA critical data (label spdm-tsm) */
void spdm_tsm_ima_connected(struct spdm_tsm_dev *d);
void spdm_tsm_ima_forget(struct spdm_tsm_dev *d);
void spdm_tsm_ima_record(struct spdm_tsm_dev *d, const char *event, const char *reason);

/* main.c */
extern struct tsm_dev *spdm_tsm_tsm_dev;

/* tsm.c */
extern struct pci_tsm_ops spdm_tsm_pci_ops;
bool spdm_tsm_has_cma(struct pci_dev *pdev);

/* netlink.c */
const char *spdm_tsm_event_name(enum spdm_tsm_event event);
const char *spdm_tsm_reason_name(enum spdm_tsm_reason reason);
int spdm_tsm_netlink_init(void);
void spdm_tsm_netlink_exit(void);

/*
 * selftest.c: test-only faults for the debug-kernel lane, built only with
 * CONFIG_SPDM_TSM_SELFTEST=y (make SPDM_TSM_SELFTEST=1); never by make,
 * DKMS or make install.
 */
#ifdef CONFIG_SPDM_TSM_SELFTEST
void spdm_tsm_selftest_init(void);
void spdm_tsm_selftest_exit(void);
void spdm_tsm_selftest_missed(unsigned int n);	/* recovery.c */
#else
static inline void spdm_tsm_selftest_init(void) { }
static inline void spdm_tsm_selftest_exit(void) { }
#endif

#endif /* _SPDM_TSM_H */
