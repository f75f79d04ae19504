// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/device.hpp"
#include "spdmtsm/evidence.hpp"

#include <linux/spdm_tsm.h>
#include <netlink/attr.h>

#include <cstdio>

namespace spdmtsm {

const char *state_name(std::uint32_t state)
{
	switch (state) {
	case SPDM_TSM_STATE_NONE:
		return "none";
	case SPDM_TSM_STATE_CONNECTING:
		return "connecting";
	case SPDM_TSM_STATE_AUTHENTICATED:
		return "authenticated";
	case SPDM_TSM_STATE_FAILED:
		return "failed";
	case SPDM_TSM_STATE_SESSION_LOST:
		return "session-lost";
	default:
		return "unknown";
	}
}

const char *session_state_name(std::uint32_t state)
{
	switch (state) {
	case SPDM_TSM_SESSION_STATE_NONE:
		return "none";
	case SPDM_TSM_SESSION_STATE_ESTABLISHED:
		return "established";
	default:
		return "unknown";
	}
}

bool SessionInfo::established() const
{
	return state == SPDM_TSM_SESSION_STATE_ESTABLISHED;
}

namespace {

// The nested session-info of dev-get: each attribute at least as long as its
// type (libnl checks the policy), then read with the checked getters.
SessionInfo session_from_attr(const nlattr *nest)
{
	static nla_policy policy[SPDM_TSM_A_SESSION_MAX + 1] = {};
	static const bool init = [] {
		for (int t :
		     {SPDM_TSM_A_SESSION_STATE, SPDM_TSM_A_SESSION_ID, SPDM_TSM_A_SESSION_DHE, SPDM_TSM_A_SESSION_AEAD,
		      SPDM_TSM_A_SESSION_HASH, SPDM_TSM_A_SESSION_KEY_UPDATES, SPDM_TSM_A_SESSION_HEARTBEATS,
		      SPDM_TSM_A_SESSION_ESTABLISHMENTS, SPDM_TSM_A_SESSION_EXCHANGES})
			policy[t].type = NLA_U32;
		for (int t : {SPDM_TSM_A_SESSION_ENCRYPTED, SPDM_TSM_A_SESSION_HEARTBEAT_PERIOD})
			policy[t].type = NLA_U8;
		for (int t : {SPDM_TSM_A_SESSION_ESTABLISHED_NS, SPDM_TSM_A_SESSION_DURATION_US})
			policy[t].type = NLA_U64;
		return true;
	}();
	(void)init;
	nlattr *t[SPDM_TSM_A_SESSION_MAX + 1] = {};
	if (nla_parse_nested(t, SPDM_TSM_A_SESSION_MAX, const_cast<nlattr *>(nest), policy) < 0)
		throw NetlinkError(EPROTO, "", -1, "malformed reply from the kernel: a malformed session-info");
	SessionInfo s;
	if (t[SPDM_TSM_A_SESSION_STATE])
		s.state = attr_u32(t[SPDM_TSM_A_SESSION_STATE]);
	if (t[SPDM_TSM_A_SESSION_ID])
		s.id = attr_u32(t[SPDM_TSM_A_SESSION_ID]);
	if (t[SPDM_TSM_A_SESSION_DHE])
		s.dhe = attr_u32(t[SPDM_TSM_A_SESSION_DHE]);
	if (t[SPDM_TSM_A_SESSION_AEAD])
		s.aead = attr_u32(t[SPDM_TSM_A_SESSION_AEAD]);
	if (t[SPDM_TSM_A_SESSION_HASH])
		s.hash = attr_u32(t[SPDM_TSM_A_SESSION_HASH]);
	if (t[SPDM_TSM_A_SESSION_ENCRYPTED])
		s.encrypted = attr_u8(t[SPDM_TSM_A_SESSION_ENCRYPTED]) != 0;
	if (t[SPDM_TSM_A_SESSION_HEARTBEAT_PERIOD])
		s.heartbeat_period = attr_u8(t[SPDM_TSM_A_SESSION_HEARTBEAT_PERIOD]);
	if (t[SPDM_TSM_A_SESSION_ESTABLISHED_NS])
		s.established_ns = attr_u64(t[SPDM_TSM_A_SESSION_ESTABLISHED_NS]);
	if (t[SPDM_TSM_A_SESSION_KEY_UPDATES])
		s.key_updates = attr_u32(t[SPDM_TSM_A_SESSION_KEY_UPDATES]);
	if (t[SPDM_TSM_A_SESSION_HEARTBEATS])
		s.heartbeats = attr_u32(t[SPDM_TSM_A_SESSION_HEARTBEATS]);
	if (t[SPDM_TSM_A_SESSION_ESTABLISHMENTS])
		s.establishments = attr_u32(t[SPDM_TSM_A_SESSION_ESTABLISHMENTS]);
	if (t[SPDM_TSM_A_SESSION_EXCHANGES])
		s.exchanges = attr_u32(t[SPDM_TSM_A_SESSION_EXCHANGES]);
	if (t[SPDM_TSM_A_SESSION_DURATION_US])
		s.duration_us = attr_u64(t[SPDM_TSM_A_SESSION_DURATION_US]);
	return s;
}

} // namespace

DevInfo dev_from_attrs(nlattr **a, int maxattr)
{
	DevInfo d;
	auto has = [&](int t) { return t <= maxattr && a[t]; };
	if (!has(SPDM_TSM_A_DEV_BDF))
		throw std::runtime_error("dev-get reply without a PCI address");
	d.bdf = attr_str(a[SPDM_TSM_A_DEV_BDF]);
	if (has(SPDM_TSM_A_DEV_VENDOR_ID))
		d.vendor_id = attr_u16(a[SPDM_TSM_A_DEV_VENDOR_ID]);
	if (has(SPDM_TSM_A_DEV_DEVICE_ID))
		d.device_id = attr_u16(a[SPDM_TSM_A_DEV_DEVICE_ID]);
	if (has(SPDM_TSM_A_DEV_SERIAL))
		d.serial = attr_u64(a[SPDM_TSM_A_DEV_SERIAL]);
	if (has(SPDM_TSM_A_DEV_CMA))
		d.cma = attr_u8(a[SPDM_TSM_A_DEV_CMA]);
	if (has(SPDM_TSM_A_DEV_DSM))
		d.dsm = attr_u8(a[SPDM_TSM_A_DEV_DSM]);
	if (has(SPDM_TSM_A_DEV_IDE))
		d.ide = attr_u8(a[SPDM_TSM_A_DEV_IDE]);
	if (has(SPDM_TSM_A_DEV_TEE_IO))
		d.tee_io = attr_u8(a[SPDM_TSM_A_DEV_TEE_IO]);
	if (has(SPDM_TSM_A_DEV_TSM))
		d.tsm = attr_str(a[SPDM_TSM_A_DEV_TSM]);
	if (has(SPDM_TSM_A_DEV_STATE))
		d.state = attr_u32(a[SPDM_TSM_A_DEV_STATE]);
	if (has(SPDM_TSM_A_DEV_VERSION))
		d.version = attr_u8(a[SPDM_TSM_A_DEV_VERSION]);
	if (has(SPDM_TSM_A_DEV_ASYM))
		d.asym = attr_u32(a[SPDM_TSM_A_DEV_ASYM]);
	if (has(SPDM_TSM_A_DEV_HASH))
		d.hash = attr_u32(a[SPDM_TSM_A_DEV_HASH]);
	if (has(SPDM_TSM_A_DEV_SLOT))
		d.slot = attr_u8(a[SPDM_TSM_A_DEV_SLOT]);
	if (has(SPDM_TSM_A_DEV_EXCHANGES))
		d.exchanges = attr_u32(a[SPDM_TSM_A_DEV_EXCHANGES]);
	if (has(SPDM_TSM_A_DEV_DURATION_US))
		d.duration_us = attr_u64(a[SPDM_TSM_A_DEV_DURATION_US]);
	if (has(SPDM_TSM_A_DEV_MEM_USED))
		d.mem_used = attr_u32(a[SPDM_TSM_A_DEV_MEM_USED]);
	if (has(SPDM_TSM_A_DEV_MEM_LIMIT))
		d.mem_limit = attr_u32(a[SPDM_TSM_A_DEV_MEM_LIMIT]);
	if (has(SPDM_TSM_A_DEV_GENERATION))
		d.generation = attr_u64(a[SPDM_TSM_A_DEV_GENERATION]);
	if (has(SPDM_TSM_A_DEV_LAST_ERROR))
		d.last_error = attr_str(a[SPDM_TSM_A_DEV_LAST_ERROR]);
	if (has(SPDM_TSM_A_DEV_CORE_CONNECTED))
		d.core_connected = attr_u8(a[SPDM_TSM_A_DEV_CORE_CONNECTED]) != 0;
	if (has(SPDM_TSM_A_DEV_SESSION_INFO))
		d.session = session_from_attr(a[SPDM_TSM_A_DEV_SESSION_INFO]);
	return d;
}

std::vector<DevInfo> dev_list(GenlSocket &sock)
{
	return retry_eagain([&] {
		std::vector<DevInfo> out;
		sock.request(
			SPDM_TSM_CMD_DEV_GET, true, nullptr,
			[&](nlattr **a, int max, const nlmsghdr *) { out.push_back(dev_from_attrs(a, max)); },
			SPDM_TSM_A_DEV_MAX);
		return out;
	});
}

namespace {

// cmd about the device bdf (more: its other attributes), answered by the device.
DevInfo dev_request(GenlSocket &sock, std::uint8_t cmd, const char *what, const std::string &bdf,
		    const MsgBuilder &more = {})
{
	return request_one(
		sock, cmd,
		[&](nl_msg *m) {
			nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf.c_str());
			if (more)
				more(m);
		},
		SPDM_TSM_A_DEV_MAX, what, "device",
		[](nlattr **a, int max, const nlmsghdr *) { return dev_from_attrs(a, max); });
}

} // namespace

