#!/usr/bin/env python3
# Copyright 2026 The sframecpp Authors.
"""Generates tests/data/sframe-ssrc-vectors.json: per-SSRC base keys of
draft-ietf-avtcore-rtp-sframe-02, which nobody else publishes.

    ssrc_key = HKDF-Expand(HKDF-Extract(salt = BE32(SSRC), IKM = base_key),
                           "SFrame 1.0 RTP Stream", Nh)

An independent implementation with Python's standard hmac/hashlib only (RFC
5869 written out below); it shares no code with the C++ library. It checks
its HKDF against RFC 5869 test case 1 before writing.

Usage: tools/gen_ssrc_vectors.py [OUTPUT.json]   (default: tests/data/...)
"""

import hashlib
import hmac
import json
import os
import sys

# suite id -> hash (SHA-256 for suites 1-4, SHA-512 for 5-8).
SUITES = {s: (hashlib.sha256 if s <= 4 else hashlib.sha512) for s in range(1, 9)}
LABEL = b"SFrame 1.0 RTP Stream"


def hkdf_extract(h, salt, ikm):
    return hmac.new(salt, ikm, h).digest()


def hkdf_expand(h, prk, info, length):
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), h).digest()
        out += t
        i += 1
    return out[:length]


def ssrc_key(suite, base_key, ssrc):
    h = SUITES[suite]
    prk = hkdf_extract(h, ssrc.to_bytes(4, "big"), base_key)
    return prk, hkdf_expand(h, prk, LABEL, h().digest_size)


def self_check():
    # RFC 5869 Appendix A.1 (SHA-256).
    ikm = bytes([0x0B] * 22)
    salt = bytes(range(0x00, 0x0D))
    info = bytes(range(0xF0, 0xFA))
    prk = hkdf_extract(hashlib.sha256, salt, ikm)
    okm = hkdf_expand(hashlib.sha256, prk, info, 42)
    assert prk.hex() == ("077709362c2e32df0ddc3f0dc47bba63"
                         "90b6c73bb50f9c3122ec844ad7c2b3e5"), prk.hex()
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a"
                         "2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                         "34007208d5b887185865"), okm.hex()
    assert len(LABEL) == 21 and LABEL.hex() == "534672616d6520312e30205254502053747265616d"


def main():
    self_check()
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "tests", "data", "sframe-ssrc-vectors.json")
    keys = [bytes(range(16)), bytes(range(0x20, 0x40)), b"\x42"]
    ssrcs = [0, 1, 0x12345678, 0xDEADBEEF, 0xFFFFFFFF]
    cases = []
    for suite in sorted(SUITES):
        for base_key in keys:
            for ssrc in ssrcs:
                prk, key = ssrc_key(suite, base_key, ssrc)
                cases.append({
                    "cipher_suite": suite,
                    "base_key": base_key.hex(),
                    "ssrc": ssrc,
                    "salt": ssrc.to_bytes(4, "big").hex(),
                    "label": LABEL.hex(),
                    "prk": prk.hex(),
                    "ssrc_key": key.hex(),
                })
    with open(out, "w") as f:
        json.dump({"ssrc_key": cases}, f, indent=2)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
