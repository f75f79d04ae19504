// SPDX-License-Identifier: GPL-2.0
/*
 * Secured sessions (DSP0274 KEY_EXCHANGE/FINISH, DSP0277 records over the
 * Secured CMA DOE protocol): the module's side.  The SPDM core runs the
 * messages (spdm_secure_*()); this file decides when.
 *
 * - connect with the session flag (or tsm/connect with the module parameter
 *   session) establishes a session after the handshake (dev.c);
 * - a heartbeat keeps it alive: HEARTBEAT at half the HeartbeatPeriod the
 *   device chose (DSP0274: a responder may end a session that saw no
 *   message for twice the period), from delayed work on the module's
 *   workqueue, under the device lock, bounded by the operation deadline;
 * - a failed heartbeat or key update (no answer in time, a bad tag, an
 *   ERROR, a sequence error: the core drops the session and zeroes its
 *   keys) is a lost session: the recovery work announces session-lost with
 *   reason heartbeat (or key-update) and, as the policy's revalidate mode
 *   or auto_revalidate says, revalidates and establishes a new session
 *   (KEY_EXCHANGE_RSP verified with the key cached at connect);
 * - reset, resume and removal drop the session with no message
 *   (spdm_state_lost(), the removal path), revalidation re-establishes it;
 * - KEY_UPDATE on request (netlink) and, as the module's policy says,
 *   UpdateKey from the heartbeat work every session_key_update_s seconds
 *   and once session_key_update_msgs secured requests went under the
 *   current request key (the core's sequence number in that direction);
 *   END_SESSION on session-end, disconnect and module unload.
 *
 * The heartbeat work holds a reference to the device while queued.  It is
 * cancelled (not waited for) under the device lock wherever the session
 * goes; a running instance finds no session and stops.  Module unload ends
 * every session and waits for the work before the workqueue goes.  Writing
 * a key update parameter runs every device's work at once, so a new policy
 * applies from then on (a key update already due runs; otherwise the work
 * sends a heartbeat, or nothing, and re-arms for the new times).
 */
#define dev_fmt(fmt) "spdm_tsm: " fmt

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "spdm_tsm.h"

bool spdm_tsm_session_default;
module_param_named(session, spdm_tsm_session_default, bool, 0644);
MODULE_PARM_DESC(session,
		 "tsm/connect also establishes an SPDM secured session with heartbeat (default off; netlink connect asks with its session flag)");

static bool spdm_tsm_secure_unloading;

/* under spdm_tsm_devs_lock: run @d's heartbeat work now (it owns a reference) */
static int spdm_tsm_secure_kick(struct spdm_tsm_dev *d, void *arg)
{
	/*
	 * Module unload sets the flag, then walks the registry under its lock
	 * and waits for every device's work: a kick either comes before that
	 * walk (and is waited for) or sees the flag.
	 */
	if (READ_ONCE(spdm_tsm_secure_unloading))
		return 1;
	kref_get(&d->kref);
	if (mod_delayed_work(spdm_tsm_wq, &d->hb_work, 0))
		spdm_tsm_dev_put(d);	/* was queued: never the last reference */
	return 0;
}

static int spdm_tsm_ku_param_set(const char *val, const struct kernel_param *kp)
{
	int rc = param_set_uint(val, kp);

	if (!rc)
		spdm_tsm_dev_for_each(spdm_tsm_secure_kick, NULL);
	return rc;
}

static const struct kernel_param_ops spdm_tsm_ku_param_ops = {
	.set = spdm_tsm_ku_param_set,
	.get = param_get_uint,
};

static unsigned int session_key_update_s;
module_param_cb(session_key_update_s, &spdm_tsm_ku_param_ops, &session_key_update_s, 0644);
MODULE_PARM_DESC(session_key_update_s,
		 "KEY_UPDATE (UpdateKey) in every secured session this often, in seconds; 0: only on request (default)");

static unsigned int session_key_update_msgs;
module_param_cb(session_key_update_msgs, &spdm_tsm_ku_param_ops, &session_key_update_msgs, 0644);
MODULE_PARM_DESC(session_key_update_msgs,
		 "KEY_UPDATE (UpdateKey) in every secured session once this many secured requests went under the current key; 0: no limit (default)");

/*
 * Under d->lock, with a session: jiffies until the policy's next key update
 * (0: due now; ULONG_MAX: no policy).
 */
