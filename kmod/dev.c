// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device authentication state: one struct spdm_tsm_dev per PCI function
 * that was ever connected, whether through the PCI/TSM core's tsm/connect
 * (a Device Security Manager) or the netlink connect command (a function
 * with a CMA mailbox but neither IDE nor TEE-IO).
 *
 * Locking: spdm_tsm_devs_lock protects the registry, a hash table keyed by
 * the pci_dev (lookups cost the same with 1 device or 256).  dev->lock serialises every
 * operation on one device (connect, disconnect, evidence, removal); it nests
 * inside the PCI/TSM core's pci_tsm_rwsem and pci_tsm_pf0::lock when called
 * from the link ops, and nothing is taken inside it but dev->slock, which
 * guards the summary that dev-get reports without waiting for a handshake.
 */
#define dev_fmt(fmt) "spdm_tsm: " fmt

#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/slab.h>

#include "spdm_tsm.h"

#include <linux/pci-doe.h>

unsigned int spdm_tsm_max_evidence_bytes = 1024 * 1024;
module_param_named(max_evidence_bytes, spdm_tsm_max_evidence_bytes, uint, 0644);
MODULE_PARM_DESC(max_evidence_bytes,
		 "Memory kept per device for chains, transcripts and measurements (default 1 MiB)");

static unsigned int op_timeout_ms = 10000;
module_param(op_timeout_ms, uint, 0644);
MODULE_PARM_DESC(op_timeout_ms,
		 "Deadline of one operation on a device (connect with its measurements, a revalidation), retries and delays included; 0: none (default 10000)");

static unsigned int max_response = 65536 + 64;
module_param(max_response, uint, 0644);
MODULE_PARM_DESC(max_response,
		 "Largest SPDM response accepted and advertised as DataTransferSize (default 65600)");

static DEFINE_HASHTABLE(spdm_tsm_devs, 6);
static DEFINE_MUTEX(spdm_tsm_devs_lock);

static void spdm_tsm_dev_release(struct kref *kref)
{
	struct spdm_tsm_dev *d = container_of(kref, struct spdm_tsm_dev, kref);

	spdm_tsm_untrack(d);
	kfree(d->conn_meas);
	spdm_session_free(d->session);
	pci_dev_put(d->pdev);
	mutex_destroy(&d->lock);
	kfree(d);
}

/* Drop a reference; NULL and ERR_PTR values are ignored (for __free()). */
void spdm_tsm_dev_put(struct spdm_tsm_dev *d)
{
	if (!IS_ERR_OR_NULL(d))
		kref_put(&d->kref, spdm_tsm_dev_release);
}

/**
 * spdm_tsm_dev_find() - look up (and optionally create) the state of @pdev
 * @pdev: the PCI function
 * @create: allocate the state when the function has none yet
 *
 * Return: a referenced state (drop it with spdm_tsm_dev_put()), NULL when
 * there is none and @create is false, or an ERR_PTR.
 */
struct spdm_tsm_dev *spdm_tsm_dev_find(struct pci_dev *pdev, bool create)
{
	struct spdm_tsm_dev *d;

	guard(mutex)(&spdm_tsm_devs_lock);
	hash_for_each_possible(spdm_tsm_devs, d, node, (unsigned long)pdev) {
		if (d->pdev == pdev) {
			kref_get(&d->kref);
			return d;
		}
	}
	if (!create)
		return NULL;
	/*
	 * Removal clears the PCI core's "added" bit before the TSM teardown
	 * and before BUS_NOTIFY_DEL_DEVICE, whose handler looks the device up
	 * under spdm_tsm_devs_lock.  Checking the bit under that lock means
	 * either the removal handler finds (and retires) the entry created
	 * here, or no entry is created: never a fresh, not-removed entry for
	 * a function whose DOE mailbox is about to be destroyed.
	 */
	if (!spdm_tsm_pci_dev_added(pdev))
		return ERR_PTR(-ENODEV);

