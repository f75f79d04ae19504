// SPDX-License-Identifier: GPL-2.0
// libspdmtsm's netlink client over a fake transport fed canned replies: an
// exception thrown in a dump handler is kept, the dump drained and the
// exception rethrown; NLM_F_DUMP_INTR and a changing evidence generation
// give EAGAIN and are retried; malformed replies are errors, never crashes.
#include "spdmtsm/device.hpp"
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/netlink.hpp"

#include <linux/netlink.h>
#include <linux/spdm_tsm.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using Datagram = std::vector<std::uint8_t>;
using spdmtsm::NetlinkError;

namespace {

constexpr int family = 0x42;
constexpr std::uint32_t stale_seq = 0xdead;

// Replies queued as datagrams; each message gets the sequence number of the
// request last sent, unless it was built with stale_seq.
struct FakeTransport : spdmtsm::NlTransport {
	std::deque<Datagram> replies;
	std::vector<std::uint32_t> sent;
	std::vector<Datagram> requests; // each request as sent
	void send(nl_msg *m) override
	{
		sent.push_back(nlmsg_hdr(m)->nlmsg_seq);
		const auto *p = reinterpret_cast<const std::uint8_t *>(nlmsg_hdr(m));
		requests.emplace_back(p, p + nlmsg_hdr(m)->nlmsg_len);
	}
	Datagram recv() override
	{
		if (replies.empty())
			throw NetlinkError(EIO, "", -1, "the client read past its replies");
		Datagram d = std::move(replies.front());
		replies.pop_front();
		std::size_t off = 0;
		while (off + sizeof(nlmsghdr) <= d.size()) {
			nlmsghdr h;
			std::memcpy(&h, d.data() + off, sizeof(h));
			if (h.nlmsg_seq != stale_seq)
				h.nlmsg_seq = sent.empty() ? 0 : sent.back();
			std::memcpy(d.data() + off, &h, sizeof(h));
			if (h.nlmsg_len < sizeof(h))
				break;
			off += NLMSG_ALIGN(h.nlmsg_len);
		}
		return d;
	}
};

struct Client {
	FakeTransport *fake;
	spdmtsm::GenlSocket sock;
	Client() : Client(std::make_unique<FakeTransport>()) {}
	explicit Client(std::unique_ptr<FakeTransport> f) : fake(f.get()), sock(std::move(f), family) {}
};

// One generic netlink message of the evidence family.
Datagram msg(const std::function<void(nl_msg *)> &attrs, std::uint16_t flags = NLM_F_MULTI, std::uint32_t seq = 1)
{
	std::unique_ptr<nl_msg, decltype(&nlmsg_free)> m(nlmsg_alloc(), &nlmsg_free);
	REQUIRE(genlmsg_put(m.get(), 0, seq, family, 0, flags, SPDM_TSM_CMD_EVIDENCE_GET, 1));
	if (attrs)
		attrs(m.get());
	const nlmsghdr *h = nlmsg_hdr(m.get());
	const auto *p = reinterpret_cast<const std::uint8_t *>(h);
	return Datagram(p, p + NLMSG_ALIGN(h->nlmsg_len));
}

Datagram bdf_msg(const char *bdf, std::uint16_t flags = NLM_F_MULTI)
{
	return msg([&](nl_msg *m) { nla_put_string(m, SPDM_TSM_A_EVIDENCE_BDF, bdf); }, flags);
}

Datagram done(int err = 0)
{
	Datagram d(NLMSG_HDRLEN + sizeof(int));
	nlmsghdr h{static_cast<std::uint32_t>(d.size()), NLMSG_DONE, NLM_F_MULTI, 1, 0};
	std::memcpy(d.data(), &h, sizeof(h));
	std::memcpy(d.data() + NLMSG_HDRLEN, &err, sizeof(err));
	return d;
}

// NLMSG_ERROR (err 0: the ack), capped, with an extended-ack message.
Datagram error(int err, const std::string &extack = "")
{
	Datagram d(NLMSG_HDRLEN + sizeof(nlmsgerr));
	if (!extack.empty()) {
		std::size_t alen = NLA_HDRLEN + extack.size() + 1;
		Datagram a(NLA_ALIGN(alen));
		nlattr na{static_cast<std::uint16_t>(alen), NLMSGERR_ATTR_MSG};
		std::memcpy(a.data(), &na, sizeof(na));
		std::copy(extack.begin(), extack.end(), a.begin() + NLA_HDRLEN); // the NUL: a is zeroed
		d.insert(d.end(), a.begin(), a.end());
	}
	nlmsghdr h{static_cast<std::uint32_t>(d.size()), NLMSG_ERROR,
		   static_cast<std::uint16_t>(NLM_F_CAPPED | (extack.empty() ? 0 : NLM_F_ACK_TLVS)), 1, 0};
	std::memcpy(d.data(), &h, sizeof(h));
	nlmsgerr e{};
	e.error = -err;
	std::memcpy(d.data() + NLMSG_HDRLEN, &e, sizeof(e));
	return d;
}

Datagram cat(std::initializer_list<Datagram> parts)
{
	Datagram d;
	for (const auto &p : parts)
		d.insert(d.end(), p.begin(), p.end());
	return d;
}

// A dump of evidence-get; the BDFs the handler saw.
std::vector<std::string> dump_bdfs(spdmtsm::GenlSocket &sock, const std::function<void(const std::string &)> &also = {})
{
	std::vector<std::string> got;
	sock.request(
		SPDM_TSM_CMD_EVIDENCE_GET, true, nullptr,
		[&](nlattr **a, int, const nlmsghdr *) {
			std::string b = a[SPDM_TSM_A_EVIDENCE_BDF] ? spdmtsm::attr_str(a[SPDM_TSM_A_EVIDENCE_BDF]) : "";
			got.push_back(b);
			if (also)
				also(b);
		},
		SPDM_TSM_A_EVIDENCE_MAX);
	return got;
}

struct Boom : std::runtime_error {
	using std::runtime_error::runtime_error;
};

Datagram evidence_scalar(std::uint64_t gen, std::uint16_t flags = NLM_F_MULTI)
{
	return msg(
		[&](nl_msg *m) {
			nla_put_string(m, SPDM_TSM_A_EVIDENCE_BDF, "0000:01:00.0");
			nla_put_u64(m, SPDM_TSM_A_EVIDENCE_GENERATION, gen);
			nla_put_u8(m, SPDM_TSM_A_EVIDENCE_VERSION, 0x12);
		},
		flags);
}

Datagram evidence_chunk(std::uint64_t gen)
{
	return msg([&](nl_msg *m) {
		nla_put_u64(m, SPDM_TSM_A_EVIDENCE_GENERATION, gen);
		nla_put_u32(m, SPDM_TSM_A_EVIDENCE_OBJECT, SPDM_TSM_EVIDENCE_OBJECT_TRANSCRIPT);
		nla_put_u32(m, SPDM_TSM_A_EVIDENCE_OFFSET, 0);
		nla_put_u32(m, SPDM_TSM_A_EVIDENCE_TOTAL, 3);
		nla_put(m, SPDM_TSM_A_EVIDENCE_DATA, 3, "abc");
	});
}

} // namespace

