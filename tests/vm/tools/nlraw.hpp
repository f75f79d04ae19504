// SPDX-License-Identifier: GPL-2.0
// nlraw: a raw generic-netlink client for guest-side test tools (nlprobe,
// nlfault): build requests byte by byte (including malformed ones), send
// them, and read the answer: errno, extended ack, and the first reply's
// top-level attributes.  No libnl on purpose: the tools must be able to lie.
#pragma once

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/spdm_tsm.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace nlraw {

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
	int miss_type = -1; // NLMSGERR_ATTR_MISS_TYPE: the missing attribute
	int messages = 0;					// replies before the ack / DONE
	std::map<std::uint16_t, std::vector<std::uint8_t>> attrs; // of the first reply

	std::uint32_t u32(std::uint16_t type, std::uint32_t dflt = 0) const
	{
		auto it = attrs.find(type);
		std::uint32_t v = dflt;
		if (it != attrs.end() && it->second.size() >= 4)
			std::memcpy(&v, it->second.data(), 4);
		return v;
	}
};

inline Answer transact(int fd, Msg &m)
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
			if (nlh->nlmsg_type != NLMSG_ERROR && nlh->nlmsg_type != NLMSG_DONE &&
			    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
				if (ans.messages++ == 0) {
					auto *p = static_cast<const std::uint8_t *>(NLMSG_DATA(nlh)) + GENL_HDRLEN;
					auto left = static_cast<std::size_t>(nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
					while (left >= NLA_HDRLEN) {
						nlattr a;
						std::memcpy(&a, p, sizeof(a));
						if (a.nla_len < NLA_HDRLEN || a.nla_len > left)
							break;
						ans.attrs[a.nla_type & NLA_TYPE_MASK].assign(p + NLA_HDRLEN, p + a.nla_len);
						if (static_cast<std::size_t>(NLA_ALIGN(a.nla_len)) >= left)
							break;
						p += NLA_ALIGN(a.nla_len);
						left -= NLA_ALIGN(a.nla_len);
					}
				}
			}
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
					if (a.nla_type == NLMSGERR_ATTR_MISS_TYPE && a.nla_len >= NLA_HDRLEN + 4)
						std::memcpy(&ans.miss_type, tlv + NLA_HDRLEN, 4);
					tlv += NLA_ALIGN(a.nla_len);
					tlvlen -= NLA_ALIGN(a.nla_len);
				}
				if (nlh->nlmsg_type == NLMSG_DONE || err || !(nlh->nlmsg_flags & NLM_F_MULTI))
					return ans;
			}
		}
	}
}

inline int resolve_family(int fd)
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

// A generic-netlink socket with extended acks, bound to the spdm-tsm family.
struct Socket {
	Fd fd{::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC)};
	int family = -1;

	Socket()
	{
		if (fd.get() < 0)
			return;
		int one = 1;
		setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
		setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
		family = resolve_family(fd.get());
	}
	bool ok() const { return family >= 0; }
	std::uint16_t fam() const { return static_cast<std::uint16_t>(family); }
	Answer transact(Msg &m) { return nlraw::transact(fd.get(), m); }
};

} // namespace nlraw
