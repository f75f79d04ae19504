#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known-answer SPDM exchanges for the requester core's unit tests.

Built byte by byte from DMTF DSP0274 (1.0.x - 1.3.x), cross-checked against
the DMTF reference implementation's message layouts (libspdm's
include/industry_standard/spdm.h and responder library), with nothing taken
from this project's core (kmod/spdm) or responder (spdm-devsim).  Uses only
the Python standard library and the `cryptography` package (Debian's
python3-cryptography, 38.x, is enough).

Each vector is one complete exchange as a device would answer it: VCA,
GET_DIGESTS, GET_CERTIFICATE (one or more portions), CHALLENGE and signed
GET_MEASUREMENTS, the requester's messages included.  The certificate chain
(root -> intermediate -> leaf) is made with cryptography's X.509 builder and
the leaf key signs CHALLENGE_AUTH and MEASUREMENTS.

Regenerate (from the repository root):

    /usr/bin/python3 tests/kat/gen_kat.py

Keys are kept in tests/kat/keys/ (made on first run, test-only); ECDSA
signatures are randomised, so a regeneration changes the EC vectors' bytes.

The requester side is a model of what the core under test sends.  Those are
the requester's choices, not the spec's, and are listed in REQUESTER below;
a change of the core's policy (not of its reading of the spec) means
regenerating.
"""
import datetime
import hashlib
import os
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")
OUT = os.path.join(HERE, "vectors")

# ---------------------------------------------------------------------------
# DSP0274 constants

# RequestResponseCode (DSP0274 "SPDM request and response codes" tables)
GET_VERSION, VERSION = 0x84, 0x04
GET_CAPABILITIES, CAPABILITIES = 0xE1, 0x61
NEGOTIATE_ALGORITHMS, ALGORITHMS = 0xE3, 0x63
GET_DIGESTS, DIGESTS = 0x81, 0x01
GET_CERTIFICATE, CERTIFICATE = 0x82, 0x02
CHALLENGE, CHALLENGE_AUTH = 0x83, 0x03
GET_MEASUREMENTS, MEASUREMENTS = 0xE0, 0x60

# BaseAsymAlgo bits: TPM_ALG_RSASSA_2048 = bit 0, RSASSA_3072 = bit 2,
# ECDSA_ECC_NIST_P256 = bit 4, RSASSA_4096 = bit 5, ECDSA_ECC_NIST_P384 =
# bit 7, ECDSA_ECC_NIST_P521 = bit 8.  Signature sizes: RSA = modulus size,
# ECDSA = r || s, each the size of the curve order.
ASYM = {
    "rsa2048": dict(bit=1 << 0, siglen=256),
    "rsa3072": dict(bit=1 << 2, siglen=384),
    "p256": dict(bit=1 << 4, siglen=64),
    "p384": dict(bit=1 << 7, siglen=96),
}
# BaseHashAlgo bits: TPM_ALG_SHA_256 = bit 0, SHA_384 = bit 1, SHA_512 = bit 2
HASH = {
    "sha256": dict(bit=1 << 0, size=32, lib=hashlib.sha256, cls=hashes.SHA256),
    "sha384": dict(bit=1 << 1, size=48, lib=hashlib.sha384, cls=hashes.SHA384),
    "sha512": dict(bit=1 << 2, size=64, lib=hashlib.sha512, cls=hashes.SHA512),
}
# MeasurementHashAlgo bits: Raw Bit Stream Only = bit 0, SHA_256 = bit 1,
# SHA_384 = bit 2, SHA_512 = bit 3
MEAS_HASH = {"sha256": 1 << 1, "sha384": 1 << 2, "sha512": 1 << 3}

# CAPABILITIES flags (responder): CACHE_CAP bit 0, CERT_CAP bit 1, CHAL_CAP
# bit 2, MEAS_CAP bits 4:3 (2 = signed measurements), MEAS_FRESH_CAP bit 5
CERT_CAP, CHAL_CAP, MEAS_CAP_SIG, MEAS_FRESH_CAP = 1 << 1, 1 << 2, 2 << 3, 1 << 5

MEAS_SPEC_DMTF = 0x01
OPAQUE_FMT1 = 0x02          # OtherParams: OpaqueDataFmt1 (1.2+)
NONCE_LEN = 32
REQ_CTX_LEN = 8             # RequesterContext (1.3)
PREFIX_CTX_LEN = 36         # zero pad + signing context string (1.2+)
CTX_CHALLENGE = b"responder-challenge_auth signing"
CTX_MEASUREMENTS = b"responder-measurements signing"

# DMTFSpecMeasurementValueType: bits 6:0 the type (0 immutable ROM, 1 mutable
# firmware, 2 hardware configuration, 3 firmware configuration, 5 device mode,
# 6 version), bit 7 set = raw bit stream, clear = digest.
RAW = 0x80

# ---------------------------------------------------------------------------
# Model of the requester under test (kmod/spdm): its choices, not the spec's.
REQUESTER = dict(
    max_resp=0x1200,          # its receive buffer = DataTransferSize
    max_msg=0x40000,          # MaxSPDMmsgSize: the largest message it reassembles (1.2+)
    chunk=1 << 17,            # CHUNK_CAP (1.2+): it retrieves large responses with CHUNK_GET
    asym=0x1B5,               # BaseAsymAlgo offered: RSASSA 2048/3072/4096, ECDSA P256/384/521
    hash=0x07,                # BaseHashAlgo offered: SHA-256/384/512
    slot=0,
    req_ctx=bytes(REQ_CTX_LEN),   # 1.3 RequesterContext: zeros (the test's random op yields them)
)


def le16(v):
    return struct.pack("<H", v)


def le24(v):
    return struct.pack("<I", v)[:3]


def le32(v):
    return struct.pack("<I", v)


def det(label, n):
    """n deterministic pseudo-random bytes (nonces, measurement contents)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"spdm-kat:%s:%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


