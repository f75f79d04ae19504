// SPDX-License-Identifier: GPL-2.0
// spdm-devsim as a PCIe endpoint: configuration space, DOE mailbox state
// machine (driven the way drivers/pci/doe.c drives it, and misused), and
// the vfio-user server (messages in-process and over a unix socket).
#include "common.hpp"
#include "session_requester.hpp"

#include <devsim/pcidev.hpp>
#include <devsim/vfio_user.hpp>

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace devsim;
using namespace devsim::pci;
using tst::B;

namespace {

constexpr uint32_t M = kDoeCap;  // DOE capability offset

struct Dev {
    explicit Dev(Config c = {}) : rsp(c, tst::identity(Asym::EcdsaP256)) {}
    Responder rsp;
    std::chrono::steady_clock::time_point now{};
    PciDevice pci{rsp, PciOptions{}, [this] { return now; }};

    uint32_t status() { return pci.config_read32(M + doe_reg::STATUS); }
    void w(uint32_t v) { pci.config_write32(M + doe_reg::WRITE, v); }
    void go() { pci.config_write32(M + doe_reg::CTRL, doe_reg::CTRL_GO); }
    void abort() { pci.config_write32(M + doe_reg::CTRL, doe_reg::CTRL_ABORT); }
    // Writes a whole object (header + payload dwords) and GO, like pci_doe_send_req().
    void send(uint16_t vid, uint8_t type, const std::vector<uint32_t> &payload) {
        w(vid | uint32_t(type) << 16);
        w(uint32_t(payload.size() + 2));
        for (uint32_t d : payload)
            w(d);
        go();
    }
    // Reads a whole response, like pci_doe_recv_resp(): read, then ack by writing.
    std::vector<uint32_t> recv() {
        std::vector<uint32_t> out;
        for (int guard = 0; guard < (1 << 19) && (status() & doe_reg::STATUS_READY); guard++) {
            out.push_back(pci.config_read32(M + doe_reg::READ));
            pci.config_write32(M + doe_reg::READ, 0);
        }
        return out;
    }
    static std::vector<uint32_t> dwords(const Bytes &b) {
        std::vector<uint32_t> d((b.size() + 3) / 4, 0);
        for (size_t i = 0; i < b.size(); i++)
            d[i / 4] |= uint32_t(b[i]) << (8 * (i % 4));
        return d;
    }
};

const Bytes kGetVersion = B({0x10, 0x84, 0, 0});

}  // namespace

TEST_CASE("devsim pci config space header and capabilities", "[devsim][pci]") {
    Dev d;
    auto &p = d.pci;
    CHECK(p.config_read32(0x00) == 0x00991b36u);
    CHECK((p.config_read32(0x08) >> 8) == 0xff0000u);
    CHECK((p.config_read32(0x04) >> 16 & 0x10) == 0x10);  // capabilities list
    CHECK((p.config_read32(0x34) & 0xff) == kPcieCap);
    uint32_t cap = p.config_read32(kPcieCap);
    CHECK((cap & 0xff) == 0x10);
    CHECK((cap >> 16 & 0xf) == 2);         // PCIe capability version 2
    CHECK((cap >> 20 & 0xf) == 0);         // Endpoint
    uint32_t devcap = p.config_read32(kDevCap);
    CHECK((devcap & (1u << 28)) != 0);     // FLR
    CHECK((devcap & (1u << 30)) != 0);     // TEE-IO
    CHECK((p.config_read32(0x3c) >> 8 & 0xff) == 0);  // no INTx pin

    // extended capability chain: DSN -> DOE, then the end
    uint32_t h = p.config_read32(0x100);
    CHECK((h & 0xffff) == 0x0003);
    uint32_t next = h >> 20;
    REQUIRE(next == kDoeCap);
    h = p.config_read32(next);
    CHECK((h & 0xffff) == 0x002e);
    CHECK((h >> 20) == 0);
    uint64_t serial = p.config_read32(0x104) | uint64_t(p.config_read32(0x108)) << 32;
    CHECK(serial == p.serial());
    CHECK(serial != 0);

    // out of range: ~0, and writes are dropped
    uint8_t b[8];
    p.config_read(kConfigSize - 4, b);
    CHECK(b[4] == 0xff);
    CHECK(b[7] == 0xff);
    p.config_write(kConfigSize - 2, B({1, 2, 3, 4, 5, 6}));
    p.config_read(0xfffffff0u, b);
    CHECK(b[0] == 0xff);
}

