/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPDM message layouts (DMTF DSP0274 1.0 - 1.4), as the requester sends and
 * reads them.  Field names are DSP0274's, in snake case.  Every fixed part
 * is a __packed struct whose size is asserted; variable tails (version
 * entries, digests, certificate portions, opaque data, signatures) follow
 * the fixed part and are reached only after their length was checked
 * against what arrived.  All multi-byte fields are little-endian.
 */
#ifndef SPDM_MSG_H
#define SPDM_MSG_H

#include "spdm.h"

/* RequestResponseCode (DSP0274 table "SPDM request and response codes") */
#define SPDM_DIGESTS			0x01
#define SPDM_CERTIFICATE		0x02
#define SPDM_CHALLENGE_AUTH		0x03
#define SPDM_VERSION			0x04
#define SPDM_CHUNK_SEND_ACK		0x05
#define SPDM_CHUNK_RESPONSE		0x06
#define SPDM_MEASUREMENTS		0x60
#define SPDM_CAPABILITIES		0x61
#define SPDM_ALGORITHMS			0x63
#define SPDM_KEY_EXCHANGE_RSP		0x64
#define SPDM_FINISH_RSP			0x65
#define SPDM_HEARTBEAT_ACK		0x68
#define SPDM_KEY_UPDATE_ACK		0x69
#define SPDM_END_SESSION_ACK		0x6c
#define SPDM_ERROR			0x7f
#define SPDM_GET_DIGESTS		0x81
#define SPDM_GET_CERTIFICATE		0x82
#define SPDM_CHALLENGE			0x83
#define SPDM_GET_VERSION		0x84
#define SPDM_CHUNK_SEND			0x85
#define SPDM_CHUNK_GET			0x86
#define SPDM_GET_MEASUREMENTS		0xe0
#define SPDM_GET_CAPABILITIES		0xe1
#define SPDM_NEGOTIATE_ALGORITHMS	0xe3
#define SPDM_KEY_EXCHANGE		0xe4
#define SPDM_FINISH			0xe5
#define SPDM_HEARTBEAT			0xe8
#define SPDM_KEY_UPDATE			0xe9
#define SPDM_END_SESSION		0xec
#define SPDM_RESPOND_IF_READY		0xff

/* SPDM_NONCE_LEN (32) is in spdm.h */
#define SPDM_REQ_CTX_LEN		8	/* RequesterContext (1.3) */

/**
 * struct spdm_header - the four bytes every SPDM message starts with
 * @spdm_version: SPDMVersion (major << 4 | minor)
 * @request_response_code: RequestResponseCode
 * @param1: Param1, meaning per message
 * @param2: Param2, meaning per message
 */
struct spdm_header {
	u8 spdm_version;
	u8 request_response_code;
	u8 param1;
	u8 param2;
} __packed;
static_assert(sizeof(struct spdm_header) == 4);

/* ---- GET_VERSION / VERSION ---- */

/* GET_VERSION is a bare header (always SPDMVersion 1.0). */

struct spdm_version_rsp {
	struct spdm_header hdr;
	u8 reserved;
	u8 version_number_entry_count;
	/* followed by VersionNumberEntry[count], each __le16 */
} __packed;
static_assert(sizeof(struct spdm_version_rsp) == 6);

/* VersionNumberEntry: MajorVersion:MinorVersion in bits 15:8 */
#define SPDM_VERSION_ENTRY_SHIFT	8

/* ---- GET_CAPABILITIES / CAPABILITIES ---- */

/*
 * 1.0: the header alone.  1.1: up to flags.  1.2+: all of it.  The
 * response has the same shape (1.0 and 1.1: up to flags).
 */
struct spdm_get_capabilities_req {
	struct spdm_header hdr;
	u8 reserved1;
	u8 ct_exponent;
	__le16 reserved2;
	__le32 flags;
	__le32 data_transfer_size;
	__le32 max_spdm_msg_size;
} __packed;
static_assert(sizeof(struct spdm_get_capabilities_req) == 20);
#define SPDM_GET_CAPABILITIES_REQ_LEN_11 \
	offsetof(struct spdm_get_capabilities_req, data_transfer_size)