# ---------------------------------------------------------------------------
# keys and the certificate chain

def load_or_make_key(name, kind):
    path = os.path.join(KEYS, name + ".pem")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), password=None)
    if kind == "p256":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "p384":
        key = ec.generate_private_key(ec.SECP384R1())
    elif kind == "rsa2048":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif kind == "rsa3072":
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    else:
        raise ValueError(kind)
    os.makedirs(KEYS, exist_ok=True)
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key


def cert_hash_for(key):
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return hashes.SHA384() if key.curve.key_size >= 384 else hashes.SHA256()
    return hashes.SHA384() if key.key_size >= 3072 else hashes.SHA256()


def name(cn):
    return x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "spdm-tsm KAT"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


NOT_BEFORE = datetime.datetime(2024, 1, 1)
NOT_AFTER = datetime.datetime(2049, 12, 31, 23, 59, 59)
# id-DMTF-eku-responder-auth (DSP0274 1.2+, "SPDM OID" / EKU)
EKU_RESPONDER_AUTH = x509.ObjectIdentifier("1.3.6.1.4.1.412.274.3")


def make_cert(subject_cn, subject_key, issuer_cn, issuer_key, serial, kind):
    pub = subject_key.public_key()
    b = (x509.CertificateBuilder()
         .subject_name(name(subject_cn))
         .issuer_name(name(issuer_cn))
         .public_key(pub)
         .serial_number(serial)
         .not_valid_before(NOT_BEFORE)
         .not_valid_after(NOT_AFTER)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False))
    if kind != "root":
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False)
    if kind == "leaf":
        b = (b.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.KeyUsage(True, False, False, False, False, False, False,
                                           False, False), critical=True)
              .add_extension(x509.ExtendedKeyUsage([EKU_RESPONDER_AUTH]), critical=False))
    else:
        b = (b.add_extension(x509.BasicConstraints(ca=True,
                                                   path_length=0 if kind == "inter" else None),
                             critical=True)
              .add_extension(x509.KeyUsage(False, False, False, False, False, True, True,
                                           False, False), critical=True))
    cert = b.sign(issuer_key, cert_hash_for(issuer_key))
    return cert.public_bytes(serialization.Encoding.DER)


