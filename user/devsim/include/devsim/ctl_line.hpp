// SPDX-License-Identifier: GPL-2.0
// Control-socket connections, shared by the spdm-socket server and
// serve-pci: bytes in, complete '\n'-terminated lines out, one reply line
// per request line.  A line is bounded so a client cannot grow our memory.
#pragma once
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace devsim {

class CtlLineBuffer {
public:
	static constexpr size_t kMaxLine = 64 * 1024; // bytes, without the '\n'

	// Appends bytes read from the connection and returns the lines they
	// complete, without the '\n' (a '\r' before it stays: the commands split
	// on whitespace).  A line longer than kMaxLine, complete or not, sets
	// overflowed(): the lines before it are returned, nothing after it.
	std::vector<std::string> feed(std::string_view bytes);
	bool overflowed() const { return overflowed_; }
	size_t pending() const { return buf_.size(); } // bytes of the unfinished line

private:
	std::string buf_;
	bool overflowed_ = false;
};

using CtlHandler = std::function<std::string(const std::string &line)>;

// Serves a readable control connection: one read(), then handler(line) +
// "\n" written back for every completed line (and logged as
// "<prefix>: ctl '<line>' -> <reply>" when verbose).  Returns false when the
// connection is to be closed: end of file, a read error, or a line over
// CtlLineBuffer::kMaxLine (the client then gets an "error: ..." line and the
// log says why).
bool serve_ctl_client(int fd, CtlLineBuffer &buf, const CtlHandler &handler, std::ostream &log, bool verbose,
		      std::string_view prefix);

} // namespace devsim