TEST_CASE("netlink: a dump handler's exception is kept, the dump drained to NLMSG_DONE, and rethrown")
{
	Client c;
	// two datagrams for the first dump, then the reply of the next request
	c.fake->replies = {cat({bdf_msg("a"), bdf_msg("b")}), cat({bdf_msg("c"), done()}), cat({bdf_msg("d"), done()})};
	int calls = 0;
	CHECK_THROWS_AS(dump_bdfs(c.sock,
				  [&](const std::string &) {
					  calls++;
					  throw Boom("the handler failed");
				  }),
			Boom);
	CHECK(calls == 1);                  // nothing delivered after the failure
	CHECK(c.fake->replies.size() == 1); // ... but read off up to NLMSG_DONE
	// the next request sees its own reply, not the rest of the first dump
	CHECK(dump_bdfs(c.sock) == std::vector<std::string>{"d"});
	CHECK(c.fake->replies.empty());
}

TEST_CASE("netlink: NLM_F_DUMP_INTR is EAGAIN, and retry_eagain starts again with fresh state")
{
	Client c;
	c.fake->replies = {cat({bdf_msg("a", NLM_F_MULTI | NLM_F_DUMP_INTR), bdf_msg("b"), done()}),
			   cat({bdf_msg("a"), bdf_msg("b"), done()})};
	auto got = spdmtsm::retry_eagain([&] { return dump_bdfs(c.sock); });
	CHECK(got == std::vector<std::string>{"a", "b"});
	CHECK(c.fake->sent.size() == 2);
	CHECK(c.fake->sent[0] != c.fake->sent[1]);

	Client once;
	once.fake->replies = {cat({bdf_msg("a", NLM_F_MULTI | NLM_F_DUMP_INTR), done()})};
	try {
		spdmtsm::retry_eagain([&] { return dump_bdfs(once.sock); }, 1);
		FAIL("no EAGAIN");
	} catch (const NetlinkError &e) {
		CHECK(e.error() == EAGAIN);
	}
	CHECK(once.fake->replies.empty());
}

