// SPDX-License-Identifier: GPL-2.0
#pragma once
#include "requester.hpp"

#include <devsim/responder.hpp>

#include <map>
#include <mutex>

namespace tst {

// Identities are slow to generate (RSA): one per (asym, slots), cached.
inline const devsim::Identity &identity(devsim::Asym a, int slots = 1) {
    static std::map<std::pair<int, int>, devsim::Identity> cache;
    static std::mutex mu;
    std::lock_guard g(mu);
    auto key = std::make_pair(int(a), slots);
    auto it = cache.find(key);
    if (it == cache.end())
        it = cache.emplace(key, devsim::make_identity(a, devsim::Hash::Sha384, slots, 42)).first;
    return it->second;
}

inline devsim::Bytes B(std::initializer_list<int> l) {
    devsim::Bytes b;
    for (int x : l) b.push_back(uint8_t(x));
    return b;
}

}  // namespace tst