static_assert(SPDM_GET_CAPABILITIES_REQ_LEN_11 == 12);

struct spdm_capabilities_rsp {
	struct spdm_header hdr;
	u8 reserved1;
	u8 ct_exponent;
	__le16 reserved2;
	__le32 flags;
	__le32 data_transfer_size;
	__le32 max_spdm_msg_size;
} __packed;
static_assert(sizeof(struct spdm_capabilities_rsp) == 20);
#define SPDM_CAPABILITIES_RSP_LEN_10 \
	offsetof(struct spdm_capabilities_rsp, data_transfer_size)
static_assert(SPDM_CAPABILITIES_RSP_LEN_10 == 12);

/* MinDataTransferSize (1.2+) */
#define SPDM_MIN_DATA_TRANSFER_SIZE	42

/* ---- NEGOTIATE_ALGORITHMS / ALGORITHMS ---- */

/*
 * Param1: number of ReqAlgStruct / RespAlgStruct; Length covers them.
 * 1.4 puts PqcAsymAlgo / PqcAsymSel (post-quantum signature algorithms) in
 * the first four bytes that were reserved before; the core offers none.
 */
struct spdm_negotiate_algorithms_req {
	struct spdm_header hdr;
	__le16 length;
	u8 measurement_specification;
	u8 other_params_support;	/* 1.2+ */
	__le32 base_asym_algo;
	__le32 base_hash_algo;
	__le32 pqc_asym_algo;		/* 1.4+ */
	u8 reserved1[8];
	u8 ext_asym_count;
	u8 ext_hash_count;
	u8 reserved2;
	u8 mel_specification;		/* 1.3+ */
	/* followed by ExtAsym, ExtHash, ReqAlgStruct[param1] */
} __packed;
static_assert(sizeof(struct spdm_negotiate_algorithms_req) == 32);
static_assert(offsetof(struct spdm_negotiate_algorithms_req, pqc_asym_algo) == 16);
static_assert(offsetof(struct spdm_negotiate_algorithms_req, mel_specification) == 31);

struct spdm_algorithms_rsp {
	struct spdm_header hdr;
	__le16 length;
	u8 measurement_specification_sel;
	u8 other_params_selection;	/* 1.2+ */
	__le32 measurement_hash_algo;
	__le32 base_asym_sel;
	__le32 base_hash_sel;
	__le32 pqc_asym_sel;		/* 1.4+ */
	u8 reserved1[7];
	u8 mel_specification_sel;	/* 1.3+ */
	u8 ext_asym_sel_count;
	u8 ext_hash_sel_count;
	__le16 reserved2;
	/* followed by ExtAsymSel, ExtHashSel, RespAlgStruct[param1] */
} __packed;
static_assert(sizeof(struct spdm_algorithms_rsp) == 36);
static_assert(offsetof(struct spdm_algorithms_rsp, pqc_asym_sel) == 20);
static_assert(offsetof(struct spdm_algorithms_rsp, mel_specification_sel) == 31);

/**
 * struct spdm_alg_struct - ReqAlgStruct / RespAlgStruct (1.1+)
 * @alg_type: AlgType (DHE, AEAD, ReqBaseAsymAlg, KeySchedule; 1.4:
 *	ReqPqcAsymAlg, KEMAlg), increasing from one structure to the next
 * @alg_count: FixedAlgCount in bits 7:4 (2 for every AlgType so far),
 *	ExtAlgCount in bits 3:0
 * @alg_supported: AlgSupported, the FixedAlgCount bytes
 *
 * Followed by ExtAlgCount 4-byte AlgExternal entries.
 */
