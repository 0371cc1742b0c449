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
    # aead_batch: head (keys - 1, HMAC lanes << 2, shape << 5), frame count
    # - 1, base length (16 bits), seed (64 bits), a byte per key (suite
    # index, implementation << 3), then per frame: key / in-place / forge
    # byte, length byte(s), AAD byte, alignment.
    def batch(name, keys, lanes, shape, n, base, frame):
        blob = bytes([(len(keys) - 1) | (lanes << 2) | (shape << 5), n - 1])
        blob += struct.pack(">H", base) + struct.pack(">Q", 0x5F4A3E + n)
        blob += bytes(s - 1 | (impl << 3) for s, impl in keys)
        for i in range(n):
            blob += bytes(frame(i))
        write("aead_batch", name, blob)

    for suite in (1, 2, 3, 4, 5):
        # 64 equal frames of one key (160 bytes; 112 for GCM), the
        # benchmarks' batches, every fourth frame forged.
        base = 112 if suite in (4, 5) else 160
        batch(f"equal-suite{suite}", [(suite, 1)], 0, 0, 64, base,
              lambda i: [(4 + i // 4 % 4) << 3 if i % 4 == 3 else 0, 0, 4,
                         i % 64])
    # Video frames' packets: 1200 (250) bytes, some a few bytes shorter,
    # each fifth a frame's much shorter last packet, in place.
    batch("packets-ctr", [(1, 1), (2, 1)], 2, 1, 20, 1200,
          lambda i: [i % 2 | 4, 230 + i if i % 5 == 4 else (i * 5) % 4, 4, 0])
    batch("packets-gcm", [(4, 1)], 0, 1, 20, 250,
          lambda i: [4, 226 + i if i % 5 == 4 else (i * 3) % 4, 9, i])
    # Scattered short frames of four keys: GCM, CTR-HMAC, SHA-512 suites and
    # BoringSSL keys mixed, with metadata.
    batch("scattered-mixed", [(4, 1), (1, 1), (6, 0), (5, 0)], 3, 6, 40, 0,
          lambda i: [i % 4 | (i % 8) << 3, (i * 37) % 256, i * 13 % 256, i])
    batch("any-length", [(3, 1), (5, 1)], 1, 7, 33, 0,
          lambda i: [i % 2 | (i % 3 == 0) << 2 | (i % 8) << 3, i % 7,
                     (i * 211) % 256, i * 29 % 256, 17])
    # sframe_batch: suite index, head (implementation, replay window << 2,
    # senders - 1 << 4), per sender (KID flags, [large KID byte], counter
    # index), sent count - 1, per sent frame (sender / length / metadata /
    # room byte, length byte, [metadata length]), received count - 1, per
    # received frame (mutation byte, sent index, argument).
    def sframe_batch(name, suite, head, senders, sent, received):
        blob = bytes([suite - 1, head])
        for flags, counter in senders:
            blob += bytes([flags]) + (b"\x07" if flags & 1 else b"")
            blob += bytes([counter])
        blob += bytes([len(sent) - 1])
        for b, length, md in sent:
            blob += bytes([b, length]) + (bytes([md]) if (b >> 2) & 3 == 0
                                           else b"")
        blob += bytes([len(received) - 1])
        for r in received:
            blob += bytes(r)
        write("sframe_batch", name, blob)

    plain = [(i % 2 | 4, 100 + i, 0) for i in range(32)]
    in_order = [(0, i, 0) for i in range(32)]
    sframe_batch("gcm-two-senders", 4, 3 << 2 | 1 << 4, [(0, 0), (2, 3)],
                 plain, in_order)
    # Duplicates, reordering and every mutation, CTR-HMAC, a window of 16,
    # three senders (one large KID, one whose key the receiver lacks).
    mixed = [(i % 3 | (i % 4) << 2 | (0x40 if i % 5 == 0 else 0), i * 7, 5)
             for i in range(24)]
    shuffled = [(i % 11, (i * 5) % 24, i * 17 % 256) for i in range(60)]
    sframe_batch("ctr-mutations", 1, 2 << 2 | 2 << 4,
                 [(1, 4), (0x80, 0), (4, 7)], mixed, shuffled)
    # Counters that cross header-size steps and run out inside the batch.
    sframe_batch("counter-edges", 5, 1 | 0 << 2 | 1 << 4, [(0, 4), (1, 10)],
                 [(i % 2 | 4 | (0x20 if i == 9 else 0), 30, 0)
                  for i in range(12)],
                 [(0, 11 - i, 0) for i in range(12)] + [(0, 3, 0)] * 3)
    # keyops and rtp_depacketizer seeds are hand-written op scripts kept in
    # fuzz/corpus/ (not derived from vectors). media_frame seeds are the
    # frames of tests/media_test_frames.h (RecordedFrames(1)), each after a
    # 6-byte head (codec, suite index, flags, flip position, no metadata),
    # written once from the test header by a scratch program.


if __name__ == "__main__":
    main()
