#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds for fuzz_keyex (corpus/keyex): whole sessions as the harness's fake
crypto accepts them (see fuzz_keyex.cpp): VCA with the session algorithms,
KEY_EXCHANGE_RSP, FINISH_RSP, HEARTBEAT_ACK, KEY_UPDATE_ACKs, END_SESSION_ACK.

    /usr/bin/python3 tests/fuzz/gen_keyex_seeds.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "keyex")


def frame(m):
    return struct.pack("<H", len(m)) + m


def rec(sid, seq, app, enc=True):
    body = struct.pack("<H", len(app)) + app if enc else app
    return struct.pack("<IH", sid, len(body) + 16) + body + bytes([0xA5 ^ (seq & 0xFF)] * 16)


def session(ver, in_clear=False, enc=True, vendor=False):
    out = b""
    out += frame(bytes([0x10, 0x04, 0, 0, 0, 1]) + struct.pack("<H", ver << 8))
    flags = (1 << 1) | (1 << 2) | (1 << 7) | (1 << 9) | (1 << 13) | (1 << 14)
    if enc:
        flags |= 1 << 6
    if in_clear:
        flags |= 1 << 15
    caps = bytes([ver, 0x61, 0, 0, 0, 12, 0, 0]) + struct.pack("<I", flags)
    if ver >= 0x12:
        caps += struct.pack("<II", 0x1200, 0x1200)
    out += frame(caps)
    structs = bytes([2, 0x20, 0x08, 0, 3, 0x20, 0x01, 0, 5, 0x20, 0x01, 0])
    alg = bytes([ver, 0x63, 3, 0]) + struct.pack("<H", 36 + len(structs))
    alg += bytes([0, 0x02 if ver >= 0x12 else 0]) + struct.pack("<IIII", 0, 0x10, 0x01, 0)
    alg += bytes(7) + bytes([0, 0, 0]) + bytes(2) + structs
    out += frame(alg)
    rsp_id = 0xFFFE
    sid = 0x5A5A | rsp_id << 16
    n = 2 if vendor else 1
    if ver >= 0x12:
        opaque = bytes([n, 0, 0, 0])
    else:
        opaque = b"FTMD" + bytes([1, n, 0, 0])
    if vendor:
        # a PCI-SIG element (ID 3, VendorID 0x1b36), 3 bytes, AlignPadding
        opaque += bytes([3, 2, 0x36, 0x1B, 3, 0, 0xAA, 0xBB, 0xCC, 0, 0, 0])
    opaque += bytes([0, 0, 4, 0, 1, 0]) + struct.pack("<H", 0x1100)
    ke = bytes([ver, 0x64, 10, 0]) + struct.pack("<H", rsp_id) + bytes([0, 0]) + bytes([0x33] * 32)
    ke += bytes([0x22] * 64) + struct.pack("<H", len(opaque)) + opaque + bytes([0x01] * 64)
    if not in_clear:
        ke += bytes(32)
    out += frame(ke)
    if in_clear:
        out += frame(bytes([ver, 0x65, 0, 0]) + bytes(32))
    else:
        out += frame(rec(sid, 0, bytes([ver, 0x65, 0, 0]), enc))
    out += frame(rec(sid, 0, bytes([ver, 0x68, 0, 0]), enc))
    out += frame(rec(sid, 1, bytes([ver, 0x69, 1, 0x5A]), enc))
    out += frame(rec(sid, 2, bytes([ver, 0x69, 3, 0x5B]), enc))
    out += frame(rec(sid, 0, bytes([ver, 0x69, 2, 0x5A]), enc))
    out += frame(rec(sid, 1, bytes([ver, 0x69, 3, 0x5B]), enc))
    out += frame(rec(sid, 2, bytes([ver, 0x6C, 0, 0]), enc))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "v11_encrypted": bytes([0]) + session(0x11),
        "v12_encrypted": bytes([1]) + session(0x12),
        "v13_encrypted": bytes([2]) + session(0x13),
        "v13_in_clear": bytes([2]) + session(0x13, in_clear=True),
        "v12_mac_only": bytes([1]) + session(0x12, enc=False),
        "v13_vendor_element": bytes([2]) + session(0x13, vendor=True),
        "v11_vendor_element": bytes([0]) + session(0x11, vendor=True),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
