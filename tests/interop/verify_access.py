#!/usr/bin/env python3
"""A second, independent verifier, written from docs/ledger.md ("The access ledger") and
docs/erasure.md ("The receipt") alone: the hub's access ledger (hash chain, entry hashes,
the hub's Ed25519 signature on each entry by libsodium's strict rules) and its signed
erasure receipts.

    python3 verify_access.py ACCESS.jsonl --hub-key BASE64 [--message ID]
    python3 verify_access.py --erasure RECEIPT.json --hub-key BASE64

Prints "ok ..." (and, with --message, one "read <account> <role> <at_ms>" line per
raw-text read of that message) and exits 0 when it verifies; otherwise prints
"refused: <what>" and exits 1. Exit 2: bad usage or a missing package.
"""

import base64
import binascii
import hashlib
import json
import struct
import sys

try:
    import nacl.bindings
    import nacl.exceptions
except ImportError:  # pragma: no cover
    print("verify_access: PyNaCl is missing (pip install pynacl)", file=sys.stderr)
    sys.exit(2)

FIELDS = ["seq", "prev_hash", "entry_hash", "at_ms", "account_id", "role", "act",
          "method", "path", "status", "message_ids", "signature"]


class Refused(Exception):
    pass


def strict_verify(key, msg, sig):
    try:
        nacl.bindings.crypto_sign_open(sig + msg, key)
        return True
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return False


def b64(s):
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise Refused("base64") from None


def entry_hash(prev, e):
    h = hashlib.sha256(b"labelvault/access/v1\0")
    h.update(prev)
    h.update(struct.pack(">Q", e["seq"]))
    h.update(struct.pack(">q", e["at_ms"]))
    for f in ("account_id", "role", "act", "method", "path"):
        raw = e[f].encode()
        h.update(struct.pack(">Q", len(raw)))
        h.update(raw)
    h.update(struct.pack(">H", e["status"]))
    h.update(hashlib.sha256("\n".join(e["message_ids"]).encode()).digest())
    return h.digest()


def verify_head(pairs, key, entries, head):
    if [k for k, _ in pairs] != ["signed_head", "signature"]:
        raise Refused("checkpoint fields")
    h = dict(pairs)
    if [k for k, _ in h["signed_head"]] != ["entries", "head", "signed_at_ms", "hub_key_id"]:
        raise Refused("checkpoint fields")
    msg = b"labelvault/access-head/v1\0" + compact(h["signed_head"])
    if not strict_verify(key, msg, b64(h["signature"])):
        raise Refused("checkpoint signature")
    body = dict(h["signed_head"])
    if body["entries"] != entries or body["head"] != head.hex():
        raise Refused("checkpoint does not match the chain (cut or altered tail)")


def verify_access(text, key):
    prev = bytes(32)
    lines = []
    raws = [l for l in text.splitlines() if l.strip()]
    for n, raw in enumerate(raws, start=1):
        try:
            pairs = json.loads(raw, object_pairs_hook=lambda p: p)
        except ValueError:
            raise Refused(f"entry {n}: not JSON") from None
        if pairs and pairs[0][0] == "signed_head":
            if n != len(raws):
                raise Refused(f"entry {n}: checkpoint not last")
            verify_head(pairs, key, len(lines), prev)
            break
        if [k for k, _ in pairs] != FIELDS:
            raise Refused(f"entry {n}: fields")
        e = dict(pairs)
        if e["seq"] != n:
            raise Refused(f"entry {n}: sequence")
        if e["prev_hash"] != prev.hex():
            raise Refused(f"entry {n}: chain")
        if not (isinstance(e["message_ids"], list) and all(isinstance(m, str) for m in e["message_ids"])):
            raise Refused(f"entry {n}: message_ids")
        h = entry_hash(prev, e)
        if e["entry_hash"] != h.hex():
            raise Refused(f"entry {n}: entry_hash")
        if not strict_verify(key, h, b64(e["signature"])):
            raise Refused(f"entry {n}: signature")
        prev = h
        lines.append(e)
    return lines


def compact(value):
    def conv(v):
        if isinstance(v, list) and v and all(isinstance(x, tuple) for x in v):
            return {k: conv(x) for k, x in v}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return json.dumps(conv(value), separators=(",", ":"), ensure_ascii=False).encode()


def verify_erasure(text, key):
    try:
        pairs = json.loads(text, object_pairs_hook=lambda p: p)
    except ValueError:
        raise Refused("not JSON") from None
    if [k for k, _ in pairs] != ["erasure", "signed_at", "hub_key_id", "signature"]:
        raise Refused("receipt fields")
    r = dict(pairs)
    msg = b"labelvault/erasure/v1\0" + str(r["signed_at"]).encode() + b"\n" + compact(r["erasure"])
    if not strict_verify(key, msg, b64(r["signature"])):
        raise Refused("signature")
    e = dict(r["erasure"])
    devices = [dict(d) for d in e["devices"]]
    purged = sum(1 for d in devices if d["state"] == "purged")
    return len(e["erased"]), len(devices), purged


def main(argv):
    args = argv[1:]
    opts = {}
    for flag in ("--hub-key", "--message", "--erasure"):
        if flag in args:
            i = args.index(flag)
            if i + 1 >= len(args):
                print(f"verify_access: {flag} needs a value", file=sys.stderr)
                return 2
            opts[flag] = args[i + 1]
            del args[i:i + 2]
    if "--hub-key" not in opts:
        print("verify_access: --hub-key is required", file=sys.stderr)
        return 2
    try:
        key = base64.b64decode(opts["--hub-key"], validate=True)
    except binascii.Error:
        print("verify_access: --hub-key is not base64", file=sys.stderr)
        return 2
    try:
        if "--erasure" in opts:
            with open(opts["--erasure"], encoding="utf-8") as f:
                erased, devices, purged = verify_erasure(f.read(), key)
            print(f"ok erasure: {erased} messages, {devices} devices, {purged} purged")
            return 0
        if len(args) != 1:
            print("verify_access: give one access ledger file", file=sys.stderr)
            return 2
        with open(args[0], encoding="utf-8") as f:
            lines = verify_access(f.read(), key)
    except Refused as r:
        print(f"refused: {r}")
        return 1
    print(f"ok {len(lines)} entries")
    m = opts.get("--message")
    if m is not None:
        for e in lines:
            if e["act"] == "raw_text_read" and m in e["message_ids"]:
                print(f"read {e['account_id']} {e['role']} {e['at_ms']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
