// SPDX-License-Identifier: GPL-2.0
// nlprobe: send malformed and hostile requests to the spdm-tsm family over a
// raw generic netlink socket and check each is refused with the expected
// errno and an extended-ack message (never a crash, never silence).
// Out-of-range values get ERANGE (the kernel's netlink policy convention),
// other malformed input EINVAL, unknown devices ENODEV.
// Runs in the VM (tests/vm/scenarios/040-netlink-abi.sh); prints TAP-like
// lines and exits with the number of failed checks.
//
// usage: nlprobe DEV     (DEV: a function with a CMA mailbox, not connected)
//        nlprobe --dump-intr DEV   (DEV: authenticated, netlink-connected,
//                                   evidence of more than 8 KiB)
//        an evidence-get dump read a little at a time while DEV is
//        revalidated ends with a message flagged NLM_F_DUMP_INTR and no
//        evidence of the new generation (genl_dump_check_consistent)
#include "nlraw.hpp"

#include <cstdio>

namespace {

using namespace nlraw;

int failures = 0, count = 0;

void expect(const char *what, const Answer &a, int want_errno, bool want_extack = true)
{
	count++;
	bool ok = a.error == want_errno && (!want_extack || !a.extack.empty());
	std::printf("%s %d - %s: errno %d (%s), extack \"%s\", offset %d\n", ok ? "ok" : "not ok", count, what,
		    a.error, std::strerror(a.error), a.extack.c_str(), a.offset);
	if (!ok) {
		failures++;
		std::printf("#   wanted errno %d (%s)%s\n", want_errno, std::strerror(want_errno),
			    want_extack ? " with an extended-ack message" : "");
	}
}

// A missing required attribute names itself (NLMSGERR_ATTR_MISS_TYPE).
void expect_missing(const char *what, const Answer &a, int attr)
{
	count++;
	bool ok = a.error == EINVAL && a.miss_type == attr;
	std::printf("%s %d - %s: errno %d, missing attribute %d\n", ok ? "ok" : "not ok", count, what, a.error,
		    a.miss_type);
	if (!ok) {
		failures++;
		std::printf("#   wanted EINVAL naming attribute %d\n", attr);
	}
}

void expect_ok(const char *what, const Answer &a, int min_messages)
{
	count++;
	bool ok = a.error == 0 && a.messages >= min_messages;
	std::printf("%s %d - %s: errno %d (%s), extack \"%s\", %d messages\n", ok ? "ok" : "not ok", count, what,
		    a.error, std::strerror(a.error), a.extack.c_str(), a.messages);
	if (!ok) {
		failures++;
		std::printf("#   wanted success with at least %d messages\n", min_messages);
	}
}

// The largest policy the kernel accepts: 254 rules with 64-byte digests,
// about 21 KiB in one message, more than an NLMSG_GOODSIZE dump skb.
void add_largest_rules(Msg &m)
{
	std::uint8_t digest[64];
	for (int i = 1; i <= 254; i++) {
		std::memset(digest, i, sizeof(digest));
		auto n = m.nest_begin(SPDM_TSM_A_POLICY_MEAS_RULE);
		m.u8(SPDM_TSM_A_MEAS_RULE_INDEX, static_cast<std::uint8_t>(i));
		m.attr(SPDM_TSM_A_MEAS_RULE_DIGEST, digest, sizeof(digest));
		m.nest_end(n);
	}
}

// One u64 attribute of a message's top level, or 0.
std::uint64_t msg_u64(const nlmsghdr *nlh, std::uint16_t type, bool *has_object)
{
	auto *p = reinterpret_cast<const std::uint8_t *>(NLMSG_DATA(nlh)) + GENL_HDRLEN;
	auto left = static_cast<int>(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
	std::uint64_t v = 0;
	while (left >= NLA_HDRLEN) {
		nlattr a;
		std::memcpy(&a, p, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > left)
			break;
		if ((a.nla_type & NLA_TYPE_MASK) == type && a.nla_len >= NLA_HDRLEN + 8)
			std::memcpy(&v, p + NLA_HDRLEN, 8);
		if ((a.nla_type & NLA_TYPE_MASK) == SPDM_TSM_A_EVIDENCE_OBJECT)
			*has_object = true;
		p += NLA_ALIGN(a.nla_len);
		left -= NLA_ALIGN(a.nla_len);
	}
	return v;
}

int dump_intr(const std::string &dev)
{
	Socket b;
	if (!b.ok()) {
		std::fprintf(stderr, "nlprobe: no netlink socket or no family\n");
		return 2;
	}
	// A socket that never received, reading 4 KiB at a time: the kernel
	// fills each dump skb to about 4 KiB (netlink_dump() sizes it by the
	// reader's largest receive so far), one more per receive, so evidence
	// of more than two skbs takes rounds the revalidation lands between.
	Fd afd{::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC)};
	if (afd.get() < 0)
		return 2;
	Msg m(b.fam(), SPDM_TSM_CMD_EVIDENCE_GET, NLM_F_DUMP);
	m.str(SPDM_TSM_A_EVIDENCE_BDF, dev);
	if (::send(afd.get(), m.data(), m.buf.size(), 0) < 0)
		return 2;
	std::vector<std::uint8_t> rx(4096);
	int msgs = 0, intr_at = -1, after_intr = 0, error = 0;
	std::uint64_t first_gen = 0, intr_gen = 0;
	bool revalidated = false, done = false;
	while (!done) {
		ssize_t n = ::recv(afd.get(), rx.data(), rx.size(), 0);
		if (n < 0) {
			error = errno;
			break;
		}
		for (auto *nlh = reinterpret_cast<nlmsghdr *>(rx.data()); NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
				int err = 0;
				std::memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
				error = -err;
				done = true;
				break;
			}
			bool obj = false;
			std::uint64_t gen = msg_u64(nlh, SPDM_TSM_A_EVIDENCE_GENERATION, &obj);
			if (!msgs)
				first_gen = gen;
			if (intr_at >= 0)
				after_intr++;
			if ((nlh->nlmsg_flags & NLM_F_DUMP_INTR) && intr_at < 0) {
				intr_at = msgs;
				intr_gen = gen;
				count++;
				bool ok = !obj;
				std::printf("%s %d - the interrupted message carries no evidence object\n",
					    ok ? "ok" : "not ok", count);
				failures += !ok;
			}
			msgs++;
		}
		if (!revalidated && !done) {
			revalidated = true;
			Msg r(b.fam(), SPDM_TSM_CMD_REVALIDATE, 0);
			r.str(SPDM_TSM_A_DEV_BDF, dev);
			expect_ok("revalidate during the dump", b.transact(r), 1);
		}
	}
	count++;
	bool ok = error == 0 && intr_at > 0 && after_intr == 0 && intr_gen != first_gen;
	std::printf("%s %d - dump interrupted by a revalidation: %d messages, NLM_F_DUMP_INTR at %d "
		    "(generation %llu -> %llu), %d after it, errno %d\n",
		    ok ? "ok" : "not ok", count, msgs, intr_at, static_cast<unsigned long long>(first_gen),
		    static_cast<unsigned long long>(intr_gen), after_intr, error);
	failures += !ok;
	std::printf("# nlprobe --dump-intr: %d checks, %d failed\n", count, failures);
	return failures;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc == 3 && std::string(argv[1]) == "--dump-intr")
		return dump_intr(argv[2]);
	if (argc != 2) {
		std::fprintf(stderr, "usage: nlprobe DEV  (a function with a CMA mailbox, not connected)\n");
		return 2;
	}
	const std::string dev = argv[1];
	Socket sock;
	if (!sock.ok()) {
		std::fprintf(stderr, "nlprobe: no netlink socket or no family %s: %s\n", SPDM_TSM_FAMILY_NAME,
			     std::strerror(errno));
		return 2;
	}
	auto f = sock.fam();
	const Fd &fd = sock.fd;

	{
		Msg m(f, SPDM_TSM_CMD_DEV_GET, 0);
		m.u32(SPDM_TSM_A_DEV_BDF, 0x41414141); // not NUL-terminated
		expect("dev-get: bdf is not a string", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_DEV_GET, 0);
		m.str(SPDM_TSM_A_DEV_BDF, std::string(200, 'a'));
		expect("dev-get: oversized bdf", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_DEV_GET, 0);
		expect("dev-get: missing bdf", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_DEV_GET, 0);
		m.str(SPDM_TSM_A_DEV_BDF, "0000:00:1f.7");
		expect("dev-get: no such device", transact(fd.get(), m), ENODEV);
	}
	{
		Msg m(f, SPDM_TSM_CMD_DEV_GET, 0);
		m.str(SPDM_TSM_A_DEV_BDF, "zz:00.0");
		expect("dev-get: malformed address", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_CONNECT, 0);
		m.str(SPDM_TSM_A_DEV_BDF, dev);
		std::uint8_t nonce[33] = {};
		m.attr(SPDM_TSM_A_DEV_NONCE, nonce, sizeof(nonce));
		expect("connect: 33-byte nonce", transact(fd.get(), m), ERANGE);
	}
	{
		Msg m(f, SPDM_TSM_CMD_CONNECT, 0);
		m.str(SPDM_TSM_A_DEV_BDF, dev);
		m.u8(SPDM_TSM_A_DEV_SLOT, 9);
		expect("connect: slot 9", transact(fd.get(), m), ERANGE);
	}
	{
		Msg m(f, SPDM_TSM_CMD_CONNECT, 0);
		m.str(SPDM_TSM_A_DEV_BDF, dev);
		m.u32(200, 1); // unknown attribute on a strictly validated command
		expect("connect: unknown attribute", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_CONNECT, 0);
		std::string s = dev;
		m.attr(SPDM_TSM_A_DEV_BDF, s.c_str(), s.size() + 1, 400); // length past the message
		expect("connect: attribute length past the end", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_CONNECT, 0);
		expect("connect: missing bdf", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_CONNECT, 0);
		m.str(SPDM_TSM_A_DEV_BDF, "0000:00:00.0");
		expect("connect: device without a CMA mailbox", transact(fd.get(), m), ENODEV);
	}
	{
		Msg m(f, SPDM_TSM_CMD_DISCONNECT, 0);
		m.str(SPDM_TSM_A_DEV_BDF, dev);
		expect("disconnect: not connected", transact(fd.get(), m), ENOTCONN);
	}
	{
		Msg m(f, SPDM_TSM_CMD_EVIDENCE_GET, NLM_F_DUMP);
		m.str(SPDM_TSM_A_EVIDENCE_BDF, dev);
		expect("evidence-get: not authenticated", transact(fd.get(), m), ENODATA);
	}
	{
		Msg m(f, SPDM_TSM_CMD_EVIDENCE_GET, NLM_F_DUMP);
		expect("evidence-get: missing bdf", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_POLICY_SET, 0);
		m.str(SPDM_TSM_A_POLICY_BDF, dev);
		std::uint8_t d[10] = {};
		m.attr(SPDM_TSM_A_POLICY_CERT_DIGEST, d, sizeof(d));
		expect("policy-set: 10-byte digest", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_POLICY_SET, 0);
		m.str(SPDM_TSM_A_POLICY_BDF, dev);
		auto n = m.nest_begin(SPDM_TSM_A_POLICY_MEAS_RULE);
		m.u8(SPDM_TSM_A_MEAS_RULE_INDEX, 0);
		m.nest_end(n);
		expect("policy-set: measurement index 0", transact(fd.get(), m), ERANGE);
	}
	{
		Msg m(f, SPDM_TSM_CMD_POLICY_SET, 0);
		m.str(SPDM_TSM_A_POLICY_BDF, dev);
		auto n = m.nest_begin(SPDM_TSM_A_POLICY_MEAS_RULE);
		m.u8(SPDM_TSM_A_MEAS_RULE_INDEX, 5);
		m.nest_end(n);
		expect("policy-set: measurement rule without digest", transact(fd.get(), m), EINVAL);
	}
	{
		Msg m(f, SPDM_TSM_CMD_POLICY_SET, 0);
		m.str(SPDM_TSM_A_POLICY_BDF, dev);
		m.u32(SPDM_TSM_A_POLICY_ACTION, 77);
		expect("policy-set: unknown action", transact(fd.get(), m), ERANGE);
	}
	{
		Msg m(f, SPDM_TSM_CMD_POLICY_SET, 0);
		m.str(SPDM_TSM_A_POLICY_BDF, dev);
		m.attr(SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT, nullptr, 0);
		expect("policy-set: current digest of an unauthenticated device", transact(fd.get(), m), ENODATA);
	}
	{
		Msg m(f, SPDM_TSM_CMD_POLICY_GET, 0);
		m.str(SPDM_TSM_A_POLICY_BDF, "0000:00:1f.7");
		expect("policy-get: no policy", transact(fd.get(), m), ENOENT);
	}
	{
		Msg m(f, SPDM_TSM_CMD_POLICY_DEL, 0);
		m.str(SPDM_TSM_A_POLICY_BDF, "0000:00:1f.7");
		expect("policy-del: no policy", transact(fd.get(), m), ENOENT);
	}
	{
		Msg m(f, 99, 0);
		expect("unknown command", transact(fd.get(), m), EOPNOTSUPP, false);
	}
	{
		Msg m(f, SPDM_TSM_CMD_DEV_GET, 0);
		expect_missing("dev-get: missing bdf names itself", transact(fd.get(), m), SPDM_TSM_A_DEV_BDF);
	}
	{
		Msg m(f, SPDM_TSM_CMD_CONNECT, 0);
		expect_missing("connect: missing bdf names itself", transact(fd.get(), m), SPDM_TSM_A_DEV_BDF);
	}
	{
		Msg m(f, SPDM_TSM_CMD_EVIDENCE_GET, NLM_F_DUMP);
		expect_missing("evidence-get: missing bdf names itself", transact(fd.get(), m),
			       SPDM_TSM_A_EVIDENCE_BDF);
	}
	{
		Msg m(f, SPDM_TSM_CMD_POLICY_SET, 0);
		expect_missing("policy-set: missing bdf names itself", transact(fd.get(), m), SPDM_TSM_A_POLICY_BDF);
	}
	{
		Msg m(f, SPDM_TSM_CMD_EVIDENCE_GET, NLM_F_DUMP);
		m.str(SPDM_TSM_A_EVIDENCE_BDF, dev);
		m.u32(SPDM_TSM_A_EVIDENCE_OBJECTS, 1u << 9); // no object 9
		expect("evidence-get: unknown object in the mask", transact(fd.get(), m), EINVAL);
	}
	{
		// The largest allowed policy round-trips through set, get and a dump
		// (the dump's first skb is NLMSG_GOODSIZE unless the family asks for more).
		Msg m(f, SPDM_TSM_CMD_POLICY_SET, 0);
		m.str(SPDM_TSM_A_POLICY_BDF, dev);
		add_largest_rules(m);
		expect_ok("policy-set: 254 measurement rules", transact(fd.get(), m), 1);
		Socket fresh; // a new socket: no earlier large receive sized its dump skbs
		Msg d(f, SPDM_TSM_CMD_POLICY_GET, NLM_F_DUMP);
		expect_ok("policy-get dump: the largest policy", fresh.transact(d), 1);
		Msg g(f, SPDM_TSM_CMD_POLICY_GET, 0);
		g.str(SPDM_TSM_A_POLICY_BDF, dev);
		expect_ok("policy-get: the largest policy", transact(fd.get(), g), 1);
		Msg del(f, SPDM_TSM_CMD_POLICY_DEL, 0);
		del.str(SPDM_TSM_A_POLICY_BDF, dev);
		expect_ok("policy-del: the largest policy", transact(fd.get(), del), 0);
	}
	std::printf("# nlprobe: %d checks, %d failed\n", count, failures);
	return failures;
}
