// SPDX-License-Identifier: GPL-2.0
// RAII client for the "spdm-tsm" generic netlink family (libnl-genl-3).
//
// libnl has no extended-ack API and folds many errnos into its own codes, so
// this client enables NETLINK_EXT_ACK, parses the error TLVs itself and keeps
// the kernel's raw errno.
#pragma once

#include <cerrno>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct nl_sock;
struct nl_msg;
struct nlattr;
struct nlmsghdr;

namespace spdmtsm {

// An error from the kernel (errno + extended ack) or from the transport.
class NetlinkError : public std::runtime_error {
public:
	NetlinkError(int err, std::string extack, int bad_attr_offset, const std::string &what);

	int error() const { return err_; } // positive errno
	const std::string &extack() const { return extack_; }
	int bad_attr_offset() const { return bad_attr_; } // -1 when the kernel named none

private:
	int err_;
	std::string extack_;
	int bad_attr_;
};

// The kernel told an event listener that events were lost (ENOBUFS: its
// socket overflowed, or an event could not be allocated).  The stream is
// still usable; what was missed must be re-read (dev-get).
class EventsLost : public NetlinkError {
public:
	using NetlinkError::NetlinkError;
};

// Checked attribute getters: a reply attribute whose payload is shorter than
// its type (u8/u16/u32/u64), or a string without its NUL, is a malformed or
// unexpected (newer) reply: NetlinkError EPROTO, never a read past it.
std::uint8_t attr_u8(const nlattr *a);
std::uint16_t attr_u16(const nlattr *a);
std::uint32_t attr_u32(const nlattr *a);
std::uint64_t attr_u64(const nlattr *a);
std::string attr_str(const nlattr *a);

// attempt() again while it throws NetlinkError EAGAIN (a dump the kernel's
// data changed under), at most tries times in all; the last EAGAIN reaches
// the caller.
template <typename F> auto retry_eagain(F &&attempt, int tries = 3) -> decltype(attempt())
{
	for (int i = 1;; i++) {
		try {
			return attempt();
		} catch (const NetlinkError &e) {
			if (e.error() != EAGAIN || i >= tries)
				throw;
		}
	}
}

// Build the attributes of a request.
using MsgBuilder = std::function<void(nl_msg *)>;
// Called for each reply message with its parsed attributes (index = attr
// type) and the raw message (for multi-attr attributes).
using ReplyHandler = std::function<void(nlattr **attrs, int maxattr, const nlmsghdr *nlh)>;

// What GenlSocket sends its requests over and reads the replies from: the
// kernel's generic netlink socket (libnl), or a fake in the unit tests
// (tests/unit/tsmctl/test_netlink.cpp) that feeds canned replies.
class NlTransport {
public:
	virtual ~NlTransport() = default;
	// Send one complete request (its sequence number already set).
	virtual void send(nl_msg *msg) = 0;
	// The next datagram: one or more netlink messages.  Throws NetlinkError.
	virtual std::vector<std::uint8_t> recv() = 0;
};

class GenlSocket {
public:
	// Connects and resolves family_name; throws NetlinkError (ENOENT when the
	// family is not registered, i.e. the module is not loaded).
	explicit GenlSocket(const std::string &family_name);
	// Over another transport, with the family's id already known (tests).
	GenlSocket(std::unique_ptr<NlTransport> transport, int family_id);
	~GenlSocket();
	GenlSocket(const GenlSocket &) = delete;
	GenlSocket &operator=(const GenlSocket &) = delete;

	int family_id() const { return family_; }

	// Send cmd (with NLM_F_DUMP when dump) and deliver every reply to
	// on_reply, parsed up to maxattr.  Throws NetlinkError on an error reply,
	// EPROTO on a malformed one (a message or error shorter than its header,
	// attributes that overrun their message).  Replies to other sequence
	// numbers (of an earlier request) are skipped.
	// An exception thrown by on_reply is kept (std::exception_ptr), the
	// rest of the reply is read off the socket (to NLMSG_DONE or the ack),
	// and the exception is rethrown as it was.  A dump the kernel marks
	// NLM_F_DUMP_INTR (its data changed part-way) throws NetlinkError EAGAIN:
	// the caller starts again with fresh state.
	void request(std::uint8_t cmd, bool dump, const MsgBuilder &build, const ReplyHandler &on_reply, int maxattr);

	// Join a multicast group of the family by name (the kernel's socket only).
	void join_group(const std::string &group);
	int fd() const;
	nl_sock *raw() { return sk_.get(); }

private:
	struct SockDeleter {
		void operator()(nl_sock *s) const;
	};
	std::unique_ptr<nl_sock, SockDeleter> sk_; // null over a test transport
	std::unique_ptr<NlTransport> transport_;
	std::string name_;
	int family_ = -1;
	std::uint32_t seq_ = 0;
};

// A request answered by one message (dev-get of one device, connect,
// policy-set...): parse(attrs, maxattr, nlh) of the reply; NetlinkError
// EPROTO "WHAT returned no OBJECT" when the kernel acked without one.
template <typename Parse> auto request_one(GenlSocket &sock, std::uint8_t cmd, const MsgBuilder &build, int maxattr,
					   const char *what, const char *object, Parse parse)
	-> decltype(parse(static_cast<nlattr **>(nullptr), 0, static_cast<const nlmsghdr *>(nullptr)))
{
	std::optional<decltype(parse(static_cast<nlattr **>(nullptr), 0, static_cast<const nlmsghdr *>(nullptr)))> out;
	sock.request(
		cmd, false, build, [&](nlattr **a, int max, const nlmsghdr *nlh) { out = parse(a, max, nlh); },
		maxattr);
	if (!out)
		throw NetlinkError(EPROTO, "", -1, std::string(what) + " returned no " + object);
	return *out;
}

// "0000:01:00.0", "01:00.0" or a sysfs path -> canonical "DDDD:BB:DD.F".
// Throws std::invalid_argument with a message naming the accepted forms.
std::string canonical_bdf(const std::string &arg);

} // namespace spdmtsm
