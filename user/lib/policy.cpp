// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/policy.hpp"

#include <linux/spdm_tsm.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace spdmtsm {

namespace {

Bytes attr_bytes(const nlattr *a)
{
	const auto *p = static_cast<const std::uint8_t *>(nla_data(a));
	return Bytes(p, p + nla_len(a));
}

const genlmsghdr *genl_hdr(const nlmsghdr *nlh)
{
	return static_cast<const genlmsghdr *>(nlmsg_data(nlh));
}

Policy policy_from(nlattr **a, const nlmsghdr *nlh)
{
	Policy p;
	if (!a[SPDM_TSM_A_POLICY_BDF])
		throw std::runtime_error("policy reply without a PCI address");
	p.bdf = attr_str(a[SPDM_TSM_A_POLICY_BDF]);
	if (a[SPDM_TSM_A_POLICY_SERIAL])
		p.serial = attr_u64(a[SPDM_TSM_A_POLICY_SERIAL]);
	if (a[SPDM_TSM_A_POLICY_SLOT])
		p.slot = attr_u8(a[SPDM_TSM_A_POLICY_SLOT]);
	if (a[SPDM_TSM_A_POLICY_CERT_DIGEST])
		p.cert_digest = attr_bytes(a[SPDM_TSM_A_POLICY_CERT_DIGEST]);
	if (a[SPDM_TSM_A_POLICY_ACTION])
		p.action = attr_u32(a[SPDM_TSM_A_POLICY_ACTION]);
	if (a[SPDM_TSM_A_POLICY_REVALIDATE_MODE])
		p.revalidate_mode = attr_u32(a[SPDM_TSM_A_POLICY_REVALIDATE_MODE]);
	p.meas_baseline = a[SPDM_TSM_A_POLICY_MEAS_BASELINE] != nullptr;
	nlattr *attr;
	int rem;
	nla_for_each_attr(attr, genlmsg_attrdata(genl_hdr(nlh), 0), genlmsg_attrlen(genl_hdr(nlh), 0), rem)
	{
		if (nla_type(attr) != SPDM_TSM_A_POLICY_MEAS_RULE)
			continue;
		nlattr *t[SPDM_TSM_A_MEAS_RULE_MAX + 1] = {};
		if (nla_parse_nested(t, SPDM_TSM_A_MEAS_RULE_MAX, attr, nullptr) < 0 || !t[SPDM_TSM_A_MEAS_RULE_INDEX])
			throw std::runtime_error("malformed meas-rule in a policy reply");
		MeasRule r;
		r.index = attr_u8(t[SPDM_TSM_A_MEAS_RULE_INDEX]);
		if (t[SPDM_TSM_A_MEAS_RULE_DIGEST])
			r.digest = attr_bytes(t[SPDM_TSM_A_MEAS_RULE_DIGEST]);
		r.is_volatile = t[SPDM_TSM_A_MEAS_RULE_VOLATILE] != nullptr;
		p.meas.push_back(std::move(r));
	}
	return p;
}

} // namespace

Policy policy_from_msg(const nlmsghdr *nlh)
{
	nlattr *a[SPDM_TSM_A_POLICY_MAX + 1] = {};
	if (genlmsg_parse(const_cast<nlmsghdr *>(nlh), 0, a, SPDM_TSM_A_POLICY_MAX, nullptr) < 0)
		throw std::runtime_error("malformed policy reply");
	return policy_from(a, nlh);
}

std::optional<DevEvent> dev_event_from_msg(const nlmsghdr *nlh)
{
	nlattr *a[SPDM_TSM_A_DEV_MAX + 1] = {};
	if (genlmsg_parse(const_cast<nlmsghdr *>(nlh), 0, a, SPDM_TSM_A_DEV_MAX, nullptr) < 0)
		return std::nullopt;
	DevEvent e;
	e.dev = dev_from_attrs(a, SPDM_TSM_A_DEV_MAX);
	if (a[SPDM_TSM_A_DEV_EVENT])
		e.event = attr_u32(a[SPDM_TSM_A_DEV_EVENT]);
	if (a[SPDM_TSM_A_DEV_REASON])
		e.reason = attr_u32(a[SPDM_TSM_A_DEV_REASON]);
	if (a[SPDM_TSM_A_DEV_TIMESTAMP_NS])
		e.timestamp_ns = attr_u64(a[SPDM_TSM_A_DEV_TIMESTAMP_NS]);
	return e;
}