def spdm_chain(certs_der, hname):
    """DSP0274 certificate chain format: Length (2), Reserved (2), RootHash
    (H, hash of the DER root certificate), Certificates (DER, root first,
    each signed by the one before, leaf last)."""
    h = HASH[hname]
    body = h["lib"](certs_der[0]).digest() + b"".join(certs_der)
    total = 4 + len(body)
    assert total <= 0xFFFF
    return le16(total) + le16(0) + body


# ---------------------------------------------------------------------------
# signatures

def spdm_sign(key, asym, hname, version, context, transcript):
    """DSP0274 signing.  1.0/1.1: the signature is over the transcript,
    hashed with BaseHashAlgo.  1.2+ (sec. "Signature generation"): over
    M = combined_spdm_prefix || Hash(transcript), combined_spdm_prefix =
    "dmtf-spdm-v1.N.*" x 4 (64 bytes) || zero_pad || spdm_context, the
    padding and context filling 36 bytes.  ECDSA signatures are r || s,
    big-endian, each the size of the order; RSASSA is PKCS#1 v1.5."""
    h = HASH[hname]
    if version >= 0x12:
        prefix = ("dmtf-spdm-v%d.%d.*" % (version >> 4, version & 0xF)).encode() * 4
        assert len(prefix) == 64
        msg = prefix + bytes(PREFIX_CTX_LEN - len(context)) + context + \
            h["lib"](transcript).digest()
    else:
        msg = transcript
    if asym in ("p256", "p384"):
        der = key.sign(msg, ec.ECDSA(h["cls"]()))
        r, s = utils.decode_dss_signature(der)
        n = ASYM[asym]["siglen"] // 2
        sig = r.to_bytes(n, "big") + s.to_bytes(n, "big")
        key.public_key().verify(der, msg, ec.ECDSA(h["cls"]()))
    else:
        sig = key.sign(msg, padding.PKCS1v15(), h["cls"]())
        key.public_key().verify(sig, msg, padding.PKCS1v15(), h["cls"]())
    assert len(sig) == ASYM[asym]["siglen"]
    return sig


# ---------------------------------------------------------------------------
# measurement blocks (DSP0274 "Measurement block" / "DMTF measurement
# specification format")

def dmtf_block(index, vtype, value):
    measurement = bytes([vtype]) + le16(len(value)) + value
    return bytes([index, MEAS_SPEC_DMTF]) + le16(len(measurement)) + measurement


def general_opaque(payload):
    """1.2+ OpaqueDataFmt1 (general opaque data format): TotalElements (1),
    Reserved (3), then per element: ID (1, registry), VendorLen (1),
    VendorID, OpaqueElementDataLen (2), OpaqueElementData, zero padding to a
    multiple of 4 bytes."""
    elem = bytes([0x03, 2]) + le16(0x1B36) + le16(len(payload)) + payload
    elem += bytes(-len(elem) % 4)
    return bytes([1, 0, 0, 0]) + elem


# ---------------------------------------------------------------------------
# one exchange