	d = kzalloc_obj(*d, GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	kref_init(&d->kref);
	mutex_init(&d->lock);
	spin_lock_init(&d->slock);
	d->pdev = pci_dev_get(pdev);
	spdm_kernel_ctl_init(&d->ctl, pdev, NULL);
	d->sum.state = SPDM_TSM_STATE_NONE;
	INIT_HLIST_NODE(&d->track);
	init_waitqueue_head(&d->action_wq);
	INIT_WORK(&d->trigger_work, spdm_tsm_trigger_work);
	INIT_DELAYED_WORK(&d->hb_work, spdm_tsm_hb_work);
	hash_add(spdm_tsm_devs, &d->node, (unsigned long)pdev);
	kref_get(&d->kref);	/* the registry's reference and the caller's */
	return d;
}

/* Copy the summary for reporting; never waits for a running handshake. */
void spdm_tsm_dev_summary(struct spdm_tsm_dev *d, struct spdm_tsm_summary *out)
{
	guard(spinlock)(&d->slock);
	*out = d->sum;
}

static void spdm_tsm_set_state(struct spdm_tsm_dev *d, enum spdm_tsm_state state)
{
	guard(spinlock)(&d->slock);
	d->sum.state = state;
}

/*
 * Whether the function belongs to a guest (bound to a vfio driver): the
 * host does not challenge it behind the guest's back.
 */
bool spdm_tsm_dev_guest_owned(struct spdm_tsm_dev *d)
{
	struct device_driver *drv = READ_ONCE(d->pdev->dev.driver);

	return drv && drv->name && strstr(drv->name, "vfio");
}

/**
 * spdm_tsm_dev_wait_action() - wait for a running policy action
 * @d: the device, with @d->lock held (dropped and retaken while waiting)
 *
 * The unbind action calls into the driver core, which takes the PCI bus
 * notifier's rwsem; the removal notifier holds that rwsem and takes
 * @d->lock, so the action runs with @d->lock dropped.  Every path that
 * changes the device's state and announces it -- connect, disconnect,
 * revalidation -- calls this after taking @d->lock, so no event can come
 * between a verdict and its action.  Removal does not wait (it must not:
 * the action may be waiting for the notifier rwsem removal holds).
 */
void spdm_tsm_dev_wait_action(struct spdm_tsm_dev *d)
{
	lockdep_assert_held(&d->lock);
	while (d->action_running) {
		mutex_unlock(&d->lock);
		wait_event(d->action_wq, !READ_ONCE(d->action_running));
		mutex_lock(&d->lock);
	}
}

/**
 * spdm_tsm_dev_begin_op() - start the deadline of one operation
 * @d: the device, with @d->lock held
 *
 * Connect (with its measurements) and each revalidation get op_timeout_ms,
 * Busy/ResponseNotReady retries and their delays included.
 */
void spdm_tsm_dev_begin_op(struct spdm_tsm_dev *d)
{
	lockdep_assert_held(&d->lock);
	spdm_kernel_set_deadline(&d->ctl, READ_ONCE(op_timeout_ms));
}

/**
 * spdm_tsm_dev_begin_op_max() - start a deadline of at most @max_ms
 * @d: the device, with @d->lock held
 * @max_ms: the bound (0: op_timeout_ms alone); op_timeout_ms still caps it
 */
void spdm_tsm_dev_begin_op_max(struct spdm_tsm_dev *d, unsigned int max_ms)
{
	unsigned int ms = READ_ONCE(op_timeout_ms);

	lockdep_assert_held(&d->lock);
	if (max_ms && (!ms || max_ms < ms))
		ms = max_ms;
	spdm_kernel_set_deadline(&d->ctl, ms);
}

/**
 * spdm_tsm_dev_op_begin() - start timing an operation (debugfs "stats")
 * @d: the device, with @d->lock held
 * @op: SPDM_TSM_OP_CONNECT or SPDM_TSM_OP_REVALIDATE
 */
void spdm_tsm_dev_op_begin(struct spdm_tsm_dev *d, u8 op)
{
	lockdep_assert_held(&d->lock);
	d->ctl.stats = (struct spdm_kernel_stats){};
	guard(spinlock)(&d->slock);
	d->last_op = (struct spdm_tsm_opstat){ .op = op, .start_ns = ktime_get_ns() };
}

/**
 * spdm_tsm_dev_op_end() - record the end of the operation being timed
 * @d: the device, with @d->lock held
 * @rc: its result
 * @exchanges: DOE exchanges it took
 * @mem_used: evidence bytes kept afterwards
 */
void spdm_tsm_dev_op_end(struct spdm_tsm_dev *d, int rc, u32 exchanges, size_t mem_used)
{
	lockdep_assert_held(&d->lock);
	guard(spinlock)(&d->slock);
	d->last_op.end_ns = ktime_get_ns();
	d->last_op.rc = rc;
	d->last_op.exchanges = exchanges;
	d->last_op.mem_used = mem_used;
	d->last_op.k = d->ctl.stats;
}

/**
 * spdm_tsm_reason_of() - the reason userspace is told for a failure class
 * @f: spdm_last_failure() of the session
 *
 * Return: the reason; SPDM_TSM_REASON_NONE for the failures that are no
 * verdict on the device (the host out of memory, an operation aborted by
 * removal).  Anything unclassified is the device's fault.
 */
enum spdm_tsm_reason spdm_tsm_reason_of(enum spdm_failure f)
{
	switch (f) {
	case SPDM_FAIL_SIGNATURE:
		return SPDM_TSM_REASON_SIGNATURE;
	case SPDM_FAIL_CERT_DIGEST:
		return SPDM_TSM_REASON_CERT_DIGEST;
	case SPDM_FAIL_DOWNGRADE:
		return SPDM_TSM_REASON_DOWNGRADE;
	case SPDM_FAIL_BUDGET:
		return SPDM_TSM_REASON_BUDGET;
	case SPDM_FAIL_DEADLINE:
		return SPDM_TSM_REASON_DEADLINE;
	case SPDM_FAIL_TIMEOUT:
		return SPDM_TSM_REASON_TIMEOUT;
	case SPDM_FAIL_SESSION:
		return SPDM_TSM_REASON_SESSION;
	case SPDM_FAIL_NOMEM:
	case SPDM_FAIL_ABORTED:
		return SPDM_TSM_REASON_NONE;
	default:
		return SPDM_TSM_REASON_DEVICE_ERROR;
	}
}

/**
 * spdm_tsm_dev_mem() - the bytes an authenticated device keeps
 * @d: the device, with @d->lock held
 *
 * The session (its struct and its one store: transcripts, chain,
 * signatures) and the connect's measurement baseline.
 *
 * Return: the byte count, 0 without a session.
 */
size_t spdm_tsm_dev_mem(struct spdm_tsm_dev *d)
{
	if (!d->session)
		return 0;
	return spdm_mem_used(d->session) + d->conn_meas_len;
}

static void spdm_tsm_drop_session(struct spdm_tsm_dev *d)
{
	lockdep_assert_held(&d->lock);
	spdm_tsm_untrack(d);
	spdm_tsm_secure_disarm(d);
	d->cached_digest_len = 0;
	kfree(d->conn_meas);
	d->conn_meas = NULL;
	d->conn_meas_len = 0;
	spdm_session_free(d->session);
	d->session = NULL;
	d->generation++;
	scoped_guard(spinlock, &d->slock) {
		d->sum.mem_used = 0;
		d->sum.version = 0;
		d->sum.asym = 0;
		d->sum.hash = 0;
		d->sum.generation = d->generation;
		d->sum.sess = (struct spdm_tsm_sess_summary){};
	}
}

/**
 * spdm_tsm_dev_connect() - authenticate the device: the SPDM handshake
 * @d: the device, with @d->lock held
 * @args: slot, optional nonce, whether to take signed measurements
 * @extack: receives the failing step and reason (truncated to 79 bytes; the
 *	whole message stays in the summary's last_error)
 *
 * Runs VERSION, CAPABILITIES, ALGORITHMS, DIGESTS, CERTIFICATE and CHALLENGE
 * over the function's CMA mailbox and verifies CHALLENGE_AUTH with the leaf
 * certificate's key; with @args->session, then KEY_EXCHANGE and FINISH
 * (a secured session kept alive by the heartbeat; measurements are taken
 * inside it).  On success the session (the cached key, the chain, the
 * transcript and the signature) is kept as evidence until disconnect.  The
 * certificate chain is not judged here: userspace does that.
 *
 * Return: 0 or a negative errno.
 */
int spdm_tsm_dev_connect(struct spdm_tsm_dev *d, const struct spdm_tsm_connect_args *args,
			 struct netlink_ext_ack *extack)
{
	struct pci_dev *pdev = d->pdev;
	struct spdm_session *s = NULL;
	struct pci_doe_mb *mb;
	struct spdm_evidence ev;
	enum spdm_tsm_reason why;
	char serr[SPDM_ERRMSG_LEN];
	const char *err = NULL;
	ktime_t t0;
	int rc;

