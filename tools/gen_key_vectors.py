#!/usr/bin/env python3
# Copyright 2026 The sframecpp Authors.
"""Generates tests/data/sframe-keys-vectors.json: RFC 9605 §5 key-management
vectors (sender-key ratchet, MLS KIDs), which nobody else publishes.

This is an independent implementation, written from RFC 9605 (§4.3 header,
§4.4.2 key schedule, §4.4.3 encryption, §4.5.1 AES-CTR+HMAC, §5.1 ratchet,
§5.2 MLS KIDs) with Python's hmac/hashlib and the `cryptography` package; it
shares no code with the C++ library. It first checks itself against the
official RFC 9605 Appendix C.3 vector for every suite it can find in
tests/data/, then writes the file.

Usage: tools/gen_key_vectors.py [OUTPUT.json]   (default: tests/data/...)
"""

import hashlib
import hmac
import json
import os
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# suite id -> (hash, Nka or None for GCM, Nk, Nt)
SUITES = {
    1: (hashlib.sha256, 16, 48, 10),
    2: (hashlib.sha256, 16, 48, 8),
    3: (hashlib.sha256, 16, 48, 4),
    4: (hashlib.sha256, None, 16, 16),
    5: (hashlib.sha512, None, 32, 16),
    6: (hashlib.sha512, 32, 96, 10),
    7: (hashlib.sha512, 32, 96, 8),
    8: (hashlib.sha512, 32, 96, 4),
}


def hkdf_extract(h, salt, ikm):
    if not salt:
        salt = bytes(h().digest_size)
    return hmac.new(salt, ikm, h).digest()


def hkdf_expand(h, prk, info, length):
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), h).digest()
        out += t
        i += 1
    return out[:length]


def be(x, n):
    return x.to_bytes(n, "big")


def ratchet(suite, base_key):
    """RFC 9605 §5.1: label without trailing space, Nh bytes out."""
    h = SUITES[suite][0]
    nh = h().digest_size
    return hkdf_expand(h, hkdf_extract(h, b"", base_key), b"SFrame 1.0 Ratchet", nh)


def derive_key_salt(suite, kid, base_key):
    h, _, nk, _ = SUITES[suite]
    secret = hkdf_extract(h, b"", base_key)
    key = hkdf_expand(h, secret, b"SFrame 1.0 Secret key " + be(kid, 8) + be(suite, 2), nk)
    salt = hkdf_expand(h, secret, b"SFrame 1.0 Secret salt " + be(kid, 8) + be(suite, 2), 12)
    return key, salt


