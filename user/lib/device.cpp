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
	case SPDM_TSM_STATE_NONE: return "none";
	case SPDM_TSM_STATE_CONNECTING: return "connecting";
	case SPDM_TSM_STATE_AUTHENTICATED: return "authenticated";
	case SPDM_TSM_STATE_FAILED: return "failed";
	case SPDM_TSM_STATE_SESSION_LOST: return "session-lost";
	default: return "unknown";
	}
}

DevInfo dev_from_attrs(nlattr **a, int maxattr)
{
	DevInfo d;
	auto has = [&](int t) { return t <= maxattr && a[t]; };
	if (!has(SPDM_TSM_A_DEV_BDF))
		throw std::runtime_error("dev-get reply without a PCI address");
	d.bdf = nl_string(a[SPDM_TSM_A_DEV_BDF]);
	if (has(SPDM_TSM_A_DEV_VENDOR_ID))
		d.vendor_id = nl_u16(a[SPDM_TSM_A_DEV_VENDOR_ID]);
	if (has(SPDM_TSM_A_DEV_DEVICE_ID))
		d.device_id = nl_u16(a[SPDM_TSM_A_DEV_DEVICE_ID]);
	if (has(SPDM_TSM_A_DEV_SERIAL))
		d.serial = nl_u64(a[SPDM_TSM_A_DEV_SERIAL]);
	if (has(SPDM_TSM_A_DEV_CMA))
		d.cma = nl_u8(a[SPDM_TSM_A_DEV_CMA]);
	if (has(SPDM_TSM_A_DEV_DSM))
		d.dsm = nl_u8(a[SPDM_TSM_A_DEV_DSM]);
	if (has(SPDM_TSM_A_DEV_IDE))
		d.ide = nl_u8(a[SPDM_TSM_A_DEV_IDE]);
	if (has(SPDM_TSM_A_DEV_TEE_IO))
		d.tee_io = nl_u8(a[SPDM_TSM_A_DEV_TEE_IO]);
	if (has(SPDM_TSM_A_DEV_TSM))
		d.tsm = nl_string(a[SPDM_TSM_A_DEV_TSM]);
	if (has(SPDM_TSM_A_DEV_STATE))
		d.state = nl_u32(a[SPDM_TSM_A_DEV_STATE]);
	if (has(SPDM_TSM_A_DEV_VERSION))
		d.version = nl_u8(a[SPDM_TSM_A_DEV_VERSION]);
	if (has(SPDM_TSM_A_DEV_ASYM))
		d.asym = nl_u32(a[SPDM_TSM_A_DEV_ASYM]);
	if (has(SPDM_TSM_A_DEV_HASH))
		d.hash = nl_u32(a[SPDM_TSM_A_DEV_HASH]);
	if (has(SPDM_TSM_A_DEV_SLOT))
		d.slot = nl_u8(a[SPDM_TSM_A_DEV_SLOT]);
	if (has(SPDM_TSM_A_DEV_EXCHANGES))
		d.exchanges = nl_u32(a[SPDM_TSM_A_DEV_EXCHANGES]);
	if (has(SPDM_TSM_A_DEV_DURATION_US))
		d.duration_us = nl_u64(a[SPDM_TSM_A_DEV_DURATION_US]);
	if (has(SPDM_TSM_A_DEV_MEM_USED))
		d.mem_used = nl_u32(a[SPDM_TSM_A_DEV_MEM_USED]);
	if (has(SPDM_TSM_A_DEV_MEM_LIMIT))
		d.mem_limit = nl_u32(a[SPDM_TSM_A_DEV_MEM_LIMIT]);
	if (has(SPDM_TSM_A_DEV_GENERATION))
		d.generation = nl_u64(a[SPDM_TSM_A_DEV_GENERATION]);
	if (has(SPDM_TSM_A_DEV_LAST_ERROR))
		d.last_error = nl_string(a[SPDM_TSM_A_DEV_LAST_ERROR]);
	if (has(SPDM_TSM_A_DEV_CORE_CONNECTED))
		d.core_connected = nl_u8(a[SPDM_TSM_A_DEV_CORE_CONNECTED]) != 0;
	return d;
}