TEST_CASE("netlink: evidence_get retries a dump whose generation changed (documented EAGAIN)")
{
	Client c;
	// generation 1, then a chunk of generation 2: the evidence changed
	c.fake->replies = {cat({evidence_scalar(1), evidence_chunk(2), done()}),
			   cat({evidence_scalar(2), evidence_chunk(2), done()})};
	auto e = spdmtsm::evidence_get(c.sock, "0000:01:00.0");
	CHECK(e.generation == 2);
	CHECK(e.transcript == spdmtsm::Bytes{'a', 'b', 'c'});
	CHECK(c.fake->sent.size() == 2);
	CHECK(c.fake->replies.empty());

	// still changing after three dumps: EAGAIN reaches the caller
	Client busy;
	for (int i = 0; i < 3; i++)
		busy.fake->replies.push_back(cat({evidence_scalar(i), evidence_chunk(i + 10), done()}));
	try {
		spdmtsm::evidence_get(busy.sock, "0000:01:00.0");
		FAIL("no EAGAIN");
	} catch (const NetlinkError &e) {
		CHECK(e.error() == EAGAIN);
	}
	CHECK(busy.fake->replies.empty());
}

TEST_CASE("netlink: malformed replies are EPROTO errors, never a read past them")
{
	SECTION("a string without its NUL")
	{
		Client c;
		c.fake->replies = {
			cat({msg([](nl_msg *m) { nla_put(m, SPDM_TSM_A_EVIDENCE_BDF, 3, "abc"); }), done()})};
		try {
			dump_bdfs(c.sock);
			FAIL("accepted");
		} catch (const NetlinkError &e) {
			CHECK(e.error() == EPROTO);
			CHECK_THAT(e.what(), ContainsSubstring("NUL"));
		}
		CHECK(c.fake->replies.empty());
	}
	SECTION("an empty string attribute and a u64 of two bytes")
	{
		Client c;
		c.fake->replies = {cat({msg([](nl_msg *m) { nla_put(m, SPDM_TSM_A_EVIDENCE_BDF, 0, ""); }), done()}),
				   cat({msg([](nl_msg *m) {
						nla_put_string(m, SPDM_TSM_A_EVIDENCE_BDF, "0000:01:00.0");
						nla_put(m, SPDM_TSM_A_EVIDENCE_GENERATION, 2, "\x01\x02");
					}),
					done()})};
		CHECK_THROWS_AS(dump_bdfs(c.sock), NetlinkError);
		try {
			spdmtsm::evidence_get(c.sock, "0000:01:00.0");
			FAIL("accepted");
		} catch (const NetlinkError &e) {
			CHECK(e.error() == EPROTO);
		}
	}
	SECTION("a message longer than its datagram")
	{
		Client c;
		Datagram d = bdf_msg("a");
		nlmsghdr h;
		std::memcpy(&h, d.data(), sizeof(h));
		h.nlmsg_len += 64;
		std::memcpy(d.data(), &h, sizeof(h));
		c.fake->replies = {d};
		try {
			dump_bdfs(c.sock);
			FAIL("accepted");
		} catch (const NetlinkError &e) {
			CHECK(e.error() == EPROTO);
		}
	}
	SECTION("an attribute that runs past its message")
	{
		Client c;
		Datagram d = bdf_msg("0000:01:00.0");
		// the BDF attribute follows the 4-byte genl header: claim 200 bytes
		std::uint16_t big = 200;
		std::memcpy(d.data() + NLMSG_HDRLEN + GENL_HDRLEN, &big, sizeof(big));
		c.fake->replies = {cat({d, done()})};
		std::vector<std::string> got;
		CHECK_NOTHROW(got = dump_bdfs(c.sock));
		CHECK(got == std::vector<std::string>{""}); // the attribute is not there
	}
	SECTION("an NLMSG_ERROR shorter than struct nlmsgerr")
	{
		Client c;
		Datagram d(NLMSG_HDRLEN + 4);
		nlmsghdr h{static_cast<std::uint32_t>(d.size()), NLMSG_ERROR, 0, 1, 0};
		std::memcpy(d.data(), &h, sizeof(h));
		c.fake->replies = {d};
		try {
			dump_bdfs(c.sock);
			FAIL("accepted");
		} catch (const NetlinkError &e) {
			CHECK(e.error() == EPROTO);
		}
	}
}