class Vector:
    def __init__(self, name, version, asym, hname, mhash, *, versions, caps,
                 dts=None, portion_cap=None, slot_mask=0x01, other_sel=0,
                 ca_opaque=b"", meas_opaque=b"", content_changed=0,
                 ct_exponent=12):
        self.name = name
        self.v = version
        self.asym = asym
        self.hname = hname
        self.mhash = mhash
        self.versions = versions
        self.caps = caps
        self.dts = dts
        self.portion_cap = portion_cap
        self.slot_mask = slot_mask
        self.other_sel = other_sel
        self.ca_opaque = ca_opaque
        self.meas_opaque = meas_opaque
        self.content_changed = content_changed
        self.ct_exponent = ct_exponent
        self.ex = []          # (label, request, response)

    def build(self):
        v, h = self.v, HASH[self.hname]
        H = h["size"]
        S = ASYM[self.asym]["siglen"]
        R = REQUESTER
        slot = R["slot"]

        # --- identity
        ec_issuers = self.asym in ("p256", "p384")
        root_key = load_or_make_key("ec-root-p384" if ec_issuers else "rsa-root-3072",
                                    "p384" if ec_issuers else "rsa3072")
        inter_key = load_or_make_key("ec-inter-p384" if ec_issuers else "rsa-inter-2048",
                                     "p384" if ec_issuers else "rsa2048")
        self.leaf_key = load_or_make_key("leaf-" + self.asym, self.asym)
        root = make_cert("SPDM KAT Root CA", root_key, "SPDM KAT Root CA", root_key, 1, "root")
        inter = make_cert("SPDM KAT Intermediate CA", inter_key, "SPDM KAT Root CA",
                          root_key, 2, "inter")
        leaf = make_cert("SPDM KAT device " + self.name, self.leaf_key,
                         "SPDM KAT Intermediate CA", inter_key, 0x1000 + self.v, "leaf")
        self.chain = spdm_chain([root, inter, leaf], self.hname)
        chains = {0: self.chain}
        if self.slot_mask & 0x02:
            leaf1 = make_cert("SPDM KAT device " + self.name + " slot 1", self.leaf_key,
                              "SPDM KAT Intermediate CA", inter_key, 0x2000 + self.v, "leaf")
            chains[1] = spdm_chain([root, inter, leaf1], self.hname)
        self.digests = {i: h["lib"](c).digest() for i, c in chains.items()}

        # --- GET_VERSION / VERSION: always SPDMVersion 0x10.  VERSION:
        # Reserved (1), VersionNumberEntryCount (1), entries of 16 bits:
        # Major[15:12] Minor[11:8] UpdateVersionNumber[7:4] Alpha[3:0].
        req = bytes([0x10, GET_VERSION, 0, 0])
        rsp = bytes([0x10, VERSION, 0, 0, 0, len(self.versions)]) + \
            b"".join(le16(e) for e in self.versions)
        self.ex.append(("GET_VERSION / VERSION", req, rsp))

        # --- GET_CAPABILITIES: 1.0 header only; 1.1 + Reserved, CTExponent,
        # Reserved (2), Flags (4); 1.2+ + DataTransferSize, MaxSPDMmsgSize.
        req = bytes([v, GET_CAPABILITIES, 0, 0])
        if v >= 0x11:
            req += bytes([0, 0, 0, 0]) + le32(R["chunk"] if v >= 0x12 else 0)
        if v >= 0x12:
            req += le32(R["max_resp"]) + le32(R["max_msg"])
        # CAPABILITIES: Reserved, CTExponent, Reserved (2), Flags; 1.2+ DTS, Max
        rsp = bytes([v, CAPABILITIES, 0, 0, 0, self.ct_exponent, 0, 0]) + le32(self.caps)
        if v >= 0x12:
            rsp += le32(self.dts) + le32(self.dts)   # no CHUNK_CAP: Max == DTS
        self.ex.append(("GET_CAPABILITIES / CAPABILITIES", req, rsp))

        # --- NEGOTIATE_ALGORITHMS (no ext algorithms, no AlgStructs):
        # Length (2), MeasurementSpecification (1), OtherParamsSupport (1,
        # 1.2+), BaseAsymAlgo (4), BaseHashAlgo (4), Reserved (12),
        # ExtAsymCount (1), ExtHashCount (1), Reserved (2) [1.3: the last
        # byte is MELspecification, 0 here].
        req = bytes([v, NEGOTIATE_ALGORITHMS, 0, 0]) + le16(32) + \
            bytes([MEAS_SPEC_DMTF, OPAQUE_FMT1 if v >= 0x12 else 0]) + \
            le32(R["asym"]) + le32(R["hash"]) + bytes(12) + bytes([0, 0]) + bytes(2)
        assert len(req) == 32
        # ALGORITHMS: Length (2), MeasurementSpecificationSel (1),
        # OtherParamsSelection (1, 1.2+), MeasurementHashAlgo (4),
        # BaseAsymSel (4), BaseHashSel (4), Reserved (12) [1.3: last is
        # MELspecificationSel], ExtAsymSelCount (1), ExtHashSelCount (1),
        # Reserved (2); Param1 = number of AlgStructs (0: none requested).
        rsp = bytes([v, ALGORITHMS, 0, 0]) + le16(36) + \
            bytes([MEAS_SPEC_DMTF, self.other_sel if v >= 0x12 else 0]) + \
            le32(MEAS_HASH[self.mhash]) + le32(ASYM[self.asym]["bit"]) + le32(h["bit"]) + \
            bytes(12) + bytes([0, 0]) + bytes(2)
        assert len(rsp) == 36
        self.ex.append(("NEGOTIATE_ALGORITHMS / ALGORITHMS", req, rsp))
        vca = b"".join(q + r for _, q, r in self.ex)

        # --- GET_DIGESTS / DIGESTS: Param2 = SlotMask (1.3: Param1 =
        # SupportedSlotMask, Param2 = ProvisionedSlotMask), then one digest
        # (Hash of the whole SPDM chain) per provisioned slot, in slot order.
        req = bytes([v, GET_DIGESTS, 0, 0])
        rsp = bytes([v, DIGESTS, 0xFF if v >= 0x13 else 0, self.slot_mask]) + \
            b"".join(self.digests[i] for i in sorted(self.digests))
        self.ex.append(("GET_DIGESTS / DIGESTS", req, rsp))

        # --- GET_CERTIFICATE / CERTIFICATE: request Param1 = SlotID, Offset
        # (2), Length (2); response Param1 = SlotID, PortionLength (2),
        # RemainderLength (2), CertChain portion.  The requester asks for
        # what fits its buffer (and, in 1.2+, the device's DataTransferSize);
        # the device may answer with less than asked (portion_cap).
        ask_max = R["max_resp"] - 8
        if v >= 0x12:
            ask_max = min(ask_max, self.dts - 8)
        ask_max = min(ask_max, 0xFFFF)
        off, total = 0, None
        while total is None or off < total:
            ask = ask_max if total is None else min(ask_max, total - off)
            req = bytes([v, GET_CERTIFICATE, slot, 0]) + le16(off) + le16(ask)
            portion = min(ask, len(self.chain) - off)
            if self.portion_cap:
                portion = min(portion, self.portion_cap)
            rem = len(self.chain) - off - portion
            rsp = bytes([v, CERTIFICATE, slot, 0]) + le16(portion) + le16(rem) + \
                self.chain[off:off + portion]
            self.ex.append(("GET_CERTIFICATE / CERTIFICATE", req, rsp))
            total = len(self.chain)
            off += portion
        b = b"".join(q + r for _, q, r in self.ex[3:])

        # --- CHALLENGE: Param1 = SlotID, Param2 = MeasurementSummaryHashType
        # (0: none), Nonce (32), 1.3: RequesterContext (8).
        self.chal_nonce = det(self.name + ":requester-challenge-nonce", NONCE_LEN)
        req = bytes([v, CHALLENGE, slot, 0]) + self.chal_nonce
        if v >= 0x13:
            req += R["req_ctx"]
        # CHALLENGE_AUTH: Param1 = SlotID (bits 3:0), Param2 = SlotMask,
        # CertChainHash (H), Nonce (32), MeasurementSummaryHash (absent for
        # type 0), OpaqueDataLength (2), OpaqueData, 1.3: RequesterContext
        # (8, echoed), Signature (S).
        rsp_nonce = det(self.name + ":responder-challenge-nonce", NONCE_LEN)
        body = bytes([v, CHALLENGE_AUTH, slot, self.slot_mask]) + self.digests[slot] + \
            rsp_nonce + le16(len(self.ca_opaque)) + self.ca_opaque
        if v >= 0x13:
            body += R["req_ctx"]
        # M1 = A || B || C; C = CHALLENGE || CHALLENGE_AUTH without Signature
        self.m1 = vca + b + req + body
        self.sig = spdm_sign(self.leaf_key, self.asym, self.hname, v, CTX_CHALLENGE, self.m1)
        rsp = body + self.sig
        self.chal_index = len(self.ex)
        self.ex.append(("CHALLENGE / CHALLENGE_AUTH", req, rsp))
        # fields where a flipped byte can only break the signature
        self.chal_strict = [(4 + H, NONCE_LEN, "responder nonce"),
                            (len(body), S, "signature")]

        # --- GET_MEASUREMENTS: Param1 = attributes (bit 0: signature
        # requested), Param2 = operation (0xFF: all), Nonce (32), 1.1+:
        # SlotIDParam (1), 1.3: RequesterContext (8).
        self.meas_nonce = det(self.name + ":requester-measurements-nonce", NONCE_LEN)
        req = bytes([v, GET_MEASUREMENTS, 0x01, 0xFF]) + self.meas_nonce
        if v >= 0x11:
            req += bytes([slot])
        if v >= 0x13:
            req += R["req_ctx"]
        mh = {"sha256": hashlib.sha256, "sha384": hashlib.sha384,
              "sha512": hashlib.sha512}[self.mhash]
        blocks = [
            (1, 0x00, mh(b"immutable rom " + self.name.encode()).digest()),
            (2, 0x01, mh(b"mutable firmware " + self.name.encode()).digest()),
            (3, 0x02 | RAW, det(self.name + ":hardware-config", 12)),
            (4, 0x06 | RAW, b"kat-fw 1.2.3"),
        ]
        if v >= 0x12:
            # index 0xFE: device mode, raw (OperationalModeCapabilities,
            # OperationalModeState, DeviceModeCapabilities, DeviceModeState)
            blocks.append((0xFE, 0x05 | RAW,
                           le32(0x1F) + le32(0x04) + le32(0x1F) + le32(0)))
        record = b""
        self.meas_strict = []
        hdr_len = 8
        for idx, vtype, value in blocks:
            blk = dmtf_block(idx, vtype, value)
            self.meas_strict.append((hdr_len + len(record) + 7, len(value),
                                     "value of block %d" % idx))
            record += blk
        self.meas_blocks = record
        self.meas_count = len(blocks)
        # MEASUREMENTS: Param1 = 0 (not a count request), Param2 = 1.1+:
        # SlotID (bits 3:0), 1.2+: content changed (bits 5:4);
        # NumberOfBlocks (1), MeasurementRecordLength (3), record, Nonce
        # (32), OpaqueDataLength (2), OpaqueData, 1.3: RequesterContext (8),
        # Signature.
        param2 = 0
        if v >= 0x11:
            param2 = slot
        if v >= 0x12:
            param2 |= self.content_changed
        meas_nonce_rsp = det(self.name + ":responder-measurements-nonce", NONCE_LEN)
        body = bytes([v, MEASUREMENTS, 0, param2, len(blocks)]) + le24(len(record)) + \
            record + meas_nonce_rsp + le16(len(self.meas_opaque)) + self.meas_opaque
        if v >= 0x13:
            body += R["req_ctx"]
        self.meas_strict += [(8 + len(record), NONCE_LEN, "responder nonce"),
                             (len(body), S, "signature")]
        # L1 = (1.2+: VCA ||) GET_MEASUREMENTS || MEASUREMENTS w/o Signature
        self.l1 = (vca if v >= 0x12 else b"") + req + body
        self.meas_sig = spdm_sign(self.leaf_key, self.asym, self.hname, v,
                                  CTX_MEASUREMENTS, self.l1)
        self.meas_index = len(self.ex)
        self.ex.append(("GET_MEASUREMENTS / MEASUREMENTS", req, body + self.meas_sig))
        for _, q, r in self.ex:
            assert len(r) <= R["max_resp"], self.name
        return self


