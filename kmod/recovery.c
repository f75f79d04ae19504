// SPDX-License-Identifier: GPL-2.0
/*
 * Revalidation and the recovery triggers.
 *
 * revalidate: CHALLENGE with a fresh kernel nonce, verified with the public
 * key cached at connect -- never a key the device offers now -- its
 * CertChainHash compared with the cached (and the policy's) digest, then the
 * policy's measurements.  A reset or resume trigger marks the device's SPDM
 * state lost (spdm_state_lost()): the next revalidation runs VERSION,
 * CAPABILITIES and ALGORITHMS first; the core also does so by itself, once,
 * when the device answers the lone CHALLENGE saying it lost its state.
 * Shaped as a future 'struct pci_tsm_ops::revalidate'.
 *
 * Triggers an out-of-tree module can reach on 7.x:
 * - resets: a kretprobe on pci_restore_state(), which every reset path that
 *   keeps the device usable runs afterwards: pci_reset_function() (sysfs
 *   "reset", drivers' FLR), pci_reset_bus(), and AER/DPC recovery when the
 *   driver's slot_reset restores state.  Its limit: a driver that resets a
 *   function without restoring config space (a bare pcie_flr()) is not
 *   seen.  Restores that follow no reset are ignored: with no saved state
 *   (nothing is restored) and during runtime-PM resume (no event storm for
 *   a device that runtime-suspends often; the next revalidation
 *   renegotiates if the device lost its SPDM state).  A probe hit the
 *   kretprobe could not record (all instances busy: nmissed) is never
 *   silent: every tracked device gets session-lost with reason "unknown"
 *   and a revalidation.
 * - system resume: a PM notifier (PM_POST_SUSPEND/HIBERNATION/RESTORE);
 *   restores seen between PM_*_PREPARE and PM_POST_* belong to it.
 * - hot-remove: the PCI bus notifier in dev.c (session-lost, removal).
 * - explicit: the netlink "revalidate" command.
 * - heartbeat, key-update: a secured session's HEARTBEAT or KEY_UPDATE
 *   failed (secured.c); the session is gone.
 * Each trigger announces session-lost, then, unless the module parameter
 * auto_revalidate is off or the device's policy says announce-only,
 * revalidates and announces revalidated or revalidation-failed.  A device
 * connected with a secured session gets a new one with the revalidation
 * (KEY_EXCHANGE_RSP verified with the cached key, session-established).  A function
 * bound to a vfio driver belongs to a guest: the host does not challenge it
 * behind the guest's back; the trigger is announced and last_error says so.
 *
 * Serialisation: the state change, the policy's action and the event that
 * announces them happen in one critical section under d->lock, so
 * listeners see events in the order the state changed, and find the action
 * done when they hear about it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/pm_runtime.h>
#include <linux/suspend.h>
#include <linux/workqueue.h>

#include "spdm_tsm.h"

static bool auto_revalidate = true;
module_param(auto_revalidate, bool, 0644);
MODULE_PARM_DESC(auto_revalidate,
		 "Revalidate on reset and resume (default); off: only announce session-lost");

/*
 * Authenticated devices, keyed by pci_dev: the reset probe looks one up on
 * every pci_restore_state() of any function, in constant time.
 */
static DEFINE_HASHTABLE(spdm_tsm_tracked, 6);
static DEFINE_SPINLOCK(spdm_tsm_track_lock);
struct workqueue_struct *spdm_tsm_wq;
static bool spdm_tsm_in_pm;
static bool spdm_tsm_kretprobe_ok;

static int spdm_tsm_restore_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
static int spdm_tsm_restore_ret(struct kretprobe_instance *ri, struct pt_regs *regs);

/* maxactive is sized at init: at least 64, four per possible CPU */
static struct kretprobe spdm_tsm_restore_krp = {
	.kp.symbol_name = "pci_restore_state",
	.entry_handler = spdm_tsm_restore_entry,
	.handler = spdm_tsm_restore_ret,
	.data_size = sizeof(struct pci_dev *),
};

/* An authenticated device becomes visible to the triggers. */
void spdm_tsm_track(struct spdm_tsm_dev *d)
{
	unsigned long flags;

	spin_lock_irqsave(&spdm_tsm_track_lock, flags);
	if (!hash_hashed(&d->track))
		hash_add(spdm_tsm_tracked, &d->track, (unsigned long)d->pdev);
	spin_unlock_irqrestore(&spdm_tsm_track_lock, flags);
}

