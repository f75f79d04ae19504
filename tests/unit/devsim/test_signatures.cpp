// SPDX-License-Identifier: GPL-2.0
// Every version x asym x hash: CHALLENGE_AUTH and signed MEASUREMENTS
// verified by the independent requester (requester.hpp).
#include "common.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

using namespace devsim;

TEST_CASE("devsim signatures verify for every version x asym x hash", "[devsim][signatures]") {
    Asym asym = GENERATE(Asym::EcdsaP256, Asym::EcdsaP384, Asym::EcdsaP521, Asym::Rsa2048, Asym::Rsa3072,
                         Asym::Rsa4096);
    const Identity &id = tst::identity(asym, 2);
    for (uint8_t ver : {0x10, 0x11, 0x12, 0x13, 0x14}) {
        for (Hash h : {Hash::Sha256, Hash::Sha384, Hash::Sha512}) {
            CAPTURE(to_string(asym), int(ver), to_string(h));
            Responder r(Config{}, id);
            rq::Requester q(r, ver);
            q.offer_hash = hash_bit(h);
            q.connect(ver >= 0x11 ? 4 : 0);
            REQUIRE(q.sel_asym == asym_bit(asym));
            REQUIRE(q.sel_hash == hash_bit(h));
            // B includes DIGESTS and a chunked certificate retrieval
            q.digests();
            q.get_chain(1, 700);
            CHECK(q.challenge(1, 0xFF));
            CHECK(q.last[2] == 1);         // slot
            CHECK(q.last[3] == 0x02);      // slot mask
            // B is empty after a CHALLENGE: a second one covers A || C only
            CHECK(q.challenge(1, 0));
            // L: unsigned requests are part of the signed transcript.
            // 1.0 has no SlotIDParam: measurements are signed with slot 0.
            uint8_t ms = ver >= 0x11 ? 1 : 0;
            q.get_chain(ms);
            CHECK(q.measurements(0, false));
            CHECK(q.measurements(1, false));
            CHECK(q.measurements(0xFF, true, ms));
            CHECK(q.last[3] == ms);        // slot id echoed (1.1+)
            q.get_chain(0);
            CHECK(q.measurements(3, true, 0));
            CHECK(q.measurements(2, true, 0));
            // a wrong transcript does not verify: the check can fail
            q.get_chain(0);
            q.msg_b.push_back(0);
            CHECK_FALSE(q.challenge(0, 1));
            // bad-signature fault: the signature no longer verifies, once
            r.faults().bad_signature = 1;
            q.get_chain(0);
            CHECK_FALSE(q.challenge(0, 0));
            CHECK(q.challenge(0, 0));
        }
    }
}
