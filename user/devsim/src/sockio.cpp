// SPDX-License-Identifier: GPL-2.0
// Low-level socket helpers (see sockio.hpp).
#include "sockio.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>

namespace devsim::detail {

void sys_fail(const std::string &what)
{
	throw std::runtime_error(what + ": " + strerror(errno));
}

bool send_all(int fd, const void *p, size_t n)
{
	const char *c = static_cast<const char *>(p);
	while (n) {
		ssize_t r = ::send(fd, c, n, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		c += r;
		n -= size_t(r);
	}
	return true;
}

Fd listen_unix(const std::string &path, const char *what)
{
	sockaddr_un u{};
	u.sun_family = AF_UNIX;
	if (path.empty() || path.size() >= sizeof u.sun_path)
		throw std::runtime_error(std::string(what) + " path empty or too long: " + path);
	strcpy(u.sun_path, path.c_str());
	::unlink(u.sun_path);
	Fd c(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!c || ::bind(c.get(), reinterpret_cast<sockaddr *>(&u), sizeof u) < 0 || ::listen(c.get(), 4) < 0)
		sys_fail(std::string(what) + " " + path);
	return c;
}

void CtlClients::accept(int listen_fd)
{
	int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	fds_.emplace_back(fd);
	bufs_.emplace_back();
}

size_t CtlClients::add_to(std::vector<pollfd> &p) const
{
	size_t first = p.size();
	for (auto &c : fds_)
		p.push_back({c.get(), POLLIN, 0});
	return first;
}

void CtlClients::serve(const std::vector<pollfd> &p, size_t first, const CtlHandler &handler, std::ostream &log,
		       bool verbose, std::string_view prefix)
{
	for (size_t k = first, c = 0; k < p.size() && c < fds_.size(); k++, c++) {
		if (p[k].revents && !serve_ctl_client(fds_[c].get(), bufs_[c], handler, log, verbose, prefix))
			fds_[c].reset();
	}
	for (size_t c = 0; c < fds_.size();) {
		if (!fds_[c]) {
			fds_.erase(fds_.begin() + long(c));
			bufs_.erase(bufs_.begin() + long(c));
		} else {
			c++;
		}
	}
}

} // namespace devsim::detail
