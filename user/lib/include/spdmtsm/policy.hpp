// SPDX-License-Identifier: GPL-2.0
// Revalidation policies (policy-set/get/del) and device events
// (dev-event-ntf on the "events" multicast group).
#pragma once

#include "spdmtsm/device.hpp"
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/netlink.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace spdmtsm {

struct MeasRule {
	std::uint8_t index = 0; // 1..254
	Bytes digest;           // empty for a volatile index
	bool is_volatile = false;
};

struct Policy {
	std::string bdf;
	std::optional<std::uint64_t> serial; // the kernel fills it from the device's DSN
	std::uint8_t slot = 0;
	Bytes cert_digest;                // empty: not checked
	bool cert_digest_current = false; // request only: take the device's current digest
	std::vector<MeasRule> meas;
	bool meas_baseline = false;        // blocks must be those seen at connect
	std::uint32_t action = 0;          // enum spdm_tsm_action
	std::uint32_t revalidate_mode = 0; // enum spdm_tsm_revalidate_mode
};

Policy policy_set(GenlSocket &sock, const Policy &p); // returns what the kernel stored
Policy policy_get(GenlSocket &sock, const std::string &bdf);
std::vector<Policy> policy_list(GenlSocket &sock);
void policy_del(GenlSocket &sock, const std::string &bdf);

const char *action_name(std::uint32_t a);
std::optional<std::uint32_t> action_from_name(const std::string &s);
const char *event_name(std::uint32_t e);
const char *reason_name(std::uint32_t r);

Json json_of(const Policy &p);

struct DevEvent {
	DevInfo dev;
	std::uint32_t event = 0;
	std::uint32_t reason = 0;
	std::uint64_t timestamp_ns = 0;
};

// A subscription to the "events" group.  Subscribe before triggering what
// you want to observe: events are not queued for later subscribers.
class EventStream {
public:
	EventStream(); // throws NetlinkError
	// Wait up to timeout_ms (< 0: forever) and deliver what arrives to
	// on_event until it returns false.  Returns false once on_event did.
	bool poll(int timeout_ms, const std::function<bool(const DevEvent &)> &on_event);
	// The socket, for a caller's own poll()/event loop (then poll(0, ...)
	// when it is readable).
	int fd() const { return sock_.fd(); }

private:
	GenlSocket sock_;
};

Json json_of(const DevEvent &e);

// tsmctl monitor -j's line for lost events: the shape of every event, with
// "device" and "reason" null and timestamp_ns the host's CLOCK_REALTIME
// (the kernel stamps its events with ktime_get_real_ns()).
Json events_lost_json(std::uint64_t timestamp_ns);

// What policy_get/policy_list and EventStream make of one message from the
// kernel (exposed for the fuzz harness).  policy_from_msg throws
// std::runtime_error on a malformed reply; dev_event_from_msg returns
// nullopt for a message it cannot parse and throws for one without a device.
Policy policy_from_msg(const nlmsghdr *nlh);
std::optional<DevEvent> dev_event_from_msg(const nlmsghdr *nlh);

} // namespace spdmtsm
