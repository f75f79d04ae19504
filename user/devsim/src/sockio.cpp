// SPDX-License-Identifier: GPL-2.0
// Low-level socket helpers (see sockio.hpp).
#include "sockio.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>

namespace devsim::detail {

void sys_fail(const std::string &what) {
    throw std::runtime_error(what + ": " + strerror(errno));
}

bool send_all(int fd, const void *p, size_t n) {
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

Fd listen_unix(const std::string &path, const char *what) {
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

}  // namespace devsim::detail
