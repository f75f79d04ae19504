// SPDX-License-Identifier: GPL-2.0
// spdm-devsim as a PCIe endpoint: an emulated configuration space with a
// PCI Express capability (DevCap FLR + TEE-IO), a Device Serial Number, a
// DOE mailbox (PCIe r6 sec 6.30) serving DOE discovery and CMA/SPDM, an
// optional (empty) IDE capability, and one small memory BAR.  No sockets:
// the vfio-user server (devsim/vfio_user.hpp) and the unit tests drive it.
//
// Every guest-controlled offset, length and count is bounded: the model
// never crashes or blocks on any sequence of accesses.
#pragma once
#include <devsim/responder.hpp>
#include <devsim/transport.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace devsim::pci {

// Configuration-space layout (fixed, documented in the README).
inline constexpr uint32_t kConfigSize = 4096;
inline constexpr uint32_t kPcieCap = 0x40; // PCI Express capability
inline constexpr uint32_t kDevCap = kPcieCap + 0x04, kDevCtl = kPcieCap + 0x08, kDevSta = kPcieCap + 0x0a;
inline constexpr uint32_t kDsnCap = 0x100; // Device Serial Number
inline constexpr uint32_t kDoeCap = 0x110; // Data Object Exchange
inline constexpr uint32_t kIdeCap = 0x130; // IDE (only with PciOptions::ide)
inline constexpr uint32_t kBar0Size = 4096;

// DOE registers (offsets from the capability, include/uapi/linux/pci_regs.h)
namespace doe_reg {
inline constexpr uint32_t CAP = 0x04, CTRL = 0x08, STATUS = 0x0c, WRITE = 0x10, READ = 0x14, SIZEOF = 0x18;
inline constexpr uint32_t CTRL_ABORT = 1u << 0, CTRL_INT_EN = 1u << 1, CTRL_GO = 1u << 31;
inline constexpr uint32_t STATUS_BUSY = 1u << 0, STATUS_INT = 1u << 1, STATUS_ERROR = 1u << 2, STATUS_READY = 1u << 31;
inline constexpr uint32_t kMaxObjectDwords = 1u << 18; // 256K dwords = 1 MiB; length 0 encodes it
} // namespace doe_reg

// What the protocol layer does with one complete request object.
struct DoeResult {
	enum Kind { Response, NoResponse, Error } kind = NoResponse;
	Bytes object;          // Response: a whole DOE object (header included)
	unsigned delay_ms = 0; // Busy this long before Data Object Ready
};

// The DOE mailbox register state machine.  The handler sees each request
// object once GO is written and its header length matched what was written.
class DoeMailbox {
public:
	using Handler = std::function<DoeResult(const DoeObject &)>;
	using Clock = std::function<std::chrono::steady_clock::time_point()>;
	explicit DoeMailbox(Handler h, Clock clock = {});

	uint32_t read(uint32_t reg);              // reg: doe_reg::CAP..READ (no side effects)
	void write(uint32_t reg, uint32_t value); // dword write
	void reset();                             // FLR / device reset: everything idle

	struct Stats {
		uint64_t requests = 0, responses = 0, errors = 0, aborts = 0;
	};
	const Stats &stats() const { return stats_; }
	bool busy();
	bool error() const { return error_; }
	bool ready();
	size_t pending_write_dwords() const { return wbuf_.size(); }
	// Why the Error bit was last set ("" when clear), for status/logs.
	const std::string &last_error() const { return why_; }

private:
	void go();
	void set_error(std::string why);
	void settle(); // Busy ends at its deadline
	Handler handler_;
	Clock clock_;
	std::vector<uint32_t> wbuf_, rbuf_;
	size_t rpos_ = 0;
	bool error_ = false, busy_ = false;
	std::chrono::steady_clock::time_point ready_at_{};
	std::string why_;
	Stats stats_;
};

struct PciOptions {
	uint16_t vendor_id = 0x1b36; // Red Hat / QEMU
	uint16_t device_id = 0x0099; // not allocated by QEMU; "spdm-devsim"
	uint16_t subsys_vendor_id = 0x1b36, subsys_id = 0x0099;
	uint32_t class_code = 0xff0000; // unassigned class: no Linux driver binds
	uint8_t revision = 0x01;
	bool tee_io = true;             // DevCap bit 30 (TEE-IO)
	bool flr = true;                // DevCap bit 28 (Function Level Reset)
	bool ide = false;               // IDE extended capability (no streams)
	std::optional<uint64_t> serial; // Device Serial Number (default: from the identity)
};

// One PCIe function.  Offsets and lengths of config() / bar() accesses are
// bounded (out of range reads return ~0 bytes, writes are dropped).
class PciDevice {
public:
	PciDevice(Responder &, PciOptions = {}, DoeMailbox::Clock clock = {});

	// Configuration space: any offset and length; split into dword accesses.
	void config_read(uint32_t offset, std::span<uint8_t> out);
	void config_write(uint32_t offset, std::span<const uint8_t> in);
	uint32_t config_read32(uint32_t offset); // convenience (offset & ~3)
	void config_write32(uint32_t offset, uint32_t value);

	// BAR0: 4 KiB of registers: 0x00 "SPDM" magic, 0x04 version, 0x08 scratch.
	void bar_read(uint32_t offset, std::span<uint8_t> out);
	void bar_write(uint32_t offset, std::span<const uint8_t> in);

	void reset(bool flr); // FLR (guest DevCtl write) or DEVICE_RESET / bus reset
	// DSN in use: the serial fault, else PciOptions::serial, else the first 8
	// bytes of SHA-256(slot-0 leaf cert) as a big-endian number.  Config
	// space holds it as PCIe and pci_get_dsn() read it: 0x104 the lower
	// dword, 0x108 the upper, each little-endian.
	uint64_t serial() const;
	const char *serial_source() const; // "fault", "option" or "identity"

	DoeMailbox &doe() { return doe_; }
	Responder &responder() { return rsp_; }
	const PciOptions &options() const { return opt_; }
	uint64_t flr_count() const { return flrs_; }
	uint64_t reset_count() const { return resets_; }
	// CMA requests since the last FLR/reset (all of them when none yet).
	uint64_t cma_since_reset() const { return cma_since_reset_; }
	// {"vendor":"1b36","device":"0099","serial":"...","serial_source":"identity","flrs":N,"resets":N,
	//  "last_reset":"none|flr|reset","spdm_at_reset":"1.3","spdm_after_reset":"",
	//  "cma_since_reset":N,"doe":{...}}
	std::string status_json();
	// Called after every DOE exchange (request object, response or empty).
	std::function<void(const DoeObject &, const DoeResult &)> on_exchange;

private:
	uint32_t read_dword(uint32_t off);
	void write_dword(uint32_t off, uint32_t value, uint32_t byte_mask);
	void init_config();
	DoeResult handle(const DoeObject &);
	Responder &rsp_;
	PciOptions opt_;
	DoeMailbox doe_;
	std::array<uint8_t, kConfigSize> cfg_{}, wmask_{};
	std::array<uint8_t, kBar0Size> bar_{};
	uint64_t flrs_ = 0, resets_ = 0, cma_since_reset_ = 0;
	const char *last_reset_ = "none";
	uint8_t spdm_at_reset_ = 0, spdm_after_reset_ = 0; // negotiated version around the last reset
};

} // namespace devsim::pci
