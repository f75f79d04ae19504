// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/netlink.hpp"

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <linux/netlink.h>

#include <netlink/attr.h>

#include <cerrno>
#include <exception>
#include <cstring>
#include <regex>
#include <vector>

namespace spdmtsm {

NetlinkError::NetlinkError(int err, std::string extack, int bad_attr_offset,
			   const std::string &what)
	: std::runtime_error(what), err_(err), extack_(std::move(extack)),
	  bad_attr_(bad_attr_offset)
{
}

void GenlSocket::SockDeleter::operator()(nl_sock *s) const
{
	nl_socket_free(s);
}

namespace {

// The state of one request/response exchange, shared with libnl callbacks.
struct Exchange {
	const ReplyHandler *on_reply = nullptr;
	int maxattr = 0;
	bool done = false;
	int err = 0;
	std::string extack;
	int bad_attr = -1;
	std::exception_ptr handler_exc; // the first exception thrown inside a callback
	bool dump_intr = false;        // NLM_F_DUMP_INTR seen
};

// Parse the extended-ack TLVs that follow a struct nlmsgerr (or the error
// code of NLMSG_DONE).
void parse_ext_ack(const nlmsghdr *nlh, const void *tlvs, int len, Exchange &ex)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	const auto *p = static_cast<const unsigned char *>(tlvs);
	while (len >= static_cast<int>(sizeof(nlattr))) {
		nlattr a;
		std::memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(nlattr) || a.nla_len > static_cast<unsigned>(len))
			break;
		const auto *payload = p + NLA_HDRLEN;
		int plen = a.nla_len - NLA_HDRLEN;
		switch (a.nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			ex.extack.assign(reinterpret_cast<const char *>(payload),
					 strnlen(reinterpret_cast<const char *>(payload), plen));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (plen >= 4) {
				std::uint32_t off;
				std::memcpy(&off, payload, 4);
				ex.bad_attr = static_cast<int>(off);
			}
			break;
		default:
			break;
		}
		int step = NLA_ALIGN(a.nla_len);
		p += step;
		len -= step;
	}
}

int on_error(sockaddr_nl *, nlmsgerr *err, void *arg)
{
	auto &ex = *static_cast<Exchange *>(arg);
	const auto *nlh = reinterpret_cast<const nlmsghdr *>(
		reinterpret_cast<const char *>(err) - NLMSG_HDRLEN);
	ex.err = -err->error;
	ex.done = true;
	int hdr = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hdr += err->msg.nlmsg_len - NLMSG_HDRLEN;
	int len = static_cast<int>(nlh->nlmsg_len) - NLMSG_HDRLEN - hdr;
	parse_ext_ack(nlh, reinterpret_cast<const char *>(err) + hdr, len, ex);
	return NL_STOP;
}

int on_finish(nl_msg *msg, void *arg)
{
	auto &ex = *static_cast<Exchange *>(arg);
	const nlmsghdr *nlh = nlmsg_hdr(msg);
	ex.done = true;
	// A dump that failed part-way reports its errno in NLMSG_DONE.
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		int e;
		std::memcpy(&e, nlmsg_data(nlh), sizeof(e));
		if (e < 0) {
			ex.err = -e;
			parse_ext_ack(nlh, static_cast<const char *>(nlmsg_data(nlh)) + sizeof(int),
				      nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(int), ex);
		}
	}
	return NL_STOP;
}

int on_ack(nl_msg *, void *arg)
{
	static_cast<Exchange *>(arg)->done = true;
	return NL_STOP;
}

int on_valid(nl_msg *msg, void *arg)
{
	auto &ex = *static_cast<Exchange *>(arg);
	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		ex.dump_intr = true;
	// after a failure, drain: read the rest, deliver nothing
	if (ex.handler_exc)
		return NL_SKIP;
	std::vector<nlattr *> attrs(ex.maxattr + 1, nullptr);
	int rc = genlmsg_parse(nlmsg_hdr(msg), 0, attrs.data(), ex.maxattr, nullptr);
	if (rc < 0) {
		ex.handler_exc = std::make_exception_ptr(NetlinkError(
			EPROTO, "", -1, std::string("malformed reply from the kernel: ") + nl_geterror(rc)));
		return NL_SKIP;
	}
	if (!*ex.on_reply)
		return NL_OK;
	try {
		(*ex.on_reply)(attrs.data(), ex.maxattr, nlmsg_hdr(msg));
	} catch (...) {
		ex.handler_exc = std::current_exception();
		return NL_SKIP;
	}
	return NL_OK;
}

std::string describe(int err, const std::string &extack)
{
	std::string s = std::strerror(err);
	if (!extack.empty())
		s = extack + " (" + s + ")";
	return s;
}

} // namespace

GenlSocket::GenlSocket(const std::string &family_name) : name_(family_name)
{
	sk_.reset(nl_socket_alloc());
	if (!sk_)
		throw NetlinkError(ENOMEM, "", -1, "cannot allocate a netlink socket");
	int rc = genl_connect(sk_.get());
	if (rc < 0)
		throw NetlinkError(EIO, "", -1,
				   std::string("cannot open a generic netlink socket: ") + nl_geterror(rc));
	int one = 1;
	// Best effort: kernels without extended ack still work, just less verbosely.
	setsockopt(nl_socket_get_fd(sk_.get()), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk_.get()), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	family_ = genl_ctrl_resolve(sk_.get(), family_name.c_str());
	if (family_ < 0)
		throw NetlinkError(ENOENT, "", -1,
				   "generic netlink family \"" + family_name +
					   "\" not found: is the spdm_tsm module loaded? (modprobe spdm_tsm)");
}

