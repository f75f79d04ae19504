// SPDX-License-Identifier: GPL-2.0
/*
 * nlsess: the secured-session commands of the spdm-tsm family, driven with
 * the kernel's YNL C library and the user code generated from
 * kmod/spdm-tsm.yaml (as ynltest), for VM scenario 065 -- independent of
 * tsmctl, so the kernel side is tested against the spec itself.
 *
 * usage: nlsess connect DEV [meas]     connect with the session flag
 *        nlsess show DEV               dev-get: "KEY VALUE" lines
 *        nlsess key-update DEV [all]   session-key-update
 *        nlsess end DEV                session-end
 *        nlsess evidence DEV           the session nest of evidence-get
 *        nlsess monitor N SECONDS      print "BDF EVENT REASON" for N events
 *                                      (stderr "subscribed" once listening),
 *                                      "- lost ENOBUFS" for events the kernel
 *                                      could not deliver
 * Exit status: 0, 1 when the kernel refused (its extended ack on stderr),
 * 2 on a usage or setup error, 3 when monitor timed out, 4 when monitor
 * could not receive or parse a notification (other than ENOBUFS; the error
 * on stderr, "nlsess: receive: ...").
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ynl.h"
#include "spdm-tsm-user.h"

static struct ynl_sock *open_sock(void)
{
	/*
	 * The spec's name: 7.3's generator names the family by its C name.
	 * Static: ynl_sock_create() keeps the pointer (ys->family) and reads
	 * the notification table through it on every receive; a copy on this
	 * stack frame was gone once open_sock() returned, and the next calls
	 * overwrote it (ynl_ntf_check() then failed with a calloc() of a
	 * garbage size: ENOMEM, no message).
	 */
	static struct ynl_family family;
	struct ynl_error yerr;
	struct ynl_sock *ys;

	family = ynl_spdm_tsm_family;
	family.name = SPDM_TSM_FAMILY_NAME;
	ys = ynl_sock_create(&family, &yerr);
	if (!ys) {
		fprintf(stderr, "nlsess: %s\n", yerr.msg);
		exit(2);
	}
	return ys;
}

static int refused(struct ynl_sock *ys, const char *what)
{
	fprintf(stderr, "nlsess: %s: %s\n", what, ys->err.msg);
	return 1;
}

static void print_session(const struct spdm_tsm_session *s)
{
	if (s->_present.state)
		printf("session-state %s\n", spdm_tsm_session_state_str(s->state));
	if (s->_present.id)
		printf("id 0x%08x\n", s->id);
	if (s->_present.dhe)
		printf("dhe 0x%x\n", s->dhe);
	if (s->_present.aead)
		printf("aead 0x%x\n", s->aead);
	if (s->_present.hash)
		printf("session-hash 0x%x\n", s->hash);
	if (s->_present.encrypted)
		printf("encrypted %u\n", s->encrypted);
	if (s->_present.heartbeat_period)
		printf("heartbeat-period %u\n", s->heartbeat_period);
	if (s->_present.established_ns)
		printf("established-ns %llu\n", (unsigned long long)s->established_ns);
	if (s->_present.key_updates)
		printf("key-updates %u\n", s->key_updates);
	if (s->_present.heartbeats)
		printf("heartbeats %u\n", s->heartbeats);
	if (s->_present.establishments)
		printf("establishments %u\n", s->establishments);
	if (s->_present.exchanges)
		printf("session-exchanges %u\n", s->exchanges);
	if (s->_present.duration_us)
		printf("session-duration-us %llu\n", (unsigned long long)s->duration_us);
}

static int show(struct ynl_sock *ys, const char *dev)
{
	struct spdm_tsm_dev_get_req *req = spdm_tsm_dev_get_req_alloc();
	struct spdm_tsm_dev_get_rsp *rsp;

	spdm_tsm_dev_get_req_set_bdf(req, dev);
	rsp = spdm_tsm_dev_get(ys, req);
	spdm_tsm_dev_get_req_free(req);
	if (!rsp)
		return refused(ys, "dev-get");
	printf("state %s\n", spdm_tsm_state_str(rsp->state));
	if (rsp->last_error)
		printf("last-error %s\n", rsp->last_error);
	if (rsp->_present.session_info)
		print_session(&rsp->session_info);
	else
		printf("session-state absent\n");
	spdm_tsm_dev_get_rsp_free(rsp);
	return 0;
}

static int evidence(struct ynl_sock *ys, const char *dev)
{
	struct spdm_tsm_evidence_get_req *req = spdm_tsm_evidence_get_req_alloc();
	struct spdm_tsm_evidence_get_list *list;
	int found = 0;

	spdm_tsm_evidence_get_req_set_bdf(req, dev);
	spdm_tsm_evidence_get_req_set_objects(req, 1u << SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI);
	list = spdm_tsm_evidence_get_dump(ys, req);
	spdm_tsm_evidence_get_req_free(req);
	if (!list)
		return refused(ys, "evidence-get");
	ynl_dump_foreach(list, r) {
		const struct spdm_tsm_session_evidence *s = &r->session;

		if (!r->_present.session)
			continue;
		found = 1;
		if (s->_present.id)
			printf("id 0x%08x\n", s->id);
		printf("dhe 0x%x\naead 0x%x\n", s->dhe, s->aead);
		printf("ke-signature %u\nke-th-hash %u\n", s->_len.ke_signature, s->_len.ke_th_hash);
		if (s->ke_context)
			printf("ke-context %s\n", s->ke_context);
	}
	if (!found)
		printf("session absent\n");
	spdm_tsm_evidence_get_list_free(list);
	return 0;
}

