#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known answers for the SPDM session key schedule and secured messages.

Written from DMTF DSP0274 1.1-1.3 ("Key schedule": BinConcat, HKDF-Extract /
HKDF-Expand with the labels "derived", "req hs data", "rsp hs data",
"finished", "req app data", "rsp app data", "key", "iv", "traffic upd") and
DSP0277 (secured message: SessionID, Length, AEAD over ApplicationDataLength
|| data, AAD = the header; PCIe Secured CMA carries no sequence number, the
nonce is the IV XOR the 64-bit sequence number little-endian).  Uses only
the standard library and the `cryptography` package (ECDH, HKDF, HMAC,
AES-GCM, ChaCha20-Poly1305): nothing from spdm-devsim or the kernel core.

Regenerate (from the repository root):

    /usr/bin/python3 tests/kat/gen_session_kat.py

The outputs are checked in and fully deterministic (fixed private scalars,
transcript hashes, keys and nonces): tests/kat/session_vectors.h for the
userspace tests (C++), and kmod/spdm/tests/session_kat.h, the same vectors
plus standalone AEAD cases in kernel C, for the KUnit suite
(kmod/spdm/tests/spdm_core_kunit.c).
"""
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "session_vectors.h")
KOUT = os.path.join(HERE, "..", "..", "kmod", "spdm", "tests", "session_kat.h")

HASHES = {"sha256": (hashes.SHA256, hashlib.sha256, 32),
          "sha384": (hashes.SHA384, hashlib.sha384, 48),
          "sha512": (hashes.SHA512, hashlib.sha512, 64)}
# AEAD AlgSupported bits and key sizes (DSP0274 AEAD structure)
AEADS = {"aes-128-gcm": (0x1, 16), "aes-256-gcm": (0x2, 32), "chacha20-poly1305": (0x4, 32)}
# DHE AlgSupported bits (secp256r1 bit 3, secp384r1 bit 4)
DHES = {"secp256r1": (0x08, ec.SECP256R1(), 32), "secp384r1": (0x10, ec.SECP384R1(), 48)}


def det(label, n):
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(b"spdm-session-kat:%s:%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


def hkdf_extract(hname, salt, ikm):
    return hmac.new(salt, ikm, HASHES[hname][1]).digest()


def hkdf_expand(hname, prk, info, length):
    return HKDFExpand(HASHES[hname][0](), length, info).derive(prk)


def bin_concat(length, version, label, context=b""):
    return struct.pack("<H", length) + b"spdm%d.%d " % (version >> 4, version & 0xF) + label + context


def key_iv(hname, aead, version, secret):
    klen = AEADS[aead][1]
    return (hkdf_expand(hname, secret, bin_concat(klen, version, b"key"), klen),
            hkdf_expand(hname, secret, bin_concat(12, version, b"iv"), 12))


def nonce(iv, seq):
    s = struct.pack("<Q", seq)
    return bytes(b ^ (s[i] if i < 8 else 0) for i, b in enumerate(iv))


def seal(aead, key, iv, seq, sid, app, encrypt=True):
    if encrypt:
        plain = struct.pack("<H", len(app)) + app
        hdr = struct.pack("<IH", sid, len(plain) + 16)
        cipher = (ChaCha20Poly1305(key) if aead == "chacha20-poly1305" else AESGCM(key))
        return hdr + cipher.encrypt(nonce(iv, seq), plain, hdr)
    hdr = struct.pack("<IH", sid, len(app) + 16)
    cipher = (ChaCha20Poly1305(key) if aead == "chacha20-poly1305" else AESGCM(key))
    tag = cipher.encrypt(nonce(iv, seq), b"", hdr + app)
    return hdr + app + tag


def scalar(curve_name, label):
    _, curve, size = DHES[curve_name]
    order = {"secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
             "secp384r1": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                              "581A0DB248B0A77AECEC196ACCC52973", 16)}[curve_name]
    k = int.from_bytes(det(label, size + 8), "big") % (order - 1) + 1
    return ec.derive_private_key(k, curve), k.to_bytes(size, "big")


def xy(pub):
    raw = pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return raw[1:]


def vector(name, hname, aead, version, dhe):
    hl = HASHES[hname][2]
    req_key, req_priv = scalar(dhe, name + ":req")
    rsp_key, rsp_priv = scalar(dhe, name + ":rsp")
    shared = rsp_key.exchange(ec.ECDH(), req_key.public_key())
    assert shared == req_key.exchange(ec.ECDH(), rsp_key.public_key())
    th1 = det(name + ":th1", hl)
    th2 = det(name + ":th2", hl)
    v = {"name": name, "hash": hname, "aead": aead, "version": version, "dhe": dhe,
         "req_priv": req_priv, "rsp_priv": rsp_priv,
         "req_pub": xy(req_key.public_key()), "rsp_pub": xy(rsp_key.public_key()),
         "shared": shared, "th1": th1, "th2": th2}
    hs = hkdf_extract(hname, bytes(hl), shared)
    v["handshake_secret"] = hs
    v["req_hs_secret"] = hkdf_expand(hname, hs, bin_concat(hl, version, b"req hs data", th1), hl)
    v["rsp_hs_secret"] = hkdf_expand(hname, hs, bin_concat(hl, version, b"rsp hs data", th1), hl)
    fin = bin_concat(hl, version, b"finished")
    v["req_finished_key"] = hkdf_expand(hname, v["req_hs_secret"], fin, hl)
    v["rsp_finished_key"] = hkdf_expand(hname, v["rsp_hs_secret"], fin, hl)
    v["req_hs_key"], v["req_hs_iv"] = key_iv(hname, aead, version, v["req_hs_secret"])
    v["rsp_hs_key"], v["rsp_hs_iv"] = key_iv(hname, aead, version, v["rsp_hs_secret"])
    # ResponderVerifyData = HMAC(finished_key, TH1 hash)
    v["rsp_verify"] = hmac.new(v["rsp_finished_key"], th1, HASHES[hname][1]).digest()
    salt1 = hkdf_expand(hname, hs, bin_concat(hl, version, b"derived"), hl)
    ms = hkdf_extract(hname, salt1, bytes(hl))
    v["master_secret"] = ms
    v["req_data_secret"] = hkdf_expand(hname, ms, bin_concat(hl, version, b"req app data", th2), hl)
    v["rsp_data_secret"] = hkdf_expand(hname, ms, bin_concat(hl, version, b"rsp app data", th2), hl)
    v["req_data_key"], v["req_data_iv"] = key_iv(hname, aead, version, v["req_data_secret"])
    v["rsp_data_key"], v["rsp_data_iv"] = key_iv(hname, aead, version, v["rsp_data_secret"])
    v["req_upd_secret"] = hkdf_expand(hname, v["req_data_secret"], bin_concat(hl, version, b"traffic upd"), hl)
    v["req_upd_key"], v["req_upd_iv"] = key_iv(hname, aead, version, v["req_upd_secret"])
    # Secured messages: HEARTBEAT_ACK under the response data key, sequence
    # number 5, SessionID 0xFFFE0001 (RspSessionID 0xFFFE, ReqSessionID 1);
    # encrypted and MAC-only.
    v["session_id"] = 0xFFFE0001
    v["seq"] = 5
    v["app"] = bytes([version, 0x68, 0, 0])
    v["record_enc"] = seal(aead, v["rsp_data_key"], v["rsp_data_iv"], 5, 0xFFFE0001, v["app"])
    v["record_mac"] = seal(aead, v["rsp_data_key"], v["rsp_data_iv"], 5, 0xFFFE0001, v["app"], False)
    return v


CASES = [
    ("s11_p256_sha256_aes128", "sha256", "aes-128-gcm", 0x11, "secp256r1"),
    ("s12_p384_sha384_aes256", "sha384", "aes-256-gcm", 0x12, "secp384r1"),
    ("s12_p256_sha256_chacha", "sha256", "chacha20-poly1305", 0x12, "secp256r1"),
    ("s13_p384_sha512_aes256", "sha512", "aes-256-gcm", 0x13, "secp384r1"),
]

BYTES = ["req_priv", "rsp_priv", "req_pub", "rsp_pub", "shared", "th1", "th2",
         "handshake_secret", "req_hs_secret", "rsp_hs_secret", "req_finished_key",
         "rsp_finished_key", "req_hs_key", "req_hs_iv", "rsp_hs_key", "rsp_hs_iv",
         "rsp_verify", "master_secret", "req_data_secret", "rsp_data_secret",
         "req_data_key", "req_data_iv", "rsp_data_key", "rsp_data_iv",
         "req_upd_secret", "req_upd_key", "req_upd_iv", "app", "record_enc", "record_mac"]


def lit(b):
    return "{" + ", ".join("0x%02x" % x for x in b) + "}"


# Standalone AEAD known answers: several blocks of plaintext, an AAD that is
# not a multiple of the block size, and an empty plaintext (MAC only).
AEAD_CASES = [
    ("aes128gcm_70", "aes-128-gcm", 70, 13),
    ("aes256gcm_70", "aes-256-gcm", 70, 13),
    ("chacha20poly1305_70", "chacha20-poly1305", 70, 13),
    ("aes256gcm_mac_only", "aes-256-gcm", 0, 37),
]

KHASH = {"sha256": "SPDM_HASH_SHA256", "sha384": "SPDM_HASH_SHA384", "sha512": "SPDM_HASH_SHA512"}
KAEAD = {"aes-128-gcm": "SPDM_AEAD_AES_128_GCM", "aes-256-gcm": "SPDM_AEAD_AES_256_GCM",
         "chacha20-poly1305": "SPDM_AEAD_CHACHA20_POLY1305"}
KDHE = {"secp256r1": "SPDM_DHE_SECP256R1", "secp384r1": "SPDM_DHE_SECP384R1"}


def aead_case(name, aead, plen, alen):
    key = det(name + ":key", AEADS[aead][1])
    iv = det(name + ":nonce", 12)
    aad = det(name + ":aad", alen)
    plain = det(name + ":plain", plen)
    cipher = (ChaCha20Poly1305(key) if aead == "chacha20-poly1305" else AESGCM(key))
    return {"key": key, "nonce": iv, "aad": aad, "plain": plain,
            "sealed": cipher.encrypt(iv, plain, aad)}


def karray(name, b):
    out = ["static const u8 %s[] = {" % name]
    for i in range(0, len(b), 12):
        out.append("\t" + " ".join("0x%02x," % x for x in b[i:i + 12]))
    out += ["};", ""]
    return out


def kernel_header():
    out = ["/* SPDX-License-Identifier: GPL-2.0 */",
           "/*",
           " * Generated by tests/kat/gen_session_kat.py (python3-cryptography): do not",
           " * edit.  Known answers for the kernel's session crypto: ECDH, the DSP0274",
           " * key schedule, AEAD and DSP0277 records (tests/kat/README.md).",
           " */",
           "#ifndef _SPDM_SESSION_KAT_H",
           "#define _SPDM_SESSION_KAT_H",
           "",
           "#define SPDM_KAT(a) { a, sizeof(a) }",
           "",
           "struct spdm_kat_bytes {",
           "\tconst u8 *p;",
           "\tsize_t len;",
           "};",
           "",
           "struct spdm_session_kat {",
           "\tconst char *name;",
           "\tu32 hash;",
           "\tu32 aead;",
           "\tu32 dhe;",
           "\tu8 version;",
           "\tu32 session_id;",
           "\tu64 seq;"]
    kf = BYTES + ["record_nonce"]
    out += ["\tstruct spdm_kat_bytes %s;" % f for f in kf]
    out += ["};", "",
            "struct spdm_aead_kat {",
            "\tconst char *name;",
            "\tu32 aead;",
            "\tstruct spdm_kat_bytes key;",
            "\tstruct spdm_kat_bytes nonce;",
            "\tstruct spdm_kat_bytes aad;",
            "\tstruct spdm_kat_bytes plain;",
            "\tstruct spdm_kat_bytes sealed;\t/* ciphertext || tag */",
            "};", ""]
    table = ["static const struct spdm_session_kat spdm_session_kats[] = {"]
    for i, c in enumerate(CASES):
        v = vector(*c)
        v["record_nonce"] = nonce(v["rsp_data_iv"], v["seq"])
        n = "kat%d" % i
        out.append("/* %s */" % v["name"])
        for f in kf:
            out += karray("%s_%s" % (n, f), v[f])
        table += ["\t{",
                  "\t\t.name = \"%s\"," % v["name"],
                  "\t\t.hash = %s," % KHASH[v["hash"]],
                  "\t\t.aead = %s," % KAEAD[v["aead"]],
                  "\t\t.dhe = %s," % KDHE[v["dhe"]],
                  "\t\t.version = 0x%02x," % v["version"],
                  "\t\t.session_id = 0x%08x," % v["session_id"],
                  "\t\t.seq = %d," % v["seq"]]
        table += ["\t\t.%s = SPDM_KAT(%s_%s)," % (f, n, f) for f in kf]
        table.append("\t},")
    table += ["};", "", "static const struct spdm_aead_kat spdm_aead_kats[] = {"]
    for i, (name, aead, plen, alen) in enumerate(AEAD_CASES):
        a = aead_case(name, aead, plen, alen)
        n = "aead%d" % i
        out.append("/* %s */" % name)
        for f in ("key", "nonce", "aad", "plain", "sealed"):
            if a[f]:
                out += karray("%s_%s" % (n, f), a[f])
        table += ["\t{", "\t\t.name = \"%s\"," % name, "\t\t.aead = %s," % KAEAD[aead]]
        for f in ("key", "nonce", "aad", "plain", "sealed"):
            if a[f]:
                table.append("\t\t.%s = SPDM_KAT(%s_%s)," % (f, n, f))
        table.append("\t},")
    table += ["};"]
    out += table + ["", "#endif /* _SPDM_SESSION_KAT_H */", ""]
    with open(KOUT, "w") as f:
        f.write("\n".join(out))


def main():
    out = ["// SPDX-License-Identifier: GPL-2.0",
           "// Generated by tests/kat/gen_session_kat.py (python3-cryptography): do not edit.",
           "#pragma once", "#include <cstdint>", "#include <vector>", "",
           "namespace kat::session {", "", "using B = std::vector<uint8_t>;", "",
           "struct Vector {",
           "    const char *name, *hash, *aead, *dhe;",
           "    uint8_t version;",
           "    uint32_t session_id;",
           "    uint64_t seq;"]
    out += ["    B %s;" % f for f in BYTES]
    out += ["};", "", "inline const Vector all[] = {"]
    for c in CASES:
        v = vector(*c)
        out.append("    {\"%s\", \"%s\", \"%s\", \"%s\", 0x%02x, 0x%08x, %d," %
                   (v["name"], v["hash"], v["aead"], v["dhe"], v["version"], v["session_id"], v["seq"]))
        out += ["     B%s," % lit(v[f]) for f in BYTES]
        out.append("    },")
    out += ["};", "", "}  // namespace kat::session", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(out))
    kernel_header()


if __name__ == "__main__":
    main()
