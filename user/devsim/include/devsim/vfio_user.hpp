// SPDX-License-Identifier: GPL-2.0
// vfio-user server (QEMU docs/interop/vfio-user.rst; QEMU's vfio-user-pci
// device is the client) exposing a pci::PciDevice: configuration space as
// region 7 (VFIO_PCI_CONFIG_REGION_INDEX), a 4 KiB BAR0, no interrupts.
// DMA_MAP/UNMAP are accepted and unused; DEVICE_RESET resets the model.
#pragma once
#include <devsim/pcidev.hpp>

#include <cstdint>
#include <memory>
#include <ostream>
#include <span>
#include <string>

namespace devsim {

namespace vfu {
// Message header: id, command, size (header included), flags, error.
inline constexpr size_t kHdrSize = 16;
inline constexpr uint16_t VERSION = 1, DMA_MAP = 2, DMA_UNMAP = 3, DEVICE_GET_INFO = 4, DEVICE_GET_REGION_INFO = 5,
			  DEVICE_GET_REGION_IO_FDS = 6, DEVICE_GET_IRQ_INFO = 7, DEVICE_SET_IRQS = 8, REGION_READ = 9,
			  REGION_WRITE = 10, DMA_READ = 11, DMA_WRITE = 12, DEVICE_RESET = 13, DIRTY_PAGES = 14,
			  REGION_WRITE_MULTI = 15;
inline constexpr uint32_t FLAG_REPLY = 0x1, FLAG_TYPE = 0xF, FLAG_NO_REPLY = 0x10, FLAG_ERROR = 0x20;
inline constexpr uint32_t kMaxDataXfer = 1u << 20; // advertised max_data_xfer_size
inline constexpr uint32_t kNumRegions = 9;         // VFIO_PCI_NUM_REGIONS
inline constexpr uint32_t kNumIrqs = 5;            // VFIO_PCI_NUM_IRQS
inline constexpr uint32_t REGION_BAR0 = 0, REGION_CONFIG = 7;
} // namespace vfu

struct PciServerOptions {
	std::string socket_path;     // unix socket QEMU connects to
	std::string ctl_path;        // unix control socket, empty = none
	bool verbose = false;        // one line per DOE exchange / reset on log
	std::ostream *log = nullptr; // default std::cerr
};

class VfioUserServer {
public:
	VfioUserServer(pci::PciDevice &, PciServerOptions);
	~VfioUserServer();
	VfioUserServer(const VfioUserServer &) = delete;
	VfioUserServer &operator=(const VfioUserServer &) = delete;
	void run();  // serves one client at a time until stop()
	void stop(); // thread-safe and async-signal-safe
	// One request (header included, any fds already closed) in; the reply
	// out, empty for NO_REPLY requests.  Malformed requests get an error
	// reply; the device model is never left in an undefined state.
	Bytes handle_message(std::span<const uint8_t> msg);
	// Control-socket line: the common commands (control_command) plus
	// "status" with a "pci" member and "pci-reset" (a bus reset).
	std::string control(const std::string &line);

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace devsim