static int monitor(struct ynl_sock *ys, int n, int seconds)
{
	time_t end = time(NULL) + seconds;
	struct ynl_ntf_base_type *base;

	if (ynl_subscribe(ys, "events"))
		return refused(ys, "subscribe");
	fprintf(stderr, "subscribed\n");
	while (n > 0) {
		struct pollfd pfd = { .fd = ynl_socket_get_fd(ys), .events = POLLIN };

		while (n > 0 && (base = ynl_ntf_dequeue(ys))) {
			struct spdm_tsm_dev_event_ntf *e = (void *)base;

			if (base->cmd == SPDM_TSM_CMD_DEV_EVENT_NTF) {
				printf("%s %s %s\n", e->obj.bdf ?: "-",
				       spdm_tsm_event_str(e->obj.event) ?: "?",
				       spdm_tsm_reason_str(e->obj.reason) ?: "?");
				n--;
			}
			ynl_ntf_free(base);
		}
		if (!n)
			break;
		if (time(NULL) >= end)
			return 3;
		if (poll(&pfd, 1, 500) < 0)
			return refused(ys, "poll");
		/*
		 * ynl_ntf_check() sets ys->err when a notification does not
		 * validate; a failed recv() (ENOBUFS: the kernel could not
		 * deliver an event) and a few parse failures (an unknown
		 * command, an allocation) set only errno and leave ys->err as
		 * the last request left it.  Clear both first.
		 */
		memset(&ys->err, 0, sizeof(ys->err));
		errno = 0;
		if (ynl_ntf_check(ys) < 0) {
			int e = errno;

			if (e == ENOBUFS && !ys->err.code && !ys->err.msg[0]) {
				/* an event was lost: say so, go on */
				printf("- lost ENOBUFS\n");
				continue;
			}
			fprintf(stderr, "nlsess: receive: %s (errno %d: %s)\n",
				ys->err.msg[0] ? ys->err.msg : "recv or parse failed", e, strerror(e));
			return 4;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "", *dev = argc > 2 ? argv[2] : NULL;
	const char *opt = argc > 3 ? argv[3] : "";
	struct ynl_sock *ys;
	int rc = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!dev) {
		fprintf(stderr, "usage: nlsess connect|show|key-update|end|evidence DEV, nlsess monitor N SECONDS\n");
		return 2;
	}
	ys = open_sock();
	if (!strcmp(cmd, "connect")) {
		struct spdm_tsm_connect_req *req = spdm_tsm_connect_req_alloc();
		struct spdm_tsm_connect_rsp *rsp;

		spdm_tsm_connect_req_set_bdf(req, dev);
		spdm_tsm_connect_req_set_session(req);
		if (!strcmp(opt, "meas"))
			spdm_tsm_connect_req_set_measurements(req);
		rsp = spdm_tsm_connect(ys, req);
		spdm_tsm_connect_req_free(req);
		if (!rsp)
			rc = refused(ys, "connect");
		else
			spdm_tsm_connect_rsp_free(rsp);
	} else if (!strcmp(cmd, "show")) {
		rc = show(ys, dev);
	} else if (!strcmp(cmd, "key-update")) {
		struct spdm_tsm_session_key_update_req *req = spdm_tsm_session_key_update_req_alloc();
		struct spdm_tsm_session_key_update_rsp *rsp;

		spdm_tsm_session_key_update_req_set_bdf(req, dev);
		if (!strcmp(opt, "all"))
			spdm_tsm_session_key_update_req_set_all_keys(req);
		rsp = spdm_tsm_session_key_update(ys, req);
		spdm_tsm_session_key_update_req_free(req);
		if (!rsp)
			rc = refused(ys, "session-key-update");
		else
			spdm_tsm_session_key_update_rsp_free(rsp);
	} else if (!strcmp(cmd, "end")) {
		struct spdm_tsm_session_end_req *req = spdm_tsm_session_end_req_alloc();
		struct spdm_tsm_session_end_rsp *rsp;

		spdm_tsm_session_end_req_set_bdf(req, dev);
		rsp = spdm_tsm_session_end(ys, req);
		spdm_tsm_session_end_req_free(req);
		if (!rsp)
			rc = refused(ys, "session-end");
		else
			spdm_tsm_session_end_rsp_free(rsp);
	} else if (!strcmp(cmd, "evidence")) {
		rc = evidence(ys, dev);
	} else if (!strcmp(cmd, "monitor") && argc > 3) {
		rc = monitor(ys, atoi(dev), atoi(opt));
	} else {
		fprintf(stderr, "nlsess: unknown command '%s'\n", cmd);
		rc = 2;
	}
	ynl_sock_destroy(ys);
	return rc;
}
