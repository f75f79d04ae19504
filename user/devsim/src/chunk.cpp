// SPDX-License-Identifier: GPL-2.0
// Large SPDM message transfer, responder side (see chunk.hpp).
#include "le.hpp"
#include "chunk.hpp"

#include <algorithm>
#include <array>

namespace devsim {

using namespace le;

namespace {

Bytes error(uint8_t version, uint8_t code)
{
	return Bytes{version, code::ERROR, code, 0};
}

} // namespace

bool chunk::valid_lie(std::string_view kind)
{
	static constexpr std::array<std::string_view, 10> kinds{"handle",  "seq-skip", "seq-repeat", "size",
								"lms-big", "lms-long", "overrun",    "no-last",
								"stall",   "no-cap"};
	return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

Bytes LargeTransfer::start_response(uint8_t version, Bytes rsp)
{
	large_ = std::move(rsp);
	off_ = 0;
	seq_ = 0;
	handle_++;
	have_ = true;
	Bytes e = error(version, chunk::ErrLargeResponse);
	e.push_back(handle_); // ExtendedErrorData: Handle
	return e;
}

Bytes LargeTransfer::chunk_get(uint8_t version, std::span<const uint8_t> req, size_t limit, std::string_view lie,
			       size_t req_dts, size_t req_max)
{
	if (!have_)
		return error(version, SPDM_ERR_UNEXPECTED_REQUEST);
	if (req.size() < 6 || req[3] != handle_ || get16(req, 4) != seq_)
		return error(version, SPDM_ERR_INVALID_REQUEST);
	size_t hdr = seq_ ? chunk::HDR : chunk::HDR0;
	size_t size = std::min(limit - hdr, large_.size() - off_);
	bool stall = lie == "stall";
	if (stall)
		size = 0;
	bool last = !stall && off_ + size == large_.size();
	uint16_t seq = seq_;
	if (seq && lie == "seq-skip")
		seq++;
	else if (seq && lie == "seq-repeat")
		seq--;
	uint8_t attr = last && lie != "no-last" ? chunk::LAST : 0;
	Bytes rsp{version, chunk::CHUNK_RESPONSE, attr, uint8_t(lie == "handle" ? handle_ + 1 : handle_)};
	put16(rsp, seq);
	put16(rsp, 0); // Reserved
	put32(rsp, lie == "size" ? uint32_t(req_dts) : uint32_t(size));
	if (!seq_) {
		size_t lms = large_.size();
		if (lie == "lms-big")
			lms = req_max + 1;
		else if (lie == "lms-long")
			lms += 64;
		else if (lie == "overrun")
			lms -= 1;
		put32(rsp, uint32_t(lms));
	}
	rsp.insert(rsp.end(), large_.begin() + off_, large_.begin() + off_ + size);
	off_ += size;
	seq_++;
	if (last)
		have_ = false; // delivered: a later CHUNK_GET is unexpected
	return rsp;
}

LargeTransfer::Sent LargeTransfer::chunk_send(uint8_t version, std::span<const uint8_t> req, size_t dts, size_t max_msg)
{
	Sent out;
	auto bad = [&] {
		in_active_ = false;
		in_.clear();
		out.reply = error(version, SPDM_ERR_INVALID_REQUEST);
		return out;
	};
	if (req.size() < chunk::HDR)
		return bad();
	uint16_t seq = uint16_t(get16(req, 4));
	size_t hdr = seq ? chunk::HDR : chunk::HDR0;
	if (req.size() < hdr)
		return bad();
	if (seq == 0) {
		size_t lms = get32(req, 12);
		if (lms < 4 || lms > max_msg)
			return bad();
		in_.clear();
		in_.reserve(lms);
		in_size_ = lms;
		in_handle_ = req[3];
		in_seq_ = 0;
		in_active_ = true;
	} else if (!in_active_ || req[3] != in_handle_ || seq != in_seq_) {
		return bad();
	}
	size_t csize = get32(req, 8);
	bool last = req[2] & chunk::LAST;
	// ChunkSize must be what the message carries (DOE pads requests to a
	// dword: up to 3 more bytes), non-zero, the message within the
	// DataTransferSize and the chunk within LargeMessageSize; LastChunk
	// exactly at its end.
	if (!csize || hdr + csize > req.size() || req.size() - hdr - csize > 3 || hdr + csize > dts ||
	    csize > in_size_ - in_.size())
		return bad();
	in_.insert(in_.end(), req.begin() + long(hdr), req.begin() + long(hdr + csize));
	if (last != (in_.size() == in_size_))
		return bad();
	out.handle = in_handle_;
	out.seq = seq;
	in_seq_++;
	if (last) {
		out.request = std::move(in_);
		in_.clear();
		in_active_ = false;
		return out;
	}
	out.reply = send_ack(version, in_handle_, seq, {});
	return out;
}

Bytes LargeTransfer::send_ack(uint8_t version, uint8_t handle, uint16_t seq, std::span<const uint8_t> rsp)
{
	Bytes ack{version, chunk::CHUNK_SEND_ACK, 0, handle}; // ChunkReceiverAttributes 0
	put16(ack, seq);
	ack.insert(ack.end(), rsp.begin(), rsp.end());
	return ack;
}

void LargeTransfer::reset()
{
	large_.clear();
	have_ = false;
	off_ = 0;
	seq_ = 0;
	in_.clear();
	in_active_ = false;
}

} // namespace devsim
