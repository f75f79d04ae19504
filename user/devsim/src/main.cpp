// SPDX-License-Identifier: GPL-2.0
// spdm-devsim: command line.
#include <devsim/responder.hpp>
#include <devsim/transport.hpp>
#include <devsim/vfio_user.hpp>

#include "crypto.hpp"

#include <csignal>
#include <filesystem>
#include <unistd.h>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace devsim;

namespace {

const char *kMainHelp = R"(usage: spdm-devsim COMMAND [OPTIONS]

An SPDM 1.0-1.4 responder (DMTF DSP0274, PCIe CMA) for QEMU's spdm-socket
(nvme/cxl DOE) or as a vfio-user PCIe device, with fault injection.

commands:
  serve     answer SPDM requests on 127.0.0.1 (QEMU spdm-socket protocol)
  serve-pci be a whole PCIe endpoint with a CMA DOE mailbox over vfio-user
            (QEMU -device vfio-user-pci)
  keygen    create an identity directory (root CA -> intermediate -> leaf per slot)
  import    create an identity directory from an existing key and chain
  ctl       talk to a running server's control socket

'spdm-devsim COMMAND --help' documents each command's flags.
)";

const char *kServeHelp = R"(usage: spdm-devsim serve [OPTIONS]

Listens on 127.0.0.1 only, one spdm-socket connection at a time (QEMU connects
once; after SHUTDOWN or EOF the next connection is accepted and SPDM state is
reset).  Transport type PCI_DOE (2): payloads are whole DOE objects (vendor
0x0001, type 1); NONE (0): bare SPDM.  SIGTERM/SIGINT exit 0.

  --port P            TCP port (default 2323); 0 picks a free port
  --port-file F       write the port and a newline to F once listening
  --identity DIR      load the identity from DIR (see keygen/import)
  --asym A            ecdsa-p256|ecdsa-p384|ecdsa-p521|rsa-2048|rsa-3072|rsa-4096
                      (generated identity; default ecdsa-p384)
  --hash H            sha256|sha384|sha512: certificate hash and preferred
                      SPDM base hash (default sha384)
  --slots N           certificate slots 1..8 (default 1)
  --seed S            identity seed, keys are deterministic (default 1)
  --cache DIR         keep generated identities in DIR and reuse them
                      (RSA-4096 key generation takes ~20 s)
  --cma-name STR      leaf SAN otherName (OID 2.23.147) value (default
                      Vendor=1b36:Device=0010:CC=010802:REV=02:SSVID=1af4:SSID=1100)
  --cma-name-hex HEX  the same, as bytes: any, e.g. escape sequences or
                      invalid UTF-8 (a hostile device's name)
  --leaf-cn-hex HEX   the leaf certificate's subject CN as bytes (no 00)
  --version LIST      SPDM versions offered, e.g. 1.0,1.1,1.2,1.3,1.4 (default all)
  --hash-algos LIST   base hashes the device accepts (default sha256,sha384,sha512)
  --max-chunk BYTES   largest CERTIFICATE portion (default: what fits the cap)
  --transport-cap B   largest reply incl. the 8-byte DOE header (default 4608 =
                      0x1200, QEMU drops larger replies); DataTransferSize and
                      MaxSPDMmsgSize are cap - 8
  --data-transfer-size N  DataTransferSize N (42 .. cap - 8): the largest
                      single message the device sends or receives; turns on
                      CHUNK_CAP (1.2+): larger responses go as ERROR
                      LargeResponse + CHUNK_GET, larger requests arrive with
                      CHUNK_SEND
  --max-spdm-msg-size N   MaxSPDMmsgSize with chunking (default 65536)
  --no-chunk          no CHUNK_CAP: a response larger than one message is
                      ERROR ResponseTooLarge
  --no-meas-sig       MEAS_CAP without signatures
  --no-meas           no MEAS_CAP
  --no-sessions       no secured sessions: CAPABILITIES without KEY_EX_CAP,
                      ENCRYPT_CAP, MAC_CAP, HBEAT_CAP, KEY_UPD_CAP, no DHE/AEAD
                      selected, KEY_EXCHANGE unsupported, secured CMA refused
                      (by default sessions are offered from SPDM 1.1 on)
  --handshake-in-clear  HANDSHAKE_IN_THE_CLEAR_CAP: with a requester that has
                      it too, FINISH/FINISH_RSP go in the clear
  --session-mac-only  MAC_CAP without ENCRYPT_CAP: sessions are authenticated
                      only (records carry the message in the clear and a MAC)
  --heartbeat-period S  HeartbeatPeriod in KEY_EXCHANGE_RSP, seconds (0..255,
                      default 10; 0 = no heartbeat); only to a requester with
                      HBEAT_CAP
  --max-sessions N    sessions at once (1..255, default 4); one more
                      KEY_EXCHANGE gets ERROR SessionLimitExceeded
  --ctl SOCKET        unix control socket (see spdm-devsim ctl --help)
  --fault SPEC        inject a fault from the start; repeatable (see below)
  -v, --verbose       one line per message on stderr
  --trace FILE        append one JSON object per exchange to FILE
  -h, --help          this text

fault SPEC (also 'spdm-devsim ctl SOCKET fault SPEC'); counters take =N for
the next N responses, =always (or -1) until cleared, =0 to turn off:
  bad-signature[=N]   corrupt signatures (default: always)
  truncate[=N]        cut the response to half its length (default 1)
  oversize[=N]        pad the response with zeros to cap-8 bytes (default 1)
  garbage[=N]         random bytes instead of the response (default 1)
  wrong-version[=N]   another SPDMVersion in the response (default 1)
  no-answer[=N]       no SPDM response: an empty spdm-socket reply, which QEMU
                      turns into a DOE error (default 1)
  busy[=N]            ERROR Busy for the next N requests (default 1)
  not-ready[=N[:RDTEXP[:RDTM[:TOKEN]]]]  N ERROR ResponseNotReady (default 1):
                      the first to the next GET_DIGESTS, GET_CERTIFICATE,
                      CHALLENGE or GET_MEASUREMENTS, which devsim keeps, the
                      others to RESPOND_IF_READY (Param1 = the request code,
                      Param2 = TOKEN); then RESPOND_IF_READY gets the answer.
                      RDT = 2^RDTEXP us (default 10), RDTM (default 2),
                      TOKEN 0..255 (default: a new one per deferred request);
                      =always: never ready.  ctl status counts them
  resynch[=N]         ERROR RequestResynch instead of the next N answers
                      (not GET_VERSION); the negotiated state is dropped
  bad-verify-data[=N] flip a bit in ResponderVerifyData (KEY_EXCHANGE_RSP, or
                      FINISH_RSP with the handshake in the clear) (default 1)
  bad-kex-signature[=N]  flip a bit in KEY_EXCHANGE_RSP's signature (default 1)
  bad-tag[=N]         flip a bit in the MAC of secured responses (default 1)
  wrong-session-id[=N]  secured responses under another SessionID (default 1)
  replay-seq[=N]      resend the previous secured response instead of the next
                      one: an old sequence number (default 1)
  no-heartbeat[=N]    HEARTBEAT gets no answer (default: always)
  no-key-update[=N]   KEY_UPDATE UpdateKey/UpdateAllKeys gets no answer and
                      changes no key (default 1)
  session-drop        forget every session (the device lost its session
                      state; negotiated state kept): the next secured message
                      gets ERROR InvalidSession
  chain-overlong[=0]  serve chains 64 bytes longer than their Length field
                      (sticky; =0 turns it off)
  delay=MS            wait MS milliseconds before every reply (sticky; 0 = off)
  offer-versions=LIST from the next GET_VERSION on, VERSION lists only these of
                      --version (e.g. 1.0 or 1.0,1.1; sticky): a device that
                      negotiated 1.3 offers 1.0 after a reset
  offer-hash=LIST     from the next NEGOTIATE_ALGORITHMS on, select the base
                      hash only among LIST (sha256,sha384,sha512) & --hash-algos
                      (sticky); none of them offered by the requester: ERROR
                      InvalidRequest, as for any missing common algorithm
  offer-asym=LIST     select the base asym only among LIST (ecdsa-p256 ...
                      rsa-4096); devsim only has keys for the identity's
                      algorithm, so a LIST without it leaves no common
                      algorithm: ERROR InvalidRequest (sticky)
  cert-portion=N      every CERTIFICATE carries at most N chain bytes (1..65535,
                      RemainderLength correct; sticky; 0 = off)
  cert-stall[=N]      CERTIFICATE with PortionLength 0 and RemainderLength > 0
                      (no progress; illegal) (default 1)
  chunk-lie=KIND      a lie in every CHUNK_RESPONSE (sticky; none = off):
                      handle (another Handle), seq-skip / seq-repeat
                      (ChunkSeqNo one more / less, from the 2nd chunk), size
                      (ChunkSize = the requester's DataTransferSize), lms-big
                      (LargeMessageSize beyond the requester's MaxSPDMmsgSize),
                      lms-long / overrun (LargeMessageSize 64 more / 1 less
                      than the message), no-last (LAST_CHUNK never set), stall
                      (empty chunks forever), no-cap (CAPABILITIES without
                      CHUNK_CAP, chunks anyway)
  cert-remainder-lie[=N]  CERTIFICATE at Offset > 0 whose RemainderLength did
                      not shrink by its portion (the 2nd response repeats the
                      1st's value; illegal); a chain that fits one response
                      needs cert-portion too (default 1)
  serial=HEX          serve-pci: report Device Serial Number HEX (1..16 hex
                      digits) from now on instead of --serial or the identity's
                      (sticky; clear restores it; serve has no DSN, ignores it)
  measurement=IDX:HEX set the data of measurement IDX (1..254) to the bytes HEX
                      (measurement=IDX:none removes the block);
                      digest measurements (default 1-3) report Hash(data) in
                      the negotiated hash, raw ones (default 4) the bytes;
                      a new IDX becomes a digest measurement
  swap-identity[=SEED|DIR]  device replacement: new keys (seed+1 by default)
                      or the identity in DIR; drops negotiated state
  reset               drop negotiated state and transcripts
  clear               remove all faults
)";

const char *kServePciHelp = R"(usage: spdm-devsim serve-pci --socket PATH [OPTIONS]

A whole PCIe endpoint served over vfio-user on the unix socket PATH (QEMU:
-device '{"driver":"vfio-user-pci","socket":{"path":"PATH","type":"unix"}}').
Configuration space (region 7): PCI Express capability (Endpoint, DevCap
FLR + TEE-IO), Device Serial Number (--serial, the serial fault, or the first
8 bytes of SHA-256 of the slot-0 leaf certificate), a DOE mailbox serving DOE discovery, CMA/SPDM
and secured CMA (SPDM sessions; not with --no-sessions),
optionally an IDE capability (no streams); BAR0: 4 KiB of registers; no
interrupts.  A guest FLR (DevCtl Initiate FLR), DEVICE_RESET (bus reset) and
a client disconnect reset the DOE mailbox and drop SPDM state.  One client
at a time.  SIGTERM/SIGINT exit 0.

  --socket PATH       vfio-user socket (required; replaced if it exists)
  --vendor-id HEX     PCI vendor and subsystem vendor id (default 1b36)
  --device-id HEX     PCI device and subsystem id (default 0099)
  --class HEX         class code (default ff0000, no driver binds)
  --no-tee-io         clear DevCap TEE-IO (bit 30): no longer a DSM for PCI/TSM
  --no-flr            clear DevCap FLR (bit 28)
  --ide               add an IDE extended capability (advertising no streams)
  --serial HEX        Device Serial Number, 1..16 hex digits (default: the first
                      8 bytes of SHA-256 of the slot-0 leaf certificate);
                      --serial 0123456789abcdef reads as 0x0123456789abcdef in
                      pci_get_dsn() and 01-23-45-67-89-ab-cd-ef in lspci -vv
                      (config 0x104 = 89abcdef, 0x108 = 01234567)
  -v, --verbose       one line per DOE exchange, reset and connection
  --cma-name STR      default: Vendor=<vid>:Device=<did>:CC=<class>:REV=01:...
  Identity, SPDM and fault options as for 'spdm-devsim serve' (--identity,
  --asym, --hash, --slots, --seed, --cache, --version, --hash-algos,
  --max-chunk, --transport-cap, --no-meas-sig, --no-meas, --no-sessions,
  --handshake-in-clear, --session-mac-only, --heartbeat-period, --max-sessions,
  --ctl, --fault).

Control socket (--ctl): the 'spdm-devsim ctl' commands; 'status' adds a
"pci" member (ids, serial and serial_source, flrs, resets, DOE counters and
state), and 'pci-reset' resets the device as a bus reset would.
)";

const char *kKeygenHelp =
	R"(usage: spdm-devsim keygen --dir D [--asym A] [--hash H] [--slots N] [--seed S] [--cma-name STR]

Writes D/identity.txt and D/slotN/{root,inter,leaf}.{der,pem}, chain.der,
chain.pem, leaf.key.pem and spdm-chain.bin (SPDM chain format for --hash).
  --dir D        output directory (created)
  --asym A       ecdsa-p256|ecdsa-p384|ecdsa-p521|rsa-2048|rsa-3072|rsa-4096 (default ecdsa-p384)
  --hash H       sha256|sha384|sha512 (default sha384)
  --slots N      1..8 (default 1)
  --seed S       deterministic seed (default 1)
  --cma-name STR leaf SAN otherName 2.23.147 value
  --cma-name-hex HEX, --leaf-cn-hex HEX   those names as bytes (see serve --help)
)";

const char *kImportHelp = R"(usage: spdm-devsim import --dir D --key K --chain C... [--hash H]

Creates a one-slot identity directory from a leaf private key (PEM or DER) and
certificates (PEM bundles or DER files, root first, leaf last).
  --dir D        output directory
  --key K        leaf private key
  --chain C...   certificate files, one or more (until the next flag)
  --hash H       sha256|sha384|sha512: preferred SPDM hash (default sha384)
)";