void spdm_tsm_untrack(struct spdm_tsm_dev *d)
{
	unsigned long flags;

	spin_lock_irqsave(&spdm_tsm_track_lock, flags);
	if (hash_hashed(&d->track))
		hash_del(&d->track);
	spin_unlock_irqrestore(&spdm_tsm_track_lock, flags);
}

/*
 * Under spdm_tsm_track_lock: queue @d's recovery work, which owns a
 * reference.  When the work was already queued the extra reference goes
 * again; that put is never the last: a tracked device is in the registry,
 * whose reference outlives tracking.
 */
static void spdm_tsm_queue_trigger(struct spdm_tsm_dev *d, enum spdm_tsm_reason reason)
{
	lockdep_assert_held(&spdm_tsm_track_lock);
	WRITE_ONCE(d->trigger_reason, reason);
	kref_get(&d->kref);
	if (!queue_work(spdm_tsm_wq, &d->trigger_work))
		spdm_tsm_dev_put(d);
}

/*
 * Queue recovery for @pdev if it is authenticated.  Any context: called
 * from the kretprobe.  The queued work holds a reference; the registry's
 * reference outlives tracking, so the put here never frees.
 */
static void spdm_tsm_trigger(struct pci_dev *pdev, enum spdm_tsm_reason reason)
{
	struct spdm_tsm_dev *d;
	unsigned long flags;

	spin_lock_irqsave(&spdm_tsm_track_lock, flags);
	hash_for_each_possible(spdm_tsm_tracked, d, track, (unsigned long)pdev) {
		if (d->pdev != pdev)
			continue;
		spdm_tsm_queue_trigger(d, reason);
		break;
	}
	spin_unlock_irqrestore(&spdm_tsm_track_lock, flags);
}

/**
 * spdm_tsm_trigger_dev() - queue recovery for @d, as a reset trigger would
 * @d: the device (any lock state); ignored unless authenticated (tracked)
 * @reason: what lost the session (heartbeat, key-update)
 */
void spdm_tsm_trigger_dev(struct spdm_tsm_dev *d, enum spdm_tsm_reason reason)
{
	unsigned long flags;

	spin_lock_irqsave(&spdm_tsm_track_lock, flags);
	if (hash_hashed(&d->track))
		spdm_tsm_queue_trigger(d, reason);
	spin_unlock_irqrestore(&spdm_tsm_track_lock, flags);
}

static void spdm_tsm_trigger_all(enum spdm_tsm_reason reason)
{
	struct spdm_tsm_dev *d;
	unsigned long flags;
	unsigned int bkt;

	spin_lock_irqsave(&spdm_tsm_track_lock, flags);
	hash_for_each(spdm_tsm_tracked, bkt, d, track)
		spdm_tsm_queue_trigger(d, reason);
	spin_unlock_irqrestore(&spdm_tsm_track_lock, flags);
}

#define SPDM_TSM_NO_BASELINE_MSG \
	"MEASUREMENTS: no baseline: connect took no signed measurements"

/*
 * Compare the signed blocks just taken with the policy: its expected
 * values, volatile indices and, with meas-baseline, the record connect took.
 */
static int spdm_tsm_check_measurements(struct spdm_tsm_dev *d,
				       const struct spdm_tsm_policy *pol,
				       const struct spdm_evidence *ev, char *err,
				       size_t errlen)
{
	struct spdm_meas_expect *ex __free(kfree) = NULL;
	struct spdm_meas_policy mp = {};
	unsigned int i, n = 0;

	if (pol->meas_baseline) {
		if (!d->conn_meas) {
			strscpy(err, SPDM_TSM_NO_BASELINE_MSG, errlen);
			return -EKEYREJECTED;
		}
		mp.baseline = d->conn_meas;
		mp.baseline_len = d->conn_meas_len;
	}
	if (pol->n_meas) {
		ex = kcalloc(pol->n_meas, sizeof(*ex), GFP_KERNEL);
		if (!ex)
			return -ENOMEM;
	}
	for (i = 0; i < pol->n_meas; i++) {
		const struct spdm_tsm_meas_rule *r = &pol->meas[i];

		if (r->is_volatile) {
			mp.volatile_map[r->index / 8] |= BIT(r->index % 8);
			continue;
		}
		ex[n].index = r->index;
		ex[n].len = r->len;
		ex[n].digest = r->digest;
		n++;
	}
	mp.expect = ex;
	mp.n_expect = n;
	return spdm_meas_check(&mp, ev->meas_blocks.data, ev->meas_blocks.len, err, errlen);
}

