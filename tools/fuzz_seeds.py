#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from
the official vectors in tests/data/. Deterministic; rerun to regenerate."""
import json
import os
import struct

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(TOP, "tests", "data")
OUT = os.path.join(TOP, "fuzz", "corpus")


def write(target, name, blob):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def main():
    rfc = json.load(open(os.path.join(DATA, "test-vectors.json")))
    aes256 = json.load(open(os.path.join(DATA, "test-vectors-aes256.json")))
    # header: every official encoded header, plus each with a payload byte.
    for i, case in enumerate(rfc["header"]):
        enc = bytes.fromhex(case["encoded"])
        write("header", f"vector-{i:03d}", enc)
    write("header", "non-minimal-kid", bytes([0x80, 0x05]))
    write("header", "truncated", bytes([0xff, 0x01]))
    # decrypt: suite index byte (suite-1), metadata length, metadata, frame.
    frames = rfc["sframe"] + aes256["sframe_aes_256_ctr_hmac"]
    for case in frames:
        md = bytes.fromhex(case["metadata"])
        ct = bytes.fromhex(case["ct"])
        suite = case["cipher_suite"]
        write("decrypt", f"suite{suite}", bytes([suite - 1, len(md)]) + md + ct)
        bad = bytearray(ct)
        bad[-1] ^= 1
        write("decrypt", f"suite{suite}-forged",
              bytes([suite - 1, len(md)]) + md + bytes(bad))
    # roundtrip: suite, flags, kid, counter, key length, key, md length, md, pt
    for case in frames:
        key = bytes.fromhex(case["base_key"])
        md = bytes.fromhex(case["metadata"])
        pt = bytes.fromhex(case["pt"])
        suite = case["cipher_suite"]
        for flags in (0, 1, 2, 3):
            blob = bytes([suite - 1, flags]) + struct.pack(">Q", case["kid"])
            blob += struct.pack(">Q", case["ctr"]) if not flags & 1 else b"\x01"
            blob += bytes([len(key) - 1]) + key + bytes([len(md)]) + md + pt
            write("roundtrip", f"suite{suite}-flags{flags}", blob)
    # kernel_diff: flags, alignment, key, nonce, aad1 len, aad1, aad2 len/3,
    # aad2, plaintext.
    for flags in range(4):
        for n in (0, 1, 15, 16, 17, 63, 64, 100, 255, 256, 300, 1024):
            key = bytes(range(32 if flags & 1 else 16))
            blob = bytes([flags, n % 64]) + key + bytes(range(12))
            blob += bytes([5]) + b"\x99\x01\x23\x45\x67" + bytes([5])
            blob += b"IETF SFrame WG\x00"
            blob += bytes((i * 7) & 255 for i in range(n))
            write("kernel_diff", f"flags{flags}-len{n}", blob)
    # keyops and rtp_depacketizer seeds are hand-written op scripts kept in
    # fuzz/corpus/ (not derived from vectors).


if __name__ == "__main__":
    main()
