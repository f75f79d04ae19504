// SPDX-License-Identifier: GPL-2.0
// Low-level socket helpers shared by the spdm-socket server, the vfio-user
// server and the control-socket code.  Internal to devsim_core.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <devsim/ctl_line.hpp>

#include <ostream>
#include <vector>

#include <poll.h>
#include <unistd.h>

namespace devsim::detail {

// Owns a file descriptor; closes it on destruction or reset().
class Fd {
public:
	Fd() = default;
	explicit Fd(int fd) : fd_(fd) {}
	~Fd() { reset(); }
	Fd(Fd &&o) noexcept : fd_(o.release()) {}
	Fd &operator=(Fd &&o) noexcept
	{
		if (this != &o) {
			reset();
			fd_ = o.release();
		}
		return *this;
	}
	int get() const { return fd_; }
	explicit operator bool() const { return fd_ >= 0; }
	int release()
	{
		int f = fd_;
		fd_ = -1;
		return f;
	}
	void reset()
	{
		if (fd_ >= 0)
			::close(fd_);
		fd_ = -1;
	}

private:
	int fd_ = -1;
};

// Throws std::runtime_error("what: strerror(errno)").
[[noreturn]] void sys_fail(const std::string &what);

// send() all n bytes (MSG_NOSIGNAL, retrying on EINTR); false once the
// peer is gone or send() fails.
bool send_all(int fd, const void *p, size_t n);
inline bool send_all(int fd, std::span<const uint8_t> b)
{
	return send_all(fd, b.data(), b.size());
}
inline bool send_all(int fd, std::string_view s)
{
	return send_all(fd, s.data(), s.size());
}

// A listening AF_UNIX stream socket at path (an existing file there is
// unlinked first); what names it in error messages.
Fd listen_unix(const std::string &path, const char *what);

// The control socket's connections, polled beside a server's own sockets
// (the spdm-socket server and serve-pci).
class CtlClients {
public:
	// Take one pending connection of the listening socket.
	void accept(int listen_fd);
	// Append one POLLIN entry per connection; returns the index of the first.
	size_t add_to(std::vector<pollfd> &p) const;
	// p[first...]: the entries add_to() appended, after poll().  Serves the
	// readable connections, then closes the finished ones.
	void serve(const std::vector<pollfd> &p, size_t first, const CtlHandler &handler, std::ostream &log,
		   bool verbose, std::string_view prefix);

private:
	std::vector<Fd> fds_;
	std::vector<CtlLineBuffer> bufs_;
};

} // namespace devsim::detail