const char *kCtlHelp = R"(usage: spdm-devsim ctl SOCKET COMMAND

Sends one line to a running server's control socket (--ctl) and prints the
reply; exits 0 when the reply starts with "ok".  The protocol is one text
line per request and per reply, usable with socat as well.
  fault SPEC                 inject a fault (see spdm-devsim serve --help)
  reset                      drop negotiated state
  clear                      remove all faults
  swap-identity [DIR|SEED]   device replacement
  measurement IDX HEX|none   change (or with none: remove) measurement IDX
  status                     "ok {json}": state, version, identity, faults
  pci-reset                  (serve-pci) reset the device as a bus reset would
)";

struct UsageError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

// Minimal flag parser: --flag VALUE, --flag=VALUE, boolean flags.
struct Args {
	std::vector<std::string> v;
	size_t i = 0;
	bool done() const { return i >= v.size(); }
	std::string next_flag(std::string &inline_val)
	{
		std::string a = v[i++];
		inline_val.clear();
		if (a.starts_with("--"))
			if (auto eq = a.find('='); eq != std::string::npos) {
				inline_val = a.substr(eq + 1);
				a = a.substr(0, eq);
				pending_inline = true;
				return a;
			}
		pending_inline = false;
		return a;
	}
	std::string value(const std::string &flag, const std::string &inline_val)
	{
		if (pending_inline)
			return inline_val;
		if (done())
			throw UsageError(flag + " needs a value");
		return v[i++];
	}
	bool pending_inline = false;
};

