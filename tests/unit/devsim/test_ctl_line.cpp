// SPDX-License-Identifier: GPL-2.0
// Control-socket line framing (CtlLineBuffer), serve_ctl_client over a
// socketpair, and the bound as the spdm-socket server enforces it.
#include "common.hpp"

#include <devsim/ctl_line.hpp>
#include <devsim/transport.hpp>

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <filesystem>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

using namespace devsim;
using Lines = std::vector<std::string>;

namespace {

struct Pair {
    int fd[2];
    Pair() { REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) == 0); }
    ~Pair() {
        close(fd[0]);
        if (fd[1] >= 0)
            close(fd[1]);
    }
    void put(const std::string &s) { REQUIRE(send(fd[1], s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size())); }
    std::string get_all() {  // what the server end wrote, up to its close or a timeout
        timeval tv{2, 0};
        setsockopt(fd[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string out;
        char b[256];
        ssize_t n;
        while ((n = recv(fd[1], b, sizeof b, 0)) > 0)
            out.append(b, size_t(n));
        return out;
    }
};

}  // namespace

TEST_CASE("ctl line: lines split across reads and several lines in one read", "[devsim][ctl]") {
    CtlLineBuffer b;
    CHECK(b.feed("sta").empty());
    CHECK(b.pending() == 3);
    CHECK(b.feed("tu").empty());
    CHECK(b.feed("s\nfault bu") == Lines{"status"});
    CHECK(b.feed("sy=1\nreset\n\nclear\nsw") == Lines{"fault busy=1", "reset", "", "clear"});
    CHECK(b.pending() == 2);
    CHECK(b.feed("ap-identity 7\n") == Lines{"swap-identity 7"});
    CHECK(b.pending() == 0);
    CHECK(b.feed("").empty());
    CHECK_FALSE(b.overflowed());
}

TEST_CASE("ctl line: CRLF keeps the CR (commands split on whitespace)", "[devsim][ctl]") {
    CtlLineBuffer b;
    CHECK(b.feed("status\r\nreset\r") == Lines{"status\r"});
    CHECK(b.feed("\n") == Lines{"reset\r"});
}

TEST_CASE("ctl line: the bound is kMaxLine bytes per line", "[devsim][ctl]") {
    const size_t max = CtlLineBuffer::kMaxLine;
    REQUIRE(max == 65536);
    SECTION("a line of exactly kMaxLine bytes, in pieces, passes") {
        CtlLineBuffer b;
        for (size_t k = 0; k < max / 4096; k++)
            CHECK(b.feed(std::string(4096, 'x')).empty());
        CHECK(b.pending() == max);
        CHECK_FALSE(b.overflowed());
        Lines l = b.feed("\nok\n");
        REQUIRE(l.size() == 2);
        CHECK(l[0] == std::string(max, 'x'));
        CHECK(l[1] == "ok");
    }
    SECTION("one byte more without a newline overflows; nothing after counts") {
        CtlLineBuffer b;
        CHECK(b.feed("first\n" + std::string(max, 'x')) == Lines{"first"});
        CHECK_FALSE(b.overflowed());
        CHECK(b.feed("y").empty());
        CHECK(b.overflowed());
        CHECK(b.pending() == 0);
        CHECK(b.feed("\nstatus\n").empty());
        CHECK(b.overflowed());
    }
    SECTION("a complete over-long line in one read overflows; the lines before it are returned") {
        CtlLineBuffer b;
        CHECK(b.feed("a\nb\n" + std::string(max + 1, 'x') + "\nc\n") == Lines{"a", "b"});
        CHECK(b.overflowed());
    }
}

TEST_CASE("ctl line: serve_ctl_client answers each line, logs when verbose, closes on EOF", "[devsim][ctl]") {
    Pair p;
    CtlLineBuffer b;
    std::ostringstream log;
    Lines seen;
    CtlHandler h = [&](const std::string &l) {
        seen.push_back(l);
        return "ok " + l;
    };
    p.put("one\ntw");
    CHECK(serve_ctl_client(p.fd[0], b, h, log, true, "devsim-x"));
    p.put("o\n");
    CHECK(serve_ctl_client(p.fd[0], b, h, log, false, "devsim-x"));
    CHECK(seen == Lines{"one", "two"});
    CHECK(log.str() == "devsim-x: ctl 'one' -> ok one\n");
    shutdown(p.fd[1], SHUT_WR);
    CHECK_FALSE(serve_ctl_client(p.fd[0], b, h, log, false, "devsim-x"));
    CHECK(p.get_all() == "ok one\nok two\n");
}

TEST_CASE("ctl line: serve_ctl_client replies an error and closes on an over-long line", "[devsim][ctl]") {
    Pair p;
    CtlLineBuffer b;
    std::ostringstream log;
    int calls = 0;
    CtlHandler h = [&](const std::string &l) {
        calls++;
        return std::string("ok");
    };
    p.put("status\n" + std::string(CtlLineBuffer::kMaxLine + 1, 'x'));
    int reads = 0;
    while (serve_ctl_client(p.fd[0], b, h, log, false, "devsim"))
        REQUIRE(++reads < 100);
    CHECK(calls == 1);
    CHECK(log.str().find("devsim: control line longer than 65536 bytes") != std::string::npos);
    CHECK(p.get_all() == "ok\nerror: line longer than 65536 bytes\n");
}

TEST_CASE("ctl line: the spdm-socket server bounds a control line and keeps serving", "[devsim][ctl][socket]") {
    std::string ctl = (std::filesystem::temp_directory_path() /
                       ("devsim-ctl-line-" + std::to_string(getpid()))).string();
    std::ostringstream log;
    {
        Responder r(Config{}, tst::identity(Asym::EcdsaP256));
        ServerOptions o;
        o.port = 0;
        o.ctl_path = ctl;
        o.log = &log;
        Server s(r, o);
        std::thread t([&] { s.run(); });
        {
            sockaddr_un u{};
            u.sun_family = AF_UNIX;
            strcpy(u.sun_path, ctl.c_str());
            Pair p;  // fd[1] is the client end; fd[0] is unused here
            close(p.fd[1]);
            p.fd[1] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            REQUIRE(connect(p.fd[1], reinterpret_cast<sockaddr *>(&u), sizeof u) == 0);
            p.put(std::string(CtlLineBuffer::kMaxLine + 1, 'x'));
            CHECK(p.get_all() == "error: line longer than 65536 bytes\n");
        }
        CHECK(ctl_request(ctl, "status").starts_with("ok {"));
        s.stop();
        t.join();
    }
    CHECK(log.str().find("devsim: control line longer than 65536 bytes") != std::string::npos);
}
