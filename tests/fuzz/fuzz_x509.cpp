// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: the certificate display of tsmctl (user/lib/x509.cpp:
// describe_cert over mbedTLS, the CMA otherName walk of the SubjectAltName)
// and pem().  Input: byte 0 even: a certificate; odd: a GeneralNames list.
#include <cstdlib>

#include "spdmtsm/evidence.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/x509.hpp"

using namespace spdmtsm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    Bytes b(data + 1, data + size);
    if (data[0] & 1) {
        auto n = find_cma_other_name(b);
        if (n && n->size() > b.size())
            abort();
        return 0;
    }
    try {
        CertInfo c = describe_cert(b);
        (void)json_text(json_of(c));
        if (c.cma_name && c.cma_name->size() > b.size())
            abort();
    } catch (const std::runtime_error &) {
    }
    if (!b.empty() && pem(b).find("-----END CERTIFICATE-----") == std::string::npos)
        abort();
    return 0;
}