static bool spdm_tsm_policy_has_meas(const struct spdm_tsm_policy *pol)
{
	unsigned int i;

	if (pol && pol->meas_baseline)
		return true;
	for (i = 0; pol && i < pol->n_meas; i++)
		if (!pol->meas[i].is_volatile)
			return true;
	return false;
}

/*
 * Is the policy for this address about this device?  It is bound to the
 * identity verified at connect (the chain digest), and its serial, if any,
 * must also be what the device reports.
 */
static int spdm_tsm_check_policy(struct spdm_tsm_dev *d, const struct spdm_tsm_policy *pol,
				 char *err, size_t errlen, enum spdm_tsm_reason *why)
{
	u64 dsn;

	if (!pol)
		return 0;
	if (pol->cert_digest_len &&
	    (pol->cert_digest_len != d->cached_digest_len ||
	     memcmp(pol->cert_digest, d->cached_digest, d->cached_digest_len))) {
		*why = SPDM_TSM_REASON_CERT_DIGEST;
		strscpy(err, "policy: the chain digest verified at connect is not the policy's",
			errlen);
		return -EKEYREJECTED;
	}
	dsn = pci_get_dsn(d->pdev);
	if (pol->serial && dsn != pol->serial) {
		*why = SPDM_TSM_REASON_SERIAL;
		snprintf(err, errlen,
			 "policy: device reports serial %016llx, the policy was set for %016llx",
			 dsn, pol->serial);
		return -EKEYREJECTED;
	}
	return 0;
}

/*
 * Under d->lock: CHALLENGE with the cached key (after VCA when a trigger
 * said the device lost its state), a new secured session when connect asked
 * for one and it was lost (@established), then the policy's measurements.
 * Fills @err and @why on failure.
 */
static int spdm_tsm_challenge_again(struct spdm_tsm_dev *d,
				    const struct spdm_tsm_policy *pol,
				    char *err, size_t errlen, enum spdm_tsm_reason *why,
				    bool *established)
{
	struct spdm_evidence ev;
	int rc;

	lockdep_assert_held(&d->lock);
	rc = spdm_tsm_check_policy(d, pol, err, errlen, why);
	if (rc)
		return rc;
	spdm_tsm_dev_begin_op(d);
	rc = spdm_revalidate(d->session, NULL);
	/* a renegotiation (GET_VERSION) ends the device's sessions */
	spdm_tsm_secure_sync(d);
	/* a lost secured session comes back; measurements are taken inside it */
	if (!rc && d->want_session && !d->sum.sess.active) {
		rc = spdm_tsm_secure_start(d, err, errlen, why);
		if (rc)
			return rc;
		*established = true;
	}
	if (!rc && spdm_tsm_policy_has_meas(pol))
		rc = spdm_get_measurements(d->session, NULL);
	if (rc) {
		strscpy(err, spdm_last_error(d->session), errlen);
		*why = spdm_tsm_reason_of(spdm_last_failure(d->session));
		spdm_tsm_secure_sync(d);
		return rc;
	}
	if (!spdm_tsm_policy_has_meas(pol))
		return 0;
	spdm_get_evidence(d->session, &ev);
	rc = spdm_tsm_check_measurements(d, pol, &ev, err, errlen);
	if (rc == -ENOMEM)
		*why = SPDM_TSM_REASON_NONE;	/* the host's failure: no verdict */
	else if (rc)
		*why = SPDM_TSM_REASON_MEASUREMENT;
	return rc;
}

/*
 * Under d->lock: the policy's action for a failed device.  Unbinding calls
 * into the driver core, which takes the PCI bus notifier rwsem that the
 * removal notifier holds while it takes d->lock: so the unbind runs with
 * d->lock dropped and action_running set, which holds off every other
 * state change (spdm_tsm_dev_wait_action()) except removal.
 *
 * Return: false when removal overtook the action (it announced itself).
 */
static bool spdm_tsm_act(struct spdm_tsm_dev *d, u32 action)
{
	struct pci_dev *pdev = d->pdev;

	lockdep_assert_held(&d->lock);
	switch (action) {
	case SPDM_TSM_ACTION_UNBIND:
		pci_warn(pdev, "revalidation failed: unbinding the driver\n");
		d->action_running = true;
		mutex_unlock(&d->lock);
		device_release_driver(&pdev->dev);
		mutex_lock(&d->lock);
		WRITE_ONCE(d->action_running, false);
		wake_up_all(&d->action_wq);
		return !d->removed;
	case SPDM_TSM_ACTION_DISABLE_BUS_MASTER:
		pci_warn(pdev, "revalidation failed: disabling bus mastering\n");
		pci_clear_master(pdev);
		return true;
	default:
		return true;
	}
}

