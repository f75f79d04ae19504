// SPDX-License-Identifier: GPL-2.0
#include "spdmtsm/connect.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace spdmtsm {

namespace fs = std::filesystem;

namespace {

void sysfs_write(const std::string &path, const std::string &value)
{
	FILE *f = std::fopen(path.c_str(), "w");
	if (!f)
		throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
	bool ok = std::fputs(value.c_str(), f) >= 0;
	ok = (std::fclose(f) == 0) && ok; // the kernel's answer arrives at close
	if (!ok)
		throw std::runtime_error("echo " + value + " > " + path + ": " + std::strerror(errno));
}

} // namespace

std::string spdm_tsm_name()
{
	std::error_code ec;
	for (const auto &e : fs::directory_iterator("/sys/class/tsm", ec)) {
		auto parent = fs::read_symlink(e.path() / "device", ec);
		if (!ec && parent.filename() == "spdm_tsm")
			return e.path().filename();
	}
	throw std::runtime_error("no TSM registered by spdm_tsm in /sys/class/tsm: is the module loaded?");
}

void dsm_connect(const std::string &bdf, const std::string &tsm)
{
	sysfs_write("/sys/bus/pci/devices/" + bdf + "/tsm/connect", tsm.empty() ? spdm_tsm_name() : tsm);
}

void dsm_disconnect(const std::string &bdf, const std::string &tsm)
{
	sysfs_write("/sys/bus/pci/devices/" + bdf + "/tsm/disconnect", tsm);
}

void rethrow_with_full_reason(GenlSocket &sock, const std::string &bdf, const NetlinkError &e)
{
	std::string full;
	try {
		full = dev_get(sock, bdf).last_error;
	} catch (const NetlinkError &) {
	}
	if (full.size() > e.extack().size())
		throw NetlinkError(e.error(), full, e.bad_attr_offset(), full + " (" + std::strerror(e.error()) + ")");
	throw e;
}

DevInfo connect_device(GenlSocket &sock, const DevInfo &before, const ConnectOptions &o, const std::string &tsm)
{
	if (before.dsm) {
		dsm_connect(before.bdf, tsm);
		return dev_get(sock, before.bdf);
	}
	try {
		return dev_connect(sock, before.bdf, o);
	} catch (const NetlinkError &e) {
		rethrow_with_full_reason(sock, before.bdf, e);
	}
}

void disconnect_device(GenlSocket &sock, const DevInfo &d)
{
	if (!d.dsm) {
		dev_disconnect(sock, d.bdf);
		return;
	}
	if (d.tsm.empty())
		throw std::runtime_error(d.bdf + " is not connected");
	dsm_disconnect(d.bdf, d.tsm);
}

} // namespace spdmtsm
