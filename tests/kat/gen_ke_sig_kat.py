#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known answers for the KEY_EXCHANGE_RSP signature that 'tsmctl verify'
checks offline (libspdmtsm verify_key_exchange).

Written from DMTF DSP0274: the Responder signs TH (the session transcript up
to the signature) as SPDMsign does for its version.  1.0/1.1: the signature
is over the transcript, so over its hash as the digest.  1.2+: over
combined_spdm_prefix || TH hash, where combined_spdm_prefix is
"dmtf-spdm-v1.N.*" four times, zero padding to 36 bytes of context, and the
context "responder-key_exchange_rsp signing" (DSP0274 1.2 "Signature
generation"); the signature algorithm hashes that message again.  ECDSA
signatures are raw r || s, big-endian, each the size of the curve's order.

Uses only the standard library and the `cryptography` package (nothing from
the project's devsim or verifier).  Regenerate (from the repository root):

    /usr/bin/python3 tests/kat/gen_ke_sig_kat.py

The output, tests/kat/ke_sig_vectors.h, is checked in.  ECDSA signing draws
a random k, so a regeneration gives other signatures over the same inputs;
every one of them must verify.
"""
import datetime
import hashlib
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "ke_sig_vectors.h")

CONTEXT = b"responder-key_exchange_rsp signing"
HASHES = {"sha256": (hashes.SHA256, hashlib.sha256, 1 << 0),
          "sha384": (hashes.SHA384, hashlib.sha384, 1 << 1),
          "sha512": (hashes.SHA512, hashlib.sha512, 1 << 2)}
# BaseAsymAlgo bits
CURVES = {"ecdsa-p256": (ec.SECP256R1(), 32, 1 << 4), "ecdsa-p384": (ec.SECP384R1(), 48, 1 << 7)}
RSA_BITS = {"rsassa-3072": (3072, 1 << 2)}


def det(label, n):
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(b"spdm-ke-sig-kat:%s:%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


def prefix(version):
    ver = b"dmtf-spdm-v%d.%d.*" % (version >> 4, version & 0xF)
    return ver * 4 + b"\0" * (36 - len(CONTEXT)) + CONTEXT


def ec_key(curve_name, label):
    curve, size, _ = CURVES[curve_name]
    order = {"ecdsa-p256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
             "ecdsa-p384": int("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                               "581A0DB248B0A77AECEC196ACCC52973", 16)}[curve_name]
    k = int.from_bytes(det(label, size + 8), "big") % (order - 1) + 1
    return ec.derive_private_key(k, curve)


def sign(key, asym, hname, version, th_hash):
    halg = HASHES[hname][0]()
    if asym in CURVES:
        size = CURVES[asym][1]
        if version >= 0x12:
            der = key.sign(prefix(version) + th_hash, ec.ECDSA(halg))
        else:
            der = key.sign(th_hash, ec.ECDSA(utils.Prehashed(halg)))
        r, s = utils.decode_dss_signature(der)
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if version >= 0x12:
        return key.sign(prefix(version) + th_hash, padding.PKCS1v15(), halg)
    return key.sign(th_hash, padding.PKCS1v15(), utils.Prehashed(halg))


def self_signed(key, name):
    """A self-signed leaf holding the key, so that a whole evidence bundle
    (chain, leaf key, session) can be built around a vector."""
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "ke-sig-kat " + name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(int.from_bytes(det(name + ":serial", 8), "big") >> 1)
            .not_valid_before(datetime.datetime(2026, 1, 1)).not_valid_after(datetime.datetime(2036, 1, 1))
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def vector(name, asym, hname, version, key):
    th_hash = HASHES[hname][1](det(name + ":TH", 300)).digest()
    sig = sign(key, asym, hname, version, th_hash)
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    # self-check with the library's verifier
    pub = key.public_key()
    halg = HASHES[hname][0]()
    msg = prefix(version) + th_hash if version >= 0x12 else th_hash
    if asym in CURVES:
        size = CURVES[asym][1]
        der = utils.encode_dss_signature(int.from_bytes(sig[:size], "big"), int.from_bytes(sig[size:], "big"))
        pub.verify(der, msg, ec.ECDSA(halg if version >= 0x12 else utils.Prehashed(halg)))
    else:
        pub.verify(sig, msg, padding.PKCS1v15(), halg if version >= 0x12 else utils.Prehashed(halg))
    bit = CURVES[asym][2] if asym in CURVES else RSA_BITS[asym][1]
    return dict(name=name, version=version, asym=bit, hash=HASHES[hname][2], spki=spki, th_hash=th_hash,
                signature=sig, cert=self_signed(key, name))


def lit(b):
    return "B{" + ", ".join("0x%02x" % c for c in b) + "}"


def main():
    p256 = ec_key("ecdsa-p256", "p256")
    p384 = ec_key("ecdsa-p384", "p384")
    # RSA keys cannot be derived from a seed with `cryptography`: a fresh one
    rsa3072 = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    vs = [vector("1.1 ecdsa-p256 sha256", "ecdsa-p256", "sha256", 0x11, p256),
          vector("1.2 ecdsa-p384 sha384", "ecdsa-p384", "sha384", 0x12, p384),
          vector("1.3 ecdsa-p256 sha256", "ecdsa-p256", "sha256", 0x13, p256),
          vector("1.3 ecdsa-p384 sha512", "ecdsa-p384", "sha512", 0x13, p384),
          vector("1.2 rsassa-3072 sha256", "rsassa-3072", "sha256", 0x12, rsa3072)]
    out = ["// SPDX-License-Identifier: GPL-2.0",
           "// Generated by tests/kat/gen_ke_sig_kat.py (python3-cryptography): do not edit.",
           "#pragma once", "#include <cstdint>", "#include <vector>", "",
           "namespace kat::ke_sig {", "",
           "using B = std::vector<uint8_t>;", "",
           "struct Vector {",
           "    const char *name;",
           "    uint8_t version;",
           "    uint32_t asym, hash; // BaseAsymAlgo, BaseHashAlgo bits",
           "    B spki;              // the Responder's SubjectPublicKeyInfo (DER)",
           "    B th_hash;           // hash of TH up to the signature",
           "    B signature;         // KEY_EXCHANGE_RSP Signature (ECDSA r || s, or RSASSA-PKCS1-v1_5)",
           "    B cert;              // a self-signed certificate (DER) of the key",
           "};", "",
           "inline const std::vector<Vector> &vectors()", "{",
           "    static const std::vector<Vector> v = {"]
    for x in vs:
        out.append("        {\"%s\", 0x%02x, 0x%x, 0x%x," % (x["name"], x["version"], x["asym"], x["hash"]))
        out.append("         %s," % lit(x["spki"]))
        out.append("         %s," % lit(x["th_hash"]))
        out.append("         %s," % lit(x["signature"]))
        out.append("         %s}," % lit(x["cert"]))
    out += ["    };", "    return v;", "}", "", "} // namespace kat::ke_sig", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
