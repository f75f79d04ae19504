// SPDX-License-Identifier: GPL-2.0
// kmod/spdm/spdm_error_codes.h against a table typed independently from the
// specification: DMTF DSP0274 1.3, ERROR response message, table "Error
// code and error data" (codes 0x01-0x11, 0x41-0x45, 0xFF; 0x02
// InvalidSession exists only in 1.1), cross-checked with libspdm's
// include/industry_standard/spdm.h (SPDM_ERROR_CODE_*).
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "spdm_error_codes.h"

using Catch::Matchers::ContainsSubstring;

namespace {

const std::map<unsigned, std::string> kSpec = {
    {0x01, "InvalidRequest"},
    {0x02, "InvalidSession"},
    {0x03, "Busy"},
    {0x04, "UnexpectedRequest"},
    {0x05, "Unspecified"},
    {0x06, "DecryptError"},
    {0x07, "UnsupportedRequest"},
    {0x08, "RequestInFlight"},
    {0x09, "InvalidResponseCode"},
    {0x0A, "SessionLimitExceeded"},
    {0x0B, "SessionRequired"},
    {0x0C, "ResetRequired"},
    {0x0D, "ResponseTooLarge"},
    {0x0E, "RequestTooLarge"},
    {0x0F, "LargeResponse"},
    {0x10, "MessageLost"},
    {0x11, "InvalidPolicy"},
    {0x41, "VersionMismatch"},
    {0x42, "ResponseNotReady"},
    {0x43, "RequestResynch"},
    {0x44, "OperationFailed"},
    {0x45, "NoPendingRequests"},
    {0xFF, "VendorDefined"},
};

}  // namespace

TEST_CASE("core: SPDM ERROR codes and names match DSP0274", "[core][errors]")
{
    std::vector<std::pair<unsigned, std::string>> table;
    static_assert(sizeof(spdm_error_codes) / sizeof(spdm_error_codes[0]) == SPDM_ERROR_CODE_COUNT);
    for (const spdm_error_code &e : spdm_error_codes) {
        REQUIRE(e.name != nullptr);  // a count larger than the rows leaves holes
        table.emplace_back(e.code, e.name);
    }
    // every code of the spec, once, with its name, and nothing else
    CHECK(table.size() == kSpec.size());
    std::set<unsigned> seen;
    for (auto &[code, name] : table) {
        CAPTURE(code, name);
        CHECK(seen.insert(code).second);
        auto it = kSpec.find(code);
        REQUIRE(it != kSpec.end());
        CHECK(it->second == name);
        CHECK(std::string(spdm_error_code_name(code)) == name);
    }
    // the named macros the core uses
    CHECK(SPDM_ERR_BUSY == 0x03);
    CHECK(SPDM_ERR_UNEXPECTED_REQUEST == 0x04);
    CHECK(SPDM_ERR_UNSUPPORTED_REQUEST == 0x07);
    CHECK(SPDM_ERR_VERSION_MISMATCH == 0x41);
    CHECK(SPDM_ERR_RESPONSE_NOT_READY == 0x42);
    CHECK(SPDM_ERR_REQUEST_RESYNCH == 0x43);
}

TEST_CASE("core: an undefined SPDM ERROR code is unknown", "[core][errors]")
{
    for (unsigned code = 0; code < 0x100; code++) {
        CAPTURE(code);
        if (kSpec.count(code))
            continue;
        CHECK(std::string(spdm_error_code_name(code)) == "unknown");
    }
}
