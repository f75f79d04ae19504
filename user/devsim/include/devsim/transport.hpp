// SPDX-License-Identifier: GPL-2.0
// QEMU "spdm-socket" transport (backends/spdm-socket.c, DMTF spdm-emu):
// every frame is big-endian u32 command, u32 transport type, u32 length,
// then the payload.  For PCI DOE the payload is a whole DOE data object.
#pragma once
#include <devsim/responder.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>

namespace devsim {

namespace sock {
// spdm-emu spdm_emu_common/command.h, QEMU include/system/spdm-socket.h.
// NORMAL carries a message; TEST is answered "Server Hello!"; CONTINUE ends
// the connection (the server waits for the next); SHUTDOWN (openspdm's
// STOP, the same value) ends the connection and the server; anything else
// is answered UNKNOWN.
inline constexpr uint32_t CMD_NORMAL = 0x0001, CMD_OOB_ENCAP_KEY_UPDATE = 0x8001, CMD_CONTINUE = 0xFFFD,
			  CMD_SHUTDOWN = 0xFFFE, CMD_UNKNOWN = 0xFFFF, CMD_TEST = 0xDEAD;
inline constexpr uint32_t TRANSPORT_NONE = 0, TRANSPORT_MCTP = 1, TRANSPORT_PCI_DOE = 2, TRANSPORT_TCP = 3;
inline constexpr char kServerHello[] = "Server Hello!"; // sent with its NUL
} // namespace sock

namespace doe {
inline constexpr uint16_t VENDOR_PCISIG = 0x0001;
inline constexpr uint8_t TYPE_DISCOVERY = 0, TYPE_CMA = 1, TYPE_SECURED_CMA = 2;
} // namespace doe

// DOE data object: vendor id (LE16), type, reserved, length in dwords (LE32,
// header included), payload padded with zeros to a dword boundary.
Bytes doe_wrap(std::span<const uint8_t> payload, uint8_t type = doe::TYPE_CMA);
struct DoeObject {
	uint16_t vendor;
	uint8_t type;
	Bytes payload; // includes any padding the sender added
};
std::optional<DoeObject> doe_unwrap(std::span<const uint8_t> object);

// DOE Discovery (PCIe r6 sec 6.30.1.1).  Request payload: Index (byte 0),
// reserved; response payload: Vendor ID (LE16), Data Object Protocol, Next
// Index (0 after the last).  Returns the whole response object for the
// request's payload, or nullopt (with why) for a request shorter than one
// dword or an index past `protocols` (PCI-SIG vendor 0x0001 types).
std::optional<Bytes> doe_discovery(std::span<const uint8_t> payload, std::span<const uint8_t> protocols,
				   std::string *why = nullptr);

// One spdm-socket frame.
Bytes socket_frame(uint32_t command, uint32_t transport, std::span<const uint8_t> payload);

struct ServerOptions {
	uint16_t port = 2323;        // 0 = pick a free port
	std::string port_file;       // written (port + '\n') after listen()
	std::string ctl_path;        // unix control socket, empty = none
	bool verbose = false;        // one line per message on log
	std::string trace_path;      // JSON line per exchange
	std::ostream *log = nullptr; // default std::cerr
};

// Serves one spdm-socket connection at a time on 127.0.0.1 and the control
// socket.  The constructor binds and listens; run() loops until stop().
class Server {
public:
	Server(Responder &, ServerOptions);
	~Server();
	Server(const Server &) = delete;
	Server &operator=(const Server &) = delete;
	uint16_t port() const { return port_; }
	void run();
	void stop(); // thread-safe and async-signal-safe
	// Executes one control-socket line ("fault SPEC", "status", ...) and
	// returns the reply line without its newline ("ok ..." / "error: ...").
	std::string control(const std::string &line);

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
	uint16_t port_ = 0;
};

// Executes one control-socket line against a responder (the commands every
// server shares): "ok ..." or "error: ...".
std::string control_command(Responder &, const std::string &line);

// Client side of the control socket: sends one line, returns the reply.
std::string ctl_request(const std::string &path, const std::string &line);

} // namespace devsim