unsigned long parse_uint(const std::string &flag, const std::string &s, unsigned long max)
{
	if (auto v = spdmtsm::parse_uint(s, max))
		return *v;
	throw UsageError(flag + ": bad number '" + s + "' (0.." + std::to_string(max) + ")");
}

// --asym / --hash NAME: the algorithm, or a usage error that lists the names.
Asym asym_arg(const std::string &flag, const std::string &s)
{
	if (auto x = parse_asym(s))
		return *x;
	throw UsageError(flag + ": unknown '" + s + "' (ecdsa-p256|ecdsa-p384|ecdsa-p521|rsa-2048|rsa-3072|rsa-4096)");
}
Hash hash_arg(const std::string &flag, const std::string &s)
{
	if (auto x = parse_hash(s))
		return *x;
	throw UsageError(flag + ": unknown '" + s + "' (sha256|sha384|sha512)");
}

// --flag LIST through one of the shared list parsers (devsim/responder.hpp).
template <class Parse> auto list_value(Args &a, const std::string &flag, const std::string &iv, Parse parse)
{
	try {
		return parse(a.value(flag, iv));
	} catch (const std::invalid_argument &e) {
		throw UsageError(flag + ": " + e.what());
	}
}

struct IdentityOpts {
	Asym asym = Asym::EcdsaP384;
	Hash hash = Hash::Sha384;
	int slots = 1;
	uint64_t seed = 1;
	std::string cma_name{kDefaultCmaName};
	bool cma_set = false;
	std::string leaf_cn;
	std::string dir;