static unsigned long spdm_tsm_ku_delay(struct spdm_tsm_dev *d)
{
	unsigned int msgs = READ_ONCE(session_key_update_msgs);
	unsigned int secs = READ_ONCE(session_key_update_s);
	struct spdm_secure_info info;
	unsigned long due;

	if (msgs) {
		spdm_secure_get_info(d->session, &info);
		if (info.active && info.key_messages >= msgs)
			return 0;
	}
	if (!secs)
		return ULONG_MAX;
	due = d->key_update_last + secs_to_jiffies(secs);
	return time_after(due, jiffies) ? due - jiffies : 0;
}

/* the next heartbeat or policy key update, in jiffies from now; 0: none */
static unsigned long spdm_tsm_hb_delay(struct spdm_tsm_dev *d)
{
	unsigned int period = d->sum.sess.heartbeat_period;
	unsigned long delay = ULONG_MAX;

	if (period)
		delay = msecs_to_jiffies(period * 1000 / 2);
	delay = min(delay, spdm_tsm_ku_delay(d));
	if (delay == ULONG_MAX)
		return 0;
	return max(delay, 1UL);
}

/* Under d->lock: queue the heartbeat work (it owns a reference). */
static void spdm_tsm_secure_arm(struct spdm_tsm_dev *d)
{
	unsigned long delay;

	lockdep_assert_held(&d->lock);
	if (READ_ONCE(spdm_tsm_secure_unloading) || d->removed || !d->sum.sess.active)
		return;
	delay = spdm_tsm_hb_delay(d);
	if (!delay)
		return;
	kref_get(&d->kref);
	if (!queue_delayed_work(spdm_tsm_wq, &d->hb_work, delay))
		spdm_tsm_dev_put(d);	/* already queued: never the last reference */
}

/**
 * spdm_tsm_secure_disarm() - cancel a queued heartbeat
 * @d: the device, with @d->lock held (the caller's reference outlives it)
 *
 * Does not wait: a running heartbeat waits for @d->lock, then finds no
 * session and stops.
 */
void spdm_tsm_secure_disarm(struct spdm_tsm_dev *d)
{
	lockdep_assert_held(&d->lock);
	if (cancel_delayed_work(&d->hb_work))
		spdm_tsm_dev_put(d);
}

/**
 * spdm_tsm_secure_sync() - report the session as the core has it
 * @d: the device, with @d->lock held
 *
 * Refreshes the session part of the summary; arms the heartbeat work
 * while the session lives (when not queued yet: after an operation that
 * sent secured messages, a key update due by the message count runs at
 * once even without a heartbeat), cancels it when the session is gone.
 */
void spdm_tsm_secure_sync(struct spdm_tsm_dev *d)
{
	struct spdm_secure_info info = {};

	lockdep_assert_held(&d->lock);
	if (d->session)
		spdm_secure_get_info(d->session, &info);
	scoped_guard(spinlock, &d->slock) {
		d->sum.sess.wanted = d->want_session;
		d->sum.sess.active = info.active;
		if (info.active) {
			d->sum.sess.id = info.session_id;
			d->sum.sess.dhe = info.dhe;
			d->sum.sess.aead = info.aead;
			d->sum.sess.hash = info.hash;
			d->sum.sess.encrypted = info.encrypted;
			d->sum.sess.heartbeat_period = info.heartbeat_period;
			d->sum.sess.key_updates = info.key_updates;
		}
	}
	if (info.active)
		spdm_tsm_secure_arm(d);
	else
		spdm_tsm_secure_disarm(d);
}

/**
 * spdm_tsm_secure_start() - establish a secured session
 * @d: the device, authenticated, with @d->lock held and an operation
 *	deadline running
 * @err: receives the failing step and reason
 * @errlen: its size
 * @why: receives the reason userspace is told
 *
 * KEY_EXCHANGE (its signature verified with the key cached at connect) and
 * FINISH; then the heartbeat is armed.
 *
 * Return: 0 or a negative errno.
 */
int spdm_tsm_secure_start(struct spdm_tsm_dev *d, char *err, size_t errlen,
			  enum spdm_tsm_reason *why)
{
	unsigned int n0 = spdm_exchange_count(d->session);
	ktime_t t0 = ktime_get();
	int rc;

