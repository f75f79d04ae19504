// SPDX-License-Identifier: GPL-2.0
/*
 * PCI/TSM link operations.  The PCI/TSM core calls them for functions it
 * treats as a Device Security Manager (an IDE capability or DevCap TEE-IO),
 * under pci_tsm_rwsem held for write; connect and disconnect also under the
 * DSM lock (struct pci_tsm_pf0::lock).
 */
#define dev_fmt(fmt) "spdm_tsm: " fmt

#include <linux/slab.h>

#include "spdm_tsm.h"

#include <linux/pci-doe.h>

bool spdm_tsm_has_cma(struct pci_dev *pdev)
{
	return pci_find_doe_mailbox(pdev, PCI_VENDOR_ID_PCI_SIG,
				    PCI_DOE_FEATURE_CMA) != NULL;
}

static struct pci_tsm *spdm_tsm_probe(struct tsm_dev *tsm_dev,
				      struct pci_dev *pdev)
{
	int rc;

	if (is_pci_tsm_pf0(pdev)) {
		struct pci_tsm_pf0 *pf0 __free(kfree) =
			kzalloc_obj(*pf0, GFP_KERNEL);

		if (!pf0)
			return NULL;
		rc = pci_tsm_pf0_constructor(pdev, pf0, tsm_dev);
		if (rc) {
			pci_tsm_pf0_destructor(pf0);
			return NULL;
		}
		return &no_free_ptr(pf0)->base_tsm;
	}

	struct pci_tsm *tsm __free(kfree) = kzalloc_obj(*tsm, GFP_KERNEL);

	if (!tsm)
		return NULL;
	if (pci_tsm_link_constructor(pdev, tsm, tsm_dev))
		return NULL;
	return no_free_ptr(tsm);
}

static void spdm_tsm_remove(struct pci_tsm *tsm)
{
	if (tsm->dsm_dev == tsm->pdev) {
		struct pci_tsm_pf0 *pf0 = container_of(tsm, struct pci_tsm_pf0, base_tsm);

		pci_tsm_pf0_destructor(pf0);
		kfree(pf0);
		return;
	}
	kfree(tsm);
}

/*
 * Called by the PCI/TSM core for "echo tsmN > .../tsm/connect" under
 * pci_tsm_rwsem (write) and the DSM lock; pdev->tsm is our pci_tsm_pf0.
 */
static int spdm_tsm_connect(struct pci_dev *pdev)
{
	struct spdm_tsm_connect_args args = {
		.slot = 0,
		.via_tsm = true,
		.session = READ_ONCE(spdm_tsm_session_default),
	};
	struct spdm_tsm_dev *d __free(spdm_tsm_dev_put) = spdm_tsm_dev_find(pdev, true);

	if (IS_ERR(d))
		return PTR_ERR(d);
	guard(mutex)(&d->lock);
	return spdm_tsm_dev_connect(d, &args, NULL);
}

static void spdm_tsm_disconnect(struct pci_dev *pdev)
{
	struct spdm_tsm_dev *d __free(spdm_tsm_dev_put) = spdm_tsm_dev_find(pdev, false);

	if (!d)
		return;
	/* the core's removal path: do not wait for a revalidation in flight */
	if (!spdm_tsm_pci_dev_added(pdev))
		spdm_kernel_abort(&d->ctl);
	guard(mutex)(&d->lock);
	spdm_tsm_dev_disconnect(d);
}

/* TDISP is not this TSM's business: native SPDM has no TDI to bind. */
static struct pci_tdi *spdm_tsm_bind(struct pci_dev *pdev, struct kvm *kvm, u32 tdi_id)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void spdm_tsm_unbind(struct pci_tdi *tdi)
{
}

static ssize_t spdm_tsm_guest_req(struct pci_tdi *tdi, enum pci_tsm_req_scope scope,
				  sockptr_t req_in, size_t in_len, sockptr_t req_out,
				  size_t out_len, u64 *tsm_code)
{
	return -EOPNOTSUPP;
}

struct pci_tsm_ops spdm_tsm_pci_ops = {
	.probe = spdm_tsm_probe,
	.remove = spdm_tsm_remove,
	.connect = spdm_tsm_connect,
	.disconnect = spdm_tsm_disconnect,
	.bind = spdm_tsm_bind,
	.unbind = spdm_tsm_unbind,
	.guest_req = spdm_tsm_guest_req,
};
