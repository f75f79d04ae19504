// SPDX-License-Identifier: GPL-2.0
// vfio-user server for the spdm-devsim PCIe endpoint.  Protocol: QEMU
// docs/interop/vfio-user.rst; the client side is QEMU hw/vfio-user/.
// Single-threaded: a poll() loop owns the device model, one client at a
// time (QEMU connects when the device is realized; after it disconnects,
// e.g. on hot-unplug, the device is reset and the next client accepted).
#include <devsim/vfio_user.hpp>

#include <devsim/ctl_line.hpp>

#include "sockio.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace devsim {

namespace {

using namespace detail; // sockio.hpp: Fd, CtlClients, listen_unix, send_all, sys_fail

uint16_t le16(const uint8_t *p)
{
	return uint16_t(p[0] | p[1] << 8);
}
uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24;
}
uint64_t le64(const uint8_t *p)
{
	return le32(p) | uint64_t(le32(p + 4)) << 32;
}
void add16(Bytes &b, uint16_t v)
{
	for (int i = 0; i < 2; i++)
		b.push_back(uint8_t(v >> (8 * i)));
}
void add32(Bytes &b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b.push_back(uint8_t(v >> (8 * i)));
}
void add64(Bytes &b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b.push_back(uint8_t(v >> (8 * i)));
}

// recvmsg() exactly n bytes; file descriptors that come along are owned by
// fds (and closed with it: no request this server handles needs one).
bool recv_full(int fd, uint8_t *p, size_t n, std::vector<Fd> &fds)
{
	while (n) {
		iovec iov{p, n};
		alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * 32)];
		msghdr m{};
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof cbuf;
		ssize_t r = ::recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		for (cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int f;
				memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof f);
				fds.emplace_back(f);
			}
		}
		p += r;
		n -= size_t(r);
	}
	return true;
}

const char *cmd_name(uint16_t c)
{
	static const char *n[] = {"?",
				  "VERSION",
				  "DMA_MAP",
				  "DMA_UNMAP",
				  "DEVICE_GET_INFO",
				  "DEVICE_GET_REGION_INFO",
				  "DEVICE_GET_REGION_IO_FDS",
				  "DEVICE_GET_IRQ_INFO",
				  "DEVICE_SET_IRQS",
				  "REGION_READ",
				  "REGION_WRITE",
				  "DMA_READ",
				  "DMA_WRITE",
				  "DEVICE_RESET",
				  "DIRTY_PAGES",
				  "REGION_WRITE_MULTI"};
	return c < sizeof n / sizeof n[0] ? n[c] : "?";
}

} // namespace

struct VfioUserServer::Impl {
	pci::PciDevice &dev;
	PciServerOptions opt;
	Fd listen_fd, conn_fd, ctl_fd, stop_fd;
	CtlClients ctl_clients;
	uint64_t messages = 0, connections = 0;

	Impl(pci::PciDevice &d, PciServerOptions o) : dev(d), opt(std::move(o))
	{
		if (!opt.log)
			opt.log = &std::cerr;
	}
	~Impl()
	{
		if (listen_fd)
			::unlink(opt.socket_path.c_str());
		if (ctl_fd)
			::unlink(opt.ctl_path.c_str());
	}
	std::ostream &log() { return *opt.log; }

	static uint64_t region_size(uint32_t r)
	{
		return r == vfu::REGION_CONFIG ? pci::kConfigSize : r == vfu::REGION_BAR0 ? pci::kBar0Size : 0;
	}
	// Bounds-checked region access; false when outside the region.
	bool region_rw(uint32_t region, uint64_t offset, uint32_t count, uint8_t *data, bool write)
	{
		uint64_t size = region_size(region);
		if (!size || offset > size || count > size - offset)
			return false;
		if (region == vfu::REGION_CONFIG) {
			if (write)
				dev.config_write(uint32_t(offset), std::span<const uint8_t>(data, count));
			else
				dev.config_read(uint32_t(offset), std::span<uint8_t>(data, count));
		} else {
			if (write)
				dev.bar_write(uint32_t(offset), std::span<const uint8_t>(data, count));
			else
				dev.bar_read(uint32_t(offset), std::span<uint8_t>(data, count));
		}
		return true;
	}
};

