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
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/spdm_tsm.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

class Fd {
public:
	explicit Fd(int fd) : fd_(fd) {}
	~Fd()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	int get() const { return fd_; }

private:
	int fd_;
};

struct Msg {
	std::vector<std::uint8_t> buf;

	Msg(std::uint16_t family, std::uint8_t cmd, std::uint16_t flags)
	{
		buf.resize(NLMSG_HDRLEN + GENL_HDRLEN);
		auto *nlh = reinterpret_cast<nlmsghdr *>(buf.data());
		nlh->nlmsg_type = family;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
		nlh->nlmsg_seq = 1;
		auto *g = reinterpret_cast<genlmsghdr *>(buf.data() + NLMSG_HDRLEN);
		g->cmd = cmd;
		g->version = 1;
	}
	// Append an attribute; len_override lets a test lie about the length.
	Msg &attr(std::uint16_t type, const void *data, std::size_t len, int len_override = -1)
	{
		nlattr a{};
		a.nla_len = static_cast<std::uint16_t>(len_override >= 0 ? len_override : NLA_HDRLEN + len);
		a.nla_type = type;
		std::size_t off = buf.size();
		buf.resize(off + NLA_ALIGN(NLA_HDRLEN + len));
		std::memcpy(buf.data() + off, &a, sizeof(a));
		if (len)
			std::memcpy(buf.data() + off + NLA_HDRLEN, data, len);
		return *this;
	}
	Msg &str(std::uint16_t type, const std::string &s) { return attr(type, s.c_str(), s.size() + 1); }
	Msg &u8(std::uint16_t type, std::uint8_t v) { return attr(type, &v, 1); }
	Msg &u32(std::uint16_t type, std::uint32_t v) { return attr(type, &v, 4); }
	std::size_t nest_begin(std::uint16_t type)
	{
		std::size_t off = buf.size();
		attr(static_cast<std::uint16_t>(type | NLA_F_NESTED), nullptr, 0);
		return off;
	}
	void nest_end(std::size_t off)
	{
		auto *a = reinterpret_cast<nlattr *>(buf.data() + off);
		a->nla_len = static_cast<std::uint16_t>(buf.size() - off);
	}
	const std::uint8_t *data()
	{
		reinterpret_cast<nlmsghdr *>(buf.data())->nlmsg_len = static_cast<std::uint32_t>(buf.size());
		return buf.data();
	}
};

struct Answer {
	int error = 0; // positive errno, 0 for success
	std::string extack;
	int offset = -1;
};

Answer transact(int fd, Msg &m)
{
	Answer ans;
	if (::send(fd, m.data(), m.buf.size(), 0) < 0) {
		ans.error = errno;
		ans.extack = "(send failed)";
		return ans;
	}
	std::vector<std::uint8_t> rx(65536);
	for (;;) {
		ssize_t n = ::recv(fd, rx.data(), rx.size(), 0);
		if (n < 0) {
			ans.error = errno;
			return ans;
		}
		for (auto *nlh = reinterpret_cast<nlmsghdr *>(rx.data()); NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
				int err = 0;
				const std::uint8_t *tlv;
				int tlvlen;
				if (nlh->nlmsg_type == NLMSG_ERROR) {
					auto *e = static_cast<nlmsgerr *>(NLMSG_DATA(nlh));
					err = -e->error;
					std::size_t hdr = sizeof(*e);
					if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
						hdr += e->msg.nlmsg_len - NLMSG_HDRLEN;
					tlv = static_cast<const std::uint8_t *>(NLMSG_DATA(nlh)) + hdr;
					tlvlen = static_cast<int>(nlh->nlmsg_len - NLMSG_HDRLEN - hdr);
				} else {
					std::memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
					err = -err;
					tlv = static_cast<const std::uint8_t *>(NLMSG_DATA(nlh)) + sizeof(int);
					tlvlen = static_cast<int>(nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(int));
				}
				ans.error = err;
				while ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && tlvlen >= NLA_HDRLEN) {
					nlattr a;
					std::memcpy(&a, tlv, sizeof(a));
					if (a.nla_len < NLA_HDRLEN || a.nla_len > tlvlen)
						break;
					if (a.nla_type == NLMSGERR_ATTR_MSG)
						ans.extack.assign(reinterpret_cast<const char *>(tlv + NLA_HDRLEN),
								  strnlen(reinterpret_cast<const char *>(tlv + NLA_HDRLEN),
									  a.nla_len - NLA_HDRLEN));
					if (a.nla_type == NLMSGERR_ATTR_OFFS && a.nla_len >= NLA_HDRLEN + 4)
						std::memcpy(&ans.offset, tlv + NLA_HDRLEN, 4);
					tlv += NLA_ALIGN(a.nla_len);
					tlvlen -= NLA_ALIGN(a.nla_len);
				}
				if (nlh->nlmsg_type == NLMSG_DONE || err || !(nlh->nlmsg_flags & NLM_F_MULTI))
					return ans;
			}
		}
	}
}

int resolve_family(int fd)
{
	Msg m(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	m.str(CTRL_ATTR_FAMILY_NAME, SPDM_TSM_FAMILY_NAME);
	reinterpret_cast<nlmsghdr *>(m.buf.data())->nlmsg_flags = NLM_F_REQUEST;
	if (::send(fd, m.data(), m.buf.size(), 0) < 0)
		return -1;
	std::vector<std::uint8_t> rx(8192);
	ssize_t n = ::recv(fd, rx.data(), rx.size(), 0);
	auto *nlh = reinterpret_cast<nlmsghdr *>(rx.data());
	if (n < 0 || !NLMSG_OK(nlh, n) || nlh->nlmsg_type == NLMSG_ERROR)
		return -1;
	auto *p = static_cast<std::uint8_t *>(NLMSG_DATA(nlh)) + GENL_HDRLEN;
	int left = static_cast<int>(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
	while (left >= NLA_HDRLEN) {
		auto *a = reinterpret_cast<nlattr *>(p);
		if (a->nla_type == CTRL_ATTR_FAMILY_ID) {
			std::uint16_t id;
			std::memcpy(&id, p + NLA_HDRLEN, 2);
			return id;
		}
		p += NLA_ALIGN(a->nla_len);
		left -= NLA_ALIGN(a->nla_len);
	}
	return -1;
}

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

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: nlprobe DEV  (a function with a CMA mailbox, not connected)\n");
		return 2;
	}
	const std::string dev = argv[1];
	Fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC));
	if (fd.get() < 0) {
		std::perror("nlprobe: socket");
		return 2;
	}
	int one = 1;
	setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	int fam = resolve_family(fd.get());
	if (fam < 0) {
		std::fprintf(stderr, "nlprobe: family %s not found\n", SPDM_TSM_FAMILY_NAME);
		return 2;
	}
	auto f = static_cast<std::uint16_t>(fam);

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
	std::printf("# nlprobe: %d checks, %d failed\n", count, failures);
	return failures;
}