static const char *spdm_tsm_trigger_name(enum spdm_tsm_reason trigger)
{
	switch (trigger) {
	case SPDM_TSM_REASON_EXPLICIT:
		return "explicit";
	case SPDM_TSM_REASON_RESUME:
		return "resume";
	case SPDM_TSM_REASON_UNKNOWN:
		return "unknown";
	case SPDM_TSM_REASON_HEARTBEAT:
		return "heartbeat";
	case SPDM_TSM_REASON_KEY_UPDATE:
		return "key-update";
	default:
		return "reset";
	}
}

/*
 * The verdict, the policy's action and the event, in one step under
 * d->lock.  Running out of memory on the host is no verdict on the device:
 * -ENOMEM changes nothing but last_error (the core withholds the evidence
 * of the interrupted handshake).  Nor is an operation that removal aborted:
 * the removal path announces it.  Everything else the device caused --
 * budget, deadline, downgrade included -- is a verdict.
 */
static int spdm_tsm_revalidate_locked(struct spdm_tsm_dev *d,
				      const struct spdm_tsm_policy *pol,
				      enum spdm_tsm_reason trigger,
				      struct netlink_ext_ack *extack)
{
	enum spdm_tsm_reason why = SPDM_TSM_REASON_NONE;
	struct pci_dev *pdev = d->pdev;
	char err[SPDM_ERRMSG_LEN] = "";
	bool established = false;
	unsigned int n0;
	bool nomem;
	ktime_t t0;
	int rc;

	lockdep_assert_held(&d->lock);
	t0 = ktime_get();
	n0 = spdm_exchange_count(d->session);
	spdm_tsm_dev_op_begin(d, SPDM_TSM_OP_REVALIDATE);
	rc = spdm_tsm_challenge_again(d, pol, err, sizeof(err), &why, &established);
	spdm_tsm_dev_op_end(d, rc, spdm_exchange_count(d->session) - n0,
			    spdm_tsm_dev_mem(d));
	nomem = rc && why == SPDM_TSM_REASON_NONE;	/* no verdict */
	d->generation++;
	scoped_guard(spinlock, &d->slock) {
		d->sum.exchanges = spdm_exchange_count(d->session) - n0;
		d->sum.duration_us = ktime_us_delta(ktime_get(), t0);
		d->sum.mem_used = spdm_tsm_dev_mem(d);
		d->sum.generation = d->generation;
		strscpy(d->sum.last_error, err);
		if (rc && !nomem)
			d->sum.state = SPDM_TSM_STATE_FAILED;
		else if (!rc)
			d->sum.state = SPDM_TSM_STATE_AUTHENTICATED;
	}

	if (nomem) {
		/*
		 * Out of memory (or removal) says nothing about the device: no
		 * revalidation-failed, no action, the state stays (still
		 * session-lost after a reset).  The caller may try again.
		 */
		if (rc == -ENOMEM)
			NL_SET_ERR_MSG(extack,
				       "out of memory: revalidation not completed, device state unchanged");
		else
			NL_SET_ERR_MSG(extack, "revalidation aborted: the device is being removed");
		pci_info(pdev, "revalidation not completed: %s (%d)\n", err, rc);
		return rc;
	}
	if (rc) {
		char msg[NETLINK_MAX_FMTMSG_LEN];

		strscpy(msg, err);
		NL_SET_ERR_MSG_FMT(extack, "%s", msg);
		pci_info(pdev, "revalidation failed: %s (%d)\n", err, rc);
		/* act first: whoever hears the event finds the action done */
		if (!spdm_tsm_act(d, pol ? pol->action : SPDM_TSM_ACTION_NOTIFY)) {
			pci_info(pdev, "revalidation failure not announced: the device is being removed\n");
			return rc;
		}
		spdm_tsm_notify(d, SPDM_TSM_EVENT_REVALIDATION_FAILED, why);
		return rc;
	}
	pci_info(pdev, "revalidated (%s): %u DOE exchanges in %llu us\n",
		 spdm_tsm_trigger_name(trigger), d->sum.exchanges, d->sum.duration_us);
	spdm_tsm_notify(d, SPDM_TSM_EVENT_REVALIDATED, trigger);
	if (established)
		spdm_tsm_notify(d, SPDM_TSM_EVENT_SESSION_ESTABLISHED, trigger);
	return 0;
}