Policy policy_set(GenlSocket &sock, const Policy &p)
{
	return request_one(
		sock, SPDM_TSM_CMD_POLICY_SET,
		[&](nl_msg *m) {
			nla_put_string(m, SPDM_TSM_A_POLICY_BDF, p.bdf.c_str());
			if (p.serial)
				nla_put_u64(m, SPDM_TSM_A_POLICY_SERIAL, *p.serial);
			nla_put_u8(m, SPDM_TSM_A_POLICY_SLOT, p.slot);
			if (p.cert_digest_current)
				nla_put_flag(m, SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT);
			else if (!p.cert_digest.empty())
				nla_put(m, SPDM_TSM_A_POLICY_CERT_DIGEST, static_cast<int>(p.cert_digest.size()),
					p.cert_digest.data());
			for (const auto &r : p.meas) {
				nlattr *n = nla_nest_start(m, SPDM_TSM_A_POLICY_MEAS_RULE);
				nla_put_u8(m, SPDM_TSM_A_MEAS_RULE_INDEX, r.index);
				if (!r.digest.empty())
					nla_put(m, SPDM_TSM_A_MEAS_RULE_DIGEST, static_cast<int>(r.digest.size()),
						r.digest.data());
				if (r.is_volatile)
					nla_put_flag(m, SPDM_TSM_A_MEAS_RULE_VOLATILE);
				nla_nest_end(m, n);
			}
			if (p.meas_baseline)
				nla_put_flag(m, SPDM_TSM_A_POLICY_MEAS_BASELINE);
			nla_put_u32(m, SPDM_TSM_A_POLICY_ACTION, p.action);
			nla_put_u32(m, SPDM_TSM_A_POLICY_REVALIDATE_MODE, p.revalidate_mode);
		},
		SPDM_TSM_A_POLICY_MAX, "policy-set", "policy",
		[](nlattr **a, int, const nlmsghdr *nlh) { return policy_from(a, nlh); });
}

Policy policy_get(GenlSocket &sock, const std::string &bdf)
{
	return request_one(
		sock, SPDM_TSM_CMD_POLICY_GET,
		[&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_POLICY_BDF, bdf.c_str()); }, SPDM_TSM_A_POLICY_MAX,
		"policy-get", "policy", [](nlattr **a, int, const nlmsghdr *nlh) { return policy_from(a, nlh); });
}

std::vector<Policy> policy_list(GenlSocket &sock)
{
	return retry_eagain([&] {
		std::vector<Policy> out;
		sock.request(
			SPDM_TSM_CMD_POLICY_GET, true, nullptr,
			[&](nlattr **a, int, const nlmsghdr *nlh) { out.push_back(policy_from(a, nlh)); },
			SPDM_TSM_A_POLICY_MAX);
		return out;
	});
}

void policy_del(GenlSocket &sock, const std::string &bdf)
{
	sock.request(
		SPDM_TSM_CMD_POLICY_DEL, false,
		[&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_POLICY_BDF, bdf.c_str()); }, nullptr,
		SPDM_TSM_A_POLICY_MAX);
}

const char *action_name(std::uint32_t a)
{
	switch (a) {
	case SPDM_TSM_ACTION_NOTIFY:
		return "notify";
	case SPDM_TSM_ACTION_UNBIND:
		return "unbind";
	case SPDM_TSM_ACTION_DISABLE_BUS_MASTER:
		return "disable-bus-master";
	default:
		return "unknown";
	}
}

std::optional<std::uint32_t> action_from_name(const std::string &s)
{
	for (std::uint32_t a = SPDM_TSM_ACTION_NOTIFY; a <= SPDM_TSM_ACTION_DISABLE_BUS_MASTER; a++)
		if (s == action_name(a))
			return a;
	return std::nullopt;
}

const char *event_name(std::uint32_t e)
{
	switch (e) {
	case SPDM_TSM_EVENT_CONNECTED:
		return "connected";
	case SPDM_TSM_EVENT_DISCONNECTED:
		return "disconnected";
	case SPDM_TSM_EVENT_SESSION_LOST:
		return "session-lost";
	case SPDM_TSM_EVENT_REVALIDATED:
		return "revalidated";
	case SPDM_TSM_EVENT_REVALIDATION_FAILED:
		return "revalidation-failed";
	case SPDM_TSM_EVENT_ADDED:
		return "added";
	case SPDM_TSM_EVENT_SESSION_ESTABLISHED:
		return "session-established";
	case SPDM_TSM_EVENT_SESSION_ENDED:
		return "session-ended";
	default:
		return "unknown";
	}
}