	bool parse(Args &a, const std::string &flag, const std::string &iv)
	{
		if (flag == "--asym") {
			asym = asym_arg(flag, a.value(flag, iv));
		} else if (flag == "--hash") {
			hash = hash_arg(flag, a.value(flag, iv));
		} else if (flag == "--slots") {
			slots = int(parse_uint(flag, a.value(flag, iv), 8));
			if (slots < 1)
				throw UsageError("--slots: 1..8");
		} else if (flag == "--seed") {
			seed = parse_uint(flag, a.value(flag, iv), ~0ul);
		} else if (flag == "--cma-name") {
			cma_name = a.value(flag, iv);
			cma_set = true;
		} else if (flag == "--cma-name-hex" || flag == "--leaf-cn-hex") {
			auto v = a.value(flag, iv);
			auto b = from_hex(v);
			if (!b || b->empty())
				throw UsageError(flag + ": expected hex bytes, not '" + v + "'");
			(flag == "--leaf-cn-hex" ? leaf_cn : cma_name).assign(b->begin(), b->end());
			if (flag == "--cma-name-hex")
				cma_set = true;
		} else if (flag == "--dir" || flag == "--identity") {
			dir = a.value(flag, iv);
		} else {
			return false;
		}
		return true;
	}
};

// A generated identity, taken from (or stored in) CACHE when given:
// CACHE/<asym>-<hash>-s<slots>-seed<seed>[-<cma name digest>].
Identity cached_identity(const IdentityOpts &o, const std::string &cache)
{
	if (cache.empty())
		return make_identity(o.asym, o.hash, o.slots, o.seed, o.cma_name, o.leaf_cn);
	std::string sub = cache + "/" + std::string(to_string(o.asym)) + "-" + std::string(to_string(o.hash)) + "-s" +
			  std::to_string(o.slots) + "-seed" + std::to_string(o.seed);
	if (o.cma_name != kDefaultCmaName || !o.leaf_cn.empty()) {
		std::string names = o.cma_name + (o.leaf_cn.empty() ? "" : std::string(1, '\0') + o.leaf_cn);
		sub += "-" + spdmtsm::hex(digest(Hash::Sha256, Bytes(names.begin(), names.end()))).substr(0, 16);
	}
	if (std::filesystem::exists(sub + "/identity.txt")) {
		try {
			Identity id = load_identity(sub);
			if (id.asym == o.asym && id.hash == o.hash && int(id.slots.size()) == o.slots &&
			    id.seed == o.seed)
				return id;
		} catch (const std::exception &e) {
			std::cerr << "spdm-devsim: ignoring cached identity " << sub << ": " << e.what() << "\n";
		}
	}
	Identity id = make_identity(o.asym, o.hash, o.slots, o.seed, o.cma_name, o.leaf_cn);
	// Save under a private name and rename: concurrent servers may race.
	std::string tmp = sub + ".tmp." + std::to_string(getpid());
	try {
		std::filesystem::create_directories(cache);
		save_identity(id, tmp);
		std::error_code ec;
		std::filesystem::rename(tmp, sub, ec);
		if (ec)
			std::filesystem::remove_all(tmp);
	} catch (const std::exception &e) {
		std::cerr << "spdm-devsim: cannot cache the identity in " << cache << ": " << e.what() << "\n";
		std::error_code ec;
		std::filesystem::remove_all(tmp, ec);
	}
	return id;
}

