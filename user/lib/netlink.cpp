// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/netlink.hpp"

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <linux/netlink.h>

#include <netlink/attr.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <regex>
#include <vector>

namespace spdmtsm {

NetlinkError::NetlinkError(int err, std::string extack, int bad_attr_offset, const std::string &what)
	: std::runtime_error(what), err_(err), extack_(std::move(extack)), bad_attr_(bad_attr_offset)
{
}

void GenlSocket::SockDeleter::operator()(nl_sock *s) const
{
	nl_socket_free(s);
}

namespace {

// The state of one request/response exchange.
struct Exchange {
	const ReplyHandler *on_reply = nullptr;
	int maxattr = 0;
	bool done = false;
	int err = 0;
	std::string extack;
	int bad_attr = -1;
	std::exception_ptr handler_exc; // the first exception thrown while handling a reply
	bool dump_intr = false;         // NLM_F_DUMP_INTR seen
};

NetlinkError malformed(const std::string &what)
{
	return NetlinkError(EPROTO, "", -1, "malformed reply from the kernel: " + what);
}

// Parse the extended-ack TLVs that follow a struct nlmsgerr (or the error
// code of NLMSG_DONE): len bytes at tlvs, all inside the message.
void parse_ext_ack(const nlmsghdr *nlh, const unsigned char *p, std::size_t len, Exchange &ex)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	while (len >= sizeof(nlattr)) {
		nlattr a;
		std::memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(nlattr) || a.nla_len > len)
			break;
		const auto *payload = p + NLA_HDRLEN;
		std::size_t plen = a.nla_len - NLA_HDRLEN;
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
		std::size_t step = NLA_ALIGN(a.nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
}

// NLMSG_ERROR: an ack (error 0) or the request's error, with extended ack.
void on_error(const nlmsghdr *nlh, Exchange &ex)
{
	ex.done = true;
	std::size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (len < sizeof(nlmsgerr)) {
		if (!ex.handler_exc)
			ex.handler_exc = std::make_exception_ptr(malformed("an error message too short"));
		return;
	}
	nlmsgerr err;
	std::memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
	if (err.error == 0)
		return; // the ack
	ex.err = err.error < 0 ? -err.error : err.error;
	// the request echoed after the error, unless capped to its header
	std::size_t hdr = sizeof(err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hdr += err.msg.nlmsg_len > NLMSG_HDRLEN ? err.msg.nlmsg_len - NLMSG_HDRLEN : 0;
	if (hdr < len)
		parse_ext_ack(nlh, static_cast<const unsigned char *>(NLMSG_DATA(nlh)) + hdr, len - hdr, ex);
}

// NLMSG_DONE: a dump that failed part-way reports its errno there.
void on_finish(const nlmsghdr *nlh, Exchange &ex)
{
	ex.done = true;
	std::size_t len = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (len < sizeof(int))
		return;
	int e;
	std::memcpy(&e, NLMSG_DATA(nlh), sizeof(e));
	if (e < 0) {
		ex.err = -e;
		parse_ext_ack(nlh, static_cast<const unsigned char *>(NLMSG_DATA(nlh)) + sizeof(int), len - sizeof(int),
			      ex);
	}
}

// A reply message: parsed and handed to the caller's handler, unless an
// earlier one failed (then it is only read off: the dump is drained).
void on_valid(nlmsghdr *nlh, Exchange &ex)
{
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ex.dump_intr = true;
	if (ex.handler_exc)
		return;
	std::vector<nlattr *> attrs(ex.maxattr + 1, nullptr);
	int rc = genlmsg_parse(nlh, 0, attrs.data(), ex.maxattr, nullptr);
	if (rc < 0) {
		ex.handler_exc = std::make_exception_ptr(malformed(nl_geterror(rc)));
		return;
	}
	if (!*ex.on_reply)
		return;
	try {
		(*ex.on_reply)(attrs.data(), ex.maxattr, nlh);
	} catch (...) {
		ex.handler_exc = std::current_exception();
	}
}

// Every message of one datagram that answers request seq.
void dispatch(std::vector<std::uint8_t> &d, std::uint32_t seq, Exchange &ex)
{
	auto *nlh = reinterpret_cast<nlmsghdr *>(d.data());
	int len = static_cast<int>(d.size());
	for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq != seq)
			continue; // a late reply to an earlier request
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_DONE:
			on_finish(nlh, ex);
			return;
		case NLMSG_ERROR:
			on_error(nlh, ex);
			return;
		case NLMSG_OVERRUN:
			ex.done = true;
			ex.err = ENOBUFS;
			return;
		default:
			on_valid(nlh, ex);
			break;
		}
	}
	if (len > 0) {
		// A message longer than what is left of its datagram: nothing after
		// it can be found, so the exchange ends here.
		if (!ex.handler_exc)
			ex.handler_exc = std::make_exception_ptr(malformed("a message runs past its datagram"));
		ex.done = true;
	}
}