TEST_CASE("netlink: errors keep the kernel's errno and extended ack; stale replies are skipped")
{
	Client c;
	Datagram stale = bdf_msg("old");
	nlmsghdr h;
	std::memcpy(&h, stale.data(), sizeof(h));
	h.nlmsg_seq = stale_seq;
	std::memcpy(stale.data(), &h, sizeof(h));
	c.fake->replies = {cat({stale, error(ENODEV, "no such device")})};
	try {
		dump_bdfs(c.sock);
		FAIL("accepted");
	} catch (const NetlinkError &e) {
		CHECK(e.error() == ENODEV);
		CHECK(e.extack() == "no such device");
		CHECK_THAT(e.what(), ContainsSubstring("no such device"));
	}
	// a do request: the reply, then the ack
	c.fake->replies = {bdf_msg("x", 0), error(0)};
	CHECK(dump_bdfs(c.sock) == std::vector<std::string>{"x"});
	CHECK(c.fake->replies.empty());
}

namespace {

// A dev-get reply (a do: no NLM_F_MULTI), with the nested session-info
// built by session.
Datagram dev_reply(const std::function<void(nl_msg *)> &session)
{
	return msg(
		[&](nl_msg *m) {
			nla_put_string(m, SPDM_TSM_A_DEV_BDF, "0000:01:00.0");
			nla_put_u32(m, SPDM_TSM_A_DEV_STATE, SPDM_TSM_STATE_AUTHENTICATED);
			if (session) {
				nlattr *n = nla_nest_start(m, SPDM_TSM_A_DEV_SESSION_INFO);
				session(m);
				nla_nest_end(m, n);
			}
		},
		0);
}

void full_session(nl_msg *m)
{
	nla_put_u32(m, SPDM_TSM_A_SESSION_STATE, SPDM_TSM_SESSION_STATE_ESTABLISHED);
	nla_put_u32(m, SPDM_TSM_A_SESSION_ID, 0xfffe0001);
	nla_put_u32(m, SPDM_TSM_A_SESSION_DHE, 1u << 4);
	nla_put_u32(m, SPDM_TSM_A_SESSION_AEAD, 1u << 1);
	nla_put_u32(m, SPDM_TSM_A_SESSION_HASH, 1u << 1);
	nla_put_u8(m, SPDM_TSM_A_SESSION_ENCRYPTED, 1);
	nla_put_u8(m, SPDM_TSM_A_SESSION_HEARTBEAT_PERIOD, 10);
	nla_put_u64(m, SPDM_TSM_A_SESSION_ESTABLISHED_NS, 1764640000123456789ULL);
	nla_put_u32(m, SPDM_TSM_A_SESSION_KEY_UPDATES, 3);
	nla_put_u32(m, SPDM_TSM_A_SESSION_HEARTBEATS, 17);
	nla_put_u32(m, SPDM_TSM_A_SESSION_ESTABLISHMENTS, 2);
	nla_put_u32(m, SPDM_TSM_A_SESSION_EXCHANGES, 2);
	nla_put_u64(m, SPDM_TSM_A_SESSION_DURATION_US, 4321);
	nla_put_u32(m, SPDM_TSM_A_SESSION_MAX + 5, 7); // a newer kernel's attribute: ignored
}

// The generic netlink command and the attributes of a request.
struct Request {
	std::uint8_t cmd = 0;
	std::vector<nlattr *> a = std::vector<nlattr *>(SPDM_TSM_A_DEV_MAX + 1, nullptr);
	Datagram raw;
	explicit Request(const Datagram &d) : raw(d)
	{
		auto *nlh = reinterpret_cast<nlmsghdr *>(raw.data());
		cmd = static_cast<const genlmsghdr *>(nlmsg_data(nlh))->cmd;
		REQUIRE(genlmsg_parse(nlh, 0, a.data(), SPDM_TSM_A_DEV_MAX, nullptr) == 0);
	}
};

} // namespace