std::vector<DevInfo> dev_list(GenlSocket &sock)
{
	std::vector<DevInfo> out;
	sock.request(SPDM_TSM_CMD_DEV_GET, true, nullptr,
		     [&](nlattr **a, int max, const nlmsghdr *) { out.push_back(dev_from_attrs(a, max)); },
		     SPDM_TSM_A_DEV_MAX);
	return out;
}

DevInfo dev_get(GenlSocket &sock, const std::string &bdf)
{
	std::optional<DevInfo> out;
	sock.request(
		SPDM_TSM_CMD_DEV_GET, false,
		[&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf.c_str()); },
		[&](nlattr **a, int max, const nlmsghdr *) { out = dev_from_attrs(a, max); }, SPDM_TSM_A_DEV_MAX);
	if (!out)
		throw NetlinkError(EPROTO, "", -1, "dev-get returned no device");
	return *out;
}

DevInfo dev_connect(GenlSocket &sock, const std::string &bdf, const ConnectOptions &o)
{
	std::optional<DevInfo> out;
	sock.request(
		SPDM_TSM_CMD_CONNECT, false,
		[&](nl_msg *m) {
			nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf.c_str());
			nla_put_u8(m, SPDM_TSM_A_DEV_SLOT, o.slot);
			if (!o.nonce.empty())
				nla_put(m, SPDM_TSM_A_DEV_NONCE, static_cast<int>(o.nonce.size()), o.nonce.data());
			if (o.measurements)
				nla_put_flag(m, SPDM_TSM_A_DEV_MEASUREMENTS);
		},
		[&](nlattr **a, int max, const nlmsghdr *) { out = dev_from_attrs(a, max); },
		SPDM_TSM_A_DEV_MAX);
	if (!out)
		throw NetlinkError(EPROTO, "", -1, "connect returned no device");
	return *out;
}

DevInfo dev_revalidate(GenlSocket &sock, const std::string &bdf)
{
	std::optional<DevInfo> out;
	sock.request(
		SPDM_TSM_CMD_REVALIDATE, false,
		[&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf.c_str()); },
		[&](nlattr **a, int max, const nlmsghdr *) { out = dev_from_attrs(a, max); },
		SPDM_TSM_A_DEV_MAX);
	if (!out)
		throw NetlinkError(EPROTO, "", -1, "revalidate returned no device");
	return *out;
}

void dev_disconnect(GenlSocket &sock, const std::string &bdf)
{
	sock.request(
		SPDM_TSM_CMD_DISCONNECT, false,
		[&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf.c_str()); }, nullptr,
		SPDM_TSM_A_DEV_MAX);
}

void to_json(JsonWriter &w, const DevInfo &d)
{
	char id[16];
	w.begin_object();
	w.field("bdf", d.bdf);
	std::snprintf(id, sizeof(id), "%04x", d.vendor_id);
	w.field("vendor_id", id);
	std::snprintf(id, sizeof(id), "%04x", d.device_id);
	w.field("device_id", id);
	w.key("serial");
	if (d.serial) {
		char s[24];
		std::snprintf(s, sizeof(s), "%016llx", static_cast<unsigned long long>(*d.serial));
		w.value(s);
	} else {
		w.null();
	}
	w.field("cma", d.cma);
	w.field("dsm", d.dsm);
	w.field("ide", d.ide);
	w.field("tee_io", d.tee_io);
	w.key("tsm");
	if (d.tsm.empty())
		w.null();
	else
		w.value(d.tsm);
	w.field("state", state_name(d.state));
	if (d.version) {
		w.field("version", version_text(d.version));
		w.field("asym", asym_name(d.asym));
		w.field("hash", hash_name(d.hash));
		w.field("slot", static_cast<unsigned>(d.slot));
	}
	if (d.exchanges)
		w.field("exchanges", *d.exchanges);
	if (d.duration_us)
		w.field("duration_us", *d.duration_us);
	w.field("mem_used", d.mem_used);
	w.field("mem_limit", d.mem_limit);
	w.field("generation", d.generation);
	w.key("last_error");
	if (d.last_error.empty())
		w.null();
	else
		w.value(d.last_error);
	w.key("core_connected");
	if (d.core_connected)
		w.value(*d.core_connected);
	else
		w.null();
	w.end_object();
}

} // namespace spdmtsm