TEST_CASE("devsim pci config space: read-only registers, BAR sizing, options", "[devsim][pci]") {
    Dev d;
    auto &p = d.pci;
    p.config_write32(0x00, 0x12345678);
    CHECK(p.config_read32(0x00) == 0x00991b36u);
    p.config_write32(kDevCap, 0);
    CHECK((p.config_read32(kDevCap) & (1u << 30)) != 0);
    p.config_write32(0x10, 0xffffffff);
    CHECK(p.config_read32(0x10) == ~(kBar0Size - 1));
    p.config_write32(0x10, 0xfebf0000);
    CHECK(p.config_read32(0x10) == 0xfebf0000u);
    // byte write to the command register
    p.config_write(0x04, B({0x06}));
    CHECK((p.config_read32(0x04) & 0xffff) == 0x0006);

    uint8_t bar[12];
    p.bar_read(0, bar);
    CHECK(bar[0] == 'S');
    CHECK(bar[3] == 'M');
    p.bar_write(8, B({0xaa, 0xbb, 0xcc, 0xdd}));
    p.bar_write(0, B({0, 0, 0, 0}));
    p.bar_read(0, bar);
    CHECK(bar[0] == 'S');
    CHECK(bar[8] == 0xaa);
    p.bar_write(kBar0Size - 1, B({1, 2, 3}));   // bounded
    p.bar_read(kBar0Size - 1, std::span(bar, 4));
    CHECK(bar[1] == 0xff);

    Responder r2{Config{}, tst::identity(Asym::EcdsaP256)};
    PciOptions o;
    o.vendor_id = 0x1234;
    o.tee_io = false;
    o.ide = true;
    PciDevice q(r2, o);
    CHECK((q.config_read32(0) & 0xffff) == 0x1234);
    CHECK((q.config_read32(kDevCap) & (1u << 30)) == 0);
    CHECK((q.config_read32(kDoeCap) >> 20) == kIdeCap);
    CHECK((q.config_read32(kIdeCap) & 0xffff) == 0x0030);
}

TEST_CASE("devsim pci DSN follows the identity", "[devsim][pci]") {
    Dev d;
    uint64_t before = d.pci.serial();
    d.rsp.swap_identity(make_identity(Asym::EcdsaP256, Hash::Sha256, 1, 777));
    CHECK(d.pci.serial() != before);
    CHECK((d.pci.config_read32(0x104) | uint64_t(d.pci.config_read32(0x108)) << 32) == d.pci.serial());
}

TEST_CASE("devsim pci DSN override: --serial, the serial fault, pci_get_dsn() byte order", "[devsim][pci]") {
    Responder r{Config{}, make_identity(Asym::EcdsaP256, Hash::Sha256, 1, 501)};
    PciOptions o;
    o.serial = 0x0123456789abcdefull;
    PciDevice p(r, o);
    // PCIe DSN capability: +4 Serial Number lower dword, +8 upper, little-endian bytes
    uint8_t raw[8];
    p.config_read(kDsnCap + 4, raw);
    CHECK(Bytes(raw, raw + 8) == B({0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01}));
    // drivers/pci/pci.c pci_get_dsn(): dword at +4 | (u64)dword at +8 << 32
    uint32_t lo = p.config_read32(kDsnCap + 4), hi = p.config_read32(kDsnCap + 8);
    CHECK((uint64_t(hi) << 32 | lo) == 0x0123456789abcdefull);
    // lspci -vv (ls-ecaps.c cap_dsn): the upper dword's bytes, then the lower's, MSB first
    char lspci[32];
    snprintf(lspci, sizeof lspci, "%02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x", hi >> 24, (hi >> 16) & 0xff,
             (hi >> 8) & 0xff, hi & 0xff, lo >> 24, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff);
    CHECK(std::string(lspci) == "01-23-45-67-89-ab-cd-ef");
    CHECK(p.serial() == 0x0123456789abcdefull);
    CHECK(p.serial_source() == std::string("option"));
    CHECK(p.status_json().find("\"serial\":\"0123456789abcdef\",\"serial_source\":\"option\"") != std::string::npos);
    p.config_write32(kDsnCap + 4, 0);   // read-only
    CHECK(p.serial() == 0x0123456789abcdefull);

    // another endpoint reports the first one's DSN: at once, across resets
    Dev d;
    uint64_t own = d.pci.serial();
    CHECK(d.pci.serial_source() == std::string("identity"));
    CHECK(own != p.serial());
    d.rsp.apply_fault("serial=0123456789abcdef");
    CHECK(d.pci.serial() == p.serial());
    CHECK((d.pci.config_read32(kDsnCap + 4) | uint64_t(d.pci.config_read32(kDsnCap + 8)) << 32) == p.serial());
    CHECK(d.pci.serial_source() == std::string("fault"));
    d.pci.reset(true);
    d.pci.reset(false);
    d.rsp.swap_identity(make_identity(Asym::EcdsaP256, Hash::Sha256, 1, 502));
    CHECK(d.pci.serial() == p.serial());
    d.rsp.apply_fault("serial=1");
    CHECK(d.pci.config_read32(kDsnCap + 4) == 1);
    CHECK(d.pci.config_read32(kDsnCap + 8) == 0);
    d.rsp.apply_fault("clear");                // back to the (new) identity's
    CHECK(d.pci.serial_source() == std::string("identity"));
    CHECK(d.pci.serial() != own);
    // the fault wins over --serial, clear goes back to --serial
    r.apply_fault("serial=fedcba9876543210");
    CHECK(p.config_read32(kDsnCap + 8) == 0xfedcba98u);
    r.apply_fault("clear");
    CHECK(p.serial() == 0x0123456789abcdefull);
}

