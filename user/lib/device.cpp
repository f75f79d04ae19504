// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/device.hpp"

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
	d.bdf = nla_get_string(a[SPDM_TSM_A_DEV_BDF]);
	if (has(SPDM_TSM_A_DEV_VENDOR_ID))
		d.vendor_id = nla_get_u16(a[SPDM_TSM_A_DEV_VENDOR_ID]);
	if (has(SPDM_TSM_A_DEV_DEVICE_ID))
		d.device_id = nla_get_u16(a[SPDM_TSM_A_DEV_DEVICE_ID]);
	if (has(SPDM_TSM_A_DEV_SERIAL))
		d.serial = nla_get_u64(a[SPDM_TSM_A_DEV_SERIAL]);
	if (has(SPDM_TSM_A_DEV_CMA))
		d.cma = nla_get_u8(a[SPDM_TSM_A_DEV_CMA]);
	if (has(SPDM_TSM_A_DEV_DSM))
		d.dsm = nla_get_u8(a[SPDM_TSM_A_DEV_DSM]);
	if (has(SPDM_TSM_A_DEV_IDE))
		d.ide = nla_get_u8(a[SPDM_TSM_A_DEV_IDE]);
	if (has(SPDM_TSM_A_DEV_TEE_IO))
		d.tee_io = nla_get_u8(a[SPDM_TSM_A_DEV_TEE_IO]);
	if (has(SPDM_TSM_A_DEV_TSM))
		d.tsm = nla_get_string(a[SPDM_TSM_A_DEV_TSM]);
	if (has(SPDM_TSM_A_DEV_STATE))
		d.state = nla_get_u32(a[SPDM_TSM_A_DEV_STATE]);
	return d;
}

std::vector<DevInfo> dev_list(GenlSocket &sock)
{
	std::vector<DevInfo> out;
	sock.request(SPDM_TSM_CMD_DEV_GET, true, nullptr,
		     [&](nlattr **a, int max) { out.push_back(dev_from_attrs(a, max)); },
		     SPDM_TSM_A_DEV_MAX);
	return out;
}

DevInfo dev_get(GenlSocket &sock, const std::string &bdf)
{
	std::optional<DevInfo> out;
	sock.request(
		SPDM_TSM_CMD_DEV_GET, false,
		[&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf.c_str()); },
		[&](nlattr **a, int max) { out = dev_from_attrs(a, max); }, SPDM_TSM_A_DEV_MAX);
	if (!out)
		throw NetlinkError(EPROTO, "", -1, "dev-get returned no device");
	return *out;
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
	w.end_object();
}

} // namespace spdmtsm