	lockdep_assert_held(&d->lock);
	rc = spdm_secure_start(d->session);
	if (rc) {
		strscpy(err, spdm_last_error(d->session), errlen);
		*why = spdm_tsm_reason_of(spdm_last_failure(d->session));
		spdm_tsm_secure_sync(d);
		return rc;
	}
	d->key_update_last = jiffies;
	scoped_guard(spinlock, &d->slock) {
		d->sum.sess.establishments++;
		d->sum.sess.heartbeats = 0;
		d->sum.sess.exchanges = spdm_exchange_count(d->session) - n0;
		d->sum.sess.duration_us = ktime_us_delta(ktime_get(), t0);
		d->sum.sess.established_ns = ktime_get_real_ns();
	}
	spdm_tsm_secure_sync(d);	/* arms the heartbeat */
	pci_info(d->pdev, "secured session %08x established: %u DOE exchanges in %llu us, heartbeat period %u s\n",
		 d->sum.sess.id, d->sum.sess.exchanges, d->sum.sess.duration_us,
		 d->sum.sess.heartbeat_period);
	return 0;
}

/*
 * Under d->lock: the core dropped the session (every failure inside it
 * does).  Report it and let the recovery work announce session-lost and,
 * as the policy says, revalidate and establish a new one.
 */
static void spdm_tsm_secure_lost(struct spdm_tsm_dev *d, enum spdm_tsm_reason reason,
				 const char *what, int rc)
{
	char err[SPDM_ERRMSG_LEN];

	lockdep_assert_held(&d->lock);
	strscpy(err, spdm_last_error(d->session));
	spdm_secure_drop(d->session);
	spdm_tsm_secure_sync(d);
	scoped_guard(spinlock, &d->slock)
		strscpy(d->sum.last_error, err);
	pci_info(d->pdev, "secured session lost: %s failed: %s (%d)\n", what, err, rc);
	spdm_tsm_trigger_dev(d, reason);
}

/* a heartbeat is bounded by the period (and by op_timeout_ms) */
static void spdm_tsm_hb_begin(struct spdm_tsm_dev *d)
{
	unsigned int period = d->sum.sess.heartbeat_period;

	spdm_tsm_dev_begin_op_max(d, period ? max(period * 1000, 1000u) : 0);
}

/**
 * spdm_tsm_hb_work() - the heartbeat of a device's secured session
 * @work: &spdm_tsm_dev.hb_work
 *
 * HEARTBEAT (or, when the policy's is due, KEY_UPDATE) under the device
 * lock; re-arms itself while the session lives.  Drops the reference it
 * was queued with.
 */
void spdm_tsm_hb_work(struct work_struct *work)
{
	struct spdm_tsm_dev *d = container_of(to_delayed_work(work), struct spdm_tsm_dev,
					      hb_work);
	int rc;

	scoped_guard(mutex, &d->lock) {
		if (d->removed || !d->session || !d->sum.sess.active ||
		    READ_ONCE(spdm_tsm_secure_unloading))
			break;
		spdm_tsm_hb_begin(d);
		if (!spdm_tsm_ku_delay(d)) {
			rc = spdm_secure_key_update(d->session, false);
			if (rc) {
				spdm_tsm_secure_lost(d, SPDM_TSM_REASON_KEY_UPDATE,
						     "policy KEY_UPDATE", rc);
				break;
			}
			d->key_update_last = jiffies;
		} else if (d->sum.sess.heartbeat_period) {
			rc = spdm_secure_heartbeat(d->session);
			if (rc) {
				spdm_tsm_secure_lost(d, SPDM_TSM_REASON_HEARTBEAT, "HEARTBEAT", rc);
				break;
			}
			scoped_guard(spinlock, &d->slock)
				d->sum.sess.heartbeats++;
		}
		spdm_tsm_secure_sync(d);	/* re-arms */
	}
	spdm_tsm_dev_put(d);
}

/**
 * spdm_tsm_secure_key_update() - KEY_UPDATE on request (session-key-update)
 * @d: the device (not locked)
 * @all: UpdateAllKeys (both directions), else UpdateKey
 * @extack: the reason of a failure
 *
 * A failure drops the session: session-lost with reason key-update, then
 * recovery as the policy says.
 *
 * Return: 0 or a negative errno.
 */
int spdm_tsm_secure_key_update(struct spdm_tsm_dev *d, bool all,
			       struct netlink_ext_ack *extack)
{
	int rc;