TEST_CASE("devsim pci DOE discovery lists discovery, CMA and secured CMA", "[devsim][pci][doe]") {
    Config no_sessions;
    no_sessions.sessions = false;
    for (bool sessions : {true, false}) {
        CAPTURE(sessions);
        Dev d(sessions ? Config{} : no_sessions);
        CHECK(d.status() == 0);
        std::vector<std::pair<uint16_t, uint8_t>> found;
        uint8_t index = 0;
        for (int n = 0; n < 8; n++) {
            d.send(0x0001, 0, {index});
            auto r = d.recv();
            REQUIRE(r.size() == 3);
            CHECK(r[0] == 0x00000001u);
            CHECK(r[1] == 3u);
            found.emplace_back(uint16_t(r[2] & 0xffff), uint8_t(r[2] >> 16));
            index = uint8_t(r[2] >> 24);
            if (!index)
                break;
        }
        REQUIRE(found.size() == (sessions ? 3u : 2u));
        CHECK(found[0] == std::make_pair(uint16_t(1), uint8_t(0)));
        CHECK(found[1] == std::make_pair(uint16_t(1), uint8_t(1)));
        if (sessions)
            CHECK(found[2] == std::make_pair(uint16_t(1), uint8_t(2)));
        CHECK(d.status() == 0);
    }
    Dev d;
    // out-of-range index: Error, cleared by ABORT
    d.send(0x0001, 0, {5});
    CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
    d.abort();
    CHECK(d.status() == 0);
}

TEST_CASE("devsim pci DOE carries CMA/SPDM to the responder", "[devsim][pci][doe]") {
    Dev d;
    d.send(0x0001, 1, Dev::dwords(kGetVersion));
    CHECK((d.status() & doe_reg::STATUS_READY) != 0);
    CHECK((d.status() & doe_reg::STATUS_BUSY) == 0);
    // reads have no side effects
    CHECK(d.pci.config_read32(M + doe_reg::READ) == 0x00010001u);
    CHECK(d.pci.config_read32(M + doe_reg::READ) == 0x00010001u);
    auto r = d.recv();
    REQUIRE(r.size() >= 3);
    CHECK(r[0] == 0x00010001u);
    CHECK(r[1] == r.size());
    CHECK((r[2] & 0xffff) == 0x0410);   // SPDM 1.0 VERSION
    CHECK(d.status() == 0);
    CHECK(d.rsp.negotiated_version() == 0);
    CHECK(d.pci.cma_since_reset() == 1);
    // reading with nothing ready: 0, and a stray ack changes nothing
    CHECK(d.pci.config_read32(M + doe_reg::READ) == 0);
    d.pci.config_write32(M + doe_reg::READ, 0);
    CHECK(d.status() == 0);
    CHECK(d.pci.doe().stats().responses == 1);
}

TEST_CASE("devsim pci DOE malformed use by the guest", "[devsim][pci][doe]") {
    Dev d;
    SECTION("ABORT in the middle of an object returns to idle") {
        d.w(0x00010001);
        d.w(10);
        d.w(0x12345678);
        d.abort();
        CHECK(d.status() == 0);
        CHECK(d.pci.doe().pending_write_dwords() == 0);
        d.send(0x0001, 1, Dev::dwords(kGetVersion));   // the next object works
        CHECK(d.recv().size() >= 3);
    }
    SECTION("ABORT in the middle of reading a response") {
        d.send(0x0001, 1, Dev::dwords(kGetVersion));
        d.pci.config_write32(M + doe_reg::READ, 0);
        d.abort();
        CHECK(d.status() == 0);
        CHECK(d.pci.config_read32(M + doe_reg::READ) == 0);
    }
    SECTION("ABORT by a byte write, GO by a byte write") {
        d.w(0x00010001);
        d.pci.config_write(M + doe_reg::CTRL, B({0x01}));
        CHECK(d.pci.doe().pending_write_dwords() == 0);
        d.w(0x00010001);
        d.w(3);
        d.w(Dev::dwords(kGetVersion)[0]);
        d.pci.config_write(M + doe_reg::CTRL + 3, B({0x80}));
        CHECK((d.status() & doe_reg::STATUS_READY) != 0);
    }
    SECTION("more dwords than the header's Length: Error until ABORT") {
        d.w(0x00010001);
        d.w(3);
        d.w(1);
        d.w(2);
        CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
        d.go();   // ignored
        CHECK((d.status() & doe_reg::STATUS_READY) == 0);
        d.w(5);   // discarded
        CHECK(d.pci.doe().pending_write_dwords() == 0);
        d.abort();
        CHECK(d.status() == 0);
    }
    SECTION("fewer dwords than the header's Length") {
        d.w(0x00010001);
        d.w(5);
        d.w(1);
        d.go();
        CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
        CHECK(d.pci.doe().last_error().find("Length 5") != std::string::npos);
    }
    SECTION("GO with nothing or half a header") {
        d.go();
        CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
        d.abort();
        d.w(0x00010001);
        d.go();
        CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
    }
    SECTION("Length 1 is invalid") {
        d.w(0x00010001);
        d.w(1);
        d.go();
        CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
    }
    SECTION("oversized object: more than 2^18 dwords") {
        d.w(0x00010001);
        d.w(0);   // Length 0 = 2^18 dwords
        for (uint32_t i = 2; i < doe_reg::kMaxObjectDwords; i++)
            d.w(i);
        CHECK((d.status() & doe_reg::STATUS_ERROR) == 0);
        CHECK(d.pci.doe().pending_write_dwords() == doe_reg::kMaxObjectDwords);
        d.w(0xdead);   // one too many
        CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
        CHECK(d.pci.doe().pending_write_dwords() == 0);
        d.abort();
        CHECK(d.status() == 0);
    }
    SECTION("a maximum-length CMA object reaches the responder") {
        d.w(0x00010001);
        d.w(0);
        auto v = Dev::dwords(kGetVersion);
        d.w(v[0]);
        for (uint32_t i = 3; i < doe_reg::kMaxObjectDwords; i++)
            d.w(0);
        d.go();
        CHECK((d.status() & doe_reg::STATUS_ERROR) == 0);
        CHECK(d.recv().size() >= 3);
    }
    SECTION("unsupported protocols set Error") {
        Config no_sessions;
        no_sessions.sessions = false;
        Dev old(no_sessions);
        old.send(0x0001, 2, {0});   // secured CMA, with --no-sessions
        CHECK((old.status() & doe_reg::STATUS_ERROR) != 0);
        d.send(0x0001, 3, {0});
        CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
        d.abort();
        d.send(0x1234, 1, {0});
        CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
    }
    SECTION("sub-dword writes to the mailboxes are ignored") {
        d.pci.config_write(M + doe_reg::WRITE, B({1, 0}));
        CHECK(d.pci.doe().pending_write_dwords() == 0);
    }
    SECTION("a new request drops an unread response") {
        d.send(0x0001, 1, Dev::dwords(kGetVersion));
        d.send(0x0001, 0, {0});
        auto r = d.recv();
        REQUIRE(r.size() == 3);
        CHECK((r[0] >> 16) == 0);   // the discovery response
    }
    CHECK(d.status() != 0xffffffffu);
}

