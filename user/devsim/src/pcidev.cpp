// SPDX-License-Identifier: GPL-2.0
// spdm-devsim PCIe endpoint model: configuration space and DOE mailbox.
//
// DOE register semantics follow PCIe r6.x sec 6.30 and the way Linux
// drives them (drivers/pci/doe.c): the request object is written dword by
// dword to the Write Data Mailbox, GO starts it; the response is read
// from the Read Data Mailbox, and a write (of any value) to that register
// acknowledges the current dword and makes the next one visible.  Reads
// have no side effects.  ABORT returns the mailbox to idle and clears
// Error; Error is set for a malformed request (header length that does not
// match what was written, more than 2^18 dwords, writes while Busy, an
// unsupported protocol) and stays set until ABORT.
#include <devsim/pcidev.hpp>

#include "crypto.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <sstream>

namespace devsim::pci {

using namespace doe_reg;

DoeMailbox::DoeMailbox(Handler h, Clock clock) : handler_(std::move(h)), clock_(std::move(clock))
{
	if (!clock_)
		clock_ = [] { return std::chrono::steady_clock::now(); };
}

void DoeMailbox::settle()
{
	if (busy_ && clock_() >= ready_at_)
		busy_ = false;
}

bool DoeMailbox::busy()
{
	settle();
	return busy_;
}

bool DoeMailbox::ready()
{
	settle();
	return !busy_ && !error_ && rpos_ < rbuf_.size();
}

void DoeMailbox::set_error(std::string why)
{
	error_ = true;
	busy_ = false;
	why_ = std::move(why);
	stats_.errors++;
	wbuf_.clear();
	wbuf_.shrink_to_fit();
	rbuf_.clear();
	rpos_ = 0;
}

void DoeMailbox::reset()
{
	wbuf_.clear();
	wbuf_.shrink_to_fit();
	rbuf_.clear();
	rpos_ = 0;
	error_ = busy_ = false;
	why_.clear();
}

uint32_t DoeMailbox::read(uint32_t reg)
{
	switch (reg) {
	case CAP:
		return 0; // no DOE interrupt support: the requester polls
	case CTRL:
		return 0; // ABORT and GO read as 0, INT_EN is hardwired to 0
	case STATUS:
		return (busy() ? STATUS_BUSY : 0) | (error_ ? STATUS_ERROR : 0) | (ready() ? STATUS_READY : 0);
	case READ:
		return ready() ? rbuf_[rpos_] : 0; // nothing ready: 0
	default:
		return 0; // Write Data Mailbox reads as 0
	}
}

void DoeMailbox::write(uint32_t reg, uint32_t v)
{
	switch (reg) {
	case CTRL:
		if (v & CTRL_ABORT) {
			reset();
			stats_.aborts++;
			return;
		}
		if (v & CTRL_GO)
			go();
		return;
	case WRITE: {
		settle();
		if (error_)
			return; // discarded until ABORT
		if (busy_)
			return set_error("Write Data Mailbox written while Busy");
		if (wbuf_.size() >= 2) {
			uint32_t declared = wbuf_[1] & 0x3FFFF;
			if (declared == 0)
				declared = kMaxObjectDwords;
			if (wbuf_.size() >= declared)
				return set_error("more dwords written than the object header's Length (" +
						 std::to_string(declared) + ")");
		}
		if (wbuf_.size() >= kMaxObjectDwords)
			return set_error("object larger than 2^18 dwords");
		wbuf_.push_back(v);
		return;
	}
	case READ:
		if (ready() && ++rpos_ >= rbuf_.size()) {
			rbuf_.clear();
			rpos_ = 0;
		}
		return;
	default:
		return; // CAP and STATUS: read-only (no interrupt status to clear)
	}
}

void DoeMailbox::go()
{
	settle();
	if (error_ || busy_)
		return; // GO is ignored while Error or Busy is set
	stats_.requests++;
	if (wbuf_.size() < 2)
		return set_error("GO with " + std::to_string(wbuf_.size()) + " dword(s) written, less than a header");
	uint32_t len = wbuf_[1] & 0x3FFFF;
	if (len == 0)
		len = kMaxObjectDwords;
	if (len < 2)
		return set_error("object header Length " + std::to_string(len) + " < 2");
	if (len != wbuf_.size())
		return set_error("object header Length " + std::to_string(len) + " but " +
				 std::to_string(wbuf_.size()) + " dwords written");
	DoeObject obj{uint16_t(wbuf_[0] & 0xFFFF), uint8_t(wbuf_[0] >> 16), Bytes((wbuf_.size() - 2) * 4)};
	for (size_t i = 2; i < wbuf_.size(); i++)
		for (int b = 0; b < 4; b++)
			obj.payload[(i - 2) * 4 + b] = uint8_t(wbuf_[i] >> (8 * b));
	wbuf_.clear();
	wbuf_.shrink_to_fit();
	rbuf_.clear(); // an unread previous response is dropped
	rpos_ = 0;
	DoeResult r;
	try {
		r = handler_(obj);
	} catch (const std::exception &e) {
		return set_error(std::string("device error: ") + e.what());
	}
	switch (r.kind) {
	case DoeResult::Error:
		return set_error(r.object.empty() ? "request refused" : std::string(r.object.begin(), r.object.end()));
	case DoeResult::NoResponse:
		return;
	case DoeResult::Response:
		break;
	}
	if (r.object.size() < 8 || r.object.size() % 4 || r.object.size() / 4 > kMaxObjectDwords)
		return set_error("device produced a malformed response object");
	rbuf_.resize(r.object.size() / 4);
	for (size_t i = 0; i < rbuf_.size(); i++)
		rbuf_[i] = uint32_t(r.object[4 * i]) | uint32_t(r.object[4 * i + 1]) << 8 |
			   uint32_t(r.object[4 * i + 2]) << 16 | uint32_t(r.object[4 * i + 3]) << 24;
	stats_.responses++;
	if (r.delay_ms) {
		busy_ = true;
		ready_at_ = clock_() + std::chrono::milliseconds(r.delay_ms);
	}
}

namespace {

void put16(uint8_t *p, uint16_t v)
{
	p[0] = uint8_t(v);
	p[1] = uint8_t(v >> 8);
}
void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = uint8_t(v >> (8 * i));
}
uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24;
}
uint32_t ext_hdr(uint16_t id, uint8_t ver, uint32_t next)
{
	return id | uint32_t(ver) << 16 | next << 20;
}

} // namespace