Server *volatile g_server;
VfioUserServer *volatile g_pci_server;
volatile sig_atomic_t g_stop_requested;
extern "C" void on_signal(int)
{
	g_stop_requested = 1;
	if (Server *s = g_server)
		s->stop();
	if (VfioUserServer *s = g_pci_server)
		s->stop();
}

// Run s until SIGTERM/SIGINT: slot is where on_signal finds it.  banner is
// the line that says it is up.
template <typename S> int run_until_stopped(S &s, S *volatile &slot, const std::string &banner, bool verbose)
{
	slot = &s;
	if (g_stop_requested)
		s.stop();
	std::cerr << banner << std::endl;
	s.run();
	slot = nullptr;
	if (verbose)
		std::cerr << "spdm-devsim: stopped" << std::endl;
	return 0;
}

void install_signals()
{
	// Handle SIGTERM/SIGINT from the start: a stop request that arrives
	// while keys are generated ends the server as soon as it exists.
	struct sigaction sa {};
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, nullptr);
	sigaction(SIGINT, &sa, nullptr);
	signal(SIGPIPE, SIG_IGN);
}

// Options shared by serve and serve-pci: identity, SPDM configuration,
// faults, control socket, logging.
struct ServeOpts {
	IdentityOpts ido;
	Config cfg;
	std::vector<std::string> faults;
	std::string cache, ctl, trace;
	bool verbose = false;
	bool no_chunk = false;