TEST_CASE("devsim pci DOE carries secured CMA (type 2) to the session", "[devsim][pci][doe][session]") {
    Dev d;
    sq::SessionRequester s(d.rsp);
    REQUIRE(s.establish());
    auto exchange = [&](const Bytes &rec) {
        d.send(0x0001, 2, Dev::dwords(rec));
        auto r = d.recv();
        REQUIRE(r.size() >= 2);
        uint8_t type = uint8_t(r[0] >> 16);
        Bytes payload;
        for (size_t i = 2; i < r.size(); i++)
            for (int k = 0; k < 4; k++)
                payload.push_back(uint8_t(r[i] >> (8 * k)));
        return std::make_pair(type, payload);
    };
    // HEARTBEAT: a 6 + 2 + 4 + 16 = 28-byte record, whole dwords already
    Bytes rec = devsim::sess::seal(s.ks.aead, true, s.ks.req_data, s.sid, Bytes{0x12, 0xE8, 0, 0});
    s.ks.req_data.seq++;
    auto [type, payload] = exchange(rec);
    CHECK(type == 2);
    payload.resize(6 + rq::le16(payload, 4));   // drop the DOE dword padding
    auto app = devsim::sess::open(s.ks.aead, true, s.ks.rsp_data, payload);
    REQUIRE(app);
    s.ks.rsp_data.seq++;
    CHECK(*app == Bytes{0x12, 0x68, 0, 0});
    // GET_MEASUREMENTS count: 4 bytes + 16 + 8: padded by the DOE to dwords
    rec = devsim::sess::seal(s.ks.aead, true, s.ks.req_data, s.sid, Bytes{0x12, 0xE0, 0, 0, 0});
    s.ks.req_data.seq++;
    auto [t2, p2] = exchange(rec);
    CHECK(t2 == 2);
    // an unknown session: a plain ERROR InvalidSession in a CMA (type 1) object
    rec[0] ^= 0xFF;
    auto [t3, p3] = exchange(rec);
    CHECK(t3 == 1);
    CHECK(p3[1] == 0x7F);
    CHECK(p3[2] == SPDM_ERR_INVALID_SESSION);
    CHECK(d.rsp.session_count() == 1);
    // FLR drops the session
    d.pci.reset(true);
    CHECK(d.rsp.session_count() == 0);
}

TEST_CASE("devsim pci DOE Busy while a delayed response is pending", "[devsim][pci][doe]") {
    Dev d;
    d.rsp.apply_fault("delay=100");
    d.send(0x0001, 1, Dev::dwords(kGetVersion));
    CHECK((d.status() & doe_reg::STATUS_BUSY) != 0);
    CHECK((d.status() & doe_reg::STATUS_READY) == 0);
    d.w(1);   // writing while Busy is an error
    CHECK((d.status() & doe_reg::STATUS_ERROR) != 0);
    d.abort();
    d.send(0x0001, 1, Dev::dwords(kGetVersion));
    d.now += std::chrono::milliseconds(100);
    CHECK(d.status() == doe_reg::STATUS_READY);
    CHECK(d.recv().size() >= 3);
}

TEST_CASE("devsim pci no-answer fault: no Data Object Ready", "[devsim][pci][doe]") {
    Dev d;
    d.rsp.apply_fault("no-answer=1");
    d.send(0x0001, 1, Dev::dwords(kGetVersion));
    CHECK(d.status() == 0);
    d.send(0x0001, 1, Dev::dwords(kGetVersion));
    CHECK(d.status() == doe_reg::STATUS_READY);
}