PciDevice::PciDevice(Responder &r, PciOptions o, DoeMailbox::Clock clock)
	: rsp_(r), opt_(o), doe_([this](const DoeObject &obj) { return handle(obj); }, std::move(clock))
{
	init_config();
}

void PciDevice::init_config()
{
	cfg_.fill(0);
	wmask_.fill(0);
	bar_.fill(0);
	uint8_t *c = cfg_.data(), *m = wmask_.data();
	put16(c + 0x00, opt_.vendor_id);
	put16(c + 0x02, opt_.device_id);
	m[0x04] = 0x46;          // Memory Space, Bus Master, Parity Error Response (no I/O BAR)
	m[0x05] = 0x05;          // SERR#, Interrupt Disable
	put16(c + 0x06, 0x0010); // Status: Capabilities List
	c[0x08] = opt_.revision;
	c[0x09] = uint8_t(opt_.class_code);
	c[0x0a] = uint8_t(opt_.class_code >> 8);
	c[0x0b] = uint8_t(opt_.class_code >> 16);
	m[0x0c] = 0xff; // Cache Line Size
	// BAR0: 32-bit non-prefetchable memory, kBar0Size bytes
	put32(m + 0x10, ~(kBar0Size - 1));
	put16(c + 0x2c, opt_.subsys_vendor_id);
	put16(c + 0x2e, opt_.subsys_id);
	c[0x34] = kPcieCap;
	m[0x3c] = 0xff; // Interrupt Line; Interrupt Pin 0: no INTx
	// PCI Express capability v2, Endpoint
	c[kPcieCap] = 0x10;
	c[kPcieCap + 1] = 0;
	put16(c + kPcieCap + 0x02, 0x0002);
	put32(c + kDevCap, 0x1u /* MPS 256 */ | 1u << 15 /* role-based errors */ | (opt_.flr ? 1u << 28 : 0) |
				   (opt_.tee_io ? 1u << 30 : 0));
	put16(c + kDevCtl, 0x2810);             // MRRS 512, Relaxed Ordering, No Snoop
	put16(m + kDevCtl, 0xffff);             // bit 15 = Initiate FLR (self-clearing)
	put32(c + kPcieCap + 0x0c, 0x00000011); // LinkCap: 2.5 GT/s, x1
	put16(m + kPcieCap + 0x10, 0x01c3);     // LinkCtl: ASPM, CCC, ES, clock PM
	put16(c + kPcieCap + 0x12, 0x0011);     // LinkSta: 2.5 GT/s, x1
	put16(m + kPcieCap + 0x28, 0x041f);     // DevCtl2: completion timeout, LTR
	put32(c + kPcieCap + 0x2c, 0x00000002); // LinkCap2: 2.5 GT/s
	put16(c + kPcieCap + 0x30, 0x0001);     // LinkCtl2: target 2.5 GT/s
	put16(m + kPcieCap + 0x30, 0x000f);
	// Extended capabilities: DSN -> DOE [-> IDE]
	put32(c + kDsnCap, ext_hdr(0x0003, 1, kDoeCap));
	put32(c + kDoeCap, ext_hdr(0x002e, 1, opt_.ide ? kIdeCap : 0));
	if (opt_.ide)
		put32(c + kIdeCap, ext_hdr(0x0030, 1, 0)); // IDE Capability/Control 0: no streams
	// BAR0 registers
	put32(bar_.data() + 0x00, 0x4d445053); // "SPDM"
	put32(bar_.data() + 0x04, 0x00010000); // model version 1.0
}

