// SPDX-License-Identifier: GPL-2.0
// libFuzzer harness: what libspdmtsm makes of the kernel's policy replies
// and device events (user/lib/policy.cpp: policy_from_msg,
// dev_event_from_msg) and their display (to_json).
// Input: byte 0 even: a policy reply; odd: a dev-event; the rest is the
// generic-netlink attribute stream behind the headers.
#include <cstdlib>
#include <cstring>
#include <vector>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "spdmtsm/json.hpp"
#include "spdmtsm/policy.hpp"

using namespace spdmtsm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    // a message of exactly the fuzz input's size: ASan sees any read past it
    size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
    size_t len = hdr + size - 1;
    std::vector<uint8_t> buf(len);
    auto *nlh = reinterpret_cast<nlmsghdr *>(buf.data());
    nlh->nlmsg_len = uint32_t(len);
    nlh->nlmsg_type = 0x20;
    auto *g = reinterpret_cast<genlmsghdr *>(buf.data() + NLMSG_HDRLEN);
    g->cmd = 1;
    g->version = 1;
    std::memcpy(buf.data() + hdr, data + 1, size - 1);
    try {
        if (data[0] & 1) {
            if (auto e = dev_event_from_msg(nlh))
                (void)json_text(json_of(*e));
        } else {
            (void)json_text(json_of(policy_from_msg(nlh)));
        }
    } catch (const std::runtime_error &) {
    }
    return 0;
}
