// SPDX-License-Identifier: GPL-2.0
// The agent's verify -> policy race: the policy it stores pins the chain
// digest of the evidence it verified, never what the kernel holds as
// "current" when the request arrives.  The agent's start-up pass runs over a
// fake kernel (an NlTransport that answers dev-get, evidence-get, policy-set
// and disconnect), whose device takes another identity (a new evidence
// generation, another chain digest) between the agent's verification and its
// policy-set.  The evidence is real: spdm-devsim authenticated in-process by
// the kernel's SPDM core built in userspace.
#include "agent.hpp"
#include "agent_systemd.hpp"

#include "spdmtsm/netlink.hpp"
#include "spdmtsm/policy.hpp"
#include "spdmtsm/vocab.hpp"

#include "devsim/responder.hpp"
#include "platform_user.h"

#include <linux/netlink.h>
#include <linux/spdm_tsm.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <catch2/catch_test_macros.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using spdmtsm::Bytes;
using namespace tsmctl::agent;

namespace {

constexpr int family = 0x42;
constexpr const char *bdf = "0000:01:00.0";
using Datagram = std::vector<std::uint8_t>;

// A devsim identity authenticated by the SPDM core: the evidence the kernel
// would hand out, with the chain digest of its slot.
spdmtsm::Evidence authenticate(const devsim::Identity &id, std::uint64_t generation)
{
	devsim::Config cfg;
	cfg.versions = {0x12};
	devsim::Responder rsp(cfg, id);
	spdmtest::Platform plat([&](std::span<const std::uint8_t> req) { return rsp.handle(req); });
	auto s = spdmtest::make_session(plat);
	int rc = spdm_authenticate(s.get(), 0, nullptr);
	INFO(spdm_last_error(s.get()));
	REQUIRE(rc == 0);
	spdm_evidence ev;
	spdm_get_evidence(s.get(), &ev);
	spdmtsm::Evidence e;
	e.bdf = bdf;
	e.generation = generation;
	e.version = ev.version;
	e.asym = ev.asym;
	e.hash = ev.hash;
	e.slot = ev.slot;
	e.slot_mask = 1;
	e.slot_digests[ev.slot].assign(ev.digests[ev.slot], ev.digests[ev.slot] + ev.hash_len);
	std::size_t hdr = 4 + ev.hash_len;
	REQUIRE(ev.chain.len > hdr);
	e.cert_chain.assign(ev.chain.data + hdr, ev.chain.data + ev.chain.len);
	e.transcript = spdmtest::flat(ev.transcript);
	e.signature.assign(ev.signature.data, ev.signature.data + ev.signature.len);
	e.leaf_spki.assign(ev.leaf_spki.data, ev.leaf_spki.data + ev.leaf_spki.len);
	e.nonce.assign(ev.nonce.data, ev.nonce.data + ev.nonce.len);
	if (ev.context)
		e.context = ev.context;
	return e;
}

// What the agent asked policy-set for.
struct PolicyRequest {
	Bytes cert_digest;
	bool current = false;
};

// The spdm-tsm family as far as the start-up pass uses it, for one device.
class FakeKernel : public spdmtsm::NlTransport {
public:
	spdmtsm::Evidence evidence; // the device's evidence; its generation is the device's
	bool authenticated = true;
	std::function<void()> before_policy_set; // the race: runs as policy-set arrives
	std::vector<PolicyRequest> policy_sets;
	std::vector<Bytes> stored; // the digests the kernel stored, in order
	std::vector<int> commands;