struct spdm_alg_struct {
	u8 alg_type;
	u8 alg_count;
	__le16 alg_supported;
} __packed;
static_assert(sizeof(struct spdm_alg_struct) == 4);
#define SPDM_ALG_FIXED_COUNT(c)		((c) >> 4)
#define SPDM_ALG_EXT_COUNT(c)		((c) & 0xf)
#define SPDM_ALG_EXTERNAL_LEN		4
/* AlgType values: DHE 2 .. KeySchedule 5 (1.1+); ReqPqcAsymAlg 6, KEMAlg 7 (1.4) */
#define SPDM_ALG_TYPE_DHE		2
#define SPDM_ALG_TYPE_AEAD		3
#define SPDM_ALG_TYPE_REQ_BASE_ASYM	4
#define SPDM_ALG_TYPE_KEY_SCHEDULE	5
#define SPDM_ALG_FIXED_2		0x20	/* FixedAlgCount 2, no external */
#define SPDM_ALG_TYPE_KEM		7

/* MeasurementSpecification: DMTF */
#define SPDM_MEAS_SPEC_DMTF		BIT(0)
/* OtherParamsSupport / OtherParamsSelection: OpaqueDataFmt1 (1.2+) */
#define SPDM_OPAQUE_DATA_FMT1		BIT(1)

/* ---- GET_DIGESTS / DIGESTS ---- */

/* GET_DIGESTS is a bare header.  DIGESTS: Param2 = SlotMask. */
struct spdm_digests_rsp {
	struct spdm_header hdr;
	/* followed by Digest[hweight(SlotMask)], H bytes each */
} __packed;
static_assert(sizeof(struct spdm_digests_rsp) == 4);

/* ---- GET_CERTIFICATE / CERTIFICATE ---- */

/* Param1: SlotID in bits 3:0 */
#define SPDM_SLOT_ID_MASK		0x0f
/*
 * Param1 bit 7 of GET_CERTIFICATE and CERTIFICATE (1.4): LargeCertChain,
 * the form with 32-bit offsets and lengths, only when both sides have
 * LARGE_RESP_CAP.  The core never sets LARGE_RESP_CAP: it sends and accepts
 * the form below alone.
 */
#define SPDM_CERT_LARGE_CERT_CHAIN	BIT(7)

struct spdm_get_certificate_req {
	struct spdm_header hdr;
	__le16 offset;
	__le16 length;
} __packed;
static_assert(sizeof(struct spdm_get_certificate_req) == 8);

struct spdm_certificate_rsp {
	struct spdm_header hdr;
	__le16 portion_length;
	__le16 remainder_length;
	/* followed by CertChain[PortionLength] */
} __packed;
static_assert(sizeof(struct spdm_certificate_rsp) == 8);

/* The largest Length a GET_CERTIFICATE can ask for. */
#define SPDM_CERT_MAX_PORTION		0xffff

/**
 * struct spdm_cert_chain_hdr - the start of a certificate chain in a slot
 * @length: Length of the whole chain, this header included
 * @reserved: Reserved
 *
 * Followed by RootHash (H bytes) and the DER certificates.
 */
struct spdm_cert_chain_hdr {
	__le16 length;
	__le16 reserved;
} __packed;
static_assert(sizeof(struct spdm_cert_chain_hdr) == 4);

/* ---- CHALLENGE / CHALLENGE_AUTH ---- */

/*
 * Param1: SlotID; Param2: MeasurementSummaryHashType (0: none).
 * RequesterContext is sent on 1.3+ only.
 */
struct spdm_challenge_req {
	struct spdm_header hdr;
	u8 nonce[SPDM_NONCE_LEN];
	u8 requester_context[SPDM_REQ_CTX_LEN];
} __packed;
static_assert(sizeof(struct spdm_challenge_req) == 44);
#define SPDM_CHALLENGE_REQ_LEN_10 \
	offsetof(struct spdm_challenge_req, requester_context)
static_assert(SPDM_CHALLENGE_REQ_LEN_10 == 36);

/*
 * Param1: SlotID in bits 3:0; Param2: SlotMask (1.0 - 1.2).  Followed by
 * CertChainHash (H), Nonce (32), MeasurementSummaryHash (H, or none when
 * not requested), then the signed tail (struct spdm_opaque_hdr).
 */
struct spdm_challenge_auth_rsp {
	struct spdm_header hdr;
} __packed;
static_assert(sizeof(struct spdm_challenge_auth_rsp) == 4);