	scoped_cond_guard(mutex_intr, return -EINTR, &d->lock) {
		spdm_tsm_dev_wait_action(d);
		if (d->removed)
			return -ENODEV;
		if (!d->session || !d->sum.sess.active) {
			NL_SET_ERR_MSG(extack, "no secured session (connect with --session)");
			return -ENOTCONN;
		}
		spdm_tsm_dev_begin_op(d);
		rc = spdm_secure_key_update(d->session, all);
		if (rc) {
			char msg[NETLINK_MAX_FMTMSG_LEN];

			strscpy(msg, spdm_last_error(d->session));
			NL_SET_ERR_MSG_FMT(extack, "%s", msg);
			spdm_tsm_secure_lost(d, SPDM_TSM_REASON_KEY_UPDATE, "KEY_UPDATE", rc);
			return rc;
		}
		d->key_update_last = jiffies;
		spdm_tsm_secure_sync(d);
		pci_info(d->pdev, "secured session %08x: %s done (%u so far)\n", d->sum.sess.id,
			 all ? "KEY_UPDATE UpdateAllKeys" : "KEY_UPDATE UpdateKey",
			 d->sum.sess.key_updates);
	}
	return 0;
}

/**
 * spdm_tsm_secure_end() - END_SESSION on request (session-end)
 * @d: the device (not locked)
 * @extack: the reason of a failure
 *
 * The device stays authenticated; no new session is established until the
 * next connect.  The session is gone locally even when END_SESSION failed;
 * session-ended is announced either way.
 *
 * Return: 0 or a negative errno.
 */
int spdm_tsm_secure_end(struct spdm_tsm_dev *d, struct netlink_ext_ack *extack)
{
	int rc = 0;

	scoped_cond_guard(mutex_intr, return -EINTR, &d->lock) {
		spdm_tsm_dev_wait_action(d);
		if (d->removed)
			return -ENODEV;
		if (!d->session || !d->sum.sess.active) {
			NL_SET_ERR_MSG(extack, "no secured session");
			return -ENOTCONN;
		}
		spdm_tsm_dev_begin_op(d);
		rc = spdm_secure_end(d->session);
		d->want_session = false;
		spdm_tsm_secure_sync(d);
		if (rc) {
			char msg[NETLINK_MAX_FMTMSG_LEN];

			snprintf(msg, sizeof(msg), "END_SESSION failed, session dropped: %s",
				 spdm_last_error(d->session));
			NL_SET_ERR_MSG_FMT(extack, "%s", msg);
		}
		pci_info(d->pdev, "secured session ended (%d)\n", rc);
		spdm_tsm_notify(d, SPDM_TSM_EVENT_SESSION_ENDED, SPDM_TSM_REASON_EXPLICIT);
	}
	return rc;
}

/* for spdm_tsm_secure_exit(): the next device whose session is not ended */
static int spdm_tsm_secure_exit_next(struct spdm_tsm_dev *d, void *arg)
{
	struct spdm_tsm_dev **out = arg;

	if (d->secure_exit_done)
		return 0;
	d->secure_exit_done = true;
	kref_get(&d->kref);
	*out = d;
	return 1;
}

/**
 * spdm_tsm_secure_exit() - module unload: END_SESSION to every device
 *
 * Before the workqueue goes: no heartbeat is armed after this (the
 * unloading flag is checked under each device's lock), and each device's
 * work has finished.  Each END_SESSION is bounded by op_timeout_ms.
 */
void spdm_tsm_secure_exit(void)
{
	struct spdm_tsm_dev *d;
	int rc;

	WRITE_ONCE(spdm_tsm_secure_unloading, true);
	for (;;) {
		d = NULL;
		spdm_tsm_dev_for_each(spdm_tsm_secure_exit_next, &d);
		if (!d)
			break;
		scoped_guard(mutex, &d->lock) {
			spdm_tsm_secure_disarm(d);
			if (!d->removed && d->session && d->sum.sess.active) {
				spdm_tsm_dev_begin_op(d);
				rc = spdm_secure_end(d->session);
				pci_info(d->pdev, "secured session ended on unload (%d)\n", rc);
			}
			spdm_tsm_secure_sync(d);
		}
		if (cancel_delayed_work_sync(&d->hb_work))
			spdm_tsm_dev_put(d);
		spdm_tsm_dev_put(d);
	}
}