	void send(nl_msg *m) override
	{
		const nlmsghdr *h = nlmsg_hdr(m);
		const auto *g = static_cast<const genlmsghdr *>(nlmsg_data(h));
		seq_ = h->nlmsg_seq;
		bool dump = h->nlmsg_flags & NLM_F_DUMP;
		commands.push_back(g->cmd);
		switch (g->cmd) {
		case SPDM_TSM_CMD_DEV_GET:
			queue(dev_msg(dump ? NLM_F_MULTI : 0));
			queue(dump ? done() : ack(0));
			return;
		case SPDM_TSM_CMD_EVIDENCE_GET:
			REQUIRE(authenticated);
			evidence_dump();
			return;
		case SPDM_TSM_CMD_POLICY_SET: {
			if (before_policy_set)
				before_policy_set();
			nlattr *a[SPDM_TSM_A_POLICY_MAX + 1] = {};
			REQUIRE(genlmsg_parse(const_cast<nlmsghdr *>(h), 0, a, SPDM_TSM_A_POLICY_MAX, nullptr) == 0);
			PolicyRequest r;
			r.current = a[SPDM_TSM_A_POLICY_CERT_DIGEST_CURRENT] != nullptr;
			if (a[SPDM_TSM_A_POLICY_CERT_DIGEST]) {
				const auto *p = static_cast<const std::uint8_t *>(nla_data(a[SPDM_TSM_A_POLICY_CERT_DIGEST]));
				r.cert_digest.assign(p, p + nla_len(a[SPDM_TSM_A_POLICY_CERT_DIGEST]));
			}
			policy_sets.push_back(r);
			// as the kernel does: 'current' is the digest it holds now
			stored.push_back(r.current ? evidence.slot_digests.at(evidence.slot) : r.cert_digest);
			queue(message(SPDM_TSM_CMD_POLICY_SET, 0, [&](nl_msg *rm) {
				nla_put_string(rm, SPDM_TSM_A_POLICY_BDF, bdf);
				nla_put_u8(rm, SPDM_TSM_A_POLICY_SLOT, evidence.slot);
				nla_put(rm, SPDM_TSM_A_POLICY_CERT_DIGEST, static_cast<int>(stored.back().size()),
					stored.back().data());
				nla_put_u32(rm, SPDM_TSM_A_POLICY_ACTION, SPDM_TSM_ACTION_NOTIFY);
				nla_put_u32(rm, SPDM_TSM_A_POLICY_REVALIDATE_MODE, SPDM_TSM_REVALIDATE_MODE_AUTO);
			}));
			queue(ack(0));
			return;
		}
		case SPDM_TSM_CMD_DISCONNECT:
			authenticated = false;
			queue(ack(0));
			return;
		default:
			queue(ack(EOPNOTSUPP));
		}
	}

	Datagram recv() override
	{
		if (out_.empty())
			throw spdmtsm::NetlinkError(EIO, "", -1, "the agent read past the fake kernel's replies");
		Datagram d = std::move(out_.front());
		out_.pop_front();
		return d;
	}

	int count(int cmd) const
	{
		int n = 0;
		for (int c : commands)
			n += c == cmd;
		return n;
	}

private:
	std::uint32_t seq_ = 0;
	std::deque<Datagram> out_;

	void queue(Datagram d) { out_.push_back(std::move(d)); }

	Datagram message(std::uint8_t cmd, std::uint16_t flags, const std::function<void(nl_msg *)> &attrs)
	{
		std::unique_ptr<nl_msg, decltype(&nlmsg_free)> m(nlmsg_alloc_size(1 << 16), &nlmsg_free);
		REQUIRE(m);
		REQUIRE(genlmsg_put(m.get(), 0, seq_, family, 0, flags, cmd, 1));
		attrs(m.get());
		const nlmsghdr *h = nlmsg_hdr(m.get());
		const auto *p = reinterpret_cast<const std::uint8_t *>(h);
		return Datagram(p, p + NLMSG_ALIGN(h->nlmsg_len));
	}

	Datagram dev_msg(std::uint16_t flags)
	{
		return message(SPDM_TSM_CMD_DEV_GET, flags, [&](nl_msg *m) {
			nla_put_string(m, SPDM_TSM_A_DEV_BDF, bdf);
			nla_put_u8(m, SPDM_TSM_A_DEV_CMA, 1);
			nla_put_u32(m, SPDM_TSM_A_DEV_STATE,
				    authenticated ? SPDM_TSM_STATE_AUTHENTICATED : SPDM_TSM_STATE_NONE);
			if (authenticated) {
				nla_put_u8(m, SPDM_TSM_A_DEV_VERSION, evidence.version);
				nla_put_u32(m, SPDM_TSM_A_DEV_ASYM, evidence.asym);
				nla_put_u32(m, SPDM_TSM_A_DEV_HASH, evidence.hash);
				nla_put_u8(m, SPDM_TSM_A_DEV_SLOT, evidence.slot);
			}
			nla_put_u64(m, SPDM_TSM_A_DEV_GENERATION, evidence.generation);
		});
	}

