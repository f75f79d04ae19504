// SPDX-License-Identifier: GPL-2.0
/*
 * The SPDM core's platform operations in the kernel.
 *
 * Transport: one SPDM message per DOE exchange on the CMA feature of the
 * device's mailbox (PCIe r6.x sec 6.31.3).  Crypto: the sha2 library for
 * hashes, crypto_sig for verification -- "p1363(ecdsa-nist-pNNN)" takes the
 * uncompressed point 0x04||X||Y and a raw r||s signature, "pkcs1(rsa,shaNNN)"
 * takes a DER RSAPublicKey and builds the DigestInfo itself; both verify a
 * precomputed digest.  No RSASSA-PSS: the kernel has no verifier for it.
 *
 * Secured sessions: kpp "ecdh-nist-p256" / "ecdh-nist-p384" (a private key
 * of length 0 makes the kpp draw one; its public key and the peer's are
 * X || Y big-endian, the shared secret X, as SPDM's ExchangeData and DHE
 * secret), crypto_aead "gcm(aes)" and "rfc7539(chacha20,poly1305)" (12-byte
 * nonce, 16-byte tag), the sha2 library's HMAC for HKDF.  Each is looked up
 * when a session needs it: where the kernel lacks one the session call
 * fails (-ENOENT from the crypto API, reported as SPDM_FAIL_UNSUPPORTED),
 * never the module load.
 *
 * Bounded time: the session's private data is a struct spdm_kernel_ctl the
 * caller owns.  The core calls spdm_k_check() before every exchange and
 * before every Busy/ResponseNotReady retry delay; it stops the operation
 * with -ENODEV once the caller called spdm_kernel_abort() or the PCI core
 * started removing the function (the PCI core clears PCI_DEV_ADDED first
 * thing on removal, so an in-flight handshake stops at its next exchange
 * instead of making the removal wait), and with -ETIME once the deadline
 * passed.  Retry delays end at the deadline and on spdm_kernel_abort().
 * A single pci_doe() exchange cannot be interrupted: it is bounded by the
 * DOE core's own timeout (PCI_DOE_TIMEOUT, 1 s per wait for the mailbox),
 * so a whole operation is bounded by its deadline plus about one DOE
 * exchange.
 */
#include <linux/cleanup.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/pci.h>
#include <linux/pci-doe.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/scatterlist.h>
#include <crypto/aead.h>
#include <crypto/kpp.h>
#include <crypto/sha2.h>
#include <crypto/sig.h>

#include "../compat.h"
#include "spdm_kernel.h"

static ssize_t spdm_k_exchange(void *priv, enum spdm_transport_type type,
			       const void *req, size_t req_len, void *resp,
			       size_t resp_cap)
{
	struct spdm_kernel_ctl *ctl = priv;
	u64 t0 = ktime_get_ns(), dt;
	__le32 bounce[16];
	ssize_t rc;
	u8 feature;

	switch (type) {
	case SPDM_TRANSPORT_SPDM:
		feature = PCI_DOE_FEATURE_CMA;
		break;
	case SPDM_TRANSPORT_SECURED:
		feature = PCI_DOE_FEATURE_SSESSION;
		break;
	default:
		return -EOPNOTSUPP;
	}

	/*
	 * pci_doe() reads the request as __le32 words; the core builds its
	 * small requests in byte arrays, so hand it an aligned copy.
	 */
	if (!IS_ALIGNED((unsigned long)req, sizeof(__le32)) &&
	    req_len <= sizeof(bounce)) {
		memcpy(bounce, req, req_len);
		req = bounce;
	}
	rc = pci_doe(ctl->mb, PCI_VENDOR_ID_PCI_SIG, feature, req, req_len,
		     resp, resp_cap);
	dt = ktime_get_ns() - t0;
	ctl->stats.doe_ns += dt;
	ctl->stats.doe_max_ns = max(ctl->stats.doe_max_ns, dt);
	ctl->stats.doe_n++;
	return rc;
}