DevInfo dev_get(GenlSocket &sock, const std::string &bdf)
{
	return dev_request(sock, SPDM_TSM_CMD_DEV_GET, "dev-get", bdf);
}

DevInfo dev_connect(GenlSocket &sock, const std::string &bdf, const ConnectOptions &o)
{
	return dev_request(sock, SPDM_TSM_CMD_CONNECT, "connect", bdf, [&](nl_msg *m) {
		nla_put_u8(m, SPDM_TSM_A_DEV_SLOT, o.slot);
		if (!o.nonce.empty())
			nla_put(m, SPDM_TSM_A_DEV_NONCE, static_cast<int>(o.nonce.size()), o.nonce.data());
		if (o.measurements)
			nla_put_flag(m, SPDM_TSM_A_DEV_MEASUREMENTS);
		if (o.session)
			nla_put_flag(m, SPDM_TSM_A_DEV_SESSION);
	});
}

DevInfo dev_revalidate(GenlSocket &sock, const std::string &bdf)
{
	return dev_request(sock, SPDM_TSM_CMD_REVALIDATE, "revalidate", bdf);
}

DevInfo session_key_update(GenlSocket &sock, const std::string &bdf, bool all)
{
	return dev_request(sock, SPDM_TSM_CMD_SESSION_KEY_UPDATE, "session-key-update", bdf, [&](nl_msg *m) {
		if (all)
			nla_put_flag(m, SPDM_TSM_A_DEV_ALL_KEYS);
	});
}