/**
 * struct spdm_opaque_hdr - OpaqueDataLength, in CHALLENGE_AUTH and
 *	MEASUREMENTS
 * @opaque_data_length: OpaqueDataLength
 *
 * Followed by OpaqueData, RequesterContext (1.3+) and Signature (S bytes).
 */
struct spdm_opaque_hdr {
	__le16 opaque_data_length;
} __packed;
static_assert(sizeof(struct spdm_opaque_hdr) == 2);

/* ---- GET_MEASUREMENTS / MEASUREMENTS ---- */

/* Param1: Request attributes; Param2: MeasurementOperation */
#define SPDM_MEAS_ATTR_SIGNATURE_REQUESTED	BIT(0)
#define SPDM_MEAS_OPERATION_ALL			0xff

/*
 * Nonce is there when a signature is requested; SlotIDParam from 1.1,
 * RequesterContext from 1.3.
 */
struct spdm_get_measurements_req {
	struct spdm_header hdr;
	u8 nonce[SPDM_NONCE_LEN];
	u8 slot_id_param;
	u8 requester_context[SPDM_REQ_CTX_LEN];
} __packed;
static_assert(sizeof(struct spdm_get_measurements_req) == 45);
#define SPDM_GET_MEASUREMENTS_REQ_LEN_10 \
	offsetof(struct spdm_get_measurements_req, slot_id_param)
#define SPDM_GET_MEASUREMENTS_REQ_LEN_11 \
	offsetof(struct spdm_get_measurements_req, requester_context)
static_assert(SPDM_GET_MEASUREMENTS_REQ_LEN_10 == 36);
static_assert(SPDM_GET_MEASUREMENTS_REQ_LEN_11 == 37);

/*
 * Param2: SlotID in bits 3:0 (1.2+).  Followed by MeasurementRecord
 * (MeasurementRecordLength bytes), Nonce (32), then the signed tail.
 */
struct spdm_measurements_rsp {
	struct spdm_header hdr;
	u8 number_of_blocks;
	u8 measurement_record_length[3];	/* 24-bit little-endian */
} __packed;
static_assert(sizeof(struct spdm_measurements_rsp) == 8);

/**
 * struct spdm_meas_block_hdr - a measurement block in a MeasurementRecord
 * @index: Index
 * @measurement_specification: MeasurementSpecification (bit 0: DMTF)
 * @measurement_size: MeasurementSize, the bytes that follow
 */
struct spdm_meas_block_hdr {
	u8 index;
	u8 measurement_specification;
	__le16 measurement_size;
} __packed;
static_assert(sizeof(struct spdm_meas_block_hdr) == 4);

/**
 * struct spdm_meas_dmtf_hdr - a DMTF measurement, the Measurement of a
 *	block whose MeasurementSpecification has the DMTF bit
 * @dmtf_spec_measurement_value_type: DMTFSpecMeasurementValueType
 * @dmtf_spec_measurement_value_size: DMTFSpecMeasurementValueSize
 */
struct spdm_meas_dmtf_hdr {
	u8 dmtf_spec_measurement_value_type;
	__le16 dmtf_spec_measurement_value_size;
} __packed;
static_assert(sizeof(struct spdm_meas_dmtf_hdr) == 3);

/* ---- large SPDM messages (1.2+): CHUNK_SEND, CHUNK_GET ---- */

/* ChunkSenderAttributes (Param1 of CHUNK_SEND and CHUNK_RESPONSE) */
#define SPDM_CHUNK_LAST_CHUNK		BIT(0)
/* ChunkReceiverAttributes (Param1 of CHUNK_SEND_ACK) */
#define SPDM_CHUNK_EARLY_ERROR_DETECTED	BIT(0)
/* ChunkSeqNo is 16 bits (1.2, 1.3) */
#define SPDM_MAX_CHUNK_SEQ_NO		0xffff

/*
 * CHUNK_SEND and CHUNK_RESPONSE: Param1 ChunkSenderAttributes, Param2
 * Handle.  LargeMessageSize is present in chunk 0 only; SPDMchunk follows.
 */
