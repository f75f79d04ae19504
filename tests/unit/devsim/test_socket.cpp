// SPDX-License-Identifier: GPL-2.0
// spdm-socket framing with DOE objects, control socket, trace, CLI.
#include "common.hpp"
#include "session_requester.hpp"

#include <devsim/transport.hpp>

#include <catch2/catch_test_macros.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace devsim;
using tst::B;

namespace {

struct Client {
    int fd = -1;
    explicit Client(uint16_t port) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        if (connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0)
            throw std::runtime_error("connect");
        timeval tv{10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~Client() { close(fd); }
    void send_raw(const Bytes &b) { REQUIRE(send(fd, b.data(), b.size(), 0) == ssize_t(b.size())); }
    // returns (command, transport, payload)
    std::tuple<uint32_t, uint32_t, Bytes> recv_frame() {
        uint8_t h[12];
        if (recv(fd, h, 12, MSG_WAITALL) != 12)
            throw std::runtime_error("short frame header");
        auto be = [&](int o) { return uint32_t(h[o]) << 24 | h[o + 1] << 16 | h[o + 2] << 8 | h[o + 3]; };
        Bytes p(be(8));
        if (!p.empty() && recv(fd, p.data(), p.size(), MSG_WAITALL) != ssize_t(p.size()))
            throw std::runtime_error("short payload");
        return {be(0), be(4), p};
    }
    Bytes doe(const Bytes &spdm) {
        send_raw(socket_frame(sock::CMD_NORMAL, sock::TRANSPORT_PCI_DOE, doe_wrap(spdm)));
        auto [cmd, tr, p] = recv_frame();
        REQUIRE(cmd == sock::CMD_NORMAL);
        REQUIRE(tr == sock::TRANSPORT_PCI_DOE);
        return p;
    }
};

struct RunningServer {
    Responder r;
    Server s;
    std::thread t;
    RunningServer(ServerOptions o) : r(Config{}, tst::identity(Asym::EcdsaP256)), s(r, std::move(o)) {
        t = std::thread([this] { s.run(); });
    }
    ~RunningServer() {
        s.stop();
        t.join();
    }
};

std::string tmp(const std::string &name) {
    return std::filesystem::temp_directory_path() / ("devsim-" + std::to_string(getpid()) + "-" + name);
}

}  // namespace

TEST_CASE("devsim DOE object wrapping", "[devsim][socket]") {
    Bytes o = doe_wrap(B({0x10, 0x84, 0, 0, 0xAA}));
    CHECK(o == B({0x01, 0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0x10, 0x84, 0, 0, 0xAA, 0, 0, 0}));
    auto u = doe_unwrap(o);
    REQUIRE(u);
    CHECK(u->vendor == 1);
    CHECK(u->type == 1);
    CHECK(u->payload.size() == 8);
    CHECK_FALSE(doe_unwrap(B({0x01, 0, 1, 0, 5, 0, 0, 0})));  // length disagrees
    CHECK(socket_frame(0xDEAD, 2, B({7})) == B({0, 0, 0xDE, 0xAD, 0, 0, 0, 2, 0, 0, 0, 1, 7}));
}

TEST_CASE("devsim socket: GET_VERSION over spdm-socket with DOE", "[devsim][socket]") {
    std::string pf = tmp("port"), tr = tmp("trace.jsonl");
    ServerOptions o;
    o.port = 0;
    o.port_file = pf;
    o.trace_path = tr;
    RunningServer srv(o);
    REQUIRE(srv.s.port() != 0);
    {
        std::ifstream f(pf);
        std::string line;
        REQUIRE(std::getline(f, line));
        CHECK(line == std::to_string(srv.s.port()));
    }
    {
        Client c(srv.s.port());
        // TEST command, as spdm-emu clients say hello
        const char hello[] = "Client Hello!";
        c.send_raw(socket_frame(sock::CMD_TEST, sock::TRANSPORT_PCI_DOE,
                                Bytes(hello, hello + sizeof hello)));
        auto [cmd, trn, p] = c.recv_frame();
        CHECK(cmd == sock::CMD_TEST);
        CHECK(std::string(p.begin(), p.end()) == std::string("Server Hello!", sizeof "Server Hello!"));
        Bytes rsp = c.doe(B({0x10, 0x84, 0, 0}));
        // DOE header: vendor 0x0001, type 1, length in dwords incl. header; padded
        REQUIRE(rsp.size() == 8 + 16);
        CHECK(rsp[0] == 0x01);
        CHECK(rsp[1] == 0x00);
        CHECK(rsp[2] == 0x01);
        CHECK(rsp[4] == 6);
        CHECK(rsp[8] == 0x10);
        CHECK(rsp[9] == 0x04);
        CHECK(rsp[13] == 5);                       // five versions: 16 bytes, no padding
        CHECK(rsp[22] == 0);
        CHECK(rsp[23] == 0x14);                    // the last entry, 1.4
        // a full negotiation and a signed measurement through the socket
        Bytes caps = c.doe(B({0x12, 0xE1, 0, 0, 0, 10, 0, 0, 6, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0}));
        CHECK(caps[9] == 0x61);
        // a DOE object of an unknown protocol gets an empty reply
        Bytes bad = doe_wrap(B({1, 2, 3, 4}), 5);
        c.send_raw(socket_frame(sock::CMD_NORMAL, sock::TRANSPORT_PCI_DOE, bad));
        auto [c2, t2, p2] = c.recv_frame();
        CHECK(p2.empty());
        c.send_raw(socket_frame(sock::CMD_CONTINUE, sock::TRANSPORT_PCI_DOE, {}));
        auto [c3, t3, p3] = c.recv_frame();
        CHECK(c3 == sock::CMD_CONTINUE);
        CHECK(p3.empty());
    }
    // the next connection is served as well (state was reset)
    Client c(srv.s.port());
    Bytes e = c.doe(B({0x12, 0x81, 0, 0}));
    CHECK(e[9] == 0x7F);
    CHECK(e[10] == SPDM_ERR_UNEXPECTED_REQUEST);
    std::ifstream f(tr);
    std::string line;
    int n = 0;
    bool saw = false;
    while (std::getline(f, line)) {
        n++;
        CHECK(line.front() == '{');
        CHECK(line.back() == '}');
        if (line.find("\"req_name\":\"GET_VERSION\"") != std::string::npos &&
            line.find("\"rsp_name\":\"VERSION\"") != std::string::npos)
            saw = true;
    }
    CHECK(n == 3);
    CHECK(saw);
    std::filesystem::remove(pf);
    std::filesystem::remove(tr);
}

TEST_CASE("devsim socket: DOE Discovery, the socket commands and transports as spdm-emu defines them",
          "[devsim][socket]") {
    Responder r(Config{}, tst::identity(Asym::EcdsaP256));
    ServerOptions o;
    o.port = 0;
    Server s(r, o);
    std::thread t([&] { s.run(); });
    struct Join {
        Server &s;
        std::thread &t;
        ~Join() {
            s.stop();
            t.join();
        }
    } join{s, t};
    Client c(s.port());
    auto discover = [&](uint8_t index, Bytes extra = {}) {
        Bytes payload{index, 0, 0, 0};
        payload.insert(payload.end(), extra.begin(), extra.end());
        c.send_raw(socket_frame(sock::CMD_NORMAL, sock::TRANSPORT_PCI_DOE, doe_wrap(payload, doe::TYPE_DISCOVERY)));
        auto [cmd, tr, p] = c.recv_frame();
        CHECK(cmd == sock::CMD_NORMAL);
        CHECK(tr == sock::TRANSPORT_PCI_DOE);
        return p;
    };
    // index 0, 1, 2: discovery, CMA, secured CMA; Next Index 0 after the last
    CHECK(discover(0) == B({0x01, 0x00, 0x00, 0x00, 0x03, 0, 0, 0, 0x01, 0x00, 0x00, 0x01}));
    CHECK(discover(1) == B({0x01, 0x00, 0x00, 0x00, 0x03, 0, 0, 0, 0x01, 0x00, 0x01, 0x02}));
    CHECK(discover(2) == B({0x01, 0x00, 0x00, 0x00, 0x03, 0, 0, 0, 0x01, 0x00, 0x02, 0x00}));
    CHECK(discover(3).empty());  // out of range
    // a requester walking the list as a DOE requester does, then SPDM
    std::vector<uint8_t> types;
    for (uint8_t i = 0, guard = 0; guard < 8; guard++) {
        Bytes d = discover(i);
        REQUIRE(d.size() == 12);
        types.push_back(d[10]);
        i = d[11];
        if (!i)
            break;
    }
    CHECK(types == std::vector<uint8_t>{0, 1, 2});
    CHECK(c.doe(B({0x10, 0x84, 0, 0}))[9] == 0x04);
    // a bare SPDM message with transport NONE, as spdm-emu's raw transport
    c.send_raw(socket_frame(sock::CMD_NORMAL, sock::TRANSPORT_NONE, B({0x10, 0x84, 0, 0})));
    {
        auto [cmd, tr, p] = c.recv_frame();
        CHECK(tr == sock::TRANSPORT_NONE);
        REQUIRE(p.size() >= 6);
        CHECK(p[1] == 0x04);
    }
    // transports devsim does not speak (MCTP, TCP): an empty reply
    for (uint32_t tr : {sock::TRANSPORT_MCTP, sock::TRANSPORT_TCP}) {
        c.send_raw(socket_frame(sock::CMD_NORMAL, tr, B({0x05, 0x10, 0x84, 0, 0})));
        auto [cmd, t2, p] = c.recv_frame();
        CHECK(cmd == sock::CMD_NORMAL);
        CHECK(p.empty());
    }
    // unknown commands (and the session-only OOB key update) get UNKNOWN
    for (uint32_t cmd : {0x1234u, sock::CMD_OOB_ENCAP_KEY_UPDATE}) {
        c.send_raw(socket_frame(cmd, sock::TRANSPORT_PCI_DOE, {}));
        auto [rc, t2, p] = c.recv_frame();
        CHECK(rc == sock::CMD_UNKNOWN);
    }
    // SHUTDOWN: answered, then the connection and the server end
    c.send_raw(socket_frame(sock::CMD_SHUTDOWN, sock::TRANSPORT_PCI_DOE, {}));
    auto [rc, t2, p] = c.recv_frame();
    CHECK(rc == sock::CMD_SHUTDOWN);
    uint8_t b;
    CHECK(recv(c.fd, &b, 1, 0) == 0);  // EOF
    t.join();                           // run() returned by itself
    t = std::thread([] {});
}

TEST_CASE("devsim socket: secured CMA objects reach the session", "[devsim][socket][session]") {
    Responder r(Config{}, tst::identity(Asym::EcdsaP256));
    // the handshake in-process, before the server runs
    sq::SessionRequester q(r);
    REQUIRE(q.establish());
    ServerOptions o;
    o.port = 0;
    Server s(r, o);
    std::thread t([&] { s.run(); });
    struct Join {
        Server &s;
        std::thread &t;
        ~Join() {
            s.stop();
            t.join();
        }
    } join{s, t};
    Client c(s.port());
    auto exchange = [&](const Bytes &rec) {
        c.send_raw(socket_frame(sock::CMD_NORMAL, sock::TRANSPORT_PCI_DOE, doe_wrap(rec, doe::TYPE_SECURED_CMA)));
        auto [cmd, tr, p] = c.recv_frame();
        CHECK(cmd == sock::CMD_NORMAL);
        return p;
    };
    Bytes rec = devsim::sess::seal(q.ks.aead, true, q.ks.req_data, q.sid, Bytes{0x12, 0xE8, 0, 0});
    q.ks.req_data.seq++;
    Bytes p = exchange(rec);
    REQUIRE(p.size() > 8 + 6);
    CHECK(p[2] == doe::TYPE_SECURED_CMA);
    Bytes body(p.begin() + 8, p.end());
    body.resize(6 + rq::le16(body, 4));
    auto app = devsim::sess::open(q.ks.aead, true, q.ks.rsp_data, body);
    REQUIRE(app);
    CHECK(*app == Bytes{0x12, 0x68, 0, 0});
    // a session devsim does not know: plain InvalidSession in a CMA object
    rec[2] ^= 0xFF;
    p = exchange(rec);
    REQUIRE(p.size() >= 12);
    CHECK(p[2] == doe::TYPE_CMA);
    CHECK(p[9] == 0x7F);
    CHECK(p[10] == SPDM_ERR_INVALID_SESSION);
}

TEST_CASE("devsim socket: the control socket answers while a frame is half received or a reply is delayed",
          "[devsim][socket][bounds]") {
    using namespace std::chrono;
    std::string ctl = tmp("busy.ctl");
    ServerOptions o;
    o.port = 0;
    o.ctl_path = ctl;
    RunningServer srv(o);
    Client c(srv.s.port());
    auto status_async = [&] { return std::async(std::launch::async, [&] { return ctl_request(ctl, "status"); }); };
    SECTION("a large frame arriving slowly") {
        Bytes big = socket_frame(sock::CMD_NORMAL, sock::TRANSPORT_PCI_DOE, doe_wrap(Bytes(600000, 0)));
        c.send_raw(Bytes(big.begin(), big.begin() + 1012));
        std::this_thread::sleep_for(milliseconds(100));
        auto f = status_async();
        CHECK(f.wait_for(seconds(3)) == std::future_status::ready);
        c.send_raw(Bytes(big.begin() + 1012, big.end()));
        auto [cmd, tr, p] = c.recv_frame();
        CHECK(cmd == sock::CMD_NORMAL);
        auto o2 = doe_unwrap(p);
        REQUIRE(o2);
        CHECK(o2->payload[1] == 0x7F);  // ERROR InvalidRequest: not SPDM
        CHECK(f.get().rfind("ok ", 0) == 0);
    }
    SECTION("a reply held back by delay=MS") {
        REQUIRE(ctl_request(ctl, "fault delay=1500") == "ok");
        auto t0 = steady_clock::now();
        c.send_raw(socket_frame(sock::CMD_NORMAL, sock::TRANSPORT_PCI_DOE, doe_wrap(B({0x10, 0x84, 0, 0}))));
        std::this_thread::sleep_for(milliseconds(100));
        auto f = status_async();
        CHECK(f.wait_for(milliseconds(1000)) == std::future_status::ready);
        auto [cmd, tr, p] = c.recv_frame();
        CHECK(duration_cast<milliseconds>(steady_clock::now() - t0).count() >= 1500);
        CHECK(p[9] == 0x04);
        CHECK(f.get().rfind("ok ", 0) == 0);
    }
}

TEST_CASE("devsim socket: control socket with delay and no-answer faults", "[devsim][socket]") {
    std::string ctl = tmp("ctl");
    ServerOptions o;
    o.port = 0;
    o.ctl_path = ctl;
    RunningServer srv(o);
    Client c(srv.s.port());
    CHECK(ctl_request(ctl, "fault busy=1") == "ok");
    Bytes e = c.doe(B({0x10, 0x84, 0, 0}));
    CHECK(e[10] == SPDM_ERR_BUSY);
    CHECK(c.doe(B({0x10, 0x84, 0, 0}))[9] == 0x04);
    CHECK(ctl_request(ctl, "fault delay=150") == "ok");
    auto t0 = std::chrono::steady_clock::now();
    c.doe(B({0x10, 0x84, 0, 0}));
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(150));
    CHECK(ctl_request(ctl, "clear") == "ok");
    CHECK(ctl_request(ctl, "fault no-answer") == "ok");
    CHECK(c.doe(B({0x10, 0x84, 0, 0})).empty());
    CHECK(ctl_request(ctl, "measurement 3 0102") == "ok");
    std::string st = ctl_request(ctl, "status");
    CHECK(st.starts_with("ok {"));
    CHECK(st.find("\"3\":\"0102\"") != std::string::npos);
    CHECK(ctl_request(ctl, "fault nonsense").starts_with("error:"));
    CHECK(ctl_request(ctl, "bogus").starts_with("error:"));
    CHECK(ctl_request(ctl, "swap-identity 99") == "ok");
    CHECK(srv.r.identity().seed == 99);
    CHECK(ctl_request(ctl, "reset") == "ok");
}