const char *PciDevice::serial_source() const
{
	return rsp_.faults().serial ? "fault" : opt_.serial ? "option" : "identity";
}

uint64_t PciDevice::serial() const
{
	if (auto s = rsp_.faults().serial)
		return *s;
	if (opt_.serial)
		return *opt_.serial;
	const Identity &id = rsp_.identity();
	if (id.slots.empty() || id.slots[0].certs.empty())
		return 0;
	Bytes h = digest(Hash::Sha256, id.slots[0].certs.back());
	uint64_t s = 0;
	for (int i = 0; i < 8; i++)
		s = s << 8 | h[i];
	return s;
}

uint32_t PciDevice::read_dword(uint32_t off)
{
	if (off == kDsnCap + 4)
		return uint32_t(serial());
	if (off == kDsnCap + 8)
		return uint32_t(serial() >> 32);
	if (off >= kDoeCap + CAP && off < kDoeCap + SIZEOF)
		return doe_.read(off - kDoeCap);
	return get32(cfg_.data() + off);
}

void PciDevice::write_dword(uint32_t off, uint32_t value, uint32_t byte_mask)
{
	uint32_t bits = 0;
	for (int b = 0; b < 4; b++)
		if (byte_mask & (1u << b))
			bits |= 0xFFu << (8 * b);
	if (off >= kDoeCap + CAP && off < kDoeCap + SIZEOF) {
		uint32_t reg = off - kDoeCap;
		if (reg == CTRL)
			doe_.write(CTRL, value & bits); // byte writes reach ABORT (byte 0) and GO (byte 3)
		else if ((reg == WRITE || reg == READ) && byte_mask == 0xF)
			doe_.write(reg, value); // the mailboxes take whole dwords only
		return;
	}
	for (int b = 0; b < 4; b++) {
		if (!(byte_mask & (1u << b)))
			continue;
		uint8_t m = wmask_[off + b], v = uint8_t(value >> (8 * b));
		cfg_[off + b] = uint8_t((cfg_[off + b] & ~m) | (v & m));
	}
	if (off == kDevCtl && (byte_mask & 2) && (value & 0x8000)) {
		cfg_[kDevCtl + 1] &= 0x7f; // Initiate FLR reads as 0
		if (opt_.flr)
			reset(true);
	}
}

void PciDevice::config_read(uint32_t offset, std::span<uint8_t> out)
{
	for (size_t i = 0; i < out.size(); i++) {
		uint64_t o = uint64_t(offset) + i;
		if (o >= kConfigSize) {
			out[i] = 0xff;
			continue;
		}
		uint32_t d = read_dword(uint32_t(o) & ~3u);
		out[i] = uint8_t(d >> (8 * (o & 3)));
	}
}

void PciDevice::config_write(uint32_t offset, std::span<const uint8_t> in)
{
	size_t i = 0;
	while (i < in.size()) {
		uint64_t o = uint64_t(offset) + i;
		if (o >= kConfigSize)
			return;
		uint32_t base = uint32_t(o) & ~3u, value = 0, mask = 0;
		for (uint32_t b = uint32_t(o) & 3; b < 4 && i < in.size(); b++, i++) {
			value |= uint32_t(in[i]) << (8 * b);
			mask |= 1u << b;
		}
		write_dword(base, value, mask);
	}
}

uint32_t PciDevice::config_read32(uint32_t offset)
{
	uint8_t b[4];
	config_read(offset & ~3u, b);
	return get32(b);
}

