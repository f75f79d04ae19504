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
	return d;
}

std::vector<DevInfo> dev_list(GenlSocket &sock)
{
	return retry_eagain([&] {
		std::vector<DevInfo> out;
		sock.request(SPDM_TSM_CMD_DEV_GET, true, nullptr,
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
		SPDM_TSM_A_DEV_MAX, what, "device", [](nlattr **a, int max, const nlmsghdr *) { return dev_from_attrs(a, max); });
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
	});
}

DevInfo dev_revalidate(GenlSocket &sock, const std::string &bdf)
{
	return dev_request(sock, SPDM_TSM_CMD_REVALIDATE, "revalidate", bdf);
}

void dev_disconnect(GenlSocket &sock, const std::string &bdf)
{
	sock.request(
		SPDM_TSM_CMD_DISCONNECT, false,
		[&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf.c_str()); }, nullptr,
		SPDM_TSM_A_DEV_MAX);
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
	return j;
}

} // namespace spdmtsm