const char *reason_name(std::uint32_t r)
{
	static const char *const names[] = {"none",      "reset",      "resume",      "unknown",     "removal",
					    "explicit",  "signature",  "cert-digest", "measurement", "device-error",
					    "timeout",   "downgrade",  "budget",      "deadline",    "serial",
					    "heartbeat", "key-update", "session"};
	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "unknown";
}

Json json_of(const Policy &p)
{
	Json j;
	j["bdf"] = p.bdf;
	if (p.serial) {
		char s[24];
		std::snprintf(s, sizeof(s), "%016llx", static_cast<unsigned long long>(*p.serial));
		j["serial"] = s;
	} else {
		j["serial"] = nullptr;
	}
	j["slot"] = p.slot;
	j["cert_digest"] = p.cert_digest.empty() ? Json(nullptr) : Json(hex(p.cert_digest));
	Json m = Json::array();
	for (const auto &r : p.meas)
		m.push_back({{"index", r.index},
			     {"digest", r.digest.empty() ? Json(nullptr) : Json(hex(r.digest))},
			     {"volatile", r.is_volatile}});
	j["measurements"] = std::move(m);
	j["meas_baseline"] = p.meas_baseline;
	j["action"] = action_name(p.action);
	j["revalidate"] = p.revalidate_mode == SPDM_TSM_REVALIDATE_MODE_ANNOUNCE ? "announce" : "auto";
	return j;
}

EventStream::EventStream() : sock_(SPDM_TSM_FAMILY_NAME)
{
	sock_.join_group(SPDM_TSM_MCGRP_EVENTS);
	nl_socket_disable_seq_check(sock_.raw());
}

bool EventStream::poll(int timeout_ms, const std::function<bool(const DevEvent &)> &on_event)
{
	struct State {
		const std::function<bool(const DevEvent &)> *cb;
		bool stop = false;
		std::string error;
	} st{&on_event, false, {}};
	std::unique_ptr<nl_cb, decltype(&nl_cb_put)> cb(nl_cb_alloc(NL_CB_DEFAULT), &nl_cb_put);
	if (!cb)
		throw NetlinkError(ENOMEM, "", -1, "cannot allocate netlink callbacks");
	// multicast messages carry no sequence number of ours
	nl_cb_set(
		cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, [](nl_msg *, void *) -> int { return NL_OK; }, nullptr);
	nl_cb_set(
		cb.get(), NL_CB_VALID, NL_CB_CUSTOM,
		[](nl_msg *msg, void *arg) -> int {
			auto &s = *static_cast<State *>(arg);
			const nlmsghdr *nlh = nlmsg_hdr(msg);
			if (genl_hdr(nlh)->cmd != SPDM_TSM_CMD_DEV_EVENT_NTF)
				return NL_OK;
			try {
				auto e = dev_event_from_msg(nlh);
				if (!e)
					return NL_OK;
				if (!(*s.cb)(*e)) {
					s.stop = true;
					return NL_STOP;
				}
			} catch (const std::exception &ex) {
				s.error = ex.what();
				s.stop = true;
				return NL_STOP;
			}
			return NL_OK;
		},
		&st);
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	for (;;) {
		int wait = -1;
		if (timeout_ms >= 0) {
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
					    deadline - std::chrono::steady_clock::now())
					    .count();
			if (left <= 0)
				return true;
			wait = static_cast<int>(left);
		}
		pollfd pfd{sock_.fd(), POLLIN, 0};
		int rc = ::poll(&pfd, 1, wait);
		if (rc < 0) {
			if (errno == EINTR)
				return true; // let the caller look at its signal flags
			throw NetlinkError(errno, "", -1, "poll on the netlink socket failed");
		}
		if (rc == 0)
			return true;
		rc = nl_recvmsgs(sock_.raw(), cb.get());
		if (!st.error.empty())
			throw NetlinkError(EPROTO, "", -1, st.error);
		if (st.stop)
			return false;
		if (rc == -NLE_NOMEM) // libnl's name for ENOBUFS
			throw EventsLost(ENOBUFS, "", -1, "events were lost (the kernel could not queue them)");
		if (rc < 0)
			throw NetlinkError(EIO, "", -1, std::string("netlink receive failed: ") + nl_geterror(rc));
	}
}

Json events_lost_json(std::uint64_t timestamp_ns)
{
	return Json{{"event", "events-lost"}, {"reason", nullptr}, {"timestamp_ns", timestamp_ns}, {"device", nullptr}};
}

Json json_of(const DevEvent &e)
{
	return Json{{"event", event_name(e.event)},
		    {"reason", reason_name(e.reason)},
		    {"timestamp_ns", e.timestamp_ns},
		    {"device", json_of(e.dev)}};
}

} // namespace spdmtsm
