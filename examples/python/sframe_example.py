#!/usr/bin/env python3
# Copyright 2026 The sframecpp Authors.
"""SFrame from Python through the C API (sframe/c/sframe.h) and ctypes.

Encrypts a frame, decrypts it, and checks that a tampered copy and a replay
are rejected. Usage:

    python3 sframe_example.py [path/to/libsframecpp.so]

The library path may also come from the SFRAME_LIB environment variable;
otherwise the system's loader looks for libsframecpp.so (installed package).
Exits non-zero if any check fails.
"""

import ctypes
import os
import sys

# Status codes and suite ids, as in sframe/c/sframe.h.
SFRAME_OK = 0
SFRAME_NOT_FOUND = 5
SFRAME_ALREADY_EXISTS = 6
SFRAME_DATA_LOSS = 15
SFRAME_AES_128_GCM_SHA256_128 = 4
SFRAME_DEFAULT_REPLAY_WINDOW = 128

u8p = ctypes.POINTER(ctypes.c_uint8)
size_t = ctypes.c_size_t


class SFrameError(Exception):
    def __init__(self, lib, status, what):
        super().__init__(
            f"{what}: {lib.sframe_status_string(status).decode()}")
        self.status = status


class Lib:
    """Loads the shared library and declares the prototypes used here."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        handle = ctypes.c_void_p
        lib.sframe_status_string.restype = ctypes.c_char_p
        lib.sframe_status_string.argtypes = [ctypes.c_int]
        lib.sframe_suite_name.restype = ctypes.c_char_p
        lib.sframe_suite_name.argtypes = [ctypes.c_int]
        lib.sframe_encryptor_new.argtypes = [
            ctypes.c_int, ctypes.c_uint64, u8p, size_t,
            ctypes.POINTER(handle)]
        lib.sframe_encryptor_free.argtypes = [handle]
        lib.sframe_encryptor_free.restype = None
        lib.sframe_encryptor_ciphertext_size.argtypes = [handle, size_t]
        lib.sframe_encryptor_ciphertext_size.restype = size_t
        lib.sframe_encryptor_encrypt.argtypes = [
            handle, u8p, size_t, u8p, size_t, u8p, size_t,
            ctypes.POINTER(size_t)]
        lib.sframe_decryptor_new.argtypes = [
            ctypes.c_int, size_t, ctypes.POINTER(handle)]
        lib.sframe_decryptor_free.argtypes = [handle]
        lib.sframe_decryptor_free.restype = None
        lib.sframe_decryptor_add_key.argtypes = [
            handle, ctypes.c_uint64, u8p, size_t]
        lib.sframe_decryptor_decrypt.argtypes = [
            handle, u8p, size_t, u8p, size_t, u8p, size_t,
            ctypes.POINTER(size_t)]
        lib.sframe_parse_header.argtypes = [
            u8p, size_t, ctypes.POINTER(ctypes.c_uint64),
            ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(size_t)]
        self.c = lib


def _buf(data):
    """A ctypes byte buffer holding a copy of `data`, and its length."""
    return (ctypes.c_uint8 * max(len(data), 1)).from_buffer_copy(
        bytes(data) or b"\0"), len(data)


class Encryptor:
    def __init__(self, lib, suite, key_id, base_key):
        self.lib = lib
        self.h = ctypes.c_void_p()
        key, n = _buf(base_key)
        rc = lib.c.sframe_encryptor_new(suite, key_id, key, n,
                                        ctypes.byref(self.h))
        if rc != SFRAME_OK:
            raise SFrameError(lib.c, rc, "sframe_encryptor_new")

    def encrypt(self, plaintext, metadata=b""):
        c = self.lib.c
        out_cap = c.sframe_encryptor_ciphertext_size(self.h, len(plaintext))
        out = (ctypes.c_uint8 * out_cap)()
        out_len = size_t(0)
        md, md_n = _buf(metadata)
        pt, pt_n = _buf(plaintext)
        rc = c.sframe_encryptor_encrypt(self.h, md, md_n, pt, pt_n, out,
                                        out_cap, ctypes.byref(out_len))
        if rc != SFRAME_OK:
            raise SFrameError(c, rc, "sframe_encryptor_encrypt")
        return bytes(out[:out_len.value])

    def close(self):
        self.lib.c.sframe_encryptor_free(self.h)
        self.h = ctypes.c_void_p()


class Decryptor:
    def __init__(self, lib, suite, replay_window=SFRAME_DEFAULT_REPLAY_WINDOW):
        self.lib = lib
        self.h = ctypes.c_void_p()
        rc = lib.c.sframe_decryptor_new(suite, replay_window,
                                        ctypes.byref(self.h))
        if rc != SFRAME_OK:
            raise SFrameError(lib.c, rc, "sframe_decryptor_new")

    def add_key(self, key_id, base_key):
        key, n = _buf(base_key)
        rc = self.lib.c.sframe_decryptor_add_key(self.h, key_id, key, n)
        if rc != SFRAME_OK:
            raise SFrameError(self.lib.c, rc, "sframe_decryptor_add_key")

    def decrypt(self, ciphertext, metadata=b""):
        """Returns the plaintext; raises SFrameError (with .status)."""
        c = self.lib.c
        # A plaintext is never longer than its ciphertext.
        out = (ctypes.c_uint8 * max(len(ciphertext), 1))()
        out_len = size_t(0)
        md, md_n = _buf(metadata)
        ct, ct_n = _buf(ciphertext)
        rc = c.sframe_decryptor_decrypt(self.h, md, md_n, ct, ct_n, out,
                                        len(out), ctypes.byref(out_len))
        if rc != SFRAME_OK:
            raise SFrameError(c, rc, "sframe_decryptor_decrypt")
        return bytes(out[:out_len.value])

    def close(self):
        self.lib.c.sframe_decryptor_free(self.h)
        self.h = ctypes.c_void_p()


def parse_header(lib, frame):
    kid, ctr, hlen = ctypes.c_uint64(), ctypes.c_uint64(), size_t()
    buf, n = _buf(frame)
    rc = lib.c.sframe_parse_header(buf, n, ctypes.byref(kid),
                                   ctypes.byref(ctr), ctypes.byref(hlen))
    if rc != SFRAME_OK:
        raise SFrameError(lib.c, rc, "sframe_parse_header")
    return kid.value, ctr.value, hlen.value


def expect_status(status, fn, what):
    try:
        fn()
    except SFrameError as e:
        if e.status == status:
            print(f"  {what}: rejected ({e})")
            return True
        print(f"FAIL {what}: {e}")
        return False
    print(f"FAIL {what}: accepted")
    return False


def main():
    path = (sys.argv[1] if len(sys.argv) > 1 else
            os.environ.get("SFRAME_LIB", "libsframecpp.so"))
    lib = Lib(path)
    suite = SFRAME_AES_128_GCM_SHA256_128
    base_key = bytes(range(16))
    metadata = b"\x01\x02"
    frame = b"a 20 ms Opus frame, more or less" * 3

    enc = Encryptor(lib, suite, key_id=7, base_key=base_key)
    dec = Decryptor(lib, suite)
    dec.add_key(7, base_key)
    ok = True
    try:
        print(f"suite {lib.c.sframe_suite_name(suite).decode()}")
        wire = enc.encrypt(frame, metadata)
        kid, ctr, hlen = parse_header(lib, wire)
        print(f"  encrypted {len(frame)} bytes -> {len(wire)} bytes "
              f"(KID {kid}, CTR {ctr}, header {hlen} bytes)")
        ok &= (kid, ctr) == (7, 0)

        tampered = bytearray(wire)
        tampered[-1] ^= 0x80  # a bit of the tag
        ok &= expect_status(SFRAME_DATA_LOSS,
                            lambda: dec.decrypt(bytes(tampered), metadata),
                            "tampered frame")
        ok &= expect_status(SFRAME_DATA_LOSS,
                            lambda: dec.decrypt(wire, b"other metadata"),
                            "wrong metadata")

        plain = dec.decrypt(wire, metadata)
        ok &= plain == frame
        print(f"  decrypted {len(plain)} bytes: "
              f"{'identical' if plain == frame else 'DIFFERENT'}")

        ok &= expect_status(SFRAME_ALREADY_EXISTS,
                            lambda: dec.decrypt(wire, metadata), "replay")
        other = Encryptor(lib, suite, key_id=8, base_key=base_key)
        ok &= expect_status(SFRAME_NOT_FOUND,
                            lambda: dec.decrypt(other.encrypt(frame)),
                            "unknown KID")
        other.close()
    finally:
        enc.close()
        dec.close()
    print("python example: " + ("all checks passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
