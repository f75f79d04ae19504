// SPDX-License-Identifier: GPL-2.0
// Control-socket line framing and serving (see devsim/ctl_line.hpp).
#include <devsim/ctl_line.hpp>

#include "sockio.hpp"

#include <unistd.h>

namespace devsim {

using detail::send_all;

std::vector<std::string> CtlLineBuffer::feed(std::string_view bytes)
{
	std::vector<std::string> lines;
	if (overflowed_)
		return lines;
	size_t start = 0, from = buf_.size(), nl; // buf_ holds no '\n' before from
	buf_.append(bytes);
	while ((nl = buf_.find('\n', from)) != std::string::npos) {
		if (nl - start > kMaxLine)
			break;
		lines.emplace_back(buf_, start, nl - start);
		start = from = nl + 1;
	}
	buf_.erase(0, start);
	if (buf_.size() > kMaxLine) { // an over-long line, with or without its '\n'
		overflowed_ = true;
		buf_.clear();
		buf_.shrink_to_fit();
	}
	return lines;
}

bool serve_ctl_client(int fd, CtlLineBuffer &buf, const CtlHandler &handler, std::ostream &log, bool verbose,
		      std::string_view prefix)
{
	char chunk[4096];
	ssize_t n = ::read(fd, chunk, sizeof chunk);
	if (n <= 0)
		return false;
	for (const std::string &line : buf.feed(std::string_view(chunk, size_t(n)))) {
		std::string reply = handler(line) + "\n";
		if (verbose)
			log << prefix << ": ctl '" << line << "' -> " << reply;
		send_all(fd, reply);
	}
	if (buf.overflowed()) {
		log << prefix << ": control line longer than " << CtlLineBuffer::kMaxLine
		    << " bytes, closing the control connection\n";
		send_all(fd, "error: line longer than " + std::to_string(CtlLineBuffer::kMaxLine) + " bytes\n");
		return false;
	}
	return true;
}

} // namespace devsim