static int spdm_k_hash(void *priv, u32 alg, const void *data, size_t len,
		       u8 *out)
{
	struct spdm_kernel_ctl *ctl = priv;
	u64 t0 = ktime_get_ns();

	switch (alg) {
	case SPDM_HASH_SHA256:
		sha256(data, len, out);
		break;
	case SPDM_HASH_SHA384:
		sha384(data, len, out);
		break;
	case SPDM_HASH_SHA512:
		sha512(data, len, out);
		break;
	default:
		return -EOPNOTSUPP;
	}
	ctl->stats.hash_ns += ktime_get_ns() - t0;
	ctl->stats.hash_n++;
	return 0;
}

static const char *spdm_k_sig_alg(u32 asym, u32 hash)
{
	switch (asym) {
	case SPDM_ASYM_ECDSA_P256:
		return "p1363(ecdsa-nist-p256)";
	case SPDM_ASYM_ECDSA_P384:
		return "p1363(ecdsa-nist-p384)";
	case SPDM_ASYM_ECDSA_P521:
		return "p1363(ecdsa-nist-p521)";
	case SPDM_ASYM_RSASSA_2048:
	case SPDM_ASYM_RSASSA_3072:
	case SPDM_ASYM_RSASSA_4096:
		switch (hash) {
		case SPDM_HASH_SHA256:
			return "pkcs1(rsa,sha256)";
		case SPDM_HASH_SHA384:
			return "pkcs1(rsa,sha384)";
		case SPDM_HASH_SHA512:
			return "pkcs1(rsa,sha512)";
		}
	}
	return NULL;
}

static void spdm_k_sig_free(struct crypto_sig *tfm)
{
	if (!IS_ERR_OR_NULL(tfm))
		crypto_free_sig(tfm);
}

DEFINE_FREE(spdm_sig, struct crypto_sig *, spdm_k_sig_free(_T))

static int spdm_k_key_load(void *priv, u32 asym, u32 hash, const u8 *spki,
			   size_t spki_len, const u8 *pub, size_t pub_len,
			   void **key)
{
	const char *name = spdm_k_sig_alg(asym, hash);
	struct crypto_sig *tfm __free(spdm_sig) = NULL;
	int rc;

	if (!name)
		return -EOPNOTSUPP;
	tfm = crypto_alloc_sig(name, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	rc = crypto_sig_set_pubkey(tfm, pub, pub_len);
	if (rc)
		return rc;
	*key = no_free_ptr(tfm);
	return 0;
}

static int spdm_k_verify(void *priv, void *key, const u8 *digest,
			 size_t digest_len, const u8 *sig, size_t sig_len)
{
	struct spdm_kernel_ctl *ctl = priv;
	u64 t0 = ktime_get_ns();
	int rc = crypto_sig_verify(key, sig, sig_len, digest, digest_len);

	ctl->stats.verify_ns += ktime_get_ns() - t0;
	ctl->stats.verify_n++;
	return rc;
}

static void spdm_k_key_free(void *priv, void *key)
{
	crypto_free_sig(key);
}

static int spdm_k_random(void *priv, void *buf, size_t len)
{
	get_random_bytes(buf, len);
	return 0;
}

static void *spdm_k_zalloc(void *priv, size_t len)
{
	return kvzalloc(len, GFP_KERNEL);
}

/*
 * The core zeroes its secrets itself (memzero_explicit()); the transport
 * buffer may have held a decrypted response, so every free is sensitive.
 */
static void spdm_k_free(void *priv, void *p, size_t len)
{
	if (p)
		kvfree_sensitive(p, len);
}

static const char *spdm_k_dhe_alg(u32 dhe)
{
	switch (dhe) {
	case SPDM_DHE_SECP256R1:
		return "ecdh-nist-p256";
	case SPDM_DHE_SECP384R1:
		return "ecdh-nist-p384";
	}
	return NULL;
}

/* one kpp operation: @in (the peer's X || Y) or none (our public key) */
static int spdm_k_kpp(struct crypto_kpp *tfm, const u8 *in, size_t in_len,
		      u8 *out, size_t out_len)
{
	struct scatterlist src, dst;
	struct kpp_request *req;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf;
	int rc;

	/* scatterlists need memory off the stack */
	buf = kzalloc(in_len + out_len, GFP_KERNEL);
	req = kpp_request_alloc(tfm, GFP_KERNEL);
	if (!buf || !req) {
		rc = -ENOMEM;
		goto out;
	}
	if (in_len)
		memcpy(buf, in, in_len);
	sg_init_one(&src, buf, in_len);
	sg_init_one(&dst, buf + in_len, out_len);
	kpp_request_set_input(req, in_len ? &src : NULL, in_len);
	kpp_request_set_output(req, &dst, out_len);
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
				 &wait);
	rc = crypto_wait_req(in_len ? crypto_kpp_compute_shared_secret(req) :
			     crypto_kpp_generate_public_key(req), &wait);
	if (!rc)
		memcpy(out, buf + in_len, out_len);
out:
	kpp_request_free(req);
	kfree_sensitive(buf);
	return rc;
}

