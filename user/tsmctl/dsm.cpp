// SPDX-License-Identifier: GPL-2.0
#include "dsm.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tsmctl {

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

} // namespace tsmctl