	bool parse(Args &a, const std::string &f, const std::string &iv)
	{
		if (ido.parse(a, f, iv)) {
		} else if (f == "--version") {
			cfg.versions = list_value(a, f, iv, parse_version_list);
		} else if (f == "--hash-algos") {
			cfg.hash_algos = list_value(a, f, iv, parse_hash_list);
		} else if (f == "--max-chunk") {
			cfg.max_chunk = uint32_t(parse_uint(f, a.value(f, iv), 65535));
		} else if (f == "--transport-cap") {
			cfg.transport_cap = uint32_t(parse_uint(f, a.value(f, iv), 1u << 20));
			if (cfg.transport_cap < 64)
				throw UsageError("--transport-cap: at least 64");
		} else if (f == "--data-transfer-size") {
			cfg.data_transfer_size = uint32_t(parse_uint(f, a.value(f, iv), 1u << 20));
			if (cfg.data_transfer_size < 42)
				throw UsageError("--data-transfer-size: at least 42 (MinDataTransferSize)");
			cfg.chunk_cap = true;
		} else if (f == "--max-spdm-msg-size") {
			cfg.max_spdm_msg_size = uint32_t(parse_uint(f, a.value(f, iv), 1u << 24));
		} else if (f == "--no-chunk") {
			no_chunk = true;
		} else if (f == "--no-meas-sig") {
			cfg.meas_sig = false;
		} else if (f == "--no-meas") {
			cfg.meas_cap = false;
		} else if (f == "--no-sessions") {
			cfg.sessions = false;
		} else if (f == "--handshake-in-clear") {
			cfg.handshake_in_clear = true;
		} else if (f == "--session-mac-only") {
			cfg.session_mac_only = true;
		} else if (f == "--heartbeat-period") {
			cfg.heartbeat_period = uint8_t(parse_uint(f, a.value(f, iv), 255));
		} else if (f == "--max-sessions") {
			cfg.max_sessions = unsigned(parse_uint(f, a.value(f, iv), 255));
			if (cfg.max_sessions < 1)
				throw UsageError("--max-sessions: at least 1");
		} else if (f == "--ctl") {
			ctl = a.value(f, iv);
		} else if (f == "--fault") {
			faults.push_back(a.value(f, iv));
		} else if (f == "-v" || f == "--verbose") {
			verbose = true;
		} else if (f == "--trace") {
			trace = a.value(f, iv);
		} else if (f == "--cache") {
			cache = a.value(f, iv);
		} else {
			return false;
		}
		return true;
	}

	// Cross-option checks, after every flag was read.
	void finish()
	{
		if (no_chunk)
			cfg.chunk_cap = false;
		if (cfg.data_transfer_size > cfg.transport_cap - cfg.transport_overhead)
			throw UsageError("--data-transfer-size: at most --transport-cap - 8 (" +
					 std::to_string(cfg.transport_cap - cfg.transport_overhead) + ")");
		if (cfg.max_spdm_msg_size && cfg.max_spdm_msg_size < cfg.dts())
			throw UsageError("--max-spdm-msg-size: at least the DataTransferSize (" +
					 std::to_string(cfg.dts()) + ")");
		if (cfg.max_spdm_msg_size > cfg.dts())
			cfg.chunk_cap = !no_chunk;
	}

	Identity identity() const { return !ido.dir.empty() ? load_identity(ido.dir) : cached_identity(ido, cache); }

	void apply_faults(Responder &r) const
	{
		for (auto &f : faults) {
			try {
				r.apply_fault(f);
			} catch (const std::invalid_argument &e) {
				throw UsageError(std::string("--fault: ") + e.what());
			}
		}
	}

	std::string describe(const Identity &id) const
	{
		return " versions " + version_list_text(cfg.versions) + " " + std::string(to_string(id.asym)) + " " +
		       std::string(to_string(id.hash)) + " slots " + std::to_string(id.slots.size()) + " seed " +
		       std::to_string(id.seed) + " cap " + std::to_string(cfg.transport_cap) +
		       (cfg.chunk_cap ? " chunk dts " + std::to_string(cfg.dts()) + " max-msg " +
						std::to_string(cfg.max_msg())
				      : "") +
		       (ctl.empty() ? "" : " ctl " + ctl);
	}
};

