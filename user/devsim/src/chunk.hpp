// SPDX-License-Identifier: GPL-2.0
// Large SPDM message transfer (DMTF DSP0274 1.2+, "CHUNK_SEND and
// CHUNK_GET"): a response larger than one message is announced with ERROR
// LargeResponse (ExtendedErrorData = Handle) and retrieved with CHUNK_GET /
// CHUNK_RESPONSE; a request larger than one message arrives in CHUNK_SEND
// chunks, each answered with CHUNK_SEND_ACK, the last one carrying the
// response to the reassembled request.  ChunkSeqNo is 16 bits (1.2, 1.3).
#pragma once
#include <devsim/responder.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace devsim {

namespace chunk {
inline constexpr uint8_t CHUNK_SEND_ACK = 0x05, CHUNK_RESPONSE = 0x06, CHUNK_SEND = 0x85, CHUNK_GET = 0x86;
inline constexpr uint8_t ErrLargeResponse = 0x0F; // DSP0274 ERROR LargeResponse
inline constexpr uint32_t CAP = 1u << 17;         // CHUNK_CAP, requester and responder
inline constexpr uint8_t LAST = 0x01;             // ChunkSenderAttributes LastChunk
inline constexpr size_t HDR = 12, HDR0 = 16;      // header; with LargeMessageSize (seq 0)

// The lies of the chunk-lie=KIND fault, applied to every CHUNK_RESPONSE
// (except no-cap, which CAPABILITIES tells):
//   handle      Handle other than the LargeResponse's
//   seq-skip    ChunkSeqNo one more than asked (from the 2nd chunk)
//   seq-repeat  ChunkSeqNo one less than asked (the 1st chunk's number again)
//   size        ChunkSize field = the requester's DataTransferSize (more than
//               a chunk can hold; the bytes carried are unchanged)
//   lms-big     LargeMessageSize = the requester's MaxSPDMmsgSize + 1
//   lms-long    LargeMessageSize 64 more than the message: LAST_CHUNK early
//   overrun     LargeMessageSize 1 less than the message: the last chunk overruns
//   no-last     LAST_CHUNK never set
//   stall       ChunkSize 0, no bytes, forever (ChunkSeqNo still counts)
//   no-cap      CAPABILITIES without CHUNK_CAP, chunks anyway
bool valid_lie(std::string_view kind);
inline constexpr std::string_view kLies =
	"handle, seq-skip, seq-repeat, size, lms-big, lms-long, overrun, no-last, stall, no-cap";
} // namespace chunk

class LargeTransfer {
public:
	// Keep rsp for CHUNK_GET; returns the ERROR LargeResponse announcing it.
	Bytes start_response(uint8_t version, Bytes rsp);
	// One CHUNK_RESPONSE of at most limit bytes (the smaller DataTransferSize),
	// or an ERROR.  lie: the chunk-lie fault ("" = none); req_dts, req_max:
	// the requester's DataTransferSize and MaxSPDMmsgSize.
	Bytes chunk_get(uint8_t version, std::span<const uint8_t> req, size_t limit, std::string_view lie,
			size_t req_dts, size_t req_max);

	struct Sent {
		Bytes reply;                  // CHUNK_SEND_ACK or ERROR (when !request)
		std::optional<Bytes> request; // the reassembled request, after the last chunk
		uint8_t handle = 0;
		uint16_t seq = 0;
	};
	// One CHUNK_SEND.  dts: this device's DataTransferSize (the largest
	// message it receives); max_msg: its MaxSPDMmsgSize.
	Sent chunk_send(uint8_t version, std::span<const uint8_t> req, size_t dts, size_t max_msg);
	// CHUNK_SEND_ACK for the last chunk, carrying rsp (the response to the
	// large request, or an ERROR LargeResponse for it).
	static Bytes send_ack(uint8_t version, uint8_t handle, uint16_t seq, std::span<const uint8_t> rsp);

	void reset(); // drop both directions (any other request does)
	bool response_pending() const { return have_; }
	unsigned handles() const { return handle_; }

private:
	Bytes large_;
	size_t off_ = 0;
	uint16_t seq_ = 0;
	uint8_t handle_ = 0;
	bool have_ = false;

	Bytes in_;
	size_t in_size_ = 0;
	uint16_t in_seq_ = 0;
	uint8_t in_handle_ = 0;
	bool in_active_ = false;
};

} // namespace devsim