	void evidence_dump()
	{
		const spdmtsm::Evidence &e = evidence;
		queue(message(SPDM_TSM_CMD_EVIDENCE_GET, NLM_F_MULTI, [&](nl_msg *m) {
			nla_put_string(m, SPDM_TSM_A_EVIDENCE_BDF, bdf);
			nla_put_u64(m, SPDM_TSM_A_EVIDENCE_GENERATION, e.generation);
			nla_put_u8(m, SPDM_TSM_A_EVIDENCE_VERSION, e.version);
			nla_put_u32(m, SPDM_TSM_A_EVIDENCE_ASYM, e.asym);
			nla_put_u32(m, SPDM_TSM_A_EVIDENCE_HASH, e.hash);
			nla_put_u8(m, SPDM_TSM_A_EVIDENCE_SLOT, e.slot);
			nla_put_u8(m, SPDM_TSM_A_EVIDENCE_SLOT_MASK, e.slot_mask);
			for (const auto &[slot, digest] : e.slot_digests) {
				nlattr *n = nla_nest_start(m, SPDM_TSM_A_EVIDENCE_SLOT_DIGEST);
				nla_put_u8(m, SPDM_TSM_A_SLOT_DIGEST_SLOT, slot);
				nla_put(m, SPDM_TSM_A_SLOT_DIGEST_DIGEST, static_cast<int>(digest.size()), digest.data());
				nla_nest_end(m, n);
			}
			nla_put(m, SPDM_TSM_A_EVIDENCE_NONCE, static_cast<int>(e.nonce.size()), e.nonce.data());
			nla_put(m, SPDM_TSM_A_EVIDENCE_SIGNATURE, static_cast<int>(e.signature.size()), e.signature.data());
			if (!e.context.empty())
				nla_put_string(m, SPDM_TSM_A_EVIDENCE_CONTEXT, e.context.c_str());
		}));
		auto object = [&](std::uint32_t obj, const Bytes &b) {
			queue(message(SPDM_TSM_CMD_EVIDENCE_GET, NLM_F_MULTI, [&](nl_msg *m) {
				nla_put_u64(m, SPDM_TSM_A_EVIDENCE_GENERATION, e.generation);
				nla_put_u32(m, SPDM_TSM_A_EVIDENCE_OBJECT, obj);
				nla_put_u32(m, SPDM_TSM_A_EVIDENCE_OFFSET, 0);
				nla_put_u32(m, SPDM_TSM_A_EVIDENCE_TOTAL, static_cast<std::uint32_t>(b.size()));
				nla_put(m, SPDM_TSM_A_EVIDENCE_DATA, static_cast<int>(b.size()), b.data());
			}));
		};
		object(SPDM_TSM_EVIDENCE_OBJECT_CERT_CHAIN, e.cert_chain);
		object(SPDM_TSM_EVIDENCE_OBJECT_TRANSCRIPT, e.transcript);
		object(SPDM_TSM_EVIDENCE_OBJECT_LEAF_SPKI, e.leaf_spki);
		queue(done());
	}

	Datagram done()
	{
		Datagram d(NLMSG_HDRLEN + sizeof(int));
		nlmsghdr h{static_cast<std::uint32_t>(d.size()), NLMSG_DONE, NLM_F_MULTI, seq_, 0};
		std::memcpy(d.data(), &h, sizeof(h));
		return d;
	}

	Datagram ack(int err)
	{
		Datagram d(NLMSG_HDRLEN + sizeof(nlmsgerr));
		nlmsghdr h{static_cast<std::uint32_t>(d.size()), NLMSG_ERROR, NLM_F_CAPPED, seq_, 0};
		std::memcpy(d.data(), &h, sizeof(h));
		nlmsgerr e{};
		e.error = -err;
		std::memcpy(d.data() + NLMSG_HDRLEN, &e, sizeof(e));
		return d;
	}
};

// The agent's settings: one [device] section, 'ca' = the root of anchor_id.
struct AgentSetup {
	std::string ca_path;
	std::unique_ptr<SettingsHolder> settings;
	Logger log{false, false};
	Notifier notify;

	explicit AgentSetup(const devsim::Identity &anchor_id)
	{
		char tmpl[] = "/tmp/agent-pin-XXXXXX";
		int fd = mkstemp(tmpl);
		REQUIRE(fd >= 0);
		close(fd);
		ca_path = tmpl;
		std::ofstream(ca_path) << spdmtsm::pem(anchor_id.slots.at(0).certs.front());
		Settings s;
		s.cfg = parse_config("[device " + std::string(bdf) + "]\nca = " + ca_path + "\n", "agent.conf");
		s.anchors.push_back(spdmtsm::load_anchors({ca_path}));
		settings = std::make_unique<SettingsHolder>(std::move(s));
	}
	~AgentSetup() { std::remove(ca_path.c_str()); }