VfioUserServer::VfioUserServer(pci::PciDevice &d, PciServerOptions o) : impl_(std::make_unique<Impl>(d, std::move(o)))
{
	Impl &i = *impl_;
	i.stop_fd = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (!i.stop_fd)
		sys_fail("eventfd");
	if (!i.opt.socket_path.empty())
		i.listen_fd = listen_unix(i.opt.socket_path, "vfio-user socket");
	if (!i.opt.ctl_path.empty())
		i.ctl_fd = listen_unix(i.opt.ctl_path, "control socket");
	if (i.opt.verbose) {
		d.on_exchange = [&i](const DoeObject &q, const pci::DoeResult &r) {
			char b[160];
			uint8_t qc = q.payload.size() > 1 ? q.payload[1] : 0;
			snprintf(b, sizeof b, "devsim-pci: DOE %04x:%02x %zuB", q.vendor, q.type, q.payload.size());
			i.log() << b;
			if (q.type == doe::TYPE_CMA)
				i.log() << " " << code_name(qc);
			if (r.kind == pci::DoeResult::Response) {
				uint8_t rc = r.object.size() > 9 ? r.object[9] : 0;
				i.log() << " -> " << r.object.size() << "B";
				if (q.type == doe::TYPE_CMA)
					i.log() << " " << code_name(rc);
			} else {
				i.log() << (r.kind == pci::DoeResult::Error ? " -> DOE Error" : " -> no response");
			}
			i.log() << "\n";
			i.log().flush();
		};
	}
}

VfioUserServer::~VfioUserServer()
{
	impl_->dev.on_exchange = nullptr;
}

void VfioUserServer::stop()
{
	uint64_t one = 1;
	ssize_t r = ::write(impl_->stop_fd.get(), &one, sizeof one);
	(void)r;
}