DevInfo session_end(GenlSocket &sock, const std::string &bdf)
{
	return dev_request(sock, SPDM_TSM_CMD_SESSION_END, "session-end", bdf);
}

void dev_disconnect(GenlSocket &sock, const std::string &bdf)
{
	sock.request(
		SPDM_TSM_CMD_DISCONNECT, false, [&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf.c_str()); },
		nullptr, SPDM_TSM_A_DEV_MAX);
}

Json json_of(const DevInfo &d)
{
	char id[16], ser[24];
	Json j;
	j["bdf"] = d.bdf;
	std::snprintf(id, sizeof(id), "%04x", d.vendor_id);
	j["vendor_id"] = id;
	std::snprintf(id, sizeof(id), "%04x", d.device_id);
	j["device_id"] = id;
	if (d.serial) {
		std::snprintf(ser, sizeof(ser), "%016llx", static_cast<unsigned long long>(*d.serial));
		j["serial"] = ser;
	} else {
		j["serial"] = nullptr;
	}
	j["cma"] = d.cma;
	j["dsm"] = d.dsm;
	j["ide"] = d.ide;
	j["tee_io"] = d.tee_io;
	j["tsm"] = json_or_null(d.tsm);
	j["state"] = state_name(d.state);
	// negotiated at the last handshake; null before one
	j["version"] = d.version ? Json(version_text(d.version)) : Json(nullptr);
	j["asym"] = d.version ? Json(asym_name(d.asym)) : Json(nullptr);
	j["hash"] = d.version ? Json(hash_name(d.hash)) : Json(nullptr);
	j["slot"] = d.version ? Json(d.slot) : Json(nullptr);
	j["exchanges"] = json_or_null(d.exchanges);
	j["duration_us"] = json_or_null(d.duration_us);
	j["mem_used"] = d.mem_used;
	j["mem_limit"] = d.mem_limit;
	j["generation"] = d.generation;
	j["last_error"] = json_or_null(d.last_error);
	j["core_connected"] = json_or_null(d.core_connected);
	j["session"] = d.session ? json_of(*d.session) : Json(nullptr);
	return j;
}

