// SPDX-License-Identifier: GPL-2.0
// A tiny DER builder for hand-made certificates in tests and fuzz seeds.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace spdmtest::der {

using Bytes = std::vector<uint8_t>;

inline Bytes tlv(uint8_t tag, const Bytes &content)
{
    Bytes b{tag};
    size_t n = content.size();
    if (n < 0x80) {
        b.push_back(uint8_t(n));
    } else if (n < 0x100) {
        b.push_back(0x81);
        b.push_back(uint8_t(n));
    } else {
        b.push_back(0x82);
        b.push_back(uint8_t(n >> 8));
        b.push_back(uint8_t(n));
    }
    b.insert(b.end(), content.begin(), content.end());
    return b;
}

inline Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes b;
    for (auto &p : parts)
        b.insert(b.end(), p.begin(), p.end());
    return b;
}

inline Bytes seq(std::initializer_list<Bytes> parts) { return tlv(0x30, cat(parts)); }

inline Bytes oid_ec() { return tlv(0x06, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}); }
inline Bytes oid_p256() { return tlv(0x06, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}); }
inline Bytes oid_p384() { return tlv(0x06, {0x2b, 0x81, 0x04, 0x00, 0x22}); }
inline Bytes oid_rsa() { return tlv(0x06, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01}); }

inline Bytes ec_spki(size_t coord = 32, const Bytes &curve = oid_p256())
{
    Bytes pt{0x00, 0x04};
    for (size_t i = 0; i < 2 * coord; i++)
        pt.push_back(uint8_t(i + 1));
    return seq({seq({oid_ec(), curve}), tlv(0x03, pt)});
}

inline Bytes rsa_spki(size_t bits)
{
    Bytes n{0x00};
    n.push_back(0xc1);
    n.insert(n.end(), bits / 8 - 1, 0x5a);
    Bytes key = seq({tlv(0x02, n), tlv(0x02, {0x01, 0x00, 0x01})});
    Bytes bs{0x00};
    bs.insert(bs.end(), key.begin(), key.end());
    return seq({seq({oid_rsa(), tlv(0x05, {})}), tlv(0x03, bs)});
}

inline Bytes cert(const Bytes &spki)
{
    Bytes tbs = seq({tlv(0xa0, tlv(0x02, {0x02})), tlv(0x02, {0x01}), seq({oid_ec()}), seq({}), seq({}),
                     seq({}), spki});
    return seq({tbs, seq({oid_ec()}), tlv(0x03, {0x00})});
}

}  // namespace spdmtest::der