TEST_CASE("devsim pci FLR and reset drop DOE and SPDM state", "[devsim][pci]") {
    Dev d;
    auto v = Dev::dwords(kGetVersion);
    d.send(0x0001, 1, v);
    d.recv();
    // GET_CAPABILITIES 1.0 moves the responder past VERSION
    d.send(0x0001, 1, Dev::dwords(B({0x10, 0xE1, 0, 0})));
    d.recv();
    CHECK(d.rsp.negotiated_version() == 0x10);
    d.pci.config_write32(0x04, 0x0006);
    d.w(0x00010001);   // half an object in the mailbox
    // FLR: DevCtl bit 15, as pcie_flr() writes it
    uint32_t ctl = d.pci.config_read32(kDevCtl);
    d.pci.config_write(kDevCtl, B({uint8_t(ctl), uint8_t((ctl >> 8) | 0x80)}));
    CHECK(d.pci.flr_count() == 1);
    CHECK((d.pci.config_read32(kDevCtl) & 0x8000) == 0);
    CHECK(d.rsp.negotiated_version() == 0);
    CHECK(d.pci.doe().pending_write_dwords() == 0);
    CHECK((d.pci.config_read32(0x04) & 0xffff) == 0);   // command register cleared
    CHECK(d.pci.cma_since_reset() == 0);
    CHECK(d.pci.status_json().find("\"last_reset\":\"flr\",\"spdm_at_reset\":\"1.0\",\"spdm_after_reset\":\"\"") !=
          std::string::npos);
    d.send(0x0001, 1, v);
    d.pci.reset(false);
    CHECK(d.status() == 0);
    CHECK(d.pci.reset_count() == 1);

    Responder r2{Config{}, tst::identity(Asym::EcdsaP256)};
    PciOptions o;
    o.flr = false;
    PciDevice q(r2, o);
    q.config_write32(kDevCtl, 0x8000);
    CHECK(q.flr_count() == 0);
    CHECK((q.config_read32(kDevCap) & (1u << 28)) == 0);
}

// ---- vfio-user ----

namespace {

Bytes vmsg(uint16_t id, uint16_t cmd, const Bytes &body, uint32_t flags = 0) {
    Bytes m;
    auto a16 = [&](uint16_t v) { m.push_back(uint8_t(v)); m.push_back(uint8_t(v >> 8)); };
    auto a32 = [&](uint32_t v) { for (int i = 0; i < 4; i++) m.push_back(uint8_t(v >> (8 * i))); };
    a16(id);
    a16(cmd);
    a32(uint32_t(16 + body.size()));
    a32(flags);
    a32(0);
    m.insert(m.end(), body.begin(), body.end());
    return m;
}
Bytes le(uint64_t v, int n) {
    Bytes b;
    for (int i = 0; i < n; i++)
        b.push_back(i < 8 ? uint8_t(v >> (8 * i)) : 0);
    return b;
}
Bytes cat(std::initializer_list<Bytes> l) {
    Bytes o;
    for (auto &b : l)
        o.insert(o.end(), b.begin(), b.end());
    return o;
}
uint32_t g32(const Bytes &b, size_t o) { return b.at(o) | b.at(o + 1) << 8 | b.at(o + 2) << 16 | uint32_t(b.at(o + 3)) << 24; }
Bytes rw(uint32_t region, uint64_t off, uint32_t count, const Bytes &data = {}) {
    return cat({le(off, 8), le(region, 4), le(count, 4), data});
}

}  // namespace

