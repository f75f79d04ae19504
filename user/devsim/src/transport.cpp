// SPDX-License-Identifier: GPL-2.0
// spdm-socket server (QEMU backends/spdm-socket.c is the client) and the
// control socket.  Single-threaded: a poll() loop owns the Responder.
#include <devsim/transport.hpp>

#include <devsim/ctl_line.hpp>

#include "crypto.hpp"
#include "sockio.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sstream>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace devsim {

Bytes doe_wrap(std::span<const uint8_t> payload, uint8_t type)
{
	size_t dwords = 2 + (payload.size() + 3) / 4;
	Bytes out{uint8_t(doe::VENDOR_PCISIG),
		  uint8_t(doe::VENDOR_PCISIG >> 8),
		  type,
		  0,
		  uint8_t(dwords),
		  uint8_t(dwords >> 8),
		  uint8_t(dwords >> 16),
		  0};
	out.insert(out.end(), payload.begin(), payload.end());
	out.resize(dwords * 4, 0);
	return out;
}

std::optional<DoeObject> doe_unwrap(std::span<const uint8_t> o)
{
	if (o.size() < 8 || o.size() % 4)
		return std::nullopt;
	uint32_t dwords = (o[4] | o[5] << 8 | o[6] << 16 | uint32_t(o[7]) << 24) & 0x3FFFF;
	if (dwords == 0)
		dwords = 0x40000; // PCIe: 0 means 2^18 dwords
	if (size_t(dwords) * 4 != o.size())
		return std::nullopt;
	return DoeObject{uint16_t(o[0] | o[1] << 8), o[2], Bytes(o.begin() + 8, o.end())};
}

std::optional<Bytes> doe_discovery(std::span<const uint8_t> payload, std::span<const uint8_t> protocols,
				   std::string *why)
{
	if (payload.size() < 4) {
		if (why)
			*why = "DOE discovery request without an index";
		return std::nullopt;
	}
	unsigned idx = payload[0], n = unsigned(protocols.size());
	if (idx >= n) {
		if (why)
			*why = "DOE discovery index " + std::to_string(idx) + " out of range";
		return std::nullopt;
	}
	unsigned next = idx + 1 < n ? idx + 1 : 0;
	uint8_t d[4] = {uint8_t(doe::VENDOR_PCISIG), uint8_t(doe::VENDOR_PCISIG >> 8), protocols[idx], uint8_t(next)};
	return doe_wrap(d, doe::TYPE_DISCOVERY);
}

Bytes socket_frame(uint32_t command, uint32_t transport, std::span<const uint8_t> payload)
{
	Bytes out;
	for (uint32_t v : {command, transport, uint32_t(payload.size())})
		for (int i = 3; i >= 0; i--)
			out.push_back(uint8_t(v >> (8 * i)));
	out.insert(out.end(), payload.begin(), payload.end());
	return out;
}

namespace {

using namespace detail; // sockio.hpp: Fd, CtlClients, listen_unix, send_all, sys_fail

std::string hex8(uint8_t v)
{
	char b[8];
	snprintf(b, sizeof b, "0x%02x", v);
	return b;
}

} // namespace

struct Server::Impl {
	Responder &rsp;
	ServerOptions opt;
	Fd listen_fd, conn_fd, ctl_fd, stop_fd;
	CtlClients ctl_clients;
	std::ofstream trace;
	uint64_t seq = 0, discoveries = 0;
	bool shutdown = false; // SHUTDOWN received: run() returns
	// DOE protocols listed over the spdm-socket, as QEMU's CMA DOE and
	// spdm-emu list them: discovery, CMA, secured CMA (with --no-sessions
	// secured CMA objects get an empty reply).
	static constexpr uint8_t kSocketProtocols[] = {doe::TYPE_DISCOVERY, doe::TYPE_CMA, doe::TYPE_SECURED_CMA};
	std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();

	Impl(Responder &r, ServerOptions o) : rsp(r), opt(std::move(o))
	{
		if (!opt.log)
			opt.log = &std::cerr;
	}
	~Impl()
	{
		if (ctl_fd)
			::unlink(opt.ctl_path.c_str());
	}

	std::ostream &log() { return *opt.log; }

