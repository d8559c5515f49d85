#!/usr/bin/env python3
"""A second, independent verifier of a LabelVault device ledger, written from
docs/ledger.md alone (no Rust source): hash chain, entry hashes, Ed25519 signatures by
libsodium (PyNaCl's crypto_sign_verify_detached, the strict rules), canonical bodies,
the label grammar, and receipts.

    python3 verify_ledger.py LEDGER.jsonl [--hub-key BASE64]

Prints "ok <entries> entries, fingerprint <fp>" and exits 0 when the ledger verifies;
otherwise prints "refused: line <n>: <field or check>" and exits 1. It never prints a
value taken from the ledger. Exit 2: bad usage or a missing package.
"""

import base64
import binascii
import hashlib
import json
import re
import struct
import sys

try:
    import nacl.bindings
    import nacl.exceptions
except ImportError:  # pragma: no cover
    print("verify_ledger: PyNaCl is missing (pip install pynacl)", file=sys.stderr)
    sys.exit(2)

GENESIS = bytes(32)
EARLIEST_MS = 1_704_067_200_000
FLAGS = ["misclassification", "missed_pii", "not_customer_message", "multiple_intents"]
VERDICTS = {"correct", "wrong", "unsure", "skip"}
LINE_FIELDS = [
    "seq", "prev_hash", "entry_hash", "created_at_ms", "hub_url", "method", "path",
    "body_b64", "body_sha256", "device_signing_key", "signature", "receipt",
]
LABEL_FIELDS = [
    "item_id", "revision", "retracted", "verdict", "intent_id", "flags", "pii_spans",
    "duration_ms", "decided_at_ms",
]
RECEIPT_FIELDS = [
    "upload_id", "device_id", "body_sha256", "accepted", "duplicates", "rejected",
    "server_time_ms", "hub_key_id",
]
HEX64 = re.compile(r"[0-9a-f]{64}\Z")


class Refused(Exception):
    """The ledger breaks a rule; the message names the rule, never a value."""


def ordered(pairs):
    return pairs  # keep the key order: canonical bodies are checked byte for byte


def loads_ordered(raw):
    return json.loads(raw, object_pairs_hook=ordered)


def as_dict(pairs, fields, what):
    if not isinstance(pairs, list) or [k for k, _ in pairs] != fields:
        raise Refused(f"{what}: fields are not exactly {', '.join(fields)} in that order")
    return dict(pairs)


def compact(value):
    """The canonical JSON form: no spaces, UTF-8, keys as given."""
    def conv(v):
        if isinstance(v, list) and v and all(isinstance(x, tuple) for x in v):
            return {k: conv(x) for k, x in v}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v
    return json.dumps(conv(value), separators=(",", ":"), ensure_ascii=False).encode()


def is_int(v, lo, hi):
    return isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def id_shape(prefix, digits):
    return re.compile(re.escape(prefix) + "[0-9a-f]{%d}\\Z" % digits)


ITEM_ID = id_shape("it_", 32)
UPLOAD_ID = id_shape("u_", 32)
DEVICE_ID = id_shape("d_", 24)
BATCH_PATH = re.compile(r"/v1/batches(/b_[0-9a-f]{32})?\Z")
INTENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}\Z")
CODE = re.compile(r"[0-9A-F]{4}(-[0-9A-F]{4}){4}\Z")
AGE = re.compile(r"age1[02-9ac-hj-np-z]{58}\Z")
HOST_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")


def check_hub_url(url):
    m = re.match(r"(https?)://(\[[0-9A-Fa-f:.]+\]|[^:/?#@\[\]]+)(?::([1-9][0-9]{0,4}))?\Z", url)
    ok = m is not None and len(url) <= 255
    if ok and not m.group(2).startswith("["):
        host = m.group(2)
        ok = len(host) <= 253 and all(HOST_LABEL.match(x) for x in host.split("."))
    if ok and m.group(3):
        ok = int(m.group(3)) <= 65535
    if not ok:
        raise Refused("hub_url breaks the label grammar")