TEST_CASE("devsim vfio-user messages", "[devsim][pci][vfio-user]") {
    Dev d;
    VfioUserServer s(d.pci, PciServerOptions{});
    SECTION("version with JSON capabilities") {
        Bytes caps = B({'{', '}', 0});
        Bytes r = s.handle_message(vmsg(7, vfu::VERSION, cat({le(0, 2), le(0, 2), caps})));
        REQUIRE(r.size() > 20);
        CHECK(r[0] == 7);
        CHECK(g32(r, 8) == vfu::FLAG_REPLY);
        CHECK(g32(r, 4) == r.size());
        std::string j(r.begin() + 20, r.end() - 1);
        CHECK(j.find("\"capabilities\"") != std::string::npos);
        CHECK(j.find("max_data_xfer_size") != std::string::npos);
        CHECK(r.back() == 0);
        Bytes bad = s.handle_message(vmsg(8, vfu::VERSION, cat({le(1, 2), le(0, 2), caps})));
        CHECK((g32(bad, 8) & vfu::FLAG_ERROR) != 0);
    }
    SECTION("device, region and irq info") {
        Bytes r = s.handle_message(vmsg(1, vfu::DEVICE_GET_INFO, le(0, 16)));
        REQUIRE(r.size() == 32);
        CHECK(g32(r, 20) == 3);    // RESET | PCI
        CHECK(g32(r, 24) >= 8);    // regions
        CHECK(g32(r, 28) >= 3);    // irq types
        r = s.handle_message(vmsg(2, vfu::DEVICE_GET_REGION_INFO, cat({le(32, 4), le(0, 4), le(7, 4), le(0, 20)})));
        REQUIRE(r.size() == 48);
        CHECK(g32(r, 24) == 7);
        CHECK(g32(r, 32) == kConfigSize);
        CHECK(g32(r, 20) == 3);
        r = s.handle_message(vmsg(3, vfu::DEVICE_GET_REGION_INFO, cat({le(32, 4), le(0, 4), le(1, 4), le(0, 20)})));
        CHECK(g32(r, 32) == 0);    // BAR1: none
        r = s.handle_message(vmsg(3, vfu::DEVICE_GET_REGION_INFO, cat({le(32, 4), le(0, 4), le(99, 4), le(0, 20)})));
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        r = s.handle_message(vmsg(3, vfu::DEVICE_GET_REGION_INFO, le(0, 4)));   // truncated
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        r = s.handle_message(vmsg(4, vfu::DEVICE_GET_IRQ_INFO, cat({le(16, 4), le(0, 4), le(2, 4), le(0, 4)})));
        REQUIRE(r.size() == 32);
        CHECK(g32(r, 24) == 2);
        CHECK(g32(r, 28) == 0);    // no MSI-X vectors
        r = s.handle_message(vmsg(4, vfu::DEVICE_GET_IRQ_INFO, cat({le(16, 4), le(0, 4), le(9, 4), le(0, 4)})));
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
    }
    SECTION("DMA map/unmap are accepted") {
        Bytes r = s.handle_message(vmsg(5, vfu::DMA_MAP, cat({le(32, 4), le(3, 4), le(0, 8), le(0, 8), le(1 << 20, 8)})));
        CHECK(r.size() == 16);
        CHECK(g32(r, 8) == vfu::FLAG_REPLY);
        r = s.handle_message(vmsg(6, vfu::DMA_UNMAP, cat({le(24, 4), le(0, 4), le(0, 8), le(1 << 20, 8)})));
        CHECK(r.size() == 40);
    }
    SECTION("config space and BAR reads and writes, bounded") {
        Bytes r = s.handle_message(vmsg(9, vfu::REGION_READ, rw(7, 0, 4096)));
        REQUIRE(r.size() == 16 + 16 + 4096);
        CHECK(g32(r, 32) == 0x00991b36u);
        r = s.handle_message(vmsg(9, vfu::REGION_READ, rw(7, 4094, 4)));
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        r = s.handle_message(vmsg(9, vfu::REGION_READ, rw(7, ~0ull - 1, 4)));
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        r = s.handle_message(vmsg(9, vfu::REGION_READ, rw(1, 0, 4)));
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        r = s.handle_message(vmsg(9, vfu::REGION_READ, rw(7, 0, 0xffffffffu)));
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        r = s.handle_message(vmsg(9, vfu::REGION_READ, rw(0, 0, 4)));
        CHECK(g32(r, 32) == 0x4d445053u);
        // write with a count larger than its data
        r = s.handle_message(vmsg(10, vfu::REGION_WRITE, rw(7, 4, 64, le(6, 2))));
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        r = s.handle_message(vmsg(10, vfu::REGION_WRITE, rw(7, 4, 2, le(6, 2))));
        CHECK(r.size() == 32);
        CHECK((d.pci.config_read32(4) & 0xffff) == 6);
        // posted write: no reply
        r = s.handle_message(vmsg(11, vfu::REGION_WRITE, rw(0, 8, 4, le(0x55, 4)), vfu::FLAG_NO_REPLY));
        CHECK(r.empty());
        // DOE through REGION_WRITE/READ
        auto v = Dev::dwords(kGetVersion);
        for (uint32_t dw : {0x00010001u, 3u, v[0]})
            s.handle_message(vmsg(12, vfu::REGION_WRITE, rw(7, M + doe_reg::WRITE, 4, le(dw, 4))));
        s.handle_message(vmsg(13, vfu::REGION_WRITE, rw(7, M + doe_reg::CTRL, 4, le(doe_reg::CTRL_GO, 4))));
        r = s.handle_message(vmsg(14, vfu::REGION_READ, rw(7, M + doe_reg::STATUS, 4)));
        CHECK(g32(r, 32) == doe_reg::STATUS_READY);
    }
    SECTION("write-multi, reset, unknown and malformed commands") {
        Bytes one = cat({le(8, 8), le(0, 4), le(4, 4), le(0x77, 8)});
        Bytes r = s.handle_message(vmsg(20, vfu::REGION_WRITE_MULTI, cat({le(1, 8), one})));
        CHECK(r.size() == 16);
        uint8_t b[4];
        d.pci.bar_read(8, b);
        CHECK(b[0] == 0x77);
        r = s.handle_message(vmsg(21, vfu::REGION_WRITE_MULTI, cat({le(5, 8), one})));   // count > data
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        r = s.handle_message(vmsg(22, vfu::DEVICE_RESET, {}));
        CHECK(r.size() == 16);
        CHECK(d.pci.reset_count() == 1);
        r = s.handle_message(vmsg(23, 99, {}));
        CHECK((g32(r, 8) & vfu::FLAG_ERROR) != 0);
        CHECK(s.handle_message(vmsg(24, vfu::REGION_READ, {}, vfu::FLAG_REPLY)).empty());
        CHECK(s.handle_message(B({1, 2, 3})).empty());
    }
    SECTION("control commands") {
        CHECK(s.control("status").find("\"pci\":{\"vendor\":\"1b36\"") != std::string::npos);
        CHECK(s.control("pci-reset") == "ok");
        CHECK(d.pci.reset_count() == 1);
        CHECK(s.control("fault busy=1") == "ok");
        CHECK(s.control("bogus").starts_with("error:"));
        CHECK(s.control("fault serial=00000000000000ab") == "ok");
        CHECK(s.control("status").find("\"serial\":\"00000000000000ab\",\"serial_source\":\"fault\"") !=
              std::string::npos);
        CHECK(s.control("fault serial=zz") ==
              "error: bad fault 'serial=zz': expected serial=HEX with 1..16 hex digits (e.g. serial=0123456789abcdef)");
        CHECK(s.control("clear") == "ok");
        CHECK(s.control("status").find("\"serial_source\":\"identity\"") != std::string::npos);
    }
}