struct spdm_chunk_hdr {
	struct spdm_header hdr;
	__le16 chunk_seq_no;
	__le16 reserved;
	__le32 chunk_size;
	__le32 large_message_size;	/* ChunkSeqNo 0 only */
} __packed;
static_assert(sizeof(struct spdm_chunk_hdr) == 16);
#define SPDM_CHUNK_HDR_LEN \
	offsetof(struct spdm_chunk_hdr, large_message_size)
static_assert(SPDM_CHUNK_HDR_LEN == 12);
#define SPDM_CHUNK_HDR0_LEN		sizeof(struct spdm_chunk_hdr)

/*
 * CHUNK_SEND_ACK: Param1 ChunkReceiverAttributes, Param2 Handle.  The last
 * one is followed by ResponseToLargeRequest.
 */
struct spdm_chunk_send_ack_rsp {
	struct spdm_header hdr;
	__le16 chunk_seq_no;
} __packed;
static_assert(sizeof(struct spdm_chunk_send_ack_rsp) == 6);

/* CHUNK_GET: Param2 Handle. */
struct spdm_chunk_get_req {
	struct spdm_header hdr;
	__le16 chunk_seq_no;
} __packed;
static_assert(sizeof(struct spdm_chunk_get_req) == 6);

/* ---- ERROR, RESPOND_IF_READY ---- */

/* ERROR: Param1 ErrorCode, Param2 ErrorData, then ExtendedErrorData. */
struct spdm_error_rsp {
	struct spdm_header hdr;
} __packed;
static_assert(sizeof(struct spdm_error_rsp) == 4);

/**
 * struct spdm_error_response_not_ready - ERROR ResponseNotReady
 * @hdr: the header (Param1 ResponseNotReady)
 * @rdt_exponent: RDTExponent: the response is due after 2^RDTExponent us
 * @request_code: RequestCode of the request being answered
 * @token: Token, to be echoed in RESPOND_IF_READY
 * @rdtm: RDTM: the responder may drop the response after RDT * RDTM
 */
struct spdm_error_response_not_ready {
	struct spdm_header hdr;
	u8 rdt_exponent;
	u8 request_code;
	u8 token;
	u8 rdtm;
} __packed;
static_assert(sizeof(struct spdm_error_response_not_ready) == 8);

/**
 * struct spdm_error_large_response - ERROR LargeResponse (1.2+)
 * @hdr: the header (Param1 LargeResponse)
 * @handle: Handle, to be sent in CHUNK_GET
 */
struct spdm_error_large_response {
	struct spdm_header hdr;
	u8 handle;
} __packed;
static_assert(sizeof(struct spdm_error_large_response) == 5);

/* RESPOND_IF_READY: Param1 the original RequestCode, Param2 Token. */

/* ---- sessions (1.1+): KEY_EXCHANGE, FINISH, HEARTBEAT, KEY_UPDATE, END_SESSION ---- */

/**
 * struct spdm_key_exchange_req - KEY_EXCHANGE, fixed part
 * @hdr: Param1 MeasurementSummaryHashType, Param2 SlotID
 * @req_session_id: ReqSessionID
 * @session_policy: SessionPolicy (1.2+; Reserved in 1.1)
 * @reserved: Reserved
 * @random_data: RandomData
 *
 * Followed by ExchangeData (D bytes: X || Y), OpaqueDataLength (2) and
 * OpaqueData.
 */
struct spdm_key_exchange_req {
	struct spdm_header hdr;
	__le16 req_session_id;
	u8 session_policy;
	u8 reserved;
	u8 random_data[32];
} __packed;
static_assert(sizeof(struct spdm_key_exchange_req) == 40);

/**
 * struct spdm_key_exchange_rsp - KEY_EXCHANGE_RSP, fixed part
 * @hdr: Param1 HeartbeatPeriod, Param2 Reserved
 * @rsp_session_id: RspSessionID
 * @mut_auth_requested: MutAuthRequested
 * @req_slot_id_param: ReqSlotIDParam
 * @random_data: RandomData
 *
 * Followed by ExchangeData (D), MeasurementSummaryHash (H, or none when not
 * requested), OpaqueDataLength (2), OpaqueData, Signature (S) and
 * ResponderVerifyData (H; absent when the handshake is in the clear).
 */