def check_label(n, pairs, latest_ms):
    where = f"label {n + 1}"
    lab = as_dict(pairs, LABEL_FIELDS, where)
    if not (isinstance(lab["item_id"], str) and ITEM_ID.match(lab["item_id"])):
        raise Refused(f"{where}: item_id")
    if not is_int(lab["revision"], 1, 10_000):
        raise Refused(f"{where}: revision")
    if not isinstance(lab["retracted"], bool):
        raise Refused(f"{where}: retracted")
    if not is_int(lab["duration_ms"], 0, 3_600_000):
        raise Refused(f"{where}: duration_ms")
    if not is_int(lab["decided_at_ms"], EARLIEST_MS, latest_ms):
        raise Refused(f"{where}: decided_at_ms")
    flags, spans = lab["flags"], lab["pii_spans"]
    if not isinstance(flags, list) or not isinstance(spans, list):
        raise Refused(f"{where}: flags or pii_spans")
    if lab["retracted"]:
        if lab["verdict"] is not None or lab["intent_id"] is not None or flags or spans or lab["duration_ms"] != 0:
            raise Refused(f"{where}: retracted")
        return
    if lab["verdict"] not in VERDICTS:
        raise Refused(f"{where}: verdict")
    intent = lab["intent_id"]
    if intent is None:
        if lab["verdict"] == "wrong":
            raise Refused(f"{where}: intent_id")
    elif not (isinstance(intent, str) and INTENT_ID.match(intent)):
        raise Refused(f"{where}: intent_id")
    if any(f not in FLAGS for f in flags) or [FLAGS.index(f) for f in flags] != sorted(set(FLAGS.index(f) for f in flags)):
        raise Refused(f"{where}: flags")
    if len(spans) > 64:
        raise Refused(f"{where}: pii_spans")
    end = 0
    for sp in spans:
        s = as_dict(sp, ["start", "end"], f"{where}: pii_spans")
        if not (is_int(s["start"], 0, 16384) and is_int(s["end"], 0, 16384)) or s["start"] >= s["end"] or s["start"] < end:
            raise Refused(f"{where}: pii_spans")
        end = s["end"]
    if spans and "missed_pii" not in flags:
        raise Refused(f"{where}: flags")