#define SPDM_TSM_GUEST_OWNED_MSG \
	"not challenged: bound to a vfio driver (owned by a guest); revalidate once the host owns it"

/**
 * spdm_tsm_revalidate() - is this still the device userspace approved?
 * @d: the device (not locked)
 * @trigger: what asked (explicit here), reported with success
 * @extack: the reason of a failure
 *
 * On failure applies the policy's action, then announces
 * revalidation-failed (with the reason); on success announces revalidated;
 * both under @d->lock with the state change.
 *
 * Context: process context, may sleep; takes @d->lock.
 * Return: 0 when the device proved it holds the cached key and matches the
 * policy, else a negative errno.
 */
int spdm_tsm_revalidate(struct spdm_tsm_dev *d, enum spdm_tsm_reason trigger,
			struct netlink_ext_ack *extack)
{
	struct spdm_tsm_policy *pol __free(kfree) = spdm_tsm_policy_copy(pci_name(d->pdev));

	if (IS_ERR(pol))
		return PTR_ERR(no_free_ptr(pol));
	spdm_tsm_check_missed();

	scoped_cond_guard(mutex_intr, return -EINTR, &d->lock) {
		spdm_tsm_dev_wait_action(d);
		if (d->removed)
			return -ENODEV;
		if (!d->session) {
			NL_SET_ERR_MSG(extack, "device is not connected");
			return -ENOTCONN;
		}
		if (spdm_tsm_dev_guest_owned(d)) {
			NL_SET_ERR_MSG(extack, SPDM_TSM_GUEST_OWNED_MSG);
			return -EBUSY;
		}
		return spdm_tsm_revalidate_locked(d, pol, trigger, extack);
	}
	return 0;	/* not reached */
}

/* The work a trigger queued: announce the loss, then maybe revalidate. */
void spdm_tsm_trigger_work(struct work_struct *work)
{
	struct spdm_tsm_dev *d = container_of(work, struct spdm_tsm_dev, trigger_work);
	enum spdm_tsm_reason reason = READ_ONCE(d->trigger_reason);
	struct pci_dev *pdev = d->pdev;
	u32 mode = auto_revalidate ? SPDM_TSM_REVALIDATE_MODE_AUTO :
				     SPDM_TSM_REVALIDATE_MODE_ANNOUNCE;
	struct spdm_tsm_policy *pol __free(kfree) = spdm_tsm_policy_copy(pci_name(pdev));

	if (IS_ERR(pol)) {
		/* no memory for the policy: announce, judge nothing */
		pol = NULL;
		mode = SPDM_TSM_REVALIDATE_MODE_ANNOUNCE;
	} else if (pol) {
		mode = pol->mode;
	}

	scoped_guard(mutex, &d->lock) {
		bool lost;

		spdm_tsm_dev_wait_action(d);
		if (!d->session || d->removed)
			break;
		scoped_guard(spinlock, &d->slock) {
			lost = d->sum.state == SPDM_TSM_STATE_AUTHENTICATED;
			d->sum.state = SPDM_TSM_STATE_SESSION_LOST;
		}
		/* whoever revalidates next starts with VCA: no request known to fail */
		spdm_state_lost(d->session);
		spdm_tsm_secure_sync(d);	/* the secured session went with it */
		if (lost)
			spdm_tsm_notify(d, SPDM_TSM_EVENT_SESSION_LOST, reason);
		if (spdm_tsm_dev_guest_owned(d)) {
			scoped_guard(spinlock, &d->slock)
				strscpy(d->sum.last_error, SPDM_TSM_GUEST_OWNED_MSG);
			pci_info(pdev, "%s\n", SPDM_TSM_GUEST_OWNED_MSG);
			break;
		}
		if (mode == SPDM_TSM_REVALIDATE_MODE_AUTO)
			spdm_tsm_revalidate_locked(d, pol, reason, NULL);
	}
	spdm_tsm_dev_put(d);
}

/*
 * Probe hits the kretprobe could not record: all instances were busy
 * (nmissed), or the kprobe hit recursively (kp.nmissed).  Either may have
 * been a reset of any device, so none may pass in silence.
 */
