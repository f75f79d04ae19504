// SPDX-License-Identifier: GPL-2.0
/*
 * ynltest: drive the spdm-tsm family with the kernel's own YNL C library
 * (tools/net/ynl/lib) and the user code ynl_gen_c.py generates from
 * kmod/spdm-tsm.yaml (scripts/ynl-regen --user), so that the spec is proven
 * against the running module: YNL parses every reply with the spec's
 * attribute types and refuses what does not match.
 *
 * usage: ynltest DEV   (DEV: a function with a CMA mailbox, not a DSM, not
 *                       connected; it is connected with measurements and
 *                       disconnected again)
 *
 * Dumps the devices, connects DEV, receives the "connected" dev-event-ntf
 * from the events group, dumps the evidence (all objects, then one by the
 * objects mask) and checks the chunks reassemble, disconnects and receives
 * "disconnected".  Prints TAP-like lines, and "nonce HEX" and
 * "slot-digest N HEX" for the scenario to compare with tsmctl; exits with
 * the number of failed checks.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ynl.h"
#include "spdm-tsm-user.h"

static int failures, count;

static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	count++;
	printf("%s %d - ", ok ? "ok" : "not ok", count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
	return ok;
}

static void print_hex(const char *label, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	printf("%s ", label);
	for (i = 0; i < len; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* The next dev-event-ntf for @dev on @ev within @timeout_s, or NULL. */
static struct spdm_tsm_dev_event_ntf *wait_event(struct ynl_sock *ev, const char *dev,
						 int timeout_s)
{
	time_t end = time(NULL) + timeout_s;
	struct ynl_ntf_base_type *base;

	for (;;) {
		struct pollfd pfd = { .fd = ynl_socket_get_fd(ev), .events = POLLIN };

		while ((base = ynl_ntf_dequeue(ev))) {
			struct spdm_tsm_dev_event_ntf *n = (void *)base;

			if (base->cmd == SPDM_TSM_CMD_DEV_EVENT_NTF && n->obj.bdf &&
			    !strcmp(n->obj.bdf, dev))
				return n;
			printf("# other notification: cmd %u\n", base->cmd);
			ynl_ntf_free(base);
		}
		if (time(NULL) >= end)
			return NULL;
		if (poll(&pfd, 1, 1000) < 0)
			return NULL;
		if (ynl_ntf_check(ev) < 0) {
			printf("# ynl_ntf_check: %s\n", ev->err.msg);
			return NULL;
		}
	}
}

struct object {
	unsigned int total, got, msgs;
	bool seen;
};

/* Dump the evidence of @dev (with @objects, when nonzero) and check it. */
static void evidence(struct ynl_sock *ys, const char *dev, __u32 objects, bool print)
{
	struct spdm_tsm_evidence_get_req *req = spdm_tsm_evidence_get_req_alloc();
	struct spdm_tsm_evidence_get_list *list;
	struct object obj[SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT + 1] = {};
	unsigned int scalars = 0, bad = 0, i;
	__u64 generation = 0;
	bool first = true;

	spdm_tsm_evidence_get_req_set_bdf(req, dev);
	if (objects)
		spdm_tsm_evidence_get_req_set_objects(req, objects);
	list = spdm_tsm_evidence_get_dump(ys, req);
	spdm_tsm_evidence_get_req_free(req);
	if (!check(list, "evidence-get dump (objects 0x%x): %s", objects,
		   list ? "" : ys->err.msg))
		return;
	ynl_dump_foreach(list, r) {
		if (!r->bdf || strcmp(r->bdf, dev) || !r->_present.generation)
			bad++;
		else if (first)
			generation = r->generation;
		else if (r->generation != generation)
			bad++;
		if (first) {
			first = false;
			check(!r->_present.object, "the first message carries the scalars, no object");
			check(r->_present.version && r->_present.asym && r->_present.hash &&
			      r->_present.slot && r->_present.slot_mask,
			      "scalars: version 0x%x asym 0x%x hash 0x%x slot %u slot-mask 0x%x",
			      r->version, r->asym, r->hash, r->slot, r->slot_mask);
			check(r->_len.nonce == 32, "nonce: %u bytes", r->_len.nonce);
			check(r->_len.signature > 0, "signature: %u bytes", r->_len.signature);
			check(r->_count.slot_digest >= 1, "slot digests: %u", r->_count.slot_digest);
			if (print) {
				print_hex("nonce", r->nonce, r->_len.nonce);
				for (i = 0; i < r->_count.slot_digest; i++) {
					char label[32];

					snprintf(label, sizeof(label), "slot-digest %u",
						 r->slot_digest[i].slot);
					print_hex(label, r->slot_digest[i].digest,
						  r->slot_digest[i]._len.digest);
				}
			}
			scalars++;
			continue;
		}
		if (!r->_present.object) {
			scalars++;
			continue;
		}
		if (r->object < 1 || r->object > SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT ||
		    !r->_present.offset || !r->_present.total) {
			bad++;
			continue;
		}
		struct object *o = &obj[r->object];

		if (!o->seen) {
			o->seen = true;
			o->total = r->total;
		}
		/* chunks in order, no gap, no overlap, one total */
		if (r->offset != o->got || r->total != o->total || !r->_len.data ||
		    r->_len.data > 3072)
			bad++;
		o->got += r->_len.data;
		o->msgs++;
	}
	check(scalars == 1, "one scalar message (%u)", scalars);
	check(!bad, "every chunk names the device and one generation, in order (%u bad)", bad);
	for (i = 1; i <= SPDM_TSM_EVIDENCE_OBJECT_MEAS_TRANSCRIPT; i++) {
		bool want = !objects || (objects & (1u << i));

		if (!want) {
			check(!obj[i].seen, "object %u not sent: not in the mask", i);
			continue;
		}
		check(obj[i].seen && obj[i].got == obj[i].total && obj[i].total > 0,
		      "object %u: %u of %u bytes in %u messages", i, obj[i].got, obj[i].total,
		      obj[i].msgs);
		if (print)
			printf("object %u total %u\n", i, obj[i].total);
	}
	spdm_tsm_evidence_get_list_free(list);
}

