#!/usr/bin/env python3
"""A second, independent reader of LabelVault `.lvbatch` files, written from
docs/batch-format.md alone: framing, the hub's Ed25519 signature (libsodium via PyNaCl),
exactly one X25519 recipient stanza, age decryption (pyrage), the payload's schema and
the ids' grammar.

    python3 open_batch.py BATCH.lvbatch --hub-key BASE64 --identity AGE-SECRET-KEY-1...
    python3 open_batch.py --new-identity        # prints a fresh identity and its recipient

Prints "ok <items> items, batch <batch id>" and exits 0 when the batch opens; otherwise
"refused: <check>" and exit 1. It never prints item text. Exit 2: bad usage.
"""

import base64
import hashlib
import json
import re
import struct
import sys

try:
    import nacl.bindings
    import nacl.exceptions
    import pyrage
except ImportError:  # pragma: no cover
    print("open_batch: PyNaCl and pyrage are needed (scripts/install-deps.sh)", file=sys.stderr)
    sys.exit(2)

MAGIC = b"LVBATCH\x01"
HEADER_FIELDS = ["format", "batch_id", "hub_key_id", "recipient", "created_at", "expires_at", "item_count"]
BATCH_ID = re.compile(r"b_[0-9a-f]{32}\Z")
ITEM_ID = re.compile(r"it_[0-9a-f]{32}\Z")
INTENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")
REASONS = {"false_positive", "low_confidence", "random_sample", "suspected_label_error"}


class Refused(Exception):
    pass


def open_batch(data, hub_key, identity):
    if len(data) < 8 + 4 or data[:8] != MAGIC:
        raise Refused("not a LabelVault batch file")
    (h,) = struct.unpack(">I", data[8:12])
    if h > 65536 or len(data) < 12 + h + 8:
        raise Refused("framing")
    header_raw = data[12:12 + h]
    (p,) = struct.unpack(">Q", data[12 + h:20 + h])
    if len(data) != 20 + h + p + 64:
        raise Refused("framing (length or trailing bytes)")
    signed, sig = data[:20 + h + p], data[20 + h + p:]
    digest = hashlib.sha256(signed).digest()
    try:
        nacl.bindings.crypto_sign_open(sig + b"labelvault/batch/v1\0" + digest, hub_key)
    except (nacl.exceptions.BadSignatureError, ValueError):
        raise Refused("hub signature") from None
    header = json.loads(header_raw, object_pairs_hook=lambda pairs: pairs)
    if [k for k, _ in header] != HEADER_FIELDS:
        raise Refused("header fields")
    header = dict(header)
    if header["format"] != 1 or not BATCH_ID.match(header["batch_id"]):
        raise Refused("header format or batch_id")
    if header["hub_key_id"] != hashlib.sha256(hub_key).hexdigest()[:16]:
        raise Refused("hub_key_id")
    if header["recipient"] != str(identity.to_public()):
        raise Refused("sealed to another device")
    sealed = data[20 + h:20 + h + p]
    head_end = sealed.find(b"\n---")
    stanzas = [l for l in sealed[:head_end].split(b"\n") if l.startswith(b"-> ")]
    if sum(1 for s in stanzas if s.startswith(b"-> X25519 ")) != 1:
        raise Refused("not exactly one X25519 recipient")
    try:
        plain = pyrage.decrypt(sealed, [identity])
    except Exception:
        raise Refused("age decryption") from None
    payload = json.loads(plain)
    for k in ("batch_id", "recipient", "created_at", "expires_at"):
        if payload.get(k) != header[k]:
            raise Refused(f"payload {k} differs from the header")
    items = payload.get("items", [])
    if len(items) != header["item_count"]:
        raise Refused("item_count")
    intents = {i["id"] for i in payload["taxonomy"]["intents"]}
    if not all(INTENT_ID.match(i) for i in intents):
        raise Refused("intent id")
    seen = set()
    for n, it in enumerate(items):
        if not ITEM_ID.match(it["item_id"]) or it["item_id"] in seen:
            raise Refused(f"item {n + 1}: item_id")
        seen.add(it["item_id"])
        if it["model_intent"] not in intents or it["reason"] not in REASONS:
            raise Refused(f"item {n + 1}: model_intent or reason")
        if not (isinstance(it["confidence"], (int, float)) and 0 <= it["confidence"] <= 1):
            raise Refused(f"item {n + 1}: confidence")
    return header["batch_id"], len(items)


def main(argv):
    args = argv[1:]
    if args == ["--new-identity"]:
        i = pyrage.x25519.Identity.generate()
        print(str(i))
        print(str(i.to_public()))
        return 0
    try:
        path = args[0]
        hub_key = base64.b64decode(args[args.index("--hub-key") + 1], validate=True)
        identity = pyrage.x25519.Identity.from_str(args[args.index("--identity") + 1])
    except (IndexError, ValueError, Exception):
        print(__doc__.strip().splitlines()[5].strip(), file=sys.stderr)
        return 2
    with open(path, "rb") as f:
        data = f.read()
    try:
        batch_id, n = open_batch(data, hub_key, identity)
    except (Refused, ValueError, KeyError, TypeError) as e:
        print(f"refused: {e if isinstance(e, Refused) else 'payload schema'}")
        return 1
    print(f"ok {n} items, batch {batch_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