namespace {
struct Proc {
    int status = -1;
    std::string out;
};
Proc run(const std::string &cmd) {
    Proc p;
    FILE *f = popen((cmd + " 2>&1").c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        p.out.append(buf, n);
    int st = pclose(f);
    p.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return p;
}
}  // namespace

TEST_CASE("devsim CLI: help documents every flag and bad flags exit 2", "[devsim][cli]") {
    std::string bin = DEVSIM_BINARY;
    Proc h = run(bin + " serve --help");
    CHECK(h.status == 0);
    for (const char *flag : {"--port", "--port-file", "--identity", "--asym", "--hash", "--slots", "--seed",
                             "--version", "--max-chunk", "--ctl", "--fault", "-v", "--trace", "--transport-cap",
                             "bad-signature", "swap-identity", "measurement=IDX:HEX", "reset", "delay=MS",
                             "no-answer", "truncate", "oversize", "garbage", "wrong-version", "busy",
                             "chain-overlong", "ecdsa-p521", "rsa-4096", "sha512", "offer-versions=LIST",
                             "offer-hash=LIST", "offer-asym=LIST", "cert-portion=N", "cert-stall[=N]",
                             "cert-remainder-lie[=N]", "serial=HEX", "--no-sessions", "--handshake-in-clear", "--session-mac-only",
                             "--heartbeat-period", "--max-sessions", "bad-verify-data", "bad-kex-signature",
                             "bad-tag", "wrong-session-id", "replay-seq", "no-heartbeat", "no-key-update", "session-drop"})
        CHECK(h.out.find(flag) != std::string::npos);
    CHECK(run(bin + " serve-pci --help").out.find("--no-sessions") != std::string::npos);
    CHECK(run(bin + " serve --port 0 --max-sessions 0").status == 2);
    CHECK(run(bin + " serve --port 0 --heartbeat-period 256").status == 2);
    CHECK(run(bin + " --help").status == 0);
    CHECK(run(bin + " keygen --help").out.find("--slots") != std::string::npos);
    CHECK(run(bin + " import --help").out.find("--chain") != std::string::npos);
    CHECK(run(bin + " ctl --help").out.find("swap-identity") != std::string::npos);
    Proc bad = run(bin + " serve --bogus");
    CHECK(bad.status == 2);
    CHECK(bad.out.find("--bogus") != std::string::npos);
    CHECK(run(bin + " serve --asym dsa").status == 2);
    CHECK(run(bin + " serve --fault nonsense --port 0").status == 2);
    for (const char *bad : {"offer-versions=1.5", "offer-hash=md5", "offer-asym=dsa", "cert-portion=x",
                            "cert-stall=y", "cert-remainder-lie=-2", "serial=xyz"}) {
        Proc p = run(bin + " serve --port 0 --asym ecdsa-p256 --fault " + bad);
        CHECK(p.status == 2);
        CHECK(p.out.find(std::string("--fault: bad fault '") + bad + "'") != std::string::npos);
    }
    Proc badver = run(bin + " serve --version 1.0,2.0");
    CHECK(badver.status == 2);
    CHECK(badver.out.find("--version: unknown version '2.0' (1.0,1.1,1.2,1.3,1.4)") != std::string::npos);
    CHECK(run(bin + " serve --hash-algos sha1").status == 2);
    CHECK(run(bin + " frob").status == 2);
    CHECK(run(bin).status == 2);
}

TEST_CASE("devsim CLI: serve on a free port with port file/ctl/trace and SIGTERM exits 0", "[devsim][cli]") {
    std::string bin = DEVSIM_BINARY;
    std::string pf = tmp("cli-port"), id = tmp("cli-id"), ctl = tmp("cli-ctl"), tr = tmp("cli-trace"),
                log = tmp("cli-log");
    std::filesystem::remove(pf);
    std::filesystem::remove(tr);
    REQUIRE(run(bin + " keygen --dir " + id + " --asym ecdsa-p256 --hash sha256 --slots 2 --seed 5").status == 0);
    CHECK(std::filesystem::exists(id + "/slot1/leaf.key.pem"));
    pid_t pid = fork();
    if (pid == 0) {
        FILE *l = freopen(log.c_str(), "w", stderr);
        (void)l;
        execl(bin.c_str(), bin.c_str(), "serve", "--port", "0", "--port-file", pf.c_str(), "--identity", id.c_str(),
              "--fault", "busy=1", "--ctl", ctl.c_str(), "--trace", tr.c_str(), "-v", nullptr);
        _exit(127);
    }
    std::string port;
    for (int i = 0; i < 200 && port.empty(); i++) {
        std::ifstream f(pf);
        std::getline(f, port);
        if (port.empty())
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(!port.empty());
    {
        Client c(uint16_t(std::stoi(port)));
        CHECK(c.doe(B({0x10, 0x84, 0, 0}))[10] == SPDM_ERR_BUSY);  // --fault applied
        CHECK(c.doe(B({0x10, 0x84, 0, 0}))[9] == 0x04);
        Proc st = run(bin + " ctl " + ctl + " status");
        CHECK(st.status == 0);
        CHECK(st.out.find("\"slots\":2") != std::string::npos);
        CHECK(st.out.find("\"seed\":5") != std::string::npos);
        CHECK(run(bin + " ctl " + ctl + " fault wrong-version").status == 0);
        CHECK(c.doe(B({0x10, 0x84, 0, 0}))[8] != 0x10);
        CHECK(run(bin + " ctl " + ctl + " fault nonsense").status == 1);
        CHECK(run(bin + " ctl " + ctl + " frob").status == 2);
    }
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    std::ifstream trace(tr);
    std::string line;
    int n = 0;
    while (std::getline(trace, line))
        n++;
    CHECK(n == 3);
    std::ifstream lf(log);
    std::string logtext((std::istreambuf_iterator<char>(lf)), {});
    CHECK(logtext.find("spdm-devsim: listening on 127.0.0.1:" + port) != std::string::npos);
    CHECK(logtext.find("GET_VERSION(0x84) 4B -> ERROR(0x7f)") != std::string::npos);
    CHECK(logtext.find("GET_VERSION(0x84) 4B -> VERSION(0x04) 16B") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(ctl));  // removed on exit
    for (auto &f : {pf, tr, log})
        std::filesystem::remove(f);
    std::filesystem::remove_all(id);
}

TEST_CASE("devsim CLI: serve --cache keeps generated identities", "[devsim][cli]") {
    std::string bin = DEVSIM_BINARY;
    std::string cache = tmp("cache"), pf = tmp("cache-port");
    std::filesystem::remove_all(cache);
    auto start = [&]() {
        std::filesystem::remove(pf);
        pid_t pid = fork();
        if (pid == 0) {
            FILE *l = freopen("/dev/null", "w", stderr);
            (void)l;
            execl(bin.c_str(), bin.c_str(), "serve", "--port", "0", "--port-file", pf.c_str(), "--asym", "ecdsa-p256",
                  "--hash", "sha256", "--seed", "9", "--cache", cache.c_str(), nullptr);
            _exit(127);
        }
        for (int i = 0; i < 500 && !std::filesystem::exists(pf); i++)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return pid;
    };
    auto stop = [](pid_t pid) {
        kill(pid, SIGTERM);
        int st = 0;
        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    };
    pid_t p1 = start();
    CHECK(stop(p1) == 0);
    std::string dir = cache + "/ecdsa-p256-sha256-s1-seed9";
    REQUIRE(std::filesystem::exists(dir + "/slot0/leaf.pem"));
    Identity cached = load_identity(dir);
    CHECK(cached.slots[0].certs == make_identity(Asym::EcdsaP256, Hash::Sha256, 1, 9).slots[0].certs);
    auto mtime = std::filesystem::last_write_time(dir + "/slot0/leaf.pem");
    pid_t p2 = start();
    CHECK(std::filesystem::exists(pf));
    CHECK(stop(p2) == 0);
    CHECK(std::filesystem::last_write_time(dir + "/slot0/leaf.pem") == mtime);  // reused, not rewritten
    std::filesystem::remove_all(cache);
    std::filesystem::remove(pf);
}