TEST_CASE("netlink: dev-get decodes the nested session-info")
{
	Client c;
	c.fake->replies = {cat({dev_reply(full_session), error(0)}), cat({dev_reply(nullptr), error(0)})};
	auto d = spdmtsm::dev_get(c.sock, "0000:01:00.0");
	REQUIRE(d.session.has_value());
	const auto &s = *d.session;
	CHECK(s.established());
	CHECK(std::string(spdmtsm::session_state_name(s.state)) == "established");
	CHECK(s.id == 0xfffe0001u);
	CHECK(s.dhe == 1u << 4);
	CHECK(s.aead == 1u << 1);
	CHECK(s.hash == 1u << 1);
	CHECK(s.encrypted == true);
	CHECK(s.heartbeat_period == 10);
	CHECK(s.established_ns == 1764640000123456789ULL);
	CHECK(s.key_updates == 3u);
	CHECK(s.heartbeats == 17u);
	CHECK(s.establishments == 2u);
	CHECK(s.exchanges == 2u);
	CHECK(s.duration_us == 4321u);
	std::string j = spdmtsm::json_text(spdmtsm::json_of(d));
	CHECK_THAT(j, ContainsSubstring(R"("session":{"state":"established","id":4294836225,"dhe":"secp384r1",)"
					R"("aead":"aes-256-gcm","hash":"sha384","encrypted":true,"heartbeat_period":10,)"));
	// a kernel without sessions, or a device connected without one
	auto plain = spdmtsm::dev_get(c.sock, "0000:01:00.0");
	CHECK_FALSE(plain.session.has_value());
	CHECK_THAT(spdmtsm::json_text(spdmtsm::json_of(plain)), ContainsSubstring(R"("session":null})"));
	CHECK(spdmtsm::json_text(spdmtsm::session_json(plain)) ==
	      R"({"bdf":"0000:01:00.0","state":"authenticated","session":null})");
}