def min_len(v):
    return max(1, (v.bit_length() + 7) // 8)


def encode_header(kid, ctr):
    cfg, tail = 0, b""
    if kid < 8:
        cfg |= kid << 4
    else:
        n = min_len(kid)
        cfg |= 0x80 | ((n - 1) << 4)
        tail += be(kid, n)
    if ctr < 8:
        cfg |= ctr
    else:
        n = min_len(ctr)
        cfg |= 0x08 | (n - 1)
        tail += be(ctr, n)
    return bytes([cfg]) + tail


def aead_encrypt(suite, key, nonce, aad, pt):
    h, nka, _, nt = SUITES[suite]
    if nka is None:
        return AESGCM(key).encrypt(nonce, pt, aad)
    enc_key, auth_key = key[:nka], key[nka:]
    c = Cipher(algorithms.AES(enc_key), modes.CTR(nonce + b"\0\0\0\0")).encryptor()
    ct = c.update(pt) + c.finalize()
    mac_in = be(len(aad), 8) + be(len(ct), 8) + be(nt, 8) + nonce + aad + ct
    return ct + hmac.new(auth_key, mac_in, h).digest()[:nt]


def sframe_encrypt(suite, kid, ctr, base_key, metadata, pt):
    key, salt = derive_key_salt(suite, kid, base_key)
    nonce = bytes(a ^ b for a, b in zip(salt, be(ctr, 12)))
    header = encode_header(kid, ctr)
    return header + aead_encrypt(suite, key, nonce, header + metadata, pt), key, salt


def sender_key_id(r, generation, step):
    assert 0 <= r <= 63 and generation < (1 << (64 - r))
    return (generation << r) + (step % (1 << r))


def mls_key_id(e, s, epoch, index, context):
    assert e + s <= 64 and index < (1 << s) and context < (1 << (64 - s - e))
    return (context << (s + e)) + (index << e) + (epoch % (1 << e))


def self_check(data_dir):
    """Our primitives reproduce the official full-SFrame vectors."""
    checked = 0
    for name, section in (("test-vectors.json", "sframe"),
                          ("test-vectors-aes256.json", "sframe_aes_256_ctr_hmac")):
        path = os.path.join(data_dir, name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            doc = json.load(f)
        for c in doc.get(section, []):
            ct, _, _ = sframe_encrypt(c["cipher_suite"], c["kid"], c["ctr"],
                                      bytes.fromhex(c["base_key"]),
                                      bytes.fromhex(c["metadata"]),
                                      bytes.fromhex(c["pt"]))
            assert ct.hex() == c["ct"], (name, c["cipher_suite"])
            checked += 1
    # RFC 9605 §5.2 figure (E=4, S=6).
    for epoch, index, context, kid in RFC_MLS_FIGURE:
        assert mls_key_id(4, 6, epoch, index, context) == kid
    return checked


RFC_MLS_FIGURE = [  # (epoch, sender index, context, KID)
    (14, 3, 0, 0x3E), (14, 7, 0, 0x7E), (14, 20, 0, 0x14E),
    (15, 3, 0, 0x3F), (15, 5, 0, 0x5F), (16, 2, 2, 0x820),
    (16, 2, 3, 0xC20), (17, 33, 0, 0x211), (17, 51, 0, 0x331),
]

METADATA = b"IETF SFrame WG"
PLAINTEXT = b"draft-ietf-sframe-enc"
BASE_KEY = bytes(range(16))


def ratchet_cases():
    cases = []
    # (ratchet_bits, generation, step, ctr): includes step 0, a step past
    # 2^R (the KID wraps), counters inline and extended, a large generation.
    shapes = [(4, 0, 1, 0), (8, 3, 2, 0x4567), (4, 1, 17, 7), (2, 0x1234, 5, 0),
              (16, 0, 0, 0x100)]
    for suite in sorted(SUITES):
        for r, gen, step, ctr in shapes:
            chain, key = [], BASE_KEY
            for _ in range(step):
                key = ratchet(suite, key)
                chain.append(key.hex())
            kid = sender_key_id(r, gen, step)
            ct, sk, salt = sframe_encrypt(suite, kid, ctr, key, METADATA, PLAINTEXT)
            cases.append({
                "cipher_suite": suite,
                "base_key": BASE_KEY.hex(),
                "ratchet_bits": r,
                "generation": gen,
                "step": step,
                "chain": chain,
                "ratcheted_key": key.hex(),
                "kid": kid,
                "ctr": ctr,
                "sframe_key": sk.hex(),
                "sframe_salt": salt.hex(),
                "metadata": METADATA.hex(),
                "pt": PLAINTEXT.hex(),
                "ct": ct.hex(),
            })
    return cases


def mls_cases():
    cases = []
    for epoch, index, context, kid in RFC_MLS_FIGURE:
        cases.append({"epoch_bits": 4, "sender_bits": 6, "epoch": epoch,
                      "sender_index": index, "context": context, "kid": kid})
    # Layout edges: no epoch/sender bits, all epoch bits, a 32/32 split, the
    # largest context, a 64-bit epoch reduced modulo 2^E.
    for e, s, epoch, index, context in [
            (0, 0, 5, 0, 12345), (64, 0, 2**64 - 1, 0, 0), (32, 32, 7, 2**32 - 1, 0),
            (8, 16, 300, 65535, 2**40 - 1), (4, 6, 2**64 - 2, 63, 0)]:
        cases.append({"epoch_bits": e, "sender_bits": s, "epoch": epoch,
                      "sender_index": index, "context": context,
                      "kid": mls_key_id(e, s, epoch, index, context)})
    # Frames: per suite, a base key of Nk bytes as MLS-Exporter would give.
    for suite in sorted(SUITES):
        nk = SUITES[suite][2]
        base_key = bytes((0xa0 + i) & 0xff for i in range(nk))
        for epoch, index, context, ctr in [(17, 33, 0, 0), (16, 2, 2, 0x4567)]:
            kid = mls_key_id(4, 6, epoch, index, context)
            ct, sk, salt = sframe_encrypt(suite, kid, ctr, base_key, METADATA, PLAINTEXT)
            cases.append({
                "epoch_bits": 4, "sender_bits": 6, "epoch": epoch,
                "sender_index": index, "context": context, "kid": kid,
                "cipher_suite": suite, "base_key": base_key.hex(), "ctr": ctr,
                "sframe_key": sk.hex(), "sframe_salt": salt.hex(),
                "metadata": METADATA.hex(), "pt": PLAINTEXT.hex(), "ct": ct.hex(),
            })
    return cases


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    data_dir = os.path.join(root, "tests", "data")
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        data_dir, "sframe-keys-vectors.json")
    checked = self_check(data_dir)
    doc = {"ratchet": ratchet_cases(), "mls": mls_cases()}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"self-check: {checked} official SFrame vectors reproduced; wrote "
          f"{len(doc['ratchet'])} ratchet and {len(doc['mls'])} mls cases to {out}")


if __name__ == "__main__":
    main()