	lockdep_assert_held(&d->lock);
	spdm_tsm_dev_wait_action(d);
	if (d->removed)
		return -ENODEV;

	mb = pci_find_doe_mailbox(pdev, PCI_VENDOR_ID_PCI_SIG, PCI_DOE_FEATURE_CMA);
	if (!mb) {
		NL_SET_ERR_MSG(extack, "device has no CMA DOE mailbox");
		return -ENODEV;
	}

	spdm_tsm_drop_session(d);
	spdm_tsm_set_state(d, SPDM_TSM_STATE_CONNECTING);

	d->ctl.mb = mb;
	if (args->session) {
		struct spdm_params tmpl = {
			.max_resp = max_response,
			.mem_budget = spdm_tsm_max_evidence_bytes,
			.secure = true,
		};

		rc = spdm_kernel_session_create_ex(&d->ctl, &tmpl, &s);
	} else {
		rc = spdm_kernel_session_create(&d->ctl, max_response,
						spdm_tsm_max_evidence_bytes, &s);
	}
	if (rc) {
		err = "cannot create an SPDM session";
		goto fail;
	}

	t0 = ktime_get();
	spdm_tsm_dev_begin_op(d);
	spdm_tsm_dev_op_begin(d, SPDM_TSM_OP_CONNECT);
	rc = spdm_authenticate(s, args->slot, args->has_nonce ? args->nonce : NULL);
	if (!rc && args->session) {
		/* the secured session's functions work on d->session */
		d->session = s;
		d->want_session = true;
		rc = spdm_tsm_secure_start(d, serr, sizeof(serr), &why);
		d->session = NULL;
	}
	if (!rc && args->measurements)
		rc = spdm_get_measurements(s, NULL);
	if (rc)
		err = spdm_last_error(s);