TEST_CASE("netlink: a malformed session-info is EPROTO, never a read past it")
{
	SECTION("a u32 of two bytes")
	{
		Client c;
		c.fake->replies = {cat({dev_reply([](nl_msg *m) { nla_put(m, SPDM_TSM_A_SESSION_STATE, 2, "\x01\x00"); }),
					error(0)})};
		try {
			spdmtsm::dev_get(c.sock, "0000:01:00.0");
			FAIL("accepted");
		} catch (const NetlinkError &e) {
			CHECK(e.error() == EPROTO);
			CHECK_THAT(e.what(), ContainsSubstring("session-info"));
		}
		CHECK(c.fake->replies.empty());
	}
	SECTION("a u64 of four bytes")
	{
		Client c;
		c.fake->replies = {
			cat({dev_reply([](nl_msg *m) { nla_put_u32(m, SPDM_TSM_A_SESSION_ESTABLISHED_NS, 5); }), error(0)})};
		CHECK_THROWS_AS(spdmtsm::dev_get(c.sock, "0000:01:00.0"), NetlinkError);
	}
	SECTION("a nest whose attribute overruns it")
	{
		Client c;
		Datagram d = dev_reply([](nl_msg *m) { nla_put_u32(m, SPDM_TSM_A_SESSION_ID, 1); });
		// the nest is the last attribute: its inner attribute claims 40 bytes
		std::size_t inner = d.size() - 8;
		std::uint16_t big = 40;
		std::memcpy(d.data() + inner, &big, sizeof(big));
		c.fake->replies = {cat({d, error(0)})};
		spdmtsm::DevInfo got;
		CHECK_NOTHROW(got = spdmtsm::dev_get(c.sock, "0000:01:00.0"));
		REQUIRE(got.session.has_value());
		CHECK_FALSE(got.session->id.has_value()); // the attribute is not there
	}
}

TEST_CASE("netlink: connect --session, session-key-update [all] and session-end requests")
{
	Client c;
	for (int i = 0; i < 4; i++)
		c.fake->replies.push_back(cat({dev_reply(full_session), error(0)}));
	spdmtsm::ConnectOptions o;
	o.session = true;
	spdmtsm::dev_connect(c.sock, "0000:01:00.0", o);
	auto d = spdmtsm::session_key_update(c.sock, "0000:01:00.0", true);
	CHECK(d.session->key_updates == 3u);
	spdmtsm::session_key_update(c.sock, "0000:01:00.0", false);
	spdmtsm::session_end(c.sock, "0000:01:00.0");
	REQUIRE(c.fake->requests.size() == 4);
	Request conn(c.fake->requests[0]), all(c.fake->requests[1]), one(c.fake->requests[2]), end(c.fake->requests[3]);
	CHECK(conn.cmd == SPDM_TSM_CMD_CONNECT);
	CHECK(conn.a[SPDM_TSM_A_DEV_SESSION] != nullptr);
	CHECK(all.cmd == SPDM_TSM_CMD_SESSION_KEY_UPDATE);
	CHECK(all.a[SPDM_TSM_A_DEV_ALL_KEYS] != nullptr);
	REQUIRE(all.a[SPDM_TSM_A_DEV_BDF] != nullptr);
	CHECK(spdmtsm::attr_str(all.a[SPDM_TSM_A_DEV_BDF]) == "0000:01:00.0");
	CHECK(one.cmd == SPDM_TSM_CMD_SESSION_KEY_UPDATE);
	CHECK(one.a[SPDM_TSM_A_DEV_ALL_KEYS] == nullptr);
	CHECK(end.cmd == SPDM_TSM_CMD_SESSION_END);
	CHECK(end.a[SPDM_TSM_A_DEV_BDF] != nullptr);
	// without --session no flag
	Client p;
	p.fake->replies = {cat({dev_reply(nullptr), error(0)})};
	spdmtsm::dev_connect(p.sock, "0000:01:00.0", {});
	CHECK(Request(p.fake->requests.at(0)).a[SPDM_TSM_A_DEV_SESSION] == nullptr);
	// the kernel's refusal reaches the caller with its errno and message
	Client r;
	r.fake->replies = {error(ENOTCONN, "no secured session")};
	try {
		spdmtsm::session_end(r.sock, "0000:01:00.0");
		FAIL("accepted");
	} catch (const NetlinkError &e) {
		CHECK(e.error() == ENOTCONN);
		CHECK(e.extack() == "no secured session");
	}
}