std::string session_summary(const SessionInfo &s)
{
	std::string t = session_state_name(s.state);
	if (!s.established())
		return t;
	if (s.id) {
		char id[16];
		std::snprintf(id, sizeof(id), "0x%08x", *s.id);
		t += std::string(", id ") + id;
	}
	if (s.dhe)
		t += std::string(", ") + dhe_name(s.dhe);
	if (s.aead)
		t += std::string(", ") + aead_name(s.aead);
	if (s.heartbeat_period && *s.heartbeat_period)
		t += ", heartbeat " + std::to_string(*s.heartbeat_period) + " s";
	if (s.key_updates)
		t += ", " + std::to_string(*s.key_updates) + " key update(s)";
	return t;
}

Json json_of(const SessionInfo &s)
{
	auto name_or_null = [](std::uint32_t bit, const char *name) { return bit ? Json(name) : Json(nullptr); };
	Json j;
	j["state"] = session_state_name(s.state);
	j["id"] = json_or_null(s.id);
	j["dhe"] = name_or_null(s.dhe, dhe_name(s.dhe));
	j["aead"] = name_or_null(s.aead, aead_name(s.aead));
	j["hash"] = name_or_null(s.hash, hash_name(s.hash));
	j["encrypted"] = json_or_null(s.encrypted);
	j["heartbeat_period"] = json_or_null(s.heartbeat_period);
	j["established_ns"] = json_or_null(s.established_ns);
	j["key_updates"] = json_or_null(s.key_updates);
	j["heartbeats"] = json_or_null(s.heartbeats);
	j["establishments"] = json_or_null(s.establishments);
	j["exchanges"] = json_or_null(s.exchanges);
	j["duration_us"] = json_or_null(s.duration_us);
	return j;
}

Json session_json(const DevInfo &d)
{
	Json j;
	j["bdf"] = d.bdf;
	j["state"] = state_name(d.state);
	j["session"] = d.session ? json_of(*d.session) : Json(nullptr);
	return j;
}

} // namespace spdmtsm