	scoped_guard(spinlock, &d->slock) {
		d->sum.exchanges = spdm_exchange_count(s);
		d->sum.duration_us = ktime_us_delta(ktime_get(), t0);
	}
	if (rc)
		goto fail;

	spdm_get_evidence(s, &ev);
	if (ev.meas_blocks.len) {
		/* the baseline of meas-baseline policies */
		d->conn_meas = kmemdup(ev.meas_blocks.data, ev.meas_blocks.len, GFP_KERNEL);
		if (!d->conn_meas) {
			rc = -ENOMEM;
			err = "out of memory keeping the measurements";
			goto fail;
		}
		d->conn_meas_len = ev.meas_blocks.len;
	}
	d->session = s;
	spdm_tsm_dev_op_end(d, 0, spdm_exchange_count(s), spdm_tsm_dev_mem(d));
	d->cached_digest_len = ev.hash_len;
	memcpy(d->cached_digest, ev.digests[ev.slot], ev.hash_len);
	spdm_tsm_track(d);
	d->via_tsm = args->via_tsm;
	d->generation++;
	scoped_guard(spinlock, &d->slock) {
		d->sum.state = SPDM_TSM_STATE_AUTHENTICATED;
		d->sum.via_tsm = args->via_tsm;
		d->sum.version = ev.version;
		d->sum.asym = ev.asym;
		d->sum.hash = ev.hash;
		d->sum.slot = ev.slot;
		d->sum.mem_used = spdm_tsm_dev_mem(d);
		d->sum.generation = d->generation;
		d->sum.last_error[0] = '\0';
	}
	spdm_tsm_secure_sync(d);
	pci_info(pdev, "authenticated: SPDM %u.%u, slot %u, %u DOE exchanges in %llu us\n",
		 ev.version >> 4, ev.version & 0xf, ev.slot, d->sum.exchanges,
		 d->sum.duration_us);
	spdm_tsm_notify(d, SPDM_TSM_EVENT_CONNECTED, SPDM_TSM_REASON_NONE);
	return 0;

fail:
	d->want_session = false;
	spdm_tsm_secure_disarm(d);
	scoped_guard(spinlock, &d->slock)
		d->sum.sess = (struct spdm_tsm_sess_summary){};
	if (s)
		spdm_tsm_dev_op_end(d, rc, spdm_exchange_count(s), spdm_mem_used(s));
	scoped_guard(spinlock, &d->slock) {
		d->sum.state = SPDM_TSM_STATE_FAILED;
		strscpy(d->sum.last_error, err ?: "unknown error");
	}
	if (extack) {
		char msg[NETLINK_MAX_FMTMSG_LEN];

		strscpy(msg, err ?: "unknown error");
		NL_SET_ERR_MSG_FMT(extack, "%s", msg);
	}
	pci_info(pdev, "authentication failed: %s (%d)\n", err ?: "unknown error", rc);
	/*
	 * The failure as an IMA record when it is a verdict on the device
	 * (not the host out of memory, not an operation aborted by removal).
	 */
	spdm_tsm_ima_forget(d);
	if (s && rc != -ENOMEM) {
		enum spdm_tsm_reason why = spdm_tsm_reason_of(spdm_last_failure(s));

		if (why != SPDM_TSM_REASON_NONE)
			spdm_tsm_ima_record(d, "connect-failed", spdm_tsm_reason_name(why));
	}
	spdm_session_free(s);
	return rc;
}

/**
 * spdm_tsm_dev_disconnect() - forget the session and its evidence
 * @d: the device, with @d->lock held
 *
 * Announces "disconnected", or "session-lost" with reason "removal" when
 * the function is being removed: the PCI/TSM core's removal path calls its
 * ->disconnect before the device is deleted, and a removed device lost its
 * session, nobody disconnected it.
 */
void spdm_tsm_dev_disconnect(struct spdm_tsm_dev *d)
{
	bool had_session = d->session;

	lockdep_assert_held(&d->lock);
	if (!spdm_tsm_pci_dev_added(d->pdev))
		d->removed = true;
	if (!d->removed)
		spdm_tsm_dev_wait_action(d);
	/* END_SESSION, bounded; a removed device gets no message */
	if (!d->removed && d->session && d->sum.sess.active) {
		int rc;

		spdm_tsm_dev_begin_op(d);
		rc = spdm_secure_end(d->session);
		pci_info(d->pdev, "secured session ended on disconnect (%d)\n", rc);
	}
	d->want_session = false;
	spdm_tsm_drop_session(d);
	d->via_tsm = false;
	scoped_guard(spinlock, &d->slock) {
		d->sum.state = SPDM_TSM_STATE_NONE;
		d->sum.via_tsm = false;
	}
	if (!had_session)
		return;
	if (d->removed)
		spdm_tsm_notify(d, SPDM_TSM_EVENT_SESSION_LOST, SPDM_TSM_REASON_REMOVAL);
	else
		spdm_tsm_notify(d, SPDM_TSM_EVENT_DISCONNECTED, SPDM_TSM_REASON_NONE);
}

/*
 * "added" must reach udev after the device's own "add" uevent, which
 * device_add() sends after BUS_NOTIFY_ADD_DEVICE.  The PCI core sets its
 * "added" bit in pci_bus_add_device(), after device_add() has returned, so
 * wait for that bit (bounded: SPDM_TSM_ADDED_TRIES polls).
 */
#define SPDM_TSM_ADDED_POLL_MS	20
#define SPDM_TSM_ADDED_TRIES	500	/* 10 s */

struct spdm_tsm_added {
	struct list_head node;
	struct pci_dev *pdev;
	unsigned int tries;
};

static LIST_HEAD(spdm_tsm_added_pending);
static DEFINE_MUTEX(spdm_tsm_added_lock);
static void spdm_tsm_added_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(spdm_tsm_added_dwork, spdm_tsm_added_work);

static void spdm_tsm_added_work(struct work_struct *work)
{
	struct spdm_tsm_added *a, *tmp;

	guard(mutex)(&spdm_tsm_added_lock);
	list_for_each_entry_safe(a, tmp, &spdm_tsm_added_pending, node) {
		bool added = spdm_tsm_pci_dev_added(a->pdev);

		if (!added && ++a->tries < SPDM_TSM_ADDED_TRIES &&
		    device_is_registered(&a->pdev->dev))
			continue;
		if (added)
			spdm_tsm_notify_added(a->pdev);
		list_del(&a->node);
		pci_dev_put(a->pdev);
		kfree(a);
	}
	if (!list_empty(&spdm_tsm_added_pending))
		schedule_delayed_work(&spdm_tsm_added_dwork,
				      msecs_to_jiffies(SPDM_TSM_ADDED_POLL_MS));
}

static void spdm_tsm_queue_added(struct pci_dev *pdev)
{
	struct spdm_tsm_added *a = kzalloc_obj(*a, GFP_KERNEL);

	if (!a) {
		pci_notice(pdev, "spdm_tsm: out of memory: event 'added' not sent\n");
		return;
	}
	a->pdev = pci_dev_get(pdev);
	scoped_guard(mutex, &spdm_tsm_added_lock)
		list_add_tail(&a->node, &spdm_tsm_added_pending);
	schedule_delayed_work(&spdm_tsm_added_dwork, 0);
}

/*
 * A function is going away (hot-remove, driver core removal): its DOE
 * mailbox is destroyed after BUS_NOTIFY_DEL_DEVICE, so drop the session now.
 * An operation in flight stops at its next exchange (the PCI core cleared
 * its "added" bit before calling us), so this waits about one DOE exchange.
 */
static int spdm_tsm_bus_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	struct spdm_tsm_dev *d;