/*
 * The kpp secret "generate a private key": struct kpp_secret (type ECDH,
 * total length) then key_size 0 -- what crypto_ecdh_encode_key() builds,
 * packed here so that the module does not link against ecdh_generic and
 * still loads where the kernel has no ECDH.
 */
struct spdm_k_ecdh_secret {
	struct kpp_secret secret;
	unsigned short key_size;
} __packed;

static int spdm_k_dhe_gen(void *priv, u32 dhe, void **key, u8 *pub,
			  size_t pub_len)
{
	const char *name = spdm_k_dhe_alg(dhe);
	struct spdm_k_ecdh_secret sec = {
		.secret = {
			.type = CRYPTO_KPP_SECRET_TYPE_ECDH,
			.len = sizeof(sec),
		},
		.key_size = 0,
	};
	struct crypto_kpp *tfm;
	int rc;

	if (!name)
		return -EOPNOTSUPP;
	tfm = crypto_alloc_kpp(name, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	rc = crypto_kpp_set_secret(tfm, &sec, sizeof(sec));
	if (!rc && crypto_kpp_maxsize(tfm) != pub_len)
		rc = -EINVAL;
	if (!rc)
		rc = spdm_k_kpp(tfm, NULL, 0, pub, pub_len);
	if (rc) {
		crypto_free_kpp(tfm);	/* the ecdh tfm zeroes its key */
		return rc;
	}
	*key = tfm;
	return 0;
}

static int spdm_k_dhe_shared(void *priv, void *key, const u8 *peer,
			     size_t peer_len, u8 *secret, size_t secret_len)
{
	return spdm_k_kpp(key, peer, peer_len, secret, secret_len);
}

static void spdm_k_dhe_free(void *priv, void *key)
{
	crypto_free_kpp(key);
}

static int spdm_k_hmac(void *priv, u32 alg, const u8 *key, size_t key_len,
		       const u8 *data, size_t len, u8 *out)
{
	switch (alg) {
	case SPDM_HASH_SHA256:
		hmac_sha256_usingrawkey(key, key_len, data, len, out);
		return 0;
	case SPDM_HASH_SHA384:
		hmac_sha384_usingrawkey(key, key_len, data, len, out);
		return 0;
	case SPDM_HASH_SHA512:
		hmac_sha512_usingrawkey(key, key_len, data, len, out);
		return 0;
	}
	return -EOPNOTSUPP;
}

/*
 * One AEAD operation over a linear copy: AAD || data || tag.  @seal: the
 * tag goes to @tag; else it is checked (-EBADMSG, @out zeroed).
 */
static int spdm_k_aead(bool seal, u32 aead, const u8 *key, size_t key_len,
		       const u8 *iv, const u8 *aad, size_t aad_len,
		       const u8 *in, size_t len, u8 *out, u8 *tag)
{
	const char *name = aead == SPDM_AEAD_CHACHA20_POLY1305 ?
			   "rfc7539(chacha20,poly1305)" : "gcm(aes)";
	size_t total = aad_len + len + SPDM_AEAD_TAG_LEN;
	struct aead_request *req = NULL;
	u8 ivb[SPDM_AEAD_IV_LEN];
	struct crypto_aead *tfm;
	struct scatterlist sg;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf = NULL;
	int rc;

	if (!(aead & SPDM_AEAD_SUPPORTED) || (aead & (aead - 1)))
		return -EOPNOTSUPP;
	tfm = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	rc = crypto_aead_setkey(tfm, key, key_len);
	if (!rc)
		rc = crypto_aead_setauthsize(tfm, SPDM_AEAD_TAG_LEN);
	if (!rc && crypto_aead_ivsize(tfm) != SPDM_AEAD_IV_LEN)
		rc = -EINVAL;
	if (rc)
		goto out;
	buf = kzalloc(total, GFP_KERNEL);
	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!buf || !req) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(buf, aad, aad_len);
	if (len)
		memcpy(buf + aad_len, in, len);
	if (!seal)
		memcpy(buf + aad_len + len, tag, SPDM_AEAD_TAG_LEN);
	memcpy(ivb, iv, sizeof(ivb));
	sg_init_one(&sg, buf, total);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, &sg, &sg,
			       seal ? len : len + SPDM_AEAD_TAG_LEN, ivb);
	rc = crypto_wait_req(seal ? crypto_aead_encrypt(req) :
			     crypto_aead_decrypt(req), &wait);
	if (!rc) {
		if (len)
			memcpy(out, buf + aad_len, len);
		if (seal)
			memcpy(tag, buf + aad_len + len, SPDM_AEAD_TAG_LEN);
	} else if (len) {
		memzero_explicit(out, len);
	}