static unsigned long spdm_tsm_missed_seen;

static unsigned long spdm_tsm_missed_now(void)
{
	return READ_ONCE(spdm_tsm_restore_krp.nmissed) +
	       READ_ONCE(spdm_tsm_restore_krp.kp.nmissed);
}

/**
 * spdm_tsm_check_missed() - announce resets the reset probe may have missed
 *
 * Called from the probe's return handler (a miss means every instance was
 * in use, and those return after it) and from explicit revalidation.  On a
 * new miss every tracked device gets session-lost with reason "unknown",
 * then a revalidation.  Any context.
 */
void spdm_tsm_check_missed(void)
{
	unsigned long now, seen;

	if (!spdm_tsm_kretprobe_ok)
		return;
	now = spdm_tsm_missed_now();
	seen = READ_ONCE(spdm_tsm_missed_seen);
	if (now == seen || cmpxchg(&spdm_tsm_missed_seen, seen, now) != seen)
		return;
	pr_warn_ratelimited("the reset probe missed %lu call(s) of pci_restore_state(): revalidating every authenticated device\n",
			    now - seen);
	spdm_tsm_trigger_all(SPDM_TSM_REASON_UNKNOWN);
}

#ifdef CONFIG_SPDM_TSM_SELFTEST
/* Test only (selftest_reset_miss): as if the probe had missed @n calls. */
void spdm_tsm_selftest_missed(unsigned int n)
{
	spdm_tsm_restore_krp.nmissed += n;
	spdm_tsm_check_missed();
}
#endif

/*
 * Entry: remember the device if this restore can follow a reset.  Nothing
 * is restored without saved state, and a runtime-PM resume is not a reset:
 * announcing it would flood listeners for devices that runtime-suspend
 * often (the next revalidation renegotiates if the device lost its state).
 */
static int spdm_tsm_restore_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pci_dev *pdev = (struct pci_dev *)regs_get_kernel_argument(regs, 0);

	if (pdev && (!pdev->state_saved ||
		     READ_ONCE(pdev->dev.power.runtime_status) == RPM_RESUMING))
		pdev = NULL;
	*(struct pci_dev **)ri->data = pdev;
	return 0;
}

static int spdm_tsm_restore_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct pci_dev *pdev = *(struct pci_dev **)ri->data;

	/* restores during suspend/resume belong to the PM notifier */
	if (pdev && !READ_ONCE(spdm_tsm_in_pm))
		spdm_tsm_trigger(pdev, SPDM_TSM_REASON_RESET);
	spdm_tsm_check_missed();
	return 0;
}

static int spdm_tsm_pm_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
	case PM_RESTORE_PREPARE:
		WRITE_ONCE(spdm_tsm_in_pm, true);
		break;
	case PM_POST_SUSPEND:
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
		WRITE_ONCE(spdm_tsm_in_pm, false);
		spdm_tsm_trigger_all(SPDM_TSM_REASON_RESUME);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block spdm_tsm_pm_nb = {
	.notifier_call = spdm_tsm_pm_notify,
};

int spdm_tsm_recovery_init(void)
{
	int rc;

	/*
	 * One work item per device on an unbound workqueue (max_active: the
	 * default, 256): after a resume every device revalidates at once,
	 * none waits behind another (052 asserts the overlap).
	 */
	spdm_tsm_wq = alloc_workqueue("spdm_tsm", WQ_UNBOUND, 0);
	if (!spdm_tsm_wq)
		return -ENOMEM;
	rc = register_pm_notifier(&spdm_tsm_pm_nb);
	if (rc)
		goto err_wq;
	spdm_tsm_restore_krp.maxactive = max(64, 4 * (int)num_possible_cpus());
	rc = register_kretprobe(&spdm_tsm_restore_krp);
	if (rc)
		/* not fatal: explicit revalidation and resume still work */
		pr_warn("cannot probe pci_restore_state (%d): resets are not detected\n", rc);
	spdm_tsm_missed_seen = 0;
	spdm_tsm_kretprobe_ok = !rc;
	return 0;

err_wq:
	destroy_workqueue(spdm_tsm_wq);
	return rc;
}

void spdm_tsm_recovery_exit(void)
{
	if (spdm_tsm_kretprobe_ok)
		unregister_kretprobe(&spdm_tsm_restore_krp);
	unregister_pm_notifier(&spdm_tsm_pm_nb);
	destroy_workqueue(spdm_tsm_wq);	/* drains queued recovery */
}