int cmd_serve(Args &a)
{
	install_signals();
	ServeOpts o;
	ServerOptions so;
	while (!a.done()) {
		std::string iv, f = a.next_flag(iv);
		if (f == "-h" || f == "--help") {
			std::cout << kServeHelp;
			return 0;
		} else if (o.parse(a, f, iv)) {
		} else if (f == "--port") {
			so.port = uint16_t(parse_uint(f, a.value(f, iv), 65535));
		} else if (f == "--port-file") {
			so.port_file = a.value(f, iv);
		} else {
			throw UsageError("serve: unknown flag '" + f + "'");
		}
	}
	so.ctl_path = o.ctl;
	so.verbose = o.verbose;
	so.trace_path = o.trace;
	o.finish();
	Identity id = o.identity();
	Responder r(o.cfg, id);
	o.apply_faults(r);
	Server s(r, so);
	return run_until_stopped(s, g_server,
				 "spdm-devsim: listening on 127.0.0.1:" + std::to_string(s.port()) + o.describe(id) +
					 " faults " + r.faults().describe(),
				 so.verbose);
}

int cmd_serve_pci(Args &a)
{
	install_signals();
	ServeOpts o;
	PciServerOptions po;
	pci::PciOptions pcio;
	auto id16 = [&](const std::string &f, const std::string &v) {
		return uint16_t(parse_uint(f, v.starts_with("0x") ? v : "0x" + v, 0xFFFF));
	};
	while (!a.done()) {
		std::string iv, f = a.next_flag(iv);
		if (f == "-h" || f == "--help") {
			std::cout << kServePciHelp;
			return 0;
		} else if (o.parse(a, f, iv)) {
		} else if (f == "--socket") {
			po.socket_path = a.value(f, iv);
		} else if (f == "--vendor-id") {
			pcio.vendor_id = pcio.subsys_vendor_id = id16(f, a.value(f, iv));
		} else if (f == "--device-id") {
			pcio.device_id = pcio.subsys_id = id16(f, a.value(f, iv));
		} else if (f == "--class") {
			std::string v = a.value(f, iv);
			pcio.class_code = uint32_t(parse_uint(f, v.starts_with("0x") ? v : "0x" + v, 0xFFFFFF));
		} else if (f == "--ide") {
			pcio.ide = true;
		} else if (f == "--no-tee-io") {
			pcio.tee_io = false;
		} else if (f == "--no-flr") {
			pcio.flr = false;
		} else if (f == "--serial") {
			std::string v = a.value(f, iv);
			pcio.serial = parse_serial(v);
			if (!pcio.serial)
				throw UsageError("--serial: bad serial number '" + v +
						 "' (1..16 hex digits, e.g. 0123456789abcdef)");
		} else {
			throw UsageError("serve-pci: unknown flag '" + f + "'");
		}
	}
	if (po.socket_path.empty())
		throw UsageError("serve-pci: --socket PATH is required");
	if (!o.trace.empty())
		throw UsageError("serve-pci: --trace is not supported (use -v)");
	if (!o.ido.cma_set) {
		char n[96];
		snprintf(n, sizeof n, "Vendor=%04x:Device=%04x:CC=%06x:REV=%02x:SSVID=%04x:SSID=%04x", pcio.vendor_id,
			 pcio.device_id, pcio.class_code, pcio.revision, pcio.subsys_vendor_id, pcio.subsys_id);
		o.ido.cma_name = n;
	}
	po.ctl_path = o.ctl;
	po.verbose = o.verbose;
	o.finish();
	Identity id = o.identity();
	Responder r(o.cfg, id);
	o.apply_faults(r);
	pci::PciDevice dev(r, pcio);
	VfioUserServer s(dev, po);
	char ids[176];
	snprintf(ids, sizeof ids, " device %04x:%04x class %06x serial %016llx (%s)%s%s%s", pcio.vendor_id,
		 pcio.device_id, pcio.class_code, static_cast<unsigned long long>(dev.serial()), dev.serial_source(),
		 pcio.tee_io ? " tee-io" : "", pcio.flr ? " flr" : "", pcio.ide ? " ide" : "");
	return run_until_stopped(s, g_pci_server,
				 "spdm-devsim: vfio-user on " + po.socket_path + ids + o.describe(id) + " faults " +
					 r.faults().describe(),
				 po.verbose);
}

