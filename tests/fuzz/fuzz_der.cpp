// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: the core's DER certificate-chain walker and SPKI parser.
#include <cstdlib>

extern "C" {
#include "spdm.h"
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    spdm_der_cert_info info;
    const char *why = nullptr;
    if (spdm_der_walk_chain(data, size, &info, &why) == 0) {
        if (info.spki_off + info.spki_len > size || info.pub_off + info.pub_len > size ||
            info.pub_off < info.spki_off || !info.asym || !info.ncerts)
            abort();
        volatile uint8_t x = data[info.pub_off + info.pub_len - 1];
        (void)x;
    } else if (!why) {
        abort();  // every failure has a reason
    }
    size_t po, pl;
    uint32_t asym;
    if (spdm_der_parse_spki(data, size, &po, &pl, &asym, &why) == 0 && (po + pl > size || !asym))
        abort();
    return 0;
}