VECTORS = [
    # 1.0: a device that lists only 1.0.0; one slot; no opaque data
    Vector("v10_p256_sha256", 0x10, "p256", "sha256", "sha256",
           versions=[0x1000], caps=CERT_CAP | CHAL_CAP | MEAS_CAP_SIG),
    # 1.0, RSA: whole chain in one CERTIFICATE; free-form opaque data
    Vector("v10_rsa2048_sha256", 0x10, "rsa2048", "sha256", "sha384",
           versions=[0x1000], caps=CERT_CAP | CHAL_CAP | MEAS_CAP_SIG | MEAS_FRESH_CAP,
           ca_opaque=b"kat-opaque\x00\x01", ct_exponent=20),
    # 1.1 (device lists 1.0.2 and 1.1.1): two slots provisioned, the chain
    # in 512-byte portions, opaque data in both signed responses
    Vector("v11_p384_sha384", 0x11, "p384", "sha384", "sha384",
           versions=[0x1020, 0x1110], caps=CERT_CAP | CHAL_CAP | MEAS_CAP_SIG,
           slot_mask=0x03, portion_cap=0x200, ca_opaque=bytes(range(7)),
           meas_opaque=b"measurement opaque"),
    # 1.1, RSA-3072 with SHA-384 and SHA-512 measurement digests
    Vector("v11_rsa3072_sha384", 0x11, "rsa3072", "sha384", "sha512",
           versions=[0x1000, 0x1100], caps=CERT_CAP | CHAL_CAP | MEAS_CAP_SIG,
           portion_cap=0x400),
    # 1.2 (device lists up to 1.2.1): small DataTransferSize, so the
    # requester asks for the chain in DTS-sized portions; OpaqueDataFmt1
    Vector("v12_p256_sha256", 0x12, "p256", "sha256", "sha256",
           versions=[0x1000, 0x1100, 0x1210], caps=CERT_CAP | CHAL_CAP | MEAS_CAP_SIG,
           dts=0x400, other_sel=OPAQUE_FMT1, ca_opaque=general_opaque(b"katv1"),
           meas_opaque=general_opaque(b"meas-opaque"), content_changed=0x20),
    # 1.2, RSA-2048 with SHA-384; no opaque data format selected
    Vector("v12_rsa2048_sha384", 0x12, "rsa2048", "sha384", "sha256",
           versions=[0x1100, 0x1200], caps=CERT_CAP | CHAL_CAP | MEAS_CAP_SIG,
           dts=0x1200, other_sel=0, slot_mask=0x03),
    # 1.3 (device lists 1.2.0 and 1.3.0): RequesterContext echoed
    Vector("v13_p384_sha384", 0x13, "p384", "sha384", "sha384",
           versions=[0x1200, 0x1300], caps=CERT_CAP | CHAL_CAP | MEAS_CAP_SIG | MEAS_FRESH_CAP,
           dts=0x1000, other_sel=OPAQUE_FMT1, portion_cap=0x300,
           ca_opaque=general_opaque(b"challenge"), meas_opaque=general_opaque(b"m")),
    # 1.3, RSA-3072 with SHA-256 (and a device that also lists 1.4)
    Vector("v13_rsa3072_sha256", 0x13, "rsa3072", "sha256", "sha512",
           versions=[0x1000, 0x1100, 0x1200, 0x1300, 0x1400],
           caps=CERT_CAP | CHAL_CAP | MEAS_CAP_SIG,
           dts=0x1200, other_sel=OPAQUE_FMT1, slot_mask=0x03),
]