void PciDevice::config_write32(uint32_t offset, uint32_t value)
{
	uint8_t b[4];
	put32(b, value);
	config_write(offset & ~3u, b);
}

void PciDevice::bar_read(uint32_t offset, std::span<uint8_t> out)
{
	for (size_t i = 0; i < out.size(); i++) {
		uint64_t o = uint64_t(offset) + i;
		out[i] = o < kBar0Size ? bar_[o] : 0xff;
	}
}

void PciDevice::bar_write(uint32_t offset, std::span<const uint8_t> in)
{
	for (size_t i = 0; i < in.size(); i++) {
		uint64_t o = uint64_t(offset) + i;
		if (o >= 0x08 && o < 0x0c) // scratch register; the rest is read-only
			bar_[o] = in[i];
	}
}

void PciDevice::reset(bool flr)
{
	spdm_at_reset_ = rsp_.negotiated_version();
	doe_.reset();
	rsp_.reset();
	spdm_after_reset_ = rsp_.negotiated_version();
	init_config();
	(flr ? flrs_ : resets_)++;
	last_reset_ = flr ? "flr" : "reset";
	cma_since_reset_ = 0;
}

DoeResult PciDevice::handle(const DoeObject &o)
{
	DoeResult r;
	auto refuse = [&](const std::string &why) {
		r.kind = DoeResult::Error;
		r.object.assign(why.begin(), why.end());
	};
	if (o.vendor == doe::VENDOR_PCISIG && o.type == doe::TYPE_DISCOVERY) {
		// Discovery, CMA and (unless --no-sessions) secured CMA.
		static constexpr uint8_t protos[] = {doe::TYPE_DISCOVERY, doe::TYPE_CMA, doe::TYPE_SECURED_CMA};
		std::string why;
		std::span<const uint8_t> listed(protos, rsp_.config().sessions ? 3 : 2);
		if (auto d = doe_discovery(o.payload, listed, &why)) {
			r.kind = DoeResult::Response;
			r.object = std::move(*d);
		} else {
			refuse(why);
		}
	} else if (o.vendor == doe::VENDOR_PCISIG && o.type == doe::TYPE_CMA) {
		cma_since_reset_++;
		Bytes out = rsp_.handle(o.payload);
		if (!out.empty()) {
			r.kind = DoeResult::Response;
			r.object = doe_wrap(out, doe::TYPE_CMA);
			r.delay_ms = rsp_.faults().delay_ms;
		}
	} else if (o.vendor == doe::VENDOR_PCISIG && o.type == doe::TYPE_SECURED_CMA && rsp_.config().sessions) {
		cma_since_reset_++;
		auto out = rsp_.handle_secured(o.payload);
		if (!out.data.empty()) {
			r.kind = DoeResult::Response;
			r.object = doe_wrap(out.data, out.secured ? doe::TYPE_SECURED_CMA : doe::TYPE_CMA);
			r.delay_ms = rsp_.faults().delay_ms;
		}
	} else {
		char b[64];
		snprintf(b, sizeof b, "unsupported DOE protocol %04x:%02x", o.vendor, o.type);
		refuse(b);
	}
	if (on_exchange)
		on_exchange(o, r);
	return r;
}

std::string PciDevice::status_json()
{
	auto &s = doe_.stats();
	char id[8], sn[24];
	using J = nlohmann::ordered_json;
	J j;
	snprintf(id, sizeof id, "%04x", opt_.vendor_id);
	j["vendor"] = id;
	snprintf(id, sizeof id, "%04x", opt_.device_id);
	j["device"] = id;
	snprintf(sn, sizeof sn, "%016llx", static_cast<unsigned long long>(serial()));
	j["serial"] = sn;
	j["serial_source"] = serial_source();
	j["flrs"] = flrs_;
	j["resets"] = resets_;
	j["last_reset"] = last_reset_;
	j["spdm_at_reset"] = version_text(spdm_at_reset_);
	j["spdm_after_reset"] = version_text(spdm_after_reset_);
	j["cma_since_reset"] = cma_since_reset_;
	j["doe"] = J{{"requests", s.requests}, {"responses", s.responses},
		     {"errors", s.errors},     {"aborts", s.aborts},
		     {"busy", doe_.busy()},    {"error", doe_.error()},
		     {"ready", doe_.ready()},  {"last_error", doe_.last_error()}};
	return j.dump(-1, ' ', false, J::error_handler_t::replace);
}

} // namespace devsim::pci
