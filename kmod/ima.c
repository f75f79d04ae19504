// SPDX-License-Identifier: GPL-2.0
/*
 * Fleet evidence: every authentication result of a device, measured into
 * the IMA log (and so into the TPM's PCR 10) as a critical-data event with
 * label "spdm-tsm".  A remote verifier replays the log against a TPM quote
 * and reads the records without trusting the host (docs/ima-record.md).
 *
 * IMA records the event only when its policy asks for the label
 * ("measure func=CRITICAL_DATA label=spdm-tsm", or ima_policy=critical_data);
 * the module parameter "ima" turns the records off.
 */
#include <linux/atomic.h>
#include <linux/ima.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <crypto/sha2.h>

#include "spdm_tsm.h"

static bool ima = true;
module_param(ima, bool, 0644);
MODULE_PARM_DESC(ima, "record authentication results as IMA critical data, label spdm-tsm (default on)");

/* Record numbers since module load: IMA drops a record identical to one it holds. */
static atomic64_t spdm_tsm_ima_seq = ATOMIC64_INIT(0);

#define SPDM_TSM_IMA_LABEL	"spdm-tsm"
#define SPDM_TSM_IMA_RECORD_MAX	512

static const char *spdm_tsm_ima_asym(u32 asym)
{
	switch (asym) {
	case SPDM_ASYM_RSASSA_2048:
		return "rsassa-2048";
	case SPDM_ASYM_RSASSA_3072:
		return "rsassa-3072";
	case SPDM_ASYM_RSASSA_4096:
		return "rsassa-4096";
	case SPDM_ASYM_ECDSA_P256:
		return "ecdsa-p256";
	case SPDM_ASYM_ECDSA_P384:
		return "ecdsa-p384";
	case SPDM_ASYM_ECDSA_P521:
		return "ecdsa-p521";
	default:
		return "none";
	}
}

static const char *spdm_tsm_ima_hash(u32 hash)
{
	switch (hash) {
	case SPDM_HASH_SHA256:
		return "sha256";
	case SPDM_HASH_SHA384:
		return "sha384";
	case SPDM_HASH_SHA512:
		return "sha512";
	default:
		return "none";
	}
}

/**
 * spdm_tsm_ima_connected() - remember the identity a connect verified
 * @d: the device, with @d->lock held, just authenticated
 *
 * Later records of the device (revalidation, loss, disconnect) name the
 * identity of its last successful connect, also once the session is gone.
 */
void spdm_tsm_ima_connected(struct spdm_tsm_dev *d)
{
	struct spdm_tsm_ima_id *id = &d->ima_id;

	lockdep_assert_held(&d->lock);
	scoped_guard(spinlock, &d->slock) {
		id->version = d->sum.version;
		id->asym = d->sum.asym;
		id->hash = d->sum.hash;
		id->slot = d->sum.slot;
	}
	id->dsn = pci_get_dsn(d->pdev);
	id->chain_len = min_t(u8, d->cached_digest_len, sizeof(id->chain));
	memcpy(id->chain, d->cached_digest, id->chain_len);
}

/**
 * spdm_tsm_ima_forget() - a connect failed: no identity is established
 * @d: the device, with @d->lock held
 */
void spdm_tsm_ima_forget(struct spdm_tsm_dev *d)
{
	lockdep_assert_held(&d->lock);
	memset(&d->ima_id, 0, sizeof(d->ima_id));
}

/* Format version 1 of the record; see docs/ima-record.md. */
static int spdm_tsm_ima_format(struct spdm_tsm_dev *d, char *buf, size_t size,
			       const char *event, const char *reason)
{
	const struct spdm_tsm_ima_id *id = &d->ima_id;
	struct pci_dev *pdev = d->pdev;
	char meas[8 + 2 * SHA256_DIGEST_SIZE + 1] = "none";
	char chain[8 + 2 * SPDM_MAX_HASH + 1] = "none";
	char dsn[17] = "none";
	char version[8] = "none";
	struct spdm_evidence ev;
	u64 serial;

	/* a function being removed is not read again: its connect's DSN */
	serial = d->removed ? id->dsn : pci_get_dsn(pdev);
	if (serial)
		snprintf(dsn, sizeof(dsn), "%016llx", serial);
	if (id->version)
		snprintf(version, sizeof(version), "%u.%u", id->version >> 4, id->version & 0xf);
	if (id->chain_len)
		snprintf(chain, sizeof(chain), "%s:%*phN", spdm_tsm_ima_hash(id->hash),
			 id->chain_len, id->chain);
	if (d->session) {
		spdm_get_evidence(d->session, &ev);
		if (ev.complete && ev.meas_blocks.len) {
			u8 md[SHA256_DIGEST_SIZE];

			sha256(ev.meas_blocks.data, ev.meas_blocks.len, md);
			snprintf(meas, sizeof(meas), "sha256:%*phN", (int)sizeof(md), md);
		}
	}
	return snprintf(buf, size,
			"spdm-tsm-ima/1 seq=%lld time_ns=%llu event=%s reason=%s bdf=%s vendor=%04x device=%04x dsn=%s version=%s asym=%s hash=%s slot=%u chain=%s meas=%s\n",
			atomic64_inc_return(&spdm_tsm_ima_seq), ktime_get_boottime_ns(),
			event, reason, pci_name(pdev), pdev->vendor, pdev->device, dsn,
			version, spdm_tsm_ima_asym(id->asym), spdm_tsm_ima_hash(id->hash),
			id->slot, chain, meas);
}

/**
 * spdm_tsm_ima_record() - measure an authentication result into IMA
 * @d: the device, with @d->lock held: records of a device are measured in
 *	the order its state changed
 * @event: what happened ("connected", "connect-failed", "revalidated", ...)
 * @reason: why ("none" when there is no reason to give)
 *
 * The record (a one-line text, format version 1) is the buffer of an IMA
 * critical-data event named "spdm-tsm/BDF/EVENT"; IMA stores it in the log
 * (template ima-buf) and extends its PCR only when the IMA policy measures
 * the label.  Nothing here is a verdict: a record that cannot be made (out
 * of memory) is left out, and the host's IMA log then lacks it.
 *
 * Context: process context; may sleep.
 */
void spdm_tsm_ima_record(struct spdm_tsm_dev *d, const char *event, const char *reason)
{
	char name[64];
	int len, rc;

	lockdep_assert_held(&d->lock);
	if (!READ_ONCE(ima))
		return;

	char *buf __free(kfree) = kmalloc(SPDM_TSM_IMA_RECORD_MAX, GFP_KERNEL);

	if (!buf) {
		pci_notice_ratelimited(d->pdev, "spdm_tsm: IMA record %s not made (out of memory)\n",
				       event);
		return;
	}
	len = spdm_tsm_ima_format(d, buf, SPDM_TSM_IMA_RECORD_MAX, event, reason);
	if (len <= 0 || len >= SPDM_TSM_IMA_RECORD_MAX)
		return;
	snprintf(name, sizeof(name), "spdm-tsm/%s/%s", pci_name(d->pdev), event);
	/* -ENOENT: the IMA policy does not measure the label (or no IMA) */
	rc = ima_measure_critical_data(SPDM_TSM_IMA_LABEL, name, buf, len, false, NULL, 0);
	if (rc < 0 && rc != -ENOENT)
		pci_notice_ratelimited(d->pdev, "spdm_tsm: IMA record %s not measured (%d)\n",
				       event, rc);
}