out:
	memzero_explicit(ivb, sizeof(ivb));
	aead_request_free(req);
	kfree_sensitive(buf);
	crypto_free_aead(tfm);
	return rc;
}

static int spdm_k_aead_seal(void *priv, u32 aead, const u8 *key,
			    size_t key_len, const u8 *iv, const u8 *aad,
			    size_t aad_len, const u8 *in, size_t len, u8 *out,
			    u8 *tag)
{
	return spdm_k_aead(true, aead, key, key_len, iv, aad, aad_len, in, len,
			   out, tag);
}

static int spdm_k_aead_open(void *priv, u32 aead, const u8 *key,
			    size_t key_len, const u8 *iv, const u8 *aad,
			    size_t aad_len, const u8 *in, size_t len, u8 *out,
			    const u8 *tag)
{
	return spdm_k_aead(false, aead, key, key_len, iv, aad, aad_len, in, len,
			   out, (u8 *)tag);
}

static bool spdm_k_gone(struct spdm_kernel_ctl *ctl)
{
	return READ_ONCE(ctl->aborted) ||
	       (ctl->pdev && (pci_dev_is_disconnected(ctl->pdev) ||
			      !spdm_tsm_pci_dev_added(ctl->pdev)));
}

/* Sleep up to @us, no later than the deadline; spdm_kernel_abort() wakes. */
static void spdm_k_delay(void *priv, unsigned int us)
{
	struct spdm_kernel_ctl *ctl = priv;
	unsigned int wait = us;

	if (ctl->deadline) {
		s64 left = ktime_us_delta(ctl->deadline, ktime_get());

		if (left <= 0)
			return;
		if (left < wait)
			wait = left;
	}
	wait_event_timeout(ctl->wq, spdm_k_gone(ctl), usecs_to_jiffies(wait));
}

static int spdm_k_check(void *priv)
{
	struct spdm_kernel_ctl *ctl = priv;

	if (spdm_k_gone(ctl))
		return -ENODEV;
	if (ctl->deadline && ktime_after(ktime_get(), ctl->deadline))
		return -ETIME;
	return 0;
}

/*
 * spdm_kernel_ops - platform operations for an SPDM session over PCI DOE,
 * private to spdm_kernel_session_create()
 *
 * The session's private pointer must be a struct spdm_kernel_ctl
 * (spdm_kernel_ctl_init()) naming the function and its CMA DOE mailbox,
 * e.g. from pci_find_doe_mailbox(pdev, PCI_VENDOR_ID_PCI_SIG,
 * PCI_DOE_FEATURE_CMA) or struct pci_tsm_pf0.doe_mb.
 */
static const struct spdm_ops spdm_kernel_ops = {
	.exchange = spdm_k_exchange,
	.hash = spdm_k_hash,
	.key_load = spdm_k_key_load,
	.verify = spdm_k_verify,
	.key_free = spdm_k_key_free,
	.random = spdm_k_random,
	.zalloc = spdm_k_zalloc,
	.free = spdm_k_free,
	.delay_us = spdm_k_delay,
	.check = spdm_k_check,
	.dhe_gen = spdm_k_dhe_gen,
	.dhe_shared = spdm_k_dhe_shared,
	.dhe_free = spdm_k_dhe_free,
	.hmac = spdm_k_hmac,
	.aead_seal = spdm_k_aead_seal,
	.aead_open = spdm_k_aead_open,
};