std::string describe(int err, const std::string &extack)
{
	std::string s = std::strerror(err);
	if (!extack.empty())
		s = extack + " (" + s + ")";
	return s;
}

// The kernel's generic netlink socket.
class LibnlTransport : public NlTransport {
public:
	explicit LibnlTransport(nl_sock *sk) : sk_(sk) {}
	void send(nl_msg *msg) override
	{
		int rc = nl_send_auto(sk_, msg);
		if (rc < 0)
			throw NetlinkError(EIO, "", -1, std::string("netlink send failed: ") + nl_geterror(rc));
	}
	std::vector<std::uint8_t> recv() override
	{
		sockaddr_nl from{};
		unsigned char *buf = nullptr;
		int n = nl_recv(sk_, &from, &buf, nullptr);
		std::unique_ptr<unsigned char, decltype(&std::free)> own(buf, &std::free);
		if (n < 0)
			throw NetlinkError(EIO, "", -1, std::string("netlink receive failed: ") + nl_geterror(n));
		if (n == 0)
			throw NetlinkError(EIO, "", -1, "netlink receive failed: the socket was closed");
		return std::vector<std::uint8_t>(buf, buf + n);
	}

private:
	nl_sock *sk_;
};

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
	transport_ = std::make_unique<LibnlTransport>(sk_.get());
}

GenlSocket::GenlSocket(std::unique_ptr<NlTransport> transport, int family_id)
	: transport_(std::move(transport)), family_(family_id)
{
}

GenlSocket::~GenlSocket() = default;

int GenlSocket::fd() const
{
	if (!sk_)
		throw NetlinkError(EOPNOTSUPP, "", -1, "not the kernel's netlink socket");
	return nl_socket_get_fd(sk_.get());
}

void GenlSocket::request(std::uint8_t cmd, bool dump, const MsgBuilder &build, const ReplyHandler &on_reply,
			 int maxattr)
{
	std::unique_ptr<nl_msg, decltype(&nlmsg_free)> msg(nlmsg_alloc(), &nlmsg_free);
	if (!msg)
		throw NetlinkError(ENOMEM, "", -1, "out of memory building a netlink message");
	int flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, flags, cmd, 1))
		throw NetlinkError(ENOMEM, "", -1, "cannot build the netlink header");
	if (build)
		build(msg.get());
	// our own sequence number, so that replies are matched to this request
	std::uint32_t seq = sk_ ? nl_socket_use_seq(sk_.get()) : ++seq_;
	if (seq == NL_AUTO_SEQ)
		seq = sk_ ? nl_socket_use_seq(sk_.get()) : ++seq_;
	nlmsg_hdr(msg.get())->nlmsg_seq = seq;

	Exchange ex;
	ex.on_reply = &on_reply;
	ex.maxattr = maxattr;
	transport_->send(msg.get());
	while (!ex.done) {
		std::vector<std::uint8_t> d;
		try {
			d = transport_->recv();
		} catch (const NetlinkError &) {
			if (ex.handler_exc)
				std::rethrow_exception(ex.handler_exc);
			throw;
		}
		dispatch(d, seq, ex);
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
	if (!sk_)
		throw NetlinkError(EOPNOTSUPP, "", -1, "not the kernel's netlink socket");
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

std::uint8_t attr_u8(const nlattr *a)
{
	return attr_int<std::uint8_t>(a, "u8");
}
std::uint16_t attr_u16(const nlattr *a)
{
	return attr_int<std::uint16_t>(a, "u16");
}
std::uint32_t attr_u32(const nlattr *a)
{
	return attr_int<std::uint32_t>(a, "u32");
}
std::uint64_t attr_u64(const nlattr *a)
{
	return attr_int<std::uint64_t>(a, "u64");
}

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