namespace {

Datagram evidence_with_session(const std::function<void(nl_msg *)> &session)
{
	return msg([&](nl_msg *m) {
		nla_put_string(m, SPDM_TSM_A_EVIDENCE_BDF, "0000:01:00.0");
		nla_put_u64(m, SPDM_TSM_A_EVIDENCE_GENERATION, 4);
		nla_put_u8(m, SPDM_TSM_A_EVIDENCE_VERSION, 0x12);
		nlattr *n = nla_nest_start(m, SPDM_TSM_A_EVIDENCE_SESSION);
		session(m);
		nla_nest_end(m, n);
	});
}

} // namespace

TEST_CASE("netlink: evidence-get decodes the session's KEY_EXCHANGE_RSP evidence")
{
	Client c;
	const std::string ctx = "responder-key_exchange_rsp signing";
	c.fake->replies = {cat({evidence_with_session([&](nl_msg *m) {
					nla_put_u32(m, SPDM_TSM_A_SESSION_EVIDENCE_ID, 0xfffe0001);
					nla_put_u32(m, SPDM_TSM_A_SESSION_EVIDENCE_DHE, 1u << 3);
					nla_put_u32(m, SPDM_TSM_A_SESSION_EVIDENCE_AEAD, 1u << 0);
					nla_put(m, SPDM_TSM_A_SESSION_EVIDENCE_KE_SIGNATURE, 96, std::string(96, 's').data());
					nla_put(m, SPDM_TSM_A_SESSION_EVIDENCE_KE_TH_HASH, 48, std::string(48, 'h').data());
					nla_put_string(m, SPDM_TSM_A_SESSION_EVIDENCE_KE_CONTEXT, ctx.c_str());
				}),
				done()})};
	auto e = spdmtsm::evidence_get(c.sock, "0000:01:00.0");
	REQUIRE(e.session.has_value());
	CHECK(e.session->id == 0xfffe0001u);
	CHECK(e.session->dhe == 1u << 3);
	CHECK(e.session->aead == 1u);
	CHECK(e.session->ke_signature == spdmtsm::Bytes(96, 's'));
	CHECK(e.session->ke_th_hash == spdmtsm::Bytes(48, 'h'));
	CHECK(e.session->ke_context == ctx);
	std::string j = spdmtsm::json_text(spdmtsm::json_of(e));
	CHECK_THAT(j, ContainsSubstring(R"("session":{"id":4294836225,"dhe":"secp256r1","aead":"aes-128-gcm",)"
					R"("ke_signature":")" +
					spdmtsm::hex(spdmtsm::Bytes(96, 's'))));
	CHECK_THAT(j, ContainsSubstring(R"("ke_context":"responder-key_exchange_rsp signing"})"));
}

TEST_CASE("netlink: a malformed session evidence is EPROTO")
{
	auto refused = [](const std::function<void(nl_msg *)> &session) {
		Client c;
		c.fake->replies = {cat({evidence_with_session(session), done()})};
		try {
			spdmtsm::evidence_get(c.sock, "0000:01:00.0");
		} catch (const NetlinkError &e) {
			return e.error() == EPROTO && c.fake->replies.empty();
		}
		return false;
	};
	// a transcript hash longer than any DSP0274 hash
	CHECK(refused([](nl_msg *m) { nla_put(m, SPDM_TSM_A_SESSION_EVIDENCE_KE_TH_HASH, 65, std::string(65, 'h').data()); }));
	// a signature longer than the UAPI allows
	CHECK(refused([](nl_msg *m) { nla_put(m, SPDM_TSM_A_SESSION_EVIDENCE_KE_SIGNATURE, 513, std::string(513, 's').data()); }));
	// a context without its NUL
	CHECK(refused([](nl_msg *m) { nla_put(m, SPDM_TSM_A_SESSION_EVIDENCE_KE_CONTEXT, 4, "resp"); }));
	// a session id of two bytes
	CHECK(refused([](nl_msg *m) { nla_put(m, SPDM_TSM_A_SESSION_EVIDENCE_ID, 2, "\x01\x02"); }));
}