	void record(uint32_t cmd, std::span<const uint8_t> req, std::span<const uint8_t> out, bool answered)
	{
		seq++;
		uint8_t qc = req.size() > 1 ? req[1] : 0, rc = out.size() > 1 ? out[1] : 0;
		if (opt.verbose) {
			log() << "devsim: " << (req.size() > 1 ? code_name(qc) : "SHORT") << "(" << hex8(qc) << ") "
			      << req.size() << "B -> ";
			if (!answered)
				log() << "no answer";
			else
				log() << code_name(rc) << "(" << hex8(rc) << ") " << out.size() << "B";
			if (answered && rc == code::ERROR && out.size() >= 4)
				log() << " error=" << hex8(out[2]) << " data=" << hex8(out[3]);
			log() << "\n";
			log().flush();
		}
		if (trace.is_open()) {
			auto us = std::chrono::duration_cast<std::chrono::microseconds>(
					  std::chrono::steady_clock::now() - t0)
					  .count();
			trace << "{\"seq\":" << seq << ",\"t_us\":" << us << ",\"cmd\":" << cmd << ",\"req_code\":\""
			      << hex8(qc) << "\",\"req_name\":\"" << code_name(qc) << "\",\"req_len\":" << req.size()
			      << ",\"answered\":" << (answered ? "true" : "false") << ",\"rsp_code\":\"" << hex8(rc)
			      << "\",\"rsp_name\":\"" << (answered ? code_name(rc) : "")
			      << "\",\"rsp_len\":" << out.size();
			if (answered && rc == code::ERROR && out.size() >= 4)
				trace << ",\"error\":\"" << hex8(out[2]) << "\"";
			trace << ",\"version\":\"" << hex8(rsp.negotiated_version()) << "\",\"faults\":\""
			      << rsp.faults().describe() << "\",\"req\":\"" << spdmtsm::hex(req) << "\",\"rsp\":\""
			      << spdmtsm::hex(out) << "\"}\n";
			trace.flush();
		}
	}

	// The connection is non-blocking and driven by run()'s poll loop, so
	// a frame that arrives slowly, a reply the peer does not read and a
	// delay=MS reply never stop the control socket: input accumulates in
	// in_buf, one reply at a time waits in out_buf (not before send_at).
	enum class After { Keep, Close, Shutdown };
	Bytes in_buf, out_buf;
	size_t out_off = 0;
	After after = After::Keep;
	std::chrono::steady_clock::time_point send_at{};
	static constexpr uint32_t kMaxFrame = 1u << 20;

	void reply(Bytes frame, After a = After::Keep, unsigned delay_ms = 0)
	{
		out_buf = std::move(frame);
		out_off = 0;
		after = a;
		send_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
	}
	bool replying() const { return !out_buf.empty(); }
	bool reply_due() const { return replying() && std::chrono::steady_clock::now() >= send_at; }

	// One complete frame: queues its reply (and what follows it).
	void serve_frame(uint32_t cmd, uint32_t transport, Bytes payload)
	{
		switch (cmd) {
		case sock::CMD_TEST: {
			const uint8_t *h = reinterpret_cast<const uint8_t *>(sock::kServerHello);
			return reply(socket_frame(sock::CMD_TEST, transport, std::span(h, sizeof sock::kServerHello)));
		}
		case sock::CMD_CONTINUE:
			return reply(socket_frame(sock::CMD_CONTINUE, transport, {}), After::Close);
		case sock::CMD_SHUTDOWN:
			return reply(socket_frame(sock::CMD_SHUTDOWN, transport, {}), After::Shutdown);
		case sock::CMD_NORMAL:
			break;
		default:
			return reply(socket_frame(sock::CMD_UNKNOWN, transport, {}));
		}
		Bytes spdm;
		if (transport == sock::TRANSPORT_PCI_DOE) {
			auto obj = doe_unwrap(payload);
			if (obj && obj->vendor == doe::VENDOR_PCISIG && obj->type == doe::TYPE_DISCOVERY) {
				// QEMU answers DOE Discovery itself; other requesters ask us.
				std::string why;
				auto d = doe_discovery(obj->payload, kSocketProtocols, &why);
				discoveries++;
				if (opt.verbose)
					log() << "devsim: DOE discovery " << (d ? "answered" : why + ", empty reply")
					      << "\n";
				return reply(socket_frame(sock::CMD_NORMAL, transport, d ? *d : Bytes{}));
			}
			if (obj && obj->vendor == doe::VENDOR_PCISIG && obj->type == doe::TYPE_SECURED_CMA &&
			    rsp.config().sessions) {
				// Secured CMA (QEMU forwards it like CMA): a DSP0277 record;
				// the reply is secured (type 2) or a plain ERROR (type 1).
				auto r = rsp.handle_secured(obj->payload);
				bool answered = !r.data.empty();
				if (opt.verbose)
					log() << "devsim: secured CMA " << obj->payload.size() << "B -> "
					      << (answered ? (r.secured ? "secured " : "plain ") +
								     std::to_string(r.data.size()) + "B"
							   : std::string("no answer"))
					      << "\n";
				record(cmd, obj->payload, r.data, answered);
				Bytes o = answered ? doe_wrap(r.data, r.secured ? doe::TYPE_SECURED_CMA : doe::TYPE_CMA)
						   : Bytes{};
				return reply(socket_frame(sock::CMD_NORMAL, transport, o), After::Keep,
					     rsp.faults().delay_ms);
			}
			if (!obj || obj->vendor != doe::VENDOR_PCISIG || obj->type != doe::TYPE_CMA) {
				if (opt.verbose)
					log() << "devsim: not a CMA DOE object (" << payload.size()
					      << " bytes), empty reply\n";
				return reply(socket_frame(sock::CMD_NORMAL, transport, {}));
			}
			spdm = std::move(obj->payload);
		} else if (transport == sock::TRANSPORT_NONE) {
			spdm = std::move(payload);
		} else {
			if (opt.verbose)
				log() << "devsim: transport " << transport << " not supported, empty reply\n";
			return reply(socket_frame(sock::CMD_NORMAL, transport, {}));
		}
		Bytes out = rsp.handle(spdm);
		bool answered = !out.empty();
		record(cmd, spdm, out, answered);
		Bytes obj = answered ? (transport == sock::TRANSPORT_PCI_DOE ? doe_wrap(out) : out) : Bytes{};
		reply(socket_frame(sock::CMD_NORMAL, transport, obj), After::Keep, rsp.faults().delay_ms);
	}