Bytes VfioUserServer::handle_message(std::span<const uint8_t> msg)
{
	Impl &i = *impl_;
	if (msg.size() < vfu::kHdrSize)
		return {};
	const uint8_t *h = msg.data();
	uint16_t id = le16(h), cmd = le16(h + 2);
	uint32_t flags = le32(h + 8);
	if ((flags & vfu::FLAG_TYPE) != 0)
		return {}; // a reply: this server sends no requests
	bool no_reply = flags & vfu::FLAG_NO_REPLY;
	std::span<const uint8_t> body = msg.subspan(vfu::kHdrSize);
	i.messages++;

	auto make = [&](const Bytes &payload, uint32_t err) {
		if (no_reply)
			return Bytes{};
		Bytes out;
		add16(out, id);
		add16(out, cmd);
		add32(out, uint32_t(vfu::kHdrSize + (err ? 0 : payload.size())));
		add32(out, vfu::FLAG_REPLY | (err ? vfu::FLAG_ERROR : 0));
		add32(out, err);
		if (!err)
			out.insert(out.end(), payload.begin(), payload.end());
		return out;
	};
	auto ok = [&](const Bytes &payload = {}) { return make(payload, 0); };
	auto fail = [&](int e) {
		if (i.opt.verbose)
			i.log() << "devsim-pci: " << cmd_name(cmd) << " refused: " << strerror(e) << "\n";
		return make({}, uint32_t(e));
	};
	// The index of a GET_REGION_INFO / GET_IRQ_INFO request (after argsz
	// and flags), when the body holds one below count.
	auto info_index = [&](uint32_t count) -> std::optional<uint32_t> {
		if (body.size() < 12)
			return std::nullopt;
		uint32_t index = le32(body.data() + 8);
		if (index >= count)
			return std::nullopt;
		return index;
	};

	switch (cmd) {
	case vfu::VERSION: {
		if (body.size() < 4)
			return fail(EINVAL);
		if (le16(body.data()) != 0)
			return fail(ENOTSUP);
		static const char caps[] = "{\"capabilities\":{\"max_msg_fds\":8,\"max_data_xfer_size\":1048576}}";
		Bytes p;
		add16(p, 0);
		add16(p, 0);
		p.insert(p.end(), caps, caps + sizeof caps); // with its NUL
		return ok(p);
	}
	case vfu::DMA_MAP:
		return ok(); // the device does no DMA: mappings are accepted and ignored
	case vfu::DMA_UNMAP:
		return ok(Bytes(body.begin(), body.begin() + long(std::min<size_t>(body.size(), 24))));
	case vfu::DEVICE_GET_INFO: {
		Bytes p;
		add32(p, 16);
		add32(p, 0x3); // VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI
		add32(p, vfu::kNumRegions);
		add32(p, vfu::kNumIrqs);
		return ok(p);
	}
	case vfu::DEVICE_GET_REGION_INFO: {
		auto idx = info_index(vfu::kNumRegions);
		if (!idx)
			return fail(EINVAL);
		uint32_t index = *idx;
		uint64_t size = Impl::region_size(index);
		Bytes p;
		add32(p, 32);
		add32(p, size ? 0x3 : 0); // VFIO_REGION_INFO_FLAG_READ | _WRITE, no mmap
		add32(p, index);
		add32(p, 0);
		add64(p, size);
		add64(p, 0);
		return ok(p);
	}
	case vfu::DEVICE_GET_IRQ_INFO: {
		auto idx = info_index(vfu::kNumIrqs);
		if (!idx)
			return fail(EINVAL);
		uint32_t index = *idx;
		// INTx: EVENTFD|MASKABLE|AUTOMASKED; MSI, MSI-X: EVENTFD|NORESIZE;
		// ERR, REQ: EVENTFD.  The device has none of them: count 0.
		static const uint32_t f[] = {0x7, 0x9, 0x9, 0x1, 0x1};
		Bytes p;
		add32(p, 16);
		add32(p, f[index]);
		add32(p, index);
		add32(p, 0);
		return ok(p);
	}
	case vfu::DEVICE_SET_IRQS:
		return ok(); // nothing to wire: any eventfds were closed on receipt
	case vfu::REGION_READ: {
		if (body.size() < 16)
			return fail(EINVAL);
		uint64_t off = le64(body.data());
		uint32_t region = le32(body.data() + 8), count = le32(body.data() + 12);
		if (count > vfu::kMaxDataXfer)
			return fail(E2BIG);
		Bytes data(count);
		if (!i.region_rw(region, off, count, data.data(), false))
			return fail(EINVAL);
		Bytes p(body.begin(), body.begin() + 16);
		p.insert(p.end(), data.begin(), data.end());
		return ok(p);
	}
	case vfu::REGION_WRITE: {
		if (body.size() < 16)
			return fail(EINVAL);
		uint64_t off = le64(body.data());
		uint32_t region = le32(body.data() + 8), count = le32(body.data() + 12);
		if (count > body.size() - 16)
			return fail(EINVAL);
		Bytes data(body.begin() + 16, body.begin() + 16 + long(count));
		if (!i.region_rw(region, off, count, data.data(), true))
			return fail(EINVAL);
		return ok(Bytes(body.begin(), body.begin() + 16));
	}
	case vfu::REGION_WRITE_MULTI: {
		// wr_cnt (u64), then up to 200 of {offset u64, region u32, count u32, data[8]}
		if (body.size() < 8)
			return fail(EINVAL);
		uint64_t n = le64(body.data());
		if (n > 200 || n * 24 > body.size() - 8)
			return fail(EINVAL);
		for (uint64_t k = 0; k < n; k++) {
			const uint8_t *w = body.data() + 8 + k * 24;
			uint32_t count = le32(w + 12);
			uint8_t data[8];
			memcpy(data, w + 16, 8);
			if (count <= 8)
				i.region_rw(le32(w + 8), le64(w), count, data, true);
		}
		return ok();
	}
	case vfu::DEVICE_RESET:
		i.dev.reset(false);
		if (i.opt.verbose)
			i.log() << "devsim-pci: DEVICE_RESET: DOE and SPDM state dropped\n";
		return ok();
	case vfu::DMA_READ:
	case vfu::DMA_WRITE:
		return fail(EINVAL); // server-to-client commands
	case vfu::DEVICE_GET_REGION_IO_FDS:
	case vfu::DIRTY_PAGES:
		return fail(ENOTSUP);
	default:
		return fail(ENOSYS);
	}
}