int cmd_keygen(Args &a)
{
	IdentityOpts ido;
	while (!a.done()) {
		std::string iv, f = a.next_flag(iv);
		if (f == "-h" || f == "--help") {
			std::cout << kKeygenHelp;
			return 0;
		} else if (f == "--identity" || !ido.parse(a, f, iv)) {
			throw UsageError("keygen: unknown flag '" + f + "'");
		}
	}
	if (ido.dir.empty())
		throw UsageError("keygen: --dir is required");
	Identity id = make_identity(ido.asym, ido.hash, ido.slots, ido.seed, ido.cma_name, ido.leaf_cn);
	save_identity(id, ido.dir);
	std::cout << ido.dir << ": " << to_string(id.asym) << " " << to_string(id.hash) << " slots " << id.slots.size()
		  << " seed " << id.seed << "\n";
	return 0;
}

int cmd_import(Args &a)
{
	std::string dir, key;
	std::vector<std::string> chain;
	Hash hash = Hash::Sha384;
	while (!a.done()) {
		std::string iv, f = a.next_flag(iv);
		if (f == "-h" || f == "--help") {
			std::cout << kImportHelp;
			return 0;
		} else if (f == "--dir") {
			dir = a.value(f, iv);
		} else if (f == "--key") {
			key = a.value(f, iv);
		} else if (f == "--hash") {
			hash = hash_arg(f, a.value(f, iv));
		} else if (f == "--chain") {
			chain.push_back(a.value(f, iv));
			while (!a.done() && !a.v[a.i].starts_with("-"))
				chain.push_back(a.v[a.i++]);
		} else {
			throw UsageError("import: unknown flag '" + f + "'");
		}
	}
	if (dir.empty() || key.empty() || chain.empty())
		throw UsageError("import: --dir, --key and --chain are required");
	Identity id = import_identity(key, chain, hash);
	save_identity(id, dir);
	std::cout << dir << ": " << to_string(id.asym) << " " << id.slots[0].certs.size() << " certificates\n";
	return 0;
}

int cmd_ctl(Args &a)
{
	std::vector<std::string> rest(a.v.begin() + long(a.i), a.v.end());
	if (!rest.empty() && (rest[0] == "-h" || rest[0] == "--help")) {
		std::cout << kCtlHelp;
		return 0;
	}
	if (rest.size() < 2)
		throw UsageError("ctl: usage: spdm-devsim ctl SOCKET COMMAND [ARGS]");
	static const std::map<std::string, size_t> nargs = {{"fault", 1},          {"reset", 0},       {"clear", 0},
							    {"swap-identity", 99}, {"measurement", 2}, {"status", 0},
							    {"pci-reset", 0}};
	auto it = nargs.find(rest[1]);
	if (it == nargs.end())
		throw UsageError("ctl: unknown command '" + rest[1] +
				 "' (fault|reset|clear|swap-identity|measurement|status)");
	if (it->second != 99 && rest.size() - 2 != it->second)
		throw UsageError("ctl " + rest[1] + ": expects " + std::to_string(it->second) + " argument(s)");
	std::string line;
	for (size_t k = 1; k < rest.size(); k++)
		line += (k > 1 ? " " : "") + rest[k];
	std::string reply = ctl_request(rest[0], line);
	std::cout << reply << "\n";
	return reply.starts_with("ok") ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
	Args a;
	a.v.assign(argv + 1, argv + argc);
	try {
		if (a.done()) {
			std::cerr << kMainHelp;
			return 2;
		}
		std::string cmd = a.v[a.i++];
		if (cmd == "-h" || cmd == "--help" || cmd == "help") {
			std::cout << kMainHelp;
			return 0;
		}
		if (cmd == "serve")
			return cmd_serve(a);
		if (cmd == "serve-pci")
			return cmd_serve_pci(a);
		if (cmd == "keygen")
			return cmd_keygen(a);
		if (cmd == "import")
			return cmd_import(a);
		if (cmd == "ctl")
			return cmd_ctl(a);
		throw UsageError("unknown command '" + cmd + "' (serve|serve-pci|keygen|import|ctl; see --help)");
	} catch (const UsageError &e) {
		std::cerr << "spdm-devsim: " << e.what() << "\n";
		return 2;
	} catch (const std::exception &e) {
		std::cerr << "spdm-devsim: error: " << e.what() << "\n";
		return 1;
	}
}