struct spdm_key_exchange_rsp {
	struct spdm_header hdr;
	__le16 rsp_session_id;
	u8 mut_auth_requested;
	u8 req_slot_id_param;
	u8 random_data[32];
} __packed;
static_assert(sizeof(struct spdm_key_exchange_rsp) == 40);

/*
 * FINISH: Param1 bit 0 "signature included" (0: no mutual authentication),
 * Param2 ReqSlotID; then RequesterVerifyData (H).  FINISH_RSP: the header,
 * then ResponderVerifyData (H) only when the handshake is in the clear.
 */
#define SPDM_FINISH_SIGNATURE_INCLUDED	BIT(0)

/* KEY_UPDATE / KEY_UPDATE_ACK: Param1 KeyOperation, Param2 Tag */
#define SPDM_KEY_UPDATE_OP_UPDATE_KEY		1
#define SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS	2
#define SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY	3

/* END_SESSION: Param1 bit 0 NegotiatedStateClearing (0: keep VCA) */

/*
 * OpaqueData of KEY_EXCHANGE / KEY_EXCHANGE_RSP (DSP0274 "General opaque
 * data format", DSP0277 "Secured message opaque data").  1.2+ with
 * OpaqueDataFmt1: struct spdm_general_opaque_hdr; before (1.1, or no
 * format selected): struct spdm_sm_opaque_hdr (SpecID "DMTF").  Each
 * element: struct spdm_opaque_element_hdr (ID 0 = DMTF, VendorLen 0),
 * OpaqueElementDataLen bytes of data, padded to 4 bytes.
 */
struct spdm_general_opaque_hdr {
	u8 total_elements;
	u8 reserved[3];
} __packed;
static_assert(sizeof(struct spdm_general_opaque_hdr) == 4);

struct spdm_sm_opaque_hdr {
	__le32 spec_id;
	u8 opaque_version;
	u8 total_elements;
	__le16 reserved;
} __packed;
static_assert(sizeof(struct spdm_sm_opaque_hdr) == 8);
#define SPDM_SM_SPEC_ID			0x444d5446	/* "FTMD" LE: "DMTF" */
#define SPDM_SM_OPAQUE_VERSION		1

struct spdm_opaque_element_hdr {
	u8 id;
	u8 vendor_len;
	__le16 opaque_element_data_len;
} __packed;
static_assert(sizeof(struct spdm_opaque_element_hdr) == 4);

/* The secured message element: SMDataVersion, SMDataID, then its data. */
struct spdm_sm_data_hdr {
	u8 sm_data_version;
	u8 sm_data_id;
} __packed;
static_assert(sizeof(struct spdm_sm_data_hdr) == 2);
#define SPDM_SM_DATA_VERSION		1
#define SPDM_SM_DATA_ID_VERSION_SELECTION	0	/* SelectedVersion (2) */
#define SPDM_SM_DATA_ID_SUPPORTED_VERSIONS	1	/* count (1), versions */
/* a secured message version as a VersionNumberEntry: major:minor in 15:8 */
#define SPDM_SM_VERSION_10		0x1000
#define SPDM_SM_VERSION_11		0x1100

/* ---- secured messages (DSP0277; PCIe Secured CMA: no sequence number) ---- */

/**
 * struct spdm_secmsg_hdr - the clear header of a secured message (the AAD)
 * @session_id: SessionID
 * @length: Length of what follows: the (encrypted) data and the MAC
 *
 * Encrypted: ApplicationDataLength (2) || application data (|| random
 * padding) under the AEAD, then the MAC.  Authenticated only: the
 * application data in the clear (the AAD with the header), then the MAC.
 */
struct spdm_secmsg_hdr {
	__le32 session_id;
	__le16 length;
} __packed;
static_assert(sizeof(struct spdm_secmsg_hdr) == 6);
#define SPDM_SECMSG_APP_LEN		2

#endif /* SPDM_MSG_H */