	if (action == BUS_NOTIFY_ADD_DEVICE) {
		/* hot-add or rescan: the DOE mailboxes exist by now */
		if (spdm_tsm_has_cma(pdev))
			spdm_tsm_queue_added(pdev);
		return NOTIFY_OK;
	}
	if (action != BUS_NOTIFY_DEL_DEVICE)
		return NOTIFY_DONE;
	d = spdm_tsm_dev_find(pdev, false);
	if (!d)
		return NOTIFY_DONE;

	/* an operation in flight stops at its next exchange or retry delay */
	spdm_kernel_abort(&d->ctl);
	scoped_guard(mutex, &d->lock) {
		d->removed = true;
		spdm_tsm_dev_disconnect(d);
	}
	scoped_guard(mutex, &spdm_tsm_devs_lock) {
		if (hash_hashed(&d->node)) {
			hash_del(&d->node);
			spdm_tsm_dev_put(d);	/* the registry's reference */
		}
	}
	spdm_tsm_dev_put(d);
	return NOTIFY_OK;
}

static struct notifier_block spdm_tsm_bus_nb = {
	.notifier_call = spdm_tsm_bus_notify,
};

int spdm_tsm_dev_init(void)
{
	return bus_register_notifier(&pci_bus_type, &spdm_tsm_bus_nb);
}