std::string VfioUserServer::control(const std::string &line)
{
	Impl &i = *impl_;
	std::istringstream in(line);
	std::string cmd;
	in >> cmd;
	if (cmd == "status") {
		// the responder's status with a "pci" member
		auto j = nlohmann::ordered_json::parse(i.dev.responder().status_json());
		j["pci"] = nlohmann::ordered_json::parse(i.dev.status_json());
		return "ok " + j.dump();
	}
	if (cmd == "pci-reset") {
		i.dev.reset(false);
		return "ok";
	}
	std::string r = control_command(i.dev.responder(), line);
	if (r.starts_with("error: unknown command"))
		r.insert(r.size() - 1, " | pci-reset");
	return r;
}

void VfioUserServer::run()
{
	Impl &i = *impl_;
	const CtlHandler handler = [this](const std::string &line) { return control(line); };
	for (;;) {
		std::vector<pollfd> p;
		p.push_back({i.stop_fd.get(), POLLIN, 0});
		p.push_back({i.conn_fd ? i.conn_fd.get() : i.listen_fd.get(), POLLIN, 0});
		p.push_back({i.ctl_fd.get(), POLLIN, 0}); // -1 when none: ignored by poll
		size_t first_client = i.ctl_clients.add_to(p);
		if (::poll(p.data(), p.size(), -1) < 0) {
			if (errno == EINTR)
				continue;
			sys_fail("poll");
		}
		if (p[0].revents)
			return;
		if (p[1].revents && p[1].fd >= 0) {
			if (!i.conn_fd) {
				int fd = ::accept4(i.listen_fd.get(), nullptr, nullptr, SOCK_CLOEXEC);
				if (fd >= 0) {
					i.conn_fd = Fd(fd);
					i.connections++;
					if (i.opt.verbose)
						i.log() << "devsim-pci: vfio-user client connected\n";
				}
			} else {
				uint8_t hdr[vfu::kHdrSize];
				std::vector<Fd> fds;
				bool alive = recv_full(i.conn_fd.get(), hdr, sizeof hdr, fds);
				uint32_t size = alive ? le32(hdr + 4) : 0;
				if (alive &&
				    (size < vfu::kHdrSize || size > vfu::kHdrSize + vfu::kMaxDataXfer + 4096)) {
					i.log() << "devsim-pci: message of " << size
						<< " bytes, closing the connection\n";
					alive = false;
				}
				Bytes msg(hdr, hdr + sizeof hdr);
				if (alive) {
					msg.resize(size);
					alive = recv_full(i.conn_fd.get(), msg.data() + vfu::kHdrSize,
							  size - vfu::kHdrSize, fds);
				}
				fds.clear(); // close any fds now: no request here uses one
				if (alive) {
					Bytes rep = handle_message(msg);
					if (!rep.empty())
						alive = send_all(i.conn_fd.get(), rep);
				}
				if (!alive) {
					i.conn_fd.reset();
					i.dev.reset(false);
					if (i.opt.verbose)
						i.log() << "devsim-pci: client gone, device reset, waiting for the next one\n";
				}
			}
		}
		if (i.ctl_fd && p[2].revents)
			i.ctl_clients.accept(i.ctl_fd.get());
		i.ctl_clients.serve(p, first_client, handler, i.log(), i.opt.verbose, "devsim-pci");
	}
}

} // namespace devsim