	// The start-up pass over kernel (owned by the caller).
	bool run(FakeKernel &kernel)
	{
		struct Borrowed : spdmtsm::NlTransport {
			FakeKernel &k;
			explicit Borrowed(FakeKernel &kk) : k(kk) {}
			void send(nl_msg *m) override { k.send(m); }
			Datagram recv() override { return k.recv(); }
		};
		return startup_pass(*settings, log, notify, [&] {
			return std::make_unique<spdmtsm::GenlSocket>(std::make_unique<Borrowed>(kernel), family);
		});
	}
};

const devsim::Identity &vendor()
{
	static const auto id = devsim::make_identity(devsim::Asym::EcdsaP256, devsim::Hash::Sha256, 1, 31);
	return id;
}

// The same vendor's root and keys, another leaf certificate: trusted as
// well, another chain digest.
const devsim::Identity &vendor_other_leaf()
{
	static const auto id = devsim::make_identity(devsim::Asym::EcdsaP256, devsim::Hash::Sha256, 1, 31,
						     "Vendor=1b36:Device=0011:CC=010802:REV=02:SSVID=1af4:SSID=1100");
	return id;
}

// Another vendor's identity, which the configuration does not trust.
const devsim::Identity &stranger()
{
	static const auto id = devsim::make_identity(devsim::Asym::EcdsaP256, devsim::Hash::Sha256, 1, 32);
	return id;
}

} // namespace

TEST_CASE("policy pin: the stored policy pins the digest verified, not the device's identity of a moment later")
{
	unsetenv("NOTIFY_SOCKET");
	AgentSetup setup(vendor());
	FakeKernel kernel;
	kernel.evidence = authenticate(vendor(), 1);
	const Bytes verified = kernel.evidence.slot_digests.at(0);
	spdmtsm::Evidence swapped = authenticate(stranger(), 2);
	const Bytes untrusted = swapped.slot_digests.at(0);
	REQUIRE(verified != untrusted);
	// the device reconnects with an untrusted identity after the agent
	// verified the first one, before its policy-set reaches the kernel
	kernel.before_policy_set = [&] {
		if (kernel.policy_sets.empty())
			kernel.evidence = swapped;
	};

	bool trusted = setup.run(kernel);

	REQUIRE(kernel.policy_sets.size() == 1);
	CHECK_FALSE(kernel.policy_sets[0].current); // never "whatever the kernel holds now"
	CHECK(kernel.policy_sets[0].cert_digest == verified);
	CHECK(kernel.stored == std::vector<Bytes>{verified});
	// it saw the generation change, judged what is there now (the
	// stranger), and disconnected it: no trust for the new identity
	CHECK(kernel.count(SPDM_TSM_CMD_EVIDENCE_GET) == 2);
	CHECK(kernel.count(SPDM_TSM_CMD_DISCONNECT) == 1);
	CHECK_FALSE(kernel.authenticated);
	CHECK_FALSE(trusted);
}

TEST_CASE("policy pin: a device that changes to another trusted identity gets a policy for each digest verified")
{
	unsetenv("NOTIFY_SOCKET");
	AgentSetup setup(vendor());
	FakeKernel kernel;
	kernel.evidence = authenticate(vendor(), 1);
	spdmtsm::Evidence second = authenticate(vendor_other_leaf(), 2);
	const Bytes first_digest = kernel.evidence.slot_digests.at(0);
	const Bytes second_digest = second.slot_digests.at(0);
	REQUIRE(first_digest != second_digest);
	kernel.before_policy_set = [&] {
		if (kernel.policy_sets.empty())
			kernel.evidence = second;
	};

	CHECK(setup.run(kernel));
	REQUIRE(kernel.policy_sets.size() == 2);
	CHECK_FALSE(kernel.policy_sets[0].current);
	CHECK_FALSE(kernel.policy_sets[1].current);
	CHECK(kernel.stored == std::vector<Bytes>{first_digest, second_digest});
	CHECK(kernel.count(SPDM_TSM_CMD_DISCONNECT) == 0);
}

TEST_CASE("policy pin: a device that keeps changing under policy-set is given up on, not trusted")
{
	unsetenv("NOTIFY_SOCKET");
	AgentSetup setup(vendor());
	FakeKernel kernel;
	kernel.evidence = authenticate(vendor(), 1);
	spdmtsm::Evidence a = kernel.evidence, b = authenticate(vendor_other_leaf(), 2);
	kernel.before_policy_set = [&] {
		// every policy-set finds the other identity, one generation on
		std::uint64_t gen = kernel.evidence.generation + 1;
		kernel.evidence = kernel.evidence.slot_digests == a.slot_digests ? b : a;
		kernel.evidence.generation = gen;
	};

	CHECK_FALSE(setup.run(kernel));
	// three rounds, each policy pinned to what that round verified
	REQUIRE(kernel.policy_sets.size() == 3);
	CHECK(kernel.stored == std::vector<Bytes>{a.slot_digests.at(0), b.slot_digests.at(0), a.slot_digests.at(0)});
	for (const auto &r : kernel.policy_sets)
		CHECK_FALSE(r.current);
}