	// POLLIN on the connection.  Returns false when it is finished.
	bool on_readable()
	{
		uint8_t buf[65536];
		ssize_t n = ::recv(conn_fd.get(), buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0)
			return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK;
		if (n == 0)
			return false;
		// QEMU's spdm-socket writes a request in several send()s without
		// TCP_NODELAY: Nagle holds each piece until the previous one is
		// ACKed, so a delayed ACK here (40 ms) would stall every exchange.
		// Linux clears quick-ACK mode by itself: set it after each read.
		int one = 1;
		setsockopt(conn_fd.get(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
		in_buf.insert(in_buf.end(), buf, buf + n);
		return take_frame();
	}

	// A whole frame in in_buf (and no reply pending): serve it.
	bool take_frame()
	{
		if (replying() || in_buf.size() < 12)
			return true;
		auto be = [&](size_t o) {
			return uint32_t(in_buf[o]) << 24 | in_buf[o + 1] << 16 | in_buf[o + 2] << 8 | in_buf[o + 3];
		};
		uint32_t cmd = be(0), transport = be(4), len = be(8);
		if (len > kMaxFrame) {
			log() << "devsim: frame of " << len << " bytes, closing the connection\n";
			return false;
		}
		if (in_buf.size() < 12 + size_t(len))
			return true;
		Bytes payload(in_buf.begin() + 12, in_buf.begin() + 12 + len);
		in_buf.erase(in_buf.begin(), in_buf.begin() + 12 + len);
		serve_frame(cmd, transport, std::move(payload));
		return true;
	}

	// POLLOUT with a reply due.  Returns false when the connection is finished.
	bool on_writable()
	{
		while (out_off < out_buf.size()) {
			ssize_t n = ::send(conn_fd.get(), out_buf.data() + out_off, out_buf.size() - out_off,
					   MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return true;
			if (n <= 0)
				return false;
			out_off += size_t(n);
		}
		out_buf.clear();
		out_off = 0;
		if (after == After::Shutdown)
			shutdown = true;
		if (after != After::Keep)
			return false;
		return take_frame(); // a frame that arrived meanwhile
	}

	void close_conn()
	{
		conn_fd.reset();
		in_buf.clear();
		out_buf.clear();
		out_off = 0;
		after = After::Keep;
		rsp.reset();
	}

	void accept_conn()
	{
		int fd = ::accept4(listen_fd.get(), nullptr, nullptr, SOCK_CLOEXEC);
		if (fd < 0)
			return;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		conn_fd = Fd(fd);
		if (opt.verbose)
			log() << "devsim: connection accepted\n";
	}
};

Server::Server(Responder &r, ServerOptions opt) : impl_(std::make_unique<Impl>(r, std::move(opt)))
{
	{
		Impl &i = *impl_;
		i.stop_fd = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
		if (!i.stop_fd)
			sys_fail("eventfd");
		i.listen_fd = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
		if (!i.listen_fd)
			sys_fail("socket");
		int one = 1;
		setsockopt(i.listen_fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons(i.opt.port);
		if (::bind(i.listen_fd.get(), reinterpret_cast<sockaddr *>(&a), sizeof a) < 0)
			sys_fail("bind 127.0.0.1:" + std::to_string(i.opt.port));
		if (::listen(i.listen_fd.get(), 4) < 0)
			sys_fail("listen");
		socklen_t al = sizeof a;
		getsockname(i.listen_fd.get(), reinterpret_cast<sockaddr *>(&a), &al);
		port_ = ntohs(a.sin_port);
		if (!i.opt.ctl_path.empty()) {
			i.ctl_fd = listen_unix(i.opt.ctl_path, "control socket");
		}
		if (!i.opt.trace_path.empty()) {
			i.trace.open(i.opt.trace_path, std::ios::app);
			if (!i.trace)
				throw std::runtime_error("cannot open trace file " + i.opt.trace_path);
		}
		if (!i.opt.port_file.empty()) {
			std::string tmp = i.opt.port_file + ".tmp";
			std::string s = std::to_string(port_) + "\n";
			write_file(tmp, Bytes(s.begin(), s.end()));
			if (::rename(tmp.c_str(), i.opt.port_file.c_str()) < 0)
				sys_fail("rename " + tmp);
		}
	}
}

Server::~Server() = default;

void Server::stop()
{
	uint64_t one = 1;
	ssize_t r = ::write(impl_->stop_fd.get(), &one, sizeof one);
	(void)r;
}

std::string Server::control(const std::string &line)
{
	return control_command(impl_->rsp, line);
}

std::string control_command(Responder &r, const std::string &line)
{
	std::istringstream in(line);
	std::string cmd, a, b;
	in >> cmd >> a >> b;
	try {
		if (cmd == "fault" && !a.empty()) {
			r.apply_fault(a);
		} else if (cmd == "reset") {
			r.reset();
		} else if (cmd == "clear") {
			r.faults().clear();
		} else if (cmd == "swap-identity") {
			r.apply_fault(a.empty() ? "swap-identity" : "swap-identity=" + a);
		} else if (cmd == "measurement" && !a.empty() && !b.empty()) {
			r.apply_fault("measurement=" + a + ":" + b);
		} else if (cmd == "status") {
			return "ok " + r.status_json();
		} else {
			return "error: unknown command '" + line +
			       "' (fault SPEC | reset | clear | swap-identity [DIR|SEED] | measurement IDX HEX | status)";
		}
	} catch (const std::exception &e) {
		return std::string("error: ") + e.what();
	}
	return "ok";
}

void Server::run()
{
	Impl &i = *impl_;
	const CtlHandler handler = [this](const std::string &line) { return control(line); };
	for (;;) {
		std::vector<pollfd> p;
		p.push_back({i.stop_fd.get(), POLLIN, 0});
		// One request at a time: the connection is read while no reply is
		// pending and written once the pending reply is due.
		short ev = POLLIN;
		if (i.conn_fd)
			ev = i.reply_due() ? POLLOUT : i.replying() ? 0 : POLLIN;
		p.push_back({i.conn_fd ? i.conn_fd.get() : i.listen_fd.get(), ev, 0});
		if (i.ctl_fd)
			p.push_back({i.ctl_fd.get(), POLLIN, 0});
		size_t first_client = i.ctl_clients.add_to(p);
		int timeout = -1;
		if (i.conn_fd && i.replying() && !i.reply_due()) {
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
				i.send_at - std::chrono::steady_clock::now());
			timeout = int(std::max<long long>(1, left.count() + 1));
		}
		if (::poll(p.data(), p.size(), timeout) < 0) {
			if (errno == EINTR)
				continue;
			sys_fail("poll");
		}
		if (p[0].revents)
			return;
		if (p[1].revents) {
			bool keep = true;
			if (!i.conn_fd)
				i.accept_conn();
			else if (p[1].revents & POLLOUT)
				keep = i.on_writable();
			else if (p[1].revents & POLLIN)
				keep = i.on_readable();
			else
				keep = false; // POLLHUP / POLLERR
			if (!keep) {
				i.close_conn();
				if (i.shutdown) {
					if (i.opt.verbose)
						i.log() << "devsim: SHUTDOWN, stopping\n";
					return;
				}
				if (i.opt.verbose)
					i.log() << "devsim: connection closed, waiting for the next one\n";
			}
		}
		if (i.ctl_fd && p[2].revents)
			i.ctl_clients.accept(i.ctl_fd.get());
		i.ctl_clients.serve(p, first_client, handler, i.log(), i.opt.verbose, "devsim");
	}
}

std::string ctl_request(const std::string &path, const std::string &line)
{
	sockaddr_un u{};
	u.sun_family = AF_UNIX;
	if (path.size() >= sizeof u.sun_path)
		throw std::runtime_error("control socket path too long: " + path);
	strcpy(u.sun_path, path.c_str());
	Fd c(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!c || ::connect(c.get(), reinterpret_cast<sockaddr *>(&u), sizeof u) < 0)
		sys_fail("connect " + path);
	std::string l = line + "\n";
	if (!send_all(c.get(), l))
		sys_fail("write " + path);
	std::string reply;
	char ch;
	while (::read(c.get(), &ch, 1) == 1 && ch != '\n')
		reply.push_back(ch);
	return reply;
}

} // namespace devsim
