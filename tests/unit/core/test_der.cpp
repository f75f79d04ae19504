// SPDX-License-Identifier: GPL-2.0
// The core's DER walker on hand-made good and malformed inputs.
#include <catch2/catch_test_macros.hpp>

#include <cerrno>
#include <cstring>

#include "der_build.h"
#include "platform_user.h"

using namespace spdmtest;
namespace d = spdmtest::der;

namespace {
int walk(const Bytes &b, spdm_der_cert_info *info = nullptr, const char **why = nullptr)
{
    spdm_der_cert_info tmp;
    return spdm_der_walk_chain(b.data(), b.size(), info ? info : &tmp, why);
}
}  // namespace

TEST_CASE("core: DER walker finds the leaf SPKI", "[core][der]")
{
    Bytes leaf_spki = d::ec_spki(48, d::oid_p384());
    Bytes chain = d::cat({d::cert(d::rsa_spki(2048)), d::cert(d::ec_spki()), d::cert(leaf_spki)});
    spdm_der_cert_info info;
    const char *why = nullptr;
    REQUIRE(walk(chain, &info, &why) == 0);
    CHECK(why == nullptr);
    CHECK(info.ncerts == 3);
    CHECK(info.asym == SPDM_ASYM_ECDSA_P384);
    REQUIRE(info.spki_len == leaf_spki.size());
    CHECK(std::memcmp(chain.data() + info.spki_off, leaf_spki.data(), leaf_spki.size()) == 0);
    CHECK(info.pub_len == 97);
    CHECK(chain[info.pub_off] == 0x04);
}

TEST_CASE("core: DER SPKI classification", "[core][der]")
{
    size_t off, len;
    uint32_t asym;
    const char *why;
    auto parse = [&](const Bytes &b) { return spdm_der_parse_spki(b.data(), b.size(), &off, &len, &asym, &why); };
    REQUIRE(parse(d::ec_spki()) == 0);
    CHECK(asym == SPDM_ASYM_ECDSA_P256);
    CHECK(len == 65);
    for (size_t bits : {2048, 3072, 4096}) {
        REQUIRE(parse(d::rsa_spki(bits)) == 0);
        CHECK(asym == (bits == 2048 ? SPDM_ASYM_RSASSA_2048 : bits == 3072 ? SPDM_ASYM_RSASSA_3072
                                                                             : SPDM_ASYM_RSASSA_4096));
    }
    CHECK(parse(d::rsa_spki(1024)) == -EOPNOTSUPP);
    CHECK(std::string(why) == "unsupported RSA modulus size");
    // P-256 OID with a P-384-sized point
    CHECK(parse(d::ec_spki(48)) == -EBADMSG);
    // unknown curve
    CHECK(parse(d::ec_spki(32, d::tlv(0x06, {0x2b, 0x81, 0x04, 0x00, 0x0a}))) == -EOPNOTSUPP);
    // compressed point
    Bytes comp = d::ec_spki();
    comp[comp.size() - 65] = 0x02;
    CHECK(parse(comp) == -EBADMSG);
    // unused bits in the BIT STRING
    Bytes ub = d::ec_spki();
    ub[ub.size() - 66] = 0x01;
    CHECK(parse(ub) == -EBADMSG);
    // Ed25519 OID
    CHECK(parse(d::seq({d::seq({d::tlv(0x06, {0x2b, 0x65, 0x70})}), d::tlv(0x03, Bytes(33, 0))})) == -EOPNOTSUPP);
}

TEST_CASE("core: DER walker rejects malformed encodings", "[core][der]")
{
    Bytes good = d::cert(d::ec_spki());
    REQUIRE(walk(good) == 0);
    const char *why = nullptr;
    SECTION("empty") { CHECK(walk({}, nullptr, &why) == -EBADMSG); CHECK(std::string(why).find("no certificate") != std::string::npos); }
    SECTION("truncated") {
        for (size_t n = 1; n < good.size(); n++)
            CHECK(walk(Bytes(good.begin(), good.begin() + n)) == -EBADMSG);
    }
    SECTION("trailing garbage") {
        Bytes b = good;
        b.push_back(0x00);
        CHECK(walk(b) == -EBADMSG);
    }
    SECTION("indefinite length") {
        Bytes b = good;
        b[1] = 0x80;
        CHECK(walk(b) == -EBADMSG);
    }
    SECTION("non-minimal long form") {
        Bytes inner = d::cert(d::ec_spki());
        // re-encode the outer length with 0x82 00 xx
        Bytes content(inner.begin() + 3, inner.end());  // good uses 0x81 xx
        REQUIRE(inner[1] == 0x81);
        Bytes b{0x30, 0x82, 0x00, uint8_t(content.size())};
        b.insert(b.end(), content.begin(), content.end());
        CHECK(walk(b) == -EBADMSG);
        Bytes b2{0x30, 0x81, 0x10};  // long form for a short length
        b2.insert(b2.end(), 0x10, 0);
        CHECK(walk(b2) == -EBADMSG);
    }
    SECTION("huge length") {
        Bytes b{0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00};
        CHECK(walk(b) == -EBADMSG);
        Bytes b5{0x30, 0x85, 0x01, 0, 0, 0, 0};
        CHECK(walk(b5) == -EBADMSG);
    }
    SECTION("high tag number form") {
        Bytes b = good;
        b[0] = 0x3f;
        CHECK(walk(b) == -EBADMSG);
    }
    SECTION("not a SEQUENCE") {
        Bytes b = good;
        b[0] = 0x31;
        CHECK(walk(b) == -EBADMSG);
    }
    SECTION("leaf missing its SPKI") {
        Bytes tbs = d::seq({d::tlv(0x02, {0x01}), d::seq({}), d::seq({}), d::seq({}), d::seq({})});
        CHECK(walk(d::seq({tbs})) == -EBADMSG);
    }
    SECTION("only the leaf is interpreted") {
        // a garbage-but-well-framed first certificate is tolerated
        Bytes b = d::cat({d::seq({d::tlv(0x04, {1, 2, 3})}), good});
        spdm_der_cert_info info;
        CHECK(walk(b, &info) == 0);
        CHECK(info.ncerts == 2);
    }
}