TEST_CASE("devsim vfio-user over a unix socket", "[devsim][pci][vfio-user]") {
    Dev d;
    auto dir = std::filesystem::temp_directory_path() / ("devsim-vfu-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    PciServerOptions o;
    o.socket_path = (dir / "s.sock").string();
    o.ctl_path = (dir / "ctl").string();
    VfioUserServer s(d.pci, o);
    std::thread t([&] { s.run(); });
    struct Stop {
        VfioUserServer &s;
        std::thread &t;
        ~Stop() { s.stop(); t.join(); }
    } stop{s, t};

    auto connect_unix = [](const std::string &p) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un u{};
        u.sun_family = AF_UNIX;
        strcpy(u.sun_path, p.c_str());
        REQUIRE(connect(fd, reinterpret_cast<sockaddr *>(&u), sizeof u) == 0);
        timeval tv{10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        return fd;
    };
    auto xfer = [](int fd, const Bytes &m) {
        REQUIRE(send(fd, m.data(), m.size(), 0) == ssize_t(m.size()));
        uint8_t h[16];
        REQUIRE(recv(fd, h, 16, MSG_WAITALL) == 16);
        Bytes r(h, h + 16);
        r.resize(g32(r, 4));
        if (r.size() > 16)
            REQUIRE(recv(fd, r.data() + 16, r.size() - 16, MSG_WAITALL) == ssize_t(r.size() - 16));
        return r;
    };
    for (int round = 0; round < 2; round++) {   // a second client after the first left
        int fd = connect_unix(o.socket_path);
        Bytes r = xfer(fd, vmsg(1, vfu::VERSION, cat({le(0, 4), B({'{', '}', 0})})));
        CHECK(g32(r, 8) == vfu::FLAG_REPLY);
        // a DMA_MAP carrying a file descriptor: accepted, the fd is closed
        int pfd[2];
        REQUIRE(pipe(pfd) == 0);
        Bytes m = vmsg(2, vfu::DMA_MAP, cat({le(32, 4), le(3, 4), le(0, 8), le(0, 8), le(4096, 8)}));
        iovec iov{m.data(), m.size()};
        alignas(cmsghdr) char cb[CMSG_SPACE(sizeof(int))];
        msghdr mh{};
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cb;
        mh.msg_controllen = sizeof cb;
        cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &pfd[0], sizeof(int));
        REQUIRE(sendmsg(fd, &mh, 0) == ssize_t(m.size()));
        close(pfd[0]);
        uint8_t h[16];
        REQUIRE(recv(fd, h, 16, MSG_WAITALL) == 16);
        // the server closed its copy: the pipe has no reader left
        signal(SIGPIPE, SIG_IGN);
        CHECK(write(pfd[1], "x", 1) == -1);
        close(pfd[1]);
        r = xfer(fd, vmsg(3, vfu::REGION_READ, rw(7, 0, 4)));
        CHECK(g32(r, 32) == 0x00991b36u);
        close(fd);
    }
    // a header announcing a huge message: the connection is dropped, the server lives on
    int fd = connect_unix(o.socket_path);
    Bytes bad = vmsg(1, vfu::REGION_WRITE, {});
    bad[4] = 0xff; bad[5] = 0xff; bad[6] = 0xff; bad[7] = 0x7f;
    REQUIRE(send(fd, bad.data(), bad.size(), 0) == ssize_t(bad.size()));
    char ch;
    CHECK(recv(fd, &ch, 1, 0) == 0);
    close(fd);
    CHECK(ctl_request(o.ctl_path, "status").find("\"resets\":3") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("devsim pci random guest accesses never break the model", "[devsim][pci][vfio-user]") {
    Dev d;
    VfioUserServer s(d.pci, PciServerOptions{});
    uint64_t x = 0x9E3779B97F4A7C15ull;
    auto rnd = [&x] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
    const uint32_t interesting[] = {0, 4, 0x40, kDevCtl, 0x100, M, M + 4, M + 8, M + 12, M + 16, M + 20, M + 22,
                                    kConfigSize - 2, kConfigSize, 0xfffffffcu};
    for (int it = 0; it < 20000; it++) {
        uint32_t off = rnd() % 3 ? interesting[rnd() % std::size(interesting)] + uint32_t(rnd() % 5) - 2
                                 : uint32_t(rnd());
        Bytes data(rnd() % 9);
        for (auto &b : data)
            b = uint8_t(rnd());
        switch (rnd() % 6) {
        case 0: d.pci.config_write(off, data); break;
        case 1: d.pci.config_read(off, std::span(data)); break;
        case 2: d.pci.config_write32(M + 16, uint32_t(rnd() % 4 ? (rnd() % 2 ? 0x00010001u : 3u) : rnd())); break;
        case 3: d.pci.config_write32(M + 8, rnd() % 2 ? doe_reg::CTRL_GO : uint32_t(rnd())); break;
        case 4: {
            Bytes body(rnd() % 48);
            for (auto &b : body)
                b = uint8_t(rnd());
            Bytes m = vmsg(uint16_t(it), uint16_t(rnd() % 17), body, uint32_t(rnd() % 3 ? 0 : rnd()));
            Bytes r = s.handle_message(m);
            if (!r.empty())
                CHECK(g32(r, 4) == r.size());
            break;
        }
        default:
            if (rnd() % 50 == 0)
                d.pci.reset(rnd() % 2);
            else
                d.pci.config_write32(M + 20, 0);
        }
        uint32_t st = d.pci.config_read32(M + 12);
        REQUIRE((st & ~(doe_reg::STATUS_BUSY | doe_reg::STATUS_ERROR | doe_reg::STATUS_READY)) == 0);
        REQUIRE(d.pci.doe().pending_write_dwords() <= doe_reg::kMaxObjectDwords);
    }
    // still a working device afterwards
    d.abort();
    d.send(0x0001, 0, {0});
    CHECK(d.recv().size() == 3);
    CHECK((d.pci.config_read32(0) & 0xffff) == 0x1b36);
}

TEST_CASE("devsim CLI: serve-pci help, usage errors, a client, ctl and SIGTERM", "[devsim][pci][cli]") {
    std::string bin = DEVSIM_BINARY;
    auto run = [](const std::string &cmd) {
        FILE *f = popen((cmd + " 2>&1").c_str(), "r");
        std::string out;
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            out.append(buf, n);
        int st = pclose(f);
        return std::make_pair(WIFEXITED(st) ? WEXITSTATUS(st) : -1, out);
    };
    auto [hs, help] = run(bin + " serve-pci --help");
    CHECK(hs == 0);
    for (const char *flag : {"--socket", "--vendor-id", "--device-id", "--class", "--no-tee-io", "--no-flr", "--ide",
                             "--identity", "--ctl", "--fault", "pci-reset", "vfio-user-pci", "--serial", "01-23-45-67-89-ab-cd-ef"})
        CHECK(help.find(flag) != std::string::npos);
    CHECK(run(bin + " --help").second.find("serve-pci") != std::string::npos);
    CHECK(run(bin + " serve-pci").first == 2);
    CHECK(run(bin + " serve-pci --socket /tmp/x --bogus").first == 2);
    CHECK(run(bin + " serve-pci --socket /tmp/x --vendor-id zz").first == 2);
    auto [bs, badserial] = run(bin + " serve-pci --socket /tmp/x --serial 0123456789abcdef0");
    CHECK(bs == 2);
    CHECK(badserial.find("--serial: bad serial number '0123456789abcdef0'") != std::string::npos);
    CHECK(run(bin + " serve-pci --socket /tmp/x --fault serial=g").first == 2);

    auto dir = std::filesystem::temp_directory_path() / ("devsim-cli-pci-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string sock = (dir / "pci.sock").string(), ctl = (dir / "ctl").string(), log = (dir / "log").string();
    pid_t pid = fork();
    if (pid == 0) {
        FILE *l = freopen(log.c_str(), "w", stderr);
        (void)l;
        execl(bin.c_str(), bin.c_str(), "serve-pci", "--socket", sock.c_str(), "--ctl", ctl.c_str(), "--asym",
              "ecdsa-p256", "--device-id", "00aa", "--serial", "0123456789abcdef", "-v", nullptr);
        _exit(127);
    }
    for (int i = 0; i < 300 && !(std::filesystem::exists(sock) && std::filesystem::exists(ctl)); i++)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(std::filesystem::exists(sock));
    {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un u{};
        u.sun_family = AF_UNIX;
        strcpy(u.sun_path, sock.c_str());
        REQUIRE(connect(fd, reinterpret_cast<sockaddr *>(&u), sizeof u) == 0);
        timeval tv{10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        Bytes m = vmsg(1, vfu::REGION_READ, rw(7, 0, 4));
        REQUIRE(send(fd, m.data(), m.size(), 0) == ssize_t(m.size()));
        uint8_t r[36];
        REQUIRE(recv(fd, r, sizeof r, MSG_WAITALL) == ssize_t(sizeof r));
        CHECK(g32(Bytes(r, r + 36), 32) == 0x00aa1b36u);
        close(fd);
    }
    auto [cs, status] = run(bin + " ctl " + ctl + " status");
    CHECK(cs == 0);
    CHECK(status.find("\"device\":\"00aa\"") != std::string::npos);
    CHECK(status.find("\"serial\":\"0123456789abcdef\",\"serial_source\":\"option\"") != std::string::npos);
    CHECK(run(bin + " ctl " + ctl + " fault serial=42").first == 0);
    CHECK(run(bin + " ctl " + ctl + " status").second.find("\"serial\":\"0000000000000042\"") != std::string::npos);
    auto [es, err] = run(bin + " ctl " + ctl + " fault serial=nothex");
    CHECK(es == 1);
    CHECK(err.starts_with("error: bad fault 'serial=nothex'"));
    CHECK(run(bin + " ctl " + ctl + " pci-reset").first == 0);
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    CHECK_FALSE(std::filesystem::exists(sock));
    CHECK_FALSE(std::filesystem::exists(ctl));
    std::ifstream lf(log);
    std::string logtext((std::istreambuf_iterator<char>(lf)), {});
    CHECK(logtext.find("spdm-devsim: vfio-user on " + sock + " device 1b36:00aa class ff0000 serial 0123456789abcdef (option)") !=
          std::string::npos);
    std::filesystem::remove_all(dir);
}
