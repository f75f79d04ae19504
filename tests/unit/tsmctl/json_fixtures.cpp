// SPDX-License-Identifier: GPL-2.0
// Prints one document of every tsmctl -j output, from tsmctl's own emitters
// fed with fixture data (a devsim identity whose names are hostile: escape
// sequences and bytes that are not UTF-8), in the record format of
// tests/schema/check-tsmctl-json, which validates them against the schema.
#include "spdmtsm/device.hpp"
#include "spdmtsm/evidence.hpp"
#include "spdmtsm/json.hpp"
#include "spdmtsm/policy.hpp"
#include "spdmtsm/verify.hpp"

#include <devsim/responder.hpp>

#include <linux/spdm_tsm.h>

#include <iostream>

using namespace spdmtsm;

namespace {

void doc(const std::string &args, const Json &j, bool pretty = false)
{
	std::cout << "#tsmctl " << args << (pretty ? " -p" : "") << "\n" << json_text(j, pretty) << "\n";
}

} // namespace

int main()
{
	const std::string hostile_cma = "Vendor=1b36:\x1b]0;owned\x07\x1b[2J\xff\xfe\xc3(\xe2\x80\xae";
	const std::string hostile_cn = "leaf \x1b[31mred\x1b[0m \xc0\xaf";
	auto id = devsim::make_identity(devsim::Asym::EcdsaP256, devsim::Hash::Sha256, 1, 4242, hostile_cma, hostile_cn);

	DevInfo fresh;
	fresh.bdf = "0000:01:00.0";
	fresh.vendor_id = 0x1b36;
	fresh.device_id = 0x10;
	fresh.cma = true;
	fresh.mem_limit = 1 << 20;
	DevInfo conn = fresh;
	conn.bdf = "10000:e1:00.0"; // a VMD domain
	conn.serial = 0x0123456789abcdefULL;
	conn.dsm = conn.tee_io = true;
	conn.tsm = "tsm0";
	conn.state = SPDM_TSM_STATE_AUTHENTICATED;
	conn.version = 0x13;
	conn.asym = 1u << 7;
	conn.hash = 1u << 1;
	conn.exchanges = 6;
	conn.duration_us = 12345;
	conn.mem_used = 4096;
	conn.generation = 7;
	conn.core_connected = true;
	DevInfo failed = fresh;
	failed.state = SPDM_TSM_STATE_FAILED;
	failed.last_error = "signature does not verify \x1b[2J\xff";

	doc("list -j", Json::array({json_of(fresh), json_of(conn)}));
	doc("list -j", Json::array());
	doc("show -j", Json::array({json_of(fresh), json_of(conn), json_of(failed)}));
	doc("show 01:00.0 -j", Json::array({json_of(failed)}), true);
	doc("connect 01:00.0 -j", json_of(conn));
	doc("revalidate 01:00.0 -j", json_of(conn), true);

	// a secured session: every field, and one the kernel reported no field of
	DevInfo sess = conn;
	sess.bdf = "0000:02:00.0";
	sess.dsm = sess.tee_io = false;
	sess.tsm.clear();
	SessionInfo si;
	si.state = SPDM_TSM_SESSION_STATE_ESTABLISHED;
	si.id = 0xfffe0001;
	si.dhe = 1u << 4;
	si.aead = 1u << 1;
	si.hash = 1u << 1;
	si.encrypted = true;
	si.heartbeat_period = 10;
	si.established_ns = 1764640000123456789ULL;
	si.key_updates = 2;
	si.heartbeats = 17;
	si.establishments = 1;
	si.exchanges = 2;
	si.duration_us = 4321;
	sess.session = si;
	DevInfo ended = sess;
	ended.session = SessionInfo{};
	doc("connect 02:00.0 --session -j", json_of(sess));
	doc("show -j", Json::array({json_of(fresh), json_of(sess), json_of(ended)}));
	doc("session show -j", Json::array({session_json(fresh), session_json(sess), session_json(ended)}));
	doc("session show 02:00.0 -j", Json::array({session_json(sess)}), true);
	doc("session key-update --all 02:00.0 -j", json_of(sess));
	doc("session end 02:00.0 -j", json_of(ended), true);

	Evidence e;
	e.bdf = "0000:01:00.0";
	e.generation = 3;
	e.version = 0x12;
	e.caps = 0x12345;
	e.asym = 1u << 4;
	e.hash = 1u;
	e.slot_digests[0] = Bytes(32, 0xab);
	e.nonce = Bytes(32, 1);
	e.signature = Bytes(64, 2);
	e.context = "responder-challenge_auth signing";
	e.transcript = Bytes(100, 3);
	e.leaf_spki = Bytes(91, 4);
	e.cert_chain = id.slots[0].der_chain();
	doc("evidence 01:00.0 -j", json_of(e));
	// with the KEY_EXCHANGE_RSP of a secured session
	SessionEvidence se;
	se.id = 0xfffe0001;
	se.dhe = 1u << 3;
	se.aead = 1u << 0;
	se.ke_signature = Bytes(64, 0x5a);
	se.ke_th_hash = Bytes(32, 0xa5);
	se.ke_context = "responder-key_exchange_rsp signing";
	e.session = se;
	doc("evidence 02:00.0 -j", json_of(e));
	e.session->id.reset();
	e.session->dhe = e.session->aead = 0;
	e.session->ke_context.clear();
	doc("evidence 02:00.0 -j", json_of(e), true);
	e.session.reset();
	// with measurements, no context (1.1), and a certificate that does not parse
	e.version = 0x11;
	e.context.clear();
	e.meas_count = 1;
	e.meas_blocks = Bytes{0x01, 0x01, 0x07, 0x00, 0x00, 0x04, 0x00, 0xde, 0xad, 0xbe, 0xef};
	e.meas_nonce = Bytes(32, 5);
	e.meas_signature = Bytes(64, 6);
	e.meas_transcript = Bytes(50, 7);
	e.cert_chain.insert(e.cert_chain.end(), {0x30, 0x03, 0x02, 0x01, 0x00});
	doc("evidence 01:00.0 -j", json_of(e), true);

	VerifyReport r;
	r.checks.push_back({"chain", false, "issuer " + hostile_cn + " not trusted"});
	r.checks.push_back({"signature", true, "ok"});
	doc("verify 01:00.0 --ca root.pem -j", json_of("0000:01:00.0", r));
	r.checks.push_back({"session-signature", false, "KEY_EXCHANGE_RSP: signature does not verify"});
	doc("verify 02:00.0 --ca root.pem -j", json_of("0000:02:00.0", r));

	Policy p;
	p.bdf = "0000:01:00.0";
	p.cert_digest = Bytes(48, 9);
	p.meas.push_back({1, Bytes{1, 2, 3}, false});
	p.meas.push_back({2, {}, true});
	p.action = SPDM_TSM_ACTION_UNBIND;
	Policy q;
	q.bdf = "0000:02:00.0";
	q.serial = 42;
	q.meas_baseline = true;
	q.revalidate_mode = SPDM_TSM_REVALIDATE_MODE_ANNOUNCE;
	doc("policy set 01:00.0 --action unbind -j", json_of(p));
	doc("policy show -j", Json::array({json_of(p), json_of(q)}));
	doc("policy show 02:00.0 -j", Json::array({json_of(q)}));

	DevEvent ev;
	ev.dev = failed;
	ev.event = SPDM_TSM_EVENT_REVALIDATION_FAILED;
	ev.reason = SPDM_TSM_REASON_SIGNATURE;
	ev.timestamp_ns = 1764640000123456789ULL;
	DevEvent hb;
	hb.dev = ended;
	hb.event = SPDM_TSM_EVENT_SESSION_LOST;
	hb.reason = SPDM_TSM_REASON_HEARTBEAT;
	hb.timestamp_ns = 1764640000323456789ULL;
	DevEvent up = hb;
	up.dev = sess;
	up.event = SPDM_TSM_EVENT_SESSION_ESTABLISHED;
	std::cout << "#tsmctl-lines monitor -j\n"
		  << json_text(json_of(ev)) << "\n"
		  << json_text(json_of(hb)) << "\n"
		  << json_text(json_of(up)) << "\n"
		  << json_text(events_lost_json(1764640000223456789ULL)) << "\n";
	return 0;
}
