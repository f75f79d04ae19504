// SPDX-License-Identifier: GPL-2.0
#include "common.hpp"

#include <catch2/catch_test_macros.hpp>

#include <filesystem>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>
#include <unistd.h>

using namespace devsim;

namespace {
struct Crt {
    mbedtls_x509_crt c;
    Crt() { mbedtls_x509_crt_init(&c); }
    ~Crt() { mbedtls_x509_crt_free(&c); }
};
}  // namespace

TEST_CASE("devsim identity: deterministic for a seed", "[devsim][identity]") {
    Identity a = make_identity(Asym::EcdsaP256, Hash::Sha256, 2, 7);
    Identity b = make_identity(Asym::EcdsaP256, Hash::Sha256, 2, 7);
    Identity c = make_identity(Asym::EcdsaP256, Hash::Sha256, 2, 8);
    REQUIRE(a.slots.size() == 2);
    CHECK(a.slots[0].certs == b.slots[0].certs);
    CHECK(a.slots[1].leaf_key_pem == b.slots[1].leaf_key_pem);
    CHECK(a.slots[0].certs.back() != c.slots[0].certs.back());
    CHECK(a.slots[0].certs.back() != a.slots[1].certs.back());  // one leaf per slot
}

TEST_CASE("devsim identity: chain verifies and leaf is CMA-conformant", "[devsim][identity]") {
    const Identity &id = tst::identity(Asym::EcdsaP384);
    const Slot &s = id.slots[0];
    REQUIRE(s.certs.size() == 3);
    Crt root, chain;
    REQUIRE(mbedtls_x509_crt_parse_der(&root.c, s.certs[0].data(), s.certs[0].size()) == 0);
    REQUIRE(mbedtls_x509_crt_parse_der(&chain.c, s.certs[2].data(), s.certs[2].size()) == 0);
    REQUIRE(mbedtls_x509_crt_parse_der(&chain.c, s.certs[1].data(), s.certs[1].size()) == 0);
    uint32_t flags = 0;
    CHECK(mbedtls_x509_crt_verify(&chain.c, &root.c, nullptr, nullptr, &flags, nullptr, nullptr) == 0);
    CHECK(flags == 0);
    mbedtls_x509_crt *leaf = &chain.c;
    CHECK(mbedtls_x509_crt_has_ext_type(leaf, MBEDTLS_X509_EXT_BASIC_CONSTRAINTS));
    CHECK(leaf->MBEDTLS_PRIVATE(ca_istrue) == 0);
    CHECK(mbedtls_x509_crt_check_key_usage(leaf, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) == 0);
    CHECK(mbedtls_x509_crt_check_key_usage(leaf, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0);
    // SAN otherName with OID 2.23.147 (06 03 67 81 13) and the CMA name
    const Bytes &der = s.certs[2];
    Bytes oid{0x06, 0x03, 0x67, 0x81, 0x13};
    CHECK(std::search(der.begin(), der.end(), oid.begin(), oid.end()) != der.end());
    std::string name(kDefaultCmaName);
    CHECK(std::search(der.begin(), der.end(), name.begin(), name.end()) != der.end());
    CHECK(chain.c.next->MBEDTLS_PRIVATE(ca_istrue) == 1);
}

TEST_CASE("devsim identity: SPDM certificate chain format", "[devsim][identity]") {
    const Identity &id = tst::identity(Asym::EcdsaP256);
    for (Hash h : {Hash::Sha256, Hash::Sha384, Hash::Sha512}) {
        Bytes c = id.spdm_chain(0, h);
        size_t hl = hash_size(h);
        CHECK(rq::le16(c, 0) == c.size());
        CHECK(rq::le16(c, 2) == 0);
        mbedtls_md_type_t md = h == Hash::Sha256 ? MBEDTLS_MD_SHA256 : h == Hash::Sha384 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA512;
        CHECK(Bytes(c.begin() + 4, c.begin() + 4 + hl) == rq::H(md, id.slots[0].certs[0]));
        CHECK(Bytes(c.begin() + 4 + hl, c.end()) == id.slots[0].der_chain());
        Bytes over = id.spdm_chain(0, h, true);
        CHECK(over.size() == c.size() + 64);
        CHECK(rq::le16(over, 0) == c.size());
    }
}

TEST_CASE("devsim identity: save/load/import round trip", "[devsim][identity]") {
    namespace fs = std::filesystem;
    std::string dir = fs::temp_directory_path() / ("devsim-id-" + std::to_string(getpid()));
    const Identity &id = tst::identity(Asym::EcdsaP256, 2);
    save_identity(id, dir);
    Identity back = load_identity(dir);
    CHECK(back.asym == id.asym);
    CHECK(back.hash == id.hash);
    REQUIRE(back.slots.size() == 2);
    CHECK(back.slots[1].certs == id.slots[1].certs);
    CHECK(fs::exists(dir + "/slot0/leaf.pem"));
    CHECK(fs::exists(dir + "/slot0/root.der"));
    Identity imp = import_identity(dir + "/slot1/leaf.key.pem", {dir + "/slot1/chain.pem"}, Hash::Sha256);
    CHECK(imp.slots[0].certs == id.slots[1].certs);
    CHECK(imp.asym == Asym::EcdsaP256);
    // a key that does not match the leaf is refused
    CHECK_THROWS(import_identity(dir + "/slot0/leaf.key.pem", {dir + "/slot1/chain.pem"}, Hash::Sha256));
    // a responder serves a loaded identity
    Responder r(Config{}, back);
    rq::Requester q(r);
    q.connect();
    q.get_chain(1);
    CHECK(q.chain == id.spdm_chain(1, Hash::Sha384));
    CHECK(q.challenge(1, 0));
    fs::remove_all(dir);
}