def check_body(method, path, body, created_at_ms):
    """Returns the upload (dict) for a label upload, else None."""
    if method == "GET":
        if not BATCH_PATH.match(path):
            raise Refused("path breaks the label grammar")
        if body:
            raise Refused("a GET request carried a body")
        return None
    if method != "POST" or path not in ("/v1/labels", "/v1/enroll"):
        raise Refused("unknown request kind")
    try:
        parsed = loads_ordered(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("body is not JSON") from None
    if compact(parsed) != body:
        raise Refused("body is not canonical")
    if path == "/v1/enroll":
        e = as_dict(parsed, ["enrollment_code", "signing_key", "recipient"], "enrollment body")
        if not (isinstance(e["enrollment_code"], str) and CODE.match(e["enrollment_code"])):
            raise Refused("enrollment_code")
        try:
            key = base64.b64decode(e["signing_key"], validate=True)
        except (binascii.Error, TypeError):
            key = b""
        if len(e["signing_key"]) != 44 or len(key) != 32:
            raise Refused("signing_key")
        if not (isinstance(e["recipient"], str) and AGE.match(e["recipient"])):
            raise Refused("recipient")
        return None
    u = as_dict(parsed, ["upload_id", "device_id", "labels"], "label upload")
    if not (isinstance(u["upload_id"], str) and UPLOAD_ID.match(u["upload_id"])):
        raise Refused("upload_id")
    if not (isinstance(u["device_id"], str) and DEVICE_ID.match(u["device_id"])):
        raise Refused("device_id")
    labels = u["labels"]
    if not isinstance(labels, list) or not 1 <= len(labels) <= 20_000:
        raise Refused("labels")
    seen = set()
    for n, lab in enumerate(labels):
        check_label(n, lab, created_at_ms)
        d = dict(lab)
        if (d["item_id"], d["revision"]) in seen:
            raise Refused(f"label {n + 1}: item_id")
        seen.add((d["item_id"], d["revision"]))
    return u


def entry_hash(seq, prev, created_at_ms, hub_url, method, path, body_sha):
    h = hashlib.sha256(b"labelvault/ledger/v1\0")
    h.update(prev)
    h.update(struct.pack(">Q", seq))
    h.update(struct.pack(">q", created_at_ms))
    for field in (hub_url, method, path):
        raw = field.encode()
        h.update(struct.pack(">Q", len(raw)))
        h.update(raw)
    h.update(body_sha)
    return h.digest()


def strict_verify(key, msg, sig):
    try:
        nacl.bindings.crypto_sign_open(sig + msg, key)
        return True
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return False


def fingerprint(key_b64):
    d = hashlib.sha256(b"labelvault-fingerprint-v1\0" + key_b64.encode()).hexdigest()[:20]
    return "-".join(d[i:i + 4] for i in range(0, 20, 4))


def b64(s, n=None):
    try:
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise Refused("base64") from None
    if n is not None and len(raw) != n:
        raise Refused("length")
    return raw


def verify(text, hub_key=None):
    prev = GENESIS
    device_key = None
    entries = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            try:
                parsed = loads_ordered(raw)
            except ValueError:
                raise Refused("unreadable line") from None
            line = as_dict(parsed, LINE_FIELDS, "line")
            seq = line["seq"]
            if not is_int(seq, entries + 1, entries + 1):
                raise Refused("seq")
            for f in ("prev_hash", "entry_hash", "body_sha256"):
                if not (isinstance(line[f], str) and HEX64.match(line[f])):
                    raise Refused(f)
            if bytes.fromhex(line["prev_hash"]) != prev:
                raise Refused("prev_hash (chain broken)")
            if not is_int(line["created_at_ms"], EARLIEST_MS, 2**63 - 1):
                raise Refused("created_at_ms")
            check_hub_url(line["hub_url"])
            body = b64(line["body_b64"])
            body_sha = hashlib.sha256(body).digest()
            if body_sha.hex() != line["body_sha256"]:
                raise Refused("body_sha256")
            h = entry_hash(seq, prev, line["created_at_ms"], line["hub_url"], line["method"], line["path"], body_sha)
            if h.hex() != line["entry_hash"]:
                raise Refused("entry_hash")
            if device_key is None:
                device_key = line["device_signing_key"]
            elif line["device_signing_key"] != device_key:
                raise Refused("device_signing_key (another key)")
            key = b64(device_key, 32)
            sig = b64(line["signature"], 64)
            if not strict_verify(key, b"labelvault/ledger-entry/v1\0" + h, sig):
                raise Refused("signature")
            upload = check_body(line["method"], line["path"], body, line["created_at_ms"])
            receipt = line["receipt"]
            if receipt is not None:
                if upload is None:
                    raise Refused("receipt on a request that is not a label upload")
                sr = as_dict(receipt, ["receipt", "signature"], "receipt")
                r = as_dict(sr["receipt"], RECEIPT_FIELDS, "receipt")
                if r["body_sha256"] != line["body_sha256"] or r["upload_id"] != dict(upload)["upload_id"]:
                    raise Refused("receipt acknowledges a different body")
                if hub_key is not None:
                    msg = b"labelvault/receipt/v1\0" + compact(sr["receipt"])
                    if not strict_verify(hub_key, msg, b64(sr["signature"], 64)):
                        raise Refused("receipt signature")
        except Refused as e:
            raise Refused(f"line {lineno}: {e}") from None
        prev = h
        entries += 1
    return entries, (fingerprint(device_key) if device_key else "")


def main(argv):
    args = argv[1:]
    hub_key = None
    if "--hub-key" in args:
        i = args.index("--hub-key")
        try:
            hub_key = base64.b64decode(args[i + 1], validate=True)
        except (IndexError, binascii.Error):
            print("verify_ledger: --hub-key needs a base64 Ed25519 public key", file=sys.stderr)
            return 2
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[4].strip(), file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        text = f.read()
    try:
        n, fp = verify(text, hub_key)
    except Refused as e:
        print(f"refused: {e}")
        return 1
    print(f"ok {n} entries, fingerprint {fp}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
