// SPDX-License-Identifier: GPL-2.0
// The SPDM core against spdm-devsim in-process: what the core tests that
// talk to devsim share (test_devsim, test_chunk, test_session).
#pragma once
#include <functional>
#include <map>
#include <span>
#include <tuple>

#include <devsim/responder.hpp>

#include "platform_user.h"

namespace spdmtest {

// devsim identities take long to make: one per (asym, hash, slots, seed)
inline const devsim::Identity &devsim_identity(devsim::Asym a, devsim::Hash h, int slots, int seed)
{
    static std::map<std::tuple<devsim::Asym, devsim::Hash, int, int>, devsim::Identity> cache;
    auto key = std::make_tuple(a, h, slots, seed);
    auto it = cache.find(key);
    if (it == cache.end())
        it = cache.emplace(key, devsim::make_identity(a, h, slots, uint64_t(seed))).first;
    return it->second;
}

// a devsim that offers SPDM 1.0 up to @maxv
inline devsim::Config config_for(uint8_t maxv)
{
    devsim::Config c;
    c.versions.clear();
    for (uint8_t v = 0x10; v <= maxv; v++)
        c.versions.push_back(v);
    return c;
}

// A device: devsim on both DOE data object types (CMA and Secured CMA),
// plus an optional filter over each plain response.
struct Device {
    devsim::Responder rsp;
    Platform plat;
    std::function<void(std::span<const uint8_t>, Bytes &)> filter;

    Device(devsim::Config c, const devsim::Identity &id) : rsp(std::move(c), id)
    {
        plat.set_reply([this](std::span<const uint8_t> req) {
            Bytes r = rsp.handle(req);
            if (filter)
                filter(req, r);
            return r;
        });
        plat.set_secured([this](std::span<const uint8_t> rec) {
            auto r = rsp.handle_secured(rec);
            return std::make_pair(r.data, r.secured);
        });
    }
    Device(const Device &) = delete;
    Device &operator=(const Device &) = delete;

    // how many plain requests with this request code the core sent
    unsigned count(uint8_t code) const
    {
        unsigned n = 0;
        for (auto &r : plat.requests)
            n += r.size() > 1 && r[1] == code;
        return n;
    }
};

}  // namespace spdmtest