GenlSocket::~GenlSocket() = default;

int GenlSocket::fd() const
{
	return nl_socket_get_fd(sk_.get());
}

void GenlSocket::request(std::uint8_t cmd, bool dump, const MsgBuilder &build,
			 const ReplyHandler &on_reply, int maxattr)
{
	std::unique_ptr<nl_msg, decltype(&nlmsg_free)> msg(nlmsg_alloc(), &nlmsg_free);
	if (!msg)
		throw NetlinkError(ENOMEM, "", -1, "out of memory building a netlink message");
	int flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, flags, cmd, 1))
		throw NetlinkError(ENOMEM, "", -1, "cannot build the netlink header");
	if (build)
		build(msg.get());

	std::unique_ptr<nl_cb, decltype(&nl_cb_put)> cb(nl_cb_alloc(NL_CB_DEFAULT), &nl_cb_put);
	if (!cb)
		throw NetlinkError(ENOMEM, "", -1, "cannot allocate netlink callbacks");
	Exchange ex;
	ex.on_reply = &on_reply;
	ex.maxattr = maxattr;
	nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &ex);
	nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &ex);
	nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &ex);
	nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ex);

	int rc = nl_send_auto(sk_.get(), msg.get());
	if (rc < 0)
		throw NetlinkError(EIO, "", -1, std::string("netlink send failed: ") + nl_geterror(rc));
	while (!ex.done) {
		rc = nl_recvmsgs(sk_.get(), cb.get());
		if (rc < 0 && !ex.done) {
			if (ex.handler_exc)
				std::rethrow_exception(ex.handler_exc);
			throw NetlinkError(EIO, "", -1,
					   std::string("netlink receive failed: ") + nl_geterror(rc));
		}
	}
	if (ex.err)
		throw NetlinkError(ex.err, ex.extack, ex.bad_attr, describe(ex.err, ex.extack));
	if (ex.dump_intr)
		throw NetlinkError(EAGAIN, "", -1, "the kernel's data changed during the dump (NLM_F_DUMP_INTR)");
	if (ex.handler_exc)
		std::rethrow_exception(ex.handler_exc);
}

void GenlSocket::join_group(const std::string &group)
{
	int grp = genl_ctrl_resolve_grp(sk_.get(), name_.c_str(), group.c_str());
	if (grp < 0)
		throw NetlinkError(ENOENT, "", -1, "multicast group \"" + group + "\" not found");
	int rc = nl_socket_add_membership(sk_.get(), grp);
	if (rc < 0)
		throw NetlinkError(EIO, "", -1, std::string("cannot join group: ") + nl_geterror(rc));
}

namespace {
const unsigned char *attr_fixed(const nlattr *a, int size, const char *what)
{
	if (!a || nla_len(a) < size)
		throw NetlinkError(EPROTO, "", -1,
				   std::string("malformed reply from the kernel: a ") + what + " attribute of " +
					   std::to_string(a ? nla_len(a) : 0) + " bytes");
	return static_cast<const unsigned char *>(nla_data(a));
}
template <typename T> T attr_int(const nlattr *a, const char *what)
{
	T v;
	std::memcpy(&v, attr_fixed(a, sizeof(T), what), sizeof(T));
	return v;
}
} // namespace

std::uint8_t attr_u8(const nlattr *a) { return attr_int<std::uint8_t>(a, "u8"); }
std::uint16_t attr_u16(const nlattr *a) { return attr_int<std::uint16_t>(a, "u16"); }
std::uint32_t attr_u32(const nlattr *a) { return attr_int<std::uint32_t>(a, "u32"); }
std::uint64_t attr_u64(const nlattr *a) { return attr_int<std::uint64_t>(a, "u64"); }

std::string attr_str(const nlattr *a)
{
	const char *p = reinterpret_cast<const char *>(attr_fixed(a, 1, "string"));
	std::size_t n = static_cast<std::size_t>(nla_len(a));
	if (p[n - 1] != '\0')
		throw NetlinkError(EPROTO, "", -1, "malformed reply from the kernel: a string without its NUL");
	return std::string(p, strnlen(p, n));
}

std::string canonical_bdf(const std::string &arg)
{
	// domains above ffff (VMD: 10000 and up) have more than four digits
	static const std::regex full(R"(^([0-9a-fA-F]{4,8}):([0-9a-fA-F]{2}):([01][0-9a-fA-F])\.([0-7])$)");
	static const std::regex shrt(R"(^([0-9a-fA-F]{2}):([01][0-9a-fA-F])\.([0-7])$)");
	std::string s = arg;
	// A sysfs path: take the last path component.
	if (s.find('/') != std::string::npos) {
		while (!s.empty() && s.back() == '/')
			s.pop_back();
		s = s.substr(s.find_last_of('/') + 1);
	}
	std::smatch m;
	std::string r;
	if (std::regex_match(s, m, full))
		r = m[1].str() + ":" + m[2].str() + ":" + m[3].str() + "." + m[4].str();
	else if (std::regex_match(s, m, shrt))
		r = "0000:" + m[1].str() + ":" + m[2].str() + "." + m[3].str();
	else
		throw std::invalid_argument("\"" + arg +
					    "\" is not a PCI device: use 0000:01:00.0, 01:00.0 or "
					    "/sys/bus/pci/devices/0000:01:00.0");
	for (auto &c : r)
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	return r;
}

} // namespace spdmtsm