/**
 * spdm_kernel_ctl_init() - prepare the context a kernel session runs against
 * @ctl: the context, owned by the caller; must outlive the session
 * @pdev: the PCI function, for removal detection (NULL: none)
 * @mb: its CMA DOE mailbox
 *
 * No deadline, not aborted.
 */
void spdm_kernel_ctl_init(struct spdm_kernel_ctl *ctl, struct pci_dev *pdev,
			  struct pci_doe_mb *mb)
{
	ctl->pdev = pdev;
	ctl->mb = mb;
	ctl->deadline = 0;
	WRITE_ONCE(ctl->aborted, false);
	init_waitqueue_head(&ctl->wq);
}

/**
 * spdm_kernel_set_deadline() - bound the next operations in time
 * @ctl: the session's context
 * @ms: milliseconds from now; 0 for no deadline
 *
 * Call it before each operation (spdm_authenticate(), spdm_revalidate(),
 * spdm_get_measurements()); the operation fails with -ETIME and
 * SPDM_FAIL_DEADLINE at the first exchange or retry delay past it.  The
 * operation may overrun it by about one DOE exchange (see above).
 *
 * Context: the caller serialises it with the session's operations.
 */
void spdm_kernel_set_deadline(struct spdm_kernel_ctl *ctl, unsigned int ms)
{
	ctl->deadline = ms ? ktime_add_ms(ktime_get(), ms) : 0;
}

/**
 * spdm_kernel_abort() - make the session's operations stop
 * @ctl: the session's context
 *
 * The running operation (and every later one) fails with -ENODEV and
 * SPDM_FAIL_ABORTED at its next exchange or retry delay; a retry delay in
 * progress is cut short.  An exchange already in pci_doe() completes or
 * times out first.  Sticky until spdm_kernel_ctl_init().
 *
 * Context: any; does not sleep (callable from a bus notifier).
 */
void spdm_kernel_abort(struct spdm_kernel_ctl *ctl)
{
	WRITE_ONCE(ctl->aborted, true);
	wake_up(&ctl->wq);
}

/**
 * spdm_kernel_session_create() - create an SPDM session over a DOE mailbox
 * @ctl: the function, its CMA DOE mailbox, deadline and abort state
 *	(spdm_kernel_ctl_init()); owned by the caller, must outlive the session
 * @max_resp: largest response the mailbox path accepts (0: default 0x1200)
 * @mem_budget: per-session memory cap in bytes (0: 1 MiB)
 * @out: the new session, to be released with spdm_session_free()
 *
 * Context: process context; operations on the session sleep.  The caller
 * serialises all calls on one session (e.g. under the device's TSM lock).
 *
 * Return: 0 or a negative errno (-ENODEV without a mailbox).
 */
int spdm_kernel_session_create(struct spdm_kernel_ctl *ctl, size_t max_resp,
			       size_t mem_budget, struct spdm_session **out)
{
	struct spdm_params p = {
		.ops = &spdm_kernel_ops,
		.priv = ctl,
		.max_resp = max_resp,
		.mem_budget = mem_budget,
	};

	*out = NULL;
	if (!ctl || !ctl->mb)
		return -ENODEV;
	return spdm_session_create(&p, out);
}

/**
 * spdm_kernel_session_create_ex() - spdm_kernel_session_create() with more
 *	parameters
 * @ctl: as for spdm_kernel_session_create()
 * @tmpl: max_resp, max_msg, mem_budget, versions, masks and the secured
 *	session choices (@tmpl->secure, dhe_mask, aead_mask); ops and priv
 *	are ignored
 * @out: the new session
 *
 * Context: process context.
 *
 * Return: 0 or a negative errno.
 */
int spdm_kernel_session_create_ex(struct spdm_kernel_ctl *ctl,
				  const struct spdm_params *tmpl,
				  struct spdm_session **out)
{
	struct spdm_params p = *tmpl;

	*out = NULL;
	if (!ctl || !ctl->mb)
		return -ENODEV;
	p.ops = &spdm_kernel_ops;
	p.priv = ctl;
	return spdm_session_create(&p, out);
}