# ---------------------------------------------------------------------------
# output: one C++ header per vector, hex strings

def hexlit(data, indent="    "):
    h = data.hex()
    if not h:
        return indent + '""'
    lines = [h[i:i + 96] for i in range(0, len(h), 96)]
    return "\n".join(indent + '"%s"' % ln for ln in lines)


def ranges(rs):
    return "{" + ", ".join("{%d, %d}" % (o, n) for o, n, _ in rs) + "}"


def emit(vec):
    n = vec.name
    o = []
    o.append("// SPDX-License-Identifier: GPL-2.0")
    o.append("// Generated by tests/kat/gen_kat.py from DSP0274: do not edit.")
    o.append("// SPDM %d.%d, %s, %s, measurements %s; %d exchanges." %
             (vec.v >> 4, vec.v & 0xF, vec.asym, vec.hname, vec.mhash, len(vec.ex)))
    o.append("#pragma once")
    o.append('#include "kat_types.h"')
    o.append("")
    o.append("namespace kat::%s {" % n)
    o.append("")
    o.append("inline const Exchange exchanges[] = {")
    for i, (label, q, r) in enumerate(vec.ex):
        o.append("  // %d: %s (%d + %d bytes)" % (i, label, len(q), len(r)))
        o.append('  {"%s",' % label)
        o.append(hexlit(q) + ",")
        o.append(hexlit(r) + "},")
    o.append("};")
    o.append("")
    for field in ("chain", "m1", "sig", "l1", "meas_sig", "meas_blocks",
                  "chal_nonce", "meas_nonce"):
        o.append("inline const char %s[] =" % field)
        o.append(hexlit(getattr(vec, field)) + ";")
    o.append("inline const char digest[] =")
    o.append(hexlit(vec.digests[REQUESTER["slot"]]) + ";")
    o.append("")
    o.append("// byte ranges (offset, length) of the response where a flipped byte")
    o.append("// can only be caught by the signature: %s" %
             "; ".join(d for _, _, d in vec.chal_strict))
    o.append("inline const Range chal_strict[] = %s;" % ranges(vec.chal_strict))
    o.append("// %s" % "; ".join(d for _, _, d in vec.meas_strict))
    o.append("inline const Range meas_strict[] = %s;" % ranges(vec.meas_strict))
    o.append("")
    o.append("inline const Vector vector = {")
    o.append('    .name = "%s",' % n)
    o.append("    .version = 0x%02x," % vec.v)
    o.append("    .asym = 0x%x," % ASYM[vec.asym]["bit"])
    o.append("    .hash = 0x%x," % HASH[vec.hname]["bit"])
    o.append("    .meas_hash = 0x%x," % MEAS_HASH[vec.mhash])
    o.append("    .caps = 0x%x," % vec.caps)
    o.append("    .slot = %d," % REQUESTER["slot"])
    o.append("    .slot_mask = 0x%02x," % vec.slot_mask)
    o.append("    .max_resp = 0x%x," % REQUESTER["max_resp"])
    o.append("    .exchanges = exchanges,")
    o.append("    .n_exchanges = %d," % len(vec.ex))
    o.append("    .chal_index = %d," % vec.chal_index)
    o.append("    .meas_index = %d," % vec.meas_index)
    o.append("    .meas_count = %d," % vec.meas_count)
    o.append("    .chain = chain,")
    o.append("    .digest = digest,")
    o.append("    .chal_nonce = chal_nonce,")
    o.append("    .m1 = m1,")
    o.append("    .sig = sig,")
    o.append("    .meas_nonce = meas_nonce,")
    o.append("    .l1 = l1,")
    o.append("    .meas_sig = meas_sig,")
    o.append("    .meas_blocks = meas_blocks,")
    o.append("    .chal_strict = chal_strict,")
    o.append("    .n_chal_strict = %d," % len(vec.chal_strict))
    o.append("    .meas_strict = meas_strict,")
    o.append("    .n_meas_strict = %d," % len(vec.meas_strict))
    o.append("};")
    o.append("")
    o.append("}  // namespace kat::%s" % n)
    o.append("")
    return "\n".join(o)


def main():
    os.makedirs(OUT, exist_ok=True)
    names = []
    for vec in VECTORS:
        vec.build()
        with open(os.path.join(OUT, vec.name + ".h"), "w") as f:
            f.write(emit(vec))
        names.append(vec.name)
        print("%-20s %d exchanges, chain %d bytes, M1 %d, L1 %d" %
              (vec.name, len(vec.ex), len(vec.chain), len(vec.m1), len(vec.l1)))
    idx = ["// SPDX-License-Identifier: GPL-2.0",
           "// Generated by tests/kat/gen_kat.py: every known-answer vector.",
           "#pragma once"]
    idx += ['#include "vectors/%s.h"' % n for n in names]
    idx += ["", "namespace kat {", "", "inline const Vector *const all[] = {"]
    idx += ["    &%s::vector," % n for n in names]
    idx += ["};", "", "}  // namespace kat", ""]
    with open(os.path.join(HERE, "kat_vectors.h"), "w") as f:
        f.write("\n".join(idx))
    return 0


if __name__ == "__main__":
    sys.exit(main())
