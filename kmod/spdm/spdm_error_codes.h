/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPDM ERROR response codes (DMTF DSP0274 1.0 - 1.3, ERROR response
 * message, table "Error code and error data"; the same values as libspdm's
 * include/industry_standard/spdm.h).  Param1 of an ERROR response carries
 * the code, Param2 the error data.
 *
 * Plain C that needs no other header and no kernel type: the kernel SPDM
 * core, its userspace tests and spdm-devsim (C++) include it alike.  The
 * SPDM_ERR_* macros are the values; spdm_error_codes[] is the one table of
 * values and names (an array rather than an X-macro, which checkpatch
 * rejects as a complex macro).
 */
#ifndef SPDM_ERROR_CODES_H
#define SPDM_ERROR_CODES_H

#define SPDM_ERR_INVALID_REQUEST	0x01
#define SPDM_ERR_INVALID_SESSION	0x02	/* 1.1 */
#define SPDM_ERR_BUSY			0x03
#define SPDM_ERR_UNEXPECTED_REQUEST	0x04
#define SPDM_ERR_UNSPECIFIED		0x05
#define SPDM_ERR_DECRYPT_ERROR		0x06	/* 1.1 */
#define SPDM_ERR_UNSUPPORTED_REQUEST	0x07
#define SPDM_ERR_REQUEST_IN_FLIGHT	0x08	/* 1.1 */
#define SPDM_ERR_INVALID_RESPONSE_CODE	0x09	/* 1.1 */
#define SPDM_ERR_SESSION_LIMIT_EXCEEDED	0x0a	/* 1.1 */
#define SPDM_ERR_SESSION_REQUIRED	0x0b	/* 1.2 */
#define SPDM_ERR_RESET_REQUIRED		0x0c	/* 1.2 */
#define SPDM_ERR_RESPONSE_TOO_LARGE	0x0d	/* 1.2 */
#define SPDM_ERR_REQUEST_TOO_LARGE	0x0e	/* 1.2 */
#define SPDM_ERR_LARGE_RESPONSE		0x0f	/* 1.2 */
#define SPDM_ERR_MESSAGE_LOST		0x10	/* 1.2 */
#define SPDM_ERR_INVALID_POLICY		0x11	/* 1.3 */
#define SPDM_ERR_VERSION_MISMATCH	0x41
#define SPDM_ERR_RESPONSE_NOT_READY	0x42
#define SPDM_ERR_REQUEST_RESYNCH	0x43
#define SPDM_ERR_OPERATION_FAILED	0x44	/* 1.3 */
#define SPDM_ERR_NO_PENDING_REQUESTS	0x45	/* 1.3 */
#define SPDM_ERR_VENDOR_DEFINED		0xff

/**
 * struct spdm_error_code - one row of the table
 * @code: the value (an SPDM_ERR_* macro)
 * @name: the name DSP0274 gives it
 */
struct spdm_error_code {
	unsigned char code;
	const char *name;
};

/* Every code DSP0274 defines, ascending. */
#define SPDM_ERROR_CODE_COUNT 23
static const struct spdm_error_code spdm_error_codes[SPDM_ERROR_CODE_COUNT] = {
	{ SPDM_ERR_INVALID_REQUEST, "InvalidRequest" },
	{ SPDM_ERR_INVALID_SESSION, "InvalidSession" },
	{ SPDM_ERR_BUSY, "Busy" },
	{ SPDM_ERR_UNEXPECTED_REQUEST, "UnexpectedRequest" },
	{ SPDM_ERR_UNSPECIFIED, "Unspecified" },
	{ SPDM_ERR_DECRYPT_ERROR, "DecryptError" },
	{ SPDM_ERR_UNSUPPORTED_REQUEST, "UnsupportedRequest" },
	{ SPDM_ERR_REQUEST_IN_FLIGHT, "RequestInFlight" },
	{ SPDM_ERR_INVALID_RESPONSE_CODE, "InvalidResponseCode" },
	{ SPDM_ERR_SESSION_LIMIT_EXCEEDED, "SessionLimitExceeded" },
	{ SPDM_ERR_SESSION_REQUIRED, "SessionRequired" },
	{ SPDM_ERR_RESET_REQUIRED, "ResetRequired" },
	{ SPDM_ERR_RESPONSE_TOO_LARGE, "ResponseTooLarge" },
	{ SPDM_ERR_REQUEST_TOO_LARGE, "RequestTooLarge" },
	{ SPDM_ERR_LARGE_RESPONSE, "LargeResponse" },
	{ SPDM_ERR_MESSAGE_LOST, "MessageLost" },
	{ SPDM_ERR_INVALID_POLICY, "InvalidPolicy" },
	{ SPDM_ERR_VERSION_MISMATCH, "VersionMismatch" },
	{ SPDM_ERR_RESPONSE_NOT_READY, "ResponseNotReady" },
	{ SPDM_ERR_REQUEST_RESYNCH, "RequestResynch" },
	{ SPDM_ERR_OPERATION_FAILED, "OperationFailed" },
	{ SPDM_ERR_NO_PENDING_REQUESTS, "NoPendingRequests" },
	{ SPDM_ERR_VENDOR_DEFINED, "VendorDefined" },
};

/**
 * spdm_error_code_name() - DSP0274 name of an ERROR code
 * @code: Param1 of an ERROR response
 *
 * Return: the name ("UnsupportedRequest"), or "unknown" for a code DSP0274
 * does not define.
 */
static inline const char *spdm_error_code_name(unsigned int code)
{
	unsigned int i;

	for (i = 0; i < SPDM_ERROR_CODE_COUNT; i++)
		if (spdm_error_codes[i].code == code)
			return spdm_error_codes[i].name;
	return "unknown";
}

#endif /* SPDM_ERROR_CODES_H */