/*
 * Module unload, after the TSM is unregistered and before the netlink family
 * is: nothing else races.
 */
void spdm_tsm_dev_exit(void)
{
	struct spdm_tsm_added *a, *atmp;
	struct hlist_node *tmp;
	struct spdm_tsm_dev *d;
	unsigned int bkt;

	bus_unregister_notifier(&pci_bus_type, &spdm_tsm_bus_nb);
	cancel_delayed_work_sync(&spdm_tsm_added_dwork);
	list_for_each_entry_safe(a, atmp, &spdm_tsm_added_pending, node) {
		list_del(&a->node);
		pci_dev_put(a->pdev);
		kfree(a);
	}
	guard(mutex)(&spdm_tsm_devs_lock);
	hash_for_each_safe(spdm_tsm_devs, bkt, tmp, d, node) {
		hash_del(&d->node);
		spdm_tsm_dev_put(d);
	}
}

/**
 * spdm_tsm_dev_for_each() - call @fn for every registered device
 * @fn: called under the registry's mutex; a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * Return: the first non-zero return of @fn, else 0.
 */
int spdm_tsm_dev_for_each(int (*fn)(struct spdm_tsm_dev *d, void *arg), void *arg)
{
	struct spdm_tsm_dev *d;
	unsigned int bkt;
	int rc;

	guard(mutex)(&spdm_tsm_devs_lock);
	hash_for_each(spdm_tsm_devs, bkt, d, node) {
		rc = fn(d, arg);
		if (rc)
			return rc;
	}
	return 0;
}
