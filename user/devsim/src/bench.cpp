// SPDX-License-Identifier: GPL-2.0
// devsim_bench: per-exchange latency of spdm-socket + DOE over loopback.
// Not a test: it only prints numbers.   usage: devsim_bench [ITERATIONS]
#include <devsim/responder.hpp>
#include <devsim/transport.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace devsim;

static Bytes exchange(int fd, const Bytes &spdm)
{
	Bytes f = socket_frame(sock::CMD_NORMAL, sock::TRANSPORT_PCI_DOE, doe_wrap(spdm));
	if (send(fd, f.data(), f.size(), 0) != ssize_t(f.size()))
		exit(1);
	uint8_t h[12];
	if (recv(fd, h, 12, MSG_WAITALL) != 12)
		exit(1);
	uint32_t len = uint32_t(h[8]) << 24 | h[9] << 16 | h[10] << 8 | h[11];
	Bytes p(len);
	if (len && recv(fd, p.data(), len, MSG_WAITALL) != ssize_t(len))
		exit(1);
	return p;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	Responder r(Config{}, make_identity(Asym::EcdsaP256, Hash::Sha256, 1, 1));
	ServerOptions so;
	so.port = 0;
	Server s(r, so);
	std::thread t([&] { s.run(); });
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(s.port());
	if (connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0)
		return 1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	Bytes gv{0x10, 0x84, 0, 0};
	Bytes caps{0x12, 0xE1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0};
	Bytes alg{0x12, 0xE3, 0, 0, 32, 0, 1, 0, 0x10, 0, 0, 0, 1, 0, 0, 0};
	alg.resize(32, 0);
	Bytes getcert{0x12, 0x82, 0, 0, 0, 0, 0xff, 0xff};
	auto time = [&](const char *what, auto &&fn) {
		auto t0 = std::chrono::steady_clock::now();
		for (int i = 0; i < n; i++)
			fn();
		auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
		printf("%-28s %8.1f us/exchange (%d exchanges)\n", what, us / n, n);
	};
	time("GET_VERSION", [&] { exchange(fd, gv); });
	exchange(fd, gv);
	exchange(fd, caps);
	exchange(fd, alg);
	time("GET_CERTIFICATE (max chunk)", [&] { exchange(fd, getcert); });
	close(fd);
	s.stop();
	t.join();
	return 0;
}