int main(int argc, char **argv)
{
	/*
	 * The generated family names itself by its C name, "spdm_tsm" (7.3's
	 * ynl_gen_c.py renders .name from family.c_name, so a family whose name
	 * has a hyphen is never found); resolve the spec's name instead.
	 */
	struct ynl_family family = ynl_spdm_tsm_family;
	struct spdm_tsm_dev_get_list *devs;
	struct spdm_tsm_dev_event_ntf *ntf;
	struct ynl_error yerr;
	struct ynl_sock *ys, *ev;
	const char *dev;
	bool found = false;

	if (argc != 2) {
		fprintf(stderr, "usage: ynltest DEV  (a function with a CMA mailbox, not connected)\n");
		return 2;
	}
	dev = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	family.name = SPDM_TSM_FAMILY_NAME;
	ys = ynl_sock_create(&family, &yerr);
	if (!ys) {
		fprintf(stderr, "ynltest: %s (%d: %s)\n", yerr.msg, yerr.code, strerror(yerr.code));
		return 2;
	}
	ev = ynl_sock_create(&family, &yerr);
	if (!ev) {
		fprintf(stderr, "ynltest: %s (%d: %s)\n", yerr.msg, yerr.code, strerror(yerr.code));
		return 2;
	}

	/* 1. dev-get dump */
	devs = spdm_tsm_dev_get_dump(ys);
	if (check(devs, "dev-get dump: %s", devs ? "" : ys->err.msg)) {
		ynl_dump_foreach(devs, d) {
			printf("# dev %s %04x:%04x cma %u dsm %u state %u\n", d->bdf,
			       d->vendor_id, d->device_id, d->cma, d->dsm, d->state);
			if (d->bdf && !strcmp(d->bdf, dev)) {
				found = true;
				check(d->_present.cma && d->cma == 1 && d->_present.state &&
				      d->state == SPDM_TSM_STATE_NONE && d->_present.mem_limit,
				      "dev-get dump: %s has a CMA mailbox, state none", dev);
			}
		}
		spdm_tsm_dev_get_list_free(devs);
	}
	check(found, "dev-get dump lists %s", dev);

	/* 2. the events group */
	check(!ynl_subscribe(ev, "events"), "subscribe to the events group: %s", ev->err.msg);

	/* 3. connect, with measurements */
	{
		struct spdm_tsm_connect_req *req = spdm_tsm_connect_req_alloc();
		struct spdm_tsm_connect_rsp *rsp;

		spdm_tsm_connect_req_set_bdf(req, dev);
		spdm_tsm_connect_req_set_measurements(req);
		rsp = spdm_tsm_connect(ys, req);
		spdm_tsm_connect_req_free(req);
		if (check(rsp, "connect: %s", rsp ? "" : ys->err.msg)) {
			check(rsp->_present.state && rsp->state == SPDM_TSM_STATE_AUTHENTICATED &&
			      rsp->_present.version && rsp->_present.generation,
			      "connect reply: authenticated, version 0x%x, generation %llu",
			      rsp->version, (unsigned long long)rsp->generation);
			spdm_tsm_connect_rsp_free(rsp);
		}
	}

	/* 4. its notification */
	ntf = wait_event(ev, dev, 60);
	if (check(ntf, "dev-event-ntf for %s received", dev)) {
		struct spdm_tsm_dev_event_ntf_rsp *n = &ntf->obj;

		check(n->event == SPDM_TSM_EVENT_CONNECTED && n->state == SPDM_TSM_STATE_AUTHENTICATED &&
		      n->timestamp_ns > 0 && n->version && n->cma == 1,
		      "dev-event-ntf: event %u (connected), state %u, version 0x%x, timestamp %llu",
		      n->event, n->state, n->version, (unsigned long long)n->timestamp_ns);
		ynl_ntf_free((struct ynl_ntf_base_type *)ntf);
	}

	/* 5. evidence: everything, then the leaf key alone */
	evidence(ys, dev, 0, true);
	evidence(ys, dev, 1u << SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI, false);

	/* 6. disconnect and its notification */
	{
		struct spdm_tsm_disconnect_req *req = spdm_tsm_disconnect_req_alloc();
		int rc;

		spdm_tsm_disconnect_req_set_bdf(req, dev);
		rc = spdm_tsm_disconnect(ys, req);
		spdm_tsm_disconnect_req_free(req);
		check(!rc, "disconnect: %s", rc ? ys->err.msg : "");
	}
	ntf = wait_event(ev, dev, 60);
	if (check(ntf, "second dev-event-ntf for %s received", dev)) {
		check(ntf->obj.event == SPDM_TSM_EVENT_DISCONNECTED &&
		      ntf->obj.state == SPDM_TSM_STATE_NONE,
		      "dev-event-ntf: event %u (disconnected), state %u", ntf->obj.event,
		      ntf->obj.state);
		ynl_ntf_free((struct ynl_ntf_base_type *)ntf);
	}

	ynl_sock_destroy(ev);
	ynl_sock_destroy(ys);
	printf("# ynltest: %d checks, %d failed\n", count, failures);
	return failures;
}
