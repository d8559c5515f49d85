#!/usr/bin/env python3
"""A second, independent verifier of LabelVault ledgers, written from docs/ledger.md
alone (no Rust source): hash chains, entry hashes, Ed25519 signatures by libsodium
(PyNaCl's crypto_sign_verify_detached, the strict rules), canonical bodies, the label
grammar, receipt entries and the chain heads they pin, and the hub ledger's signed head.

    python3 verify_ledger.py LEDGER.jsonl [--hub-key BASE64]
    python3 verify_ledger.py --hub-ledger HUB.jsonl --hub-key BASE64

Prints "ok <entries> entries, ..." and exits 0 when the ledger verifies; otherwise
prints "refused: line <n>: <field or check>" and exits 1. It never prints a value taken
from the ledger. Exit 2: bad usage or a missing package.
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
    "body_b64", "body_sha256", "device_signing_key", "signature",
]
HUB_LINE_FIELDS = [
    "seq", "prev_hash", "entry_hash", "device_id", "received_at_ms", "body_b64",
    "body_sha256", "receipt",
]
HEAD_FIELDS = ["entries", "head", "signed_at_ms", "hub_key_id", "devices"]
REJECTION_CODES = {"not_assigned", "unknown_intent", "wrong_length", "invalid"}
LABEL_FIELDS = [
    "item_id", "revision", "retracted", "verdict", "intent_id", "flags", "pii_spans",
    "length_class", "duration_ms", "decided_at_ms",
]
LABEL_FIELDS_WITH_ALSO = LABEL_FIELDS[:6] + ["also_intents"] + LABEL_FIELDS[6:]
RECEIPT_FIELDS = [
    "upload_id", "device_id", "body_sha256", "accepted", "duplicates", "rejected",
    "server_time_ms", "hub_key_id", "device_seq", "device_head",
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
ADMIN_ROUTES = [
    "access-ledger", "accounts", "accounts/{account}/revoke", "accounts/{account}/role",
    "accounts/{account}/tokens", "tokens/{token}/revoke",
    "adjudications", "adjudications/{seq}/undo", "annotators", "assign", "batches/{batch}",
    "batches/{batch}/withdraw", "companies", "devices/{device}/revoke",
    "disagreements", "dispatch", "erase", "erasures/{erasure}", "evaluation", "evaluation.html", "evaluation/compare", "export", "gold", "items",
    "labels", "leases/reclaim", "ledger", "messages", "missed-pii", "missed-pii/confirm", "pipeline",
    "quality", "retrain", "retrain/mark", "retrain/threshold", "select", "webhook-deliveries",
]
ADMIN_QUERY = {
    "format": re.compile(r"(jsonl|chat|label-studio|prodigy|argilla|html|json)\Z"),
    "with_text": re.compile(r"(true|false)\Z"),
    "seed": re.compile(r"[0-9]{1,20}\Z"),
    "limit": re.compile(r"[0-9]{1,20}\Z"),
    "offset": re.compile(r"[0-9]{1,20}\Z"),
    "as_of": re.compile(r"[0-9]{1,20}\Z"),
    "model_version": re.compile(r"[A-Za-z0-9._:+-]{1,64}\Z"),
    "a": re.compile(r"[A-Za-z0-9._:+-]{1,64}\Z"),
    "b": re.compile(r"[A-Za-z0-9._:+-]{1,64}\Z"),
}
BATCH_SEGMENT = re.compile(r"b_[0-9a-f]{32}\Z")
DEVICE_SEGMENT = re.compile(r"d_[0-9a-f]{24}\Z")
ERASURE_SEGMENT = re.compile(r"er_[0-9a-f]{24}\Z")
ACCOUNT_SEGMENT = re.compile(r"ac_[0-9a-f]{24}\Z")
TOKEN_SEGMENT = re.compile(r"tk_[0-9a-f]{24}\Z")
SEQ_SEGMENT = re.compile(r"[0-9]{1,19}\Z")
NOTICE_ID = id_shape("n_", 24)


def admin_path_ok(path):
    if not path.startswith("/v1/admin/"):
        return False
    route, _, query = path[len("/v1/admin/"):].partition("?")
    segs = route.split("/")
    def seg_ok(p, s):
        if p == "{batch}":
            return bool(BATCH_SEGMENT.match(s))
        if p == "{device}":
            return bool(DEVICE_SEGMENT.match(s))
        if p == "{erasure}":
            return bool(ERASURE_SEGMENT.match(s))
        if p == "{account}":
            return bool(ACCOUNT_SEGMENT.match(s))
        if p == "{token}":
            return bool(TOKEN_SEGMENT.match(s))
        if p == "{seq}":
            return bool(SEQ_SEGMENT.match(s))
        return p == s
    if not any(len(r.split("/")) == len(segs) and all(seg_ok(p, s) for p, s in zip(r.split("/"), segs)) for r in ADMIN_ROUTES):
        return False
    if "?" in path:
        for kv in query.split("&"):
            k, eq, v = kv.partition("=")
            if not eq or k not in ADMIN_QUERY or not ADMIN_QUERY[k].match(v):
                return False
            if k in ("a", "b") and route != "evaluation/compare":
                return False
            if k == "model_version" and route not in ("evaluation", "evaluation.html"):
                return False
    return True


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
    # `also_intents` (the message's other intents) sits after `flags` when present,
    # and is left out when there are none.
    has_also = isinstance(pairs, list) and any(k == "also_intents" for k, _ in pairs)
    fields = LABEL_FIELDS_WITH_ALSO if has_also else LABEL_FIELDS
    lab = as_dict(pairs, fields, where)
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
        if (lab["verdict"] is not None or lab["intent_id"] is not None or flags or spans
                or lab["length_class"] is not None or lab["duration_ms"] != 0 or has_also):
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
    if has_also:
        also = lab["also_intents"]
        if (not isinstance(also, list) or not 1 <= len(also) <= 4
                or not all(isinstance(i, str) and INTENT_ID.match(i) for i in also)
                or len(set(also)) != len(also) or intent in also
                or "multiple_intents" not in flags):
            raise Refused(f"{where}: also_intents")
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
    # The item's length class: null without spans; with spans 0..14, and the last span
    # ends at or before 2**class.
    cls = lab["length_class"]
    if not spans:
        if cls is not None:
            raise Refused(f"{where}: length_class")
    elif not is_int(cls, 0, 14):
        raise Refused(f"{where}: length_class")
    elif end > 2 ** cls:
        raise Refused(f"{where}: pii_spans")


def check_receipt(parsed):
    """A receipt entry's body: (receipt dict, signature, receipt pairs)."""
    sr = as_dict(parsed, ["receipt", "signature"], "receipt")
    r = as_dict(sr["receipt"], RECEIPT_FIELDS, "receipt")
    if not (isinstance(r["upload_id"], str) and UPLOAD_ID.match(r["upload_id"])):
        raise Refused("receipt upload_id")
    if not (isinstance(r["device_id"], str) and DEVICE_ID.match(r["device_id"])):
        raise Refused("receipt device_id")
    if not (isinstance(r["body_sha256"], str) and HEX64.match(r["body_sha256"])):
        raise Refused("receipt body_sha256")
    if not (isinstance(r["hub_key_id"], str) and re.match(r"[0-9a-f]{16}\Z", r["hub_key_id"])):
        raise Refused("receipt hub_key_id")
    if not is_int(r["server_time_ms"], EARLIEST_MS, 2**63 - 1):
        raise Refused("receipt server_time_ms")
    if not (is_int(r["accepted"], 0, 2**32 - 1) and is_int(r["duplicates"], 0, 2**32 - 1)):
        raise Refused("receipt counts")
    for x in r["rejected"]:
        x = as_dict(x, ["item_id", "revision", "code"], "receipt rejected")
        if not (isinstance(x["item_id"], str) and ITEM_ID.match(x["item_id"])) or not is_int(x["revision"], 1, 10_000) \
                or x["code"] not in REJECTION_CODES:
            raise Refused("receipt rejected")
    if not is_int(r["device_seq"], 1, 2**64 - 1):
        raise Refused("receipt device_seq")
    if not (isinstance(r["device_head"], str) and HEX64.match(r["device_head"])):
        raise Refused("receipt device_head")
    if not (isinstance(sr["signature"], str) and len(sr["signature"]) == 88):
        raise Refused("receipt signature")
    return r, sr["signature"], sr["receipt"]


def check_body(method, path, body, created_at_ms):
    """("upload", dict) for a label upload, ("receipt", ...) for a receipt entry, else None."""
    if method == "GET":
        if not (BATCH_PATH.match(path) or path == "/v1/notices"):
            raise Refused("path breaks the label grammar")
        if body:
            raise Refused("a GET request carried a body")
        return None
    if method == "ADMIN":
        if not admin_path_ok(path):
            raise Refused("path breaks the label grammar")
        try:
            parsed = loads_ordered(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused("body is not JSON") from None
        if compact(parsed) != body:
            raise Refused("admin call record is not canonical")
        c = as_dict(parsed, ["method", "body_sha256", "bytes", "rows"], "admin call")
        if c["method"] not in ("GET", "POST") or not (isinstance(c["body_sha256"], str) and HEX64.match(c["body_sha256"])):
            raise Refused("admin call method or body_sha256")
        if not (is_int(c["bytes"], 0, 1 << 40) and is_int(c["rows"], 0, min(c["bytes"], 1_000_000_000))):
            raise Refused("rows")
        return ("admin", c)
    if method not in ("POST", "RECEIPT") or path not in ("/v1/labels", "/v1/enroll", "/v1/notices/ack") \
            or (method == "RECEIPT" and path != "/v1/labels"):
        raise Refused("unknown request kind")
    try:
        parsed = loads_ordered(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refused("body is not JSON") from None
    if compact(parsed) != body:
        raise Refused("body is not canonical")
    if method == "RECEIPT":
        return ("receipt", check_receipt(parsed))
    if path == "/v1/notices/ack":
        a = as_dict(parsed, ["device_id", "notice_ids"], "notice acknowledgement")
        if not (isinstance(a["device_id"], str) and DEVICE_ID.match(a["device_id"])):
            raise Refused("device_id")
        ids = a["notice_ids"]
        if not isinstance(ids, list) or not 1 <= len(ids) <= 1000 \
                or not all(isinstance(i, str) and NOTICE_ID.match(i) for i in ids) \
                or len(set(ids)) != len(ids):
            raise Refused("notice_ids")
        return None
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
    return ("upload", u)


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
    uploads = {}
    receipted = set()
    countersigned = 0
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
            kind = check_body(line["method"], line["path"], body, line["created_at_ms"])
            if kind and kind[0] == "upload":
                uploads[seq] = (h.hex(), line["body_sha256"], kind[1]["upload_id"], kind[1]["device_id"])
            elif kind and kind[0] == "receipt":
                r, rsig, rpairs = kind[1]
                pinned = r["device_seq"]
                target = uploads.get(pinned) if pinned < seq else None
                if target is None:
                    raise Refused("receipt pins an entry that is not an earlier label upload")
                if (r["device_head"], r["body_sha256"], r["upload_id"], r["device_id"]) != target:
                    raise Refused("receipt acknowledges another body or chain head")
                if pinned in receipted:
                    raise Refused("a second receipt for the same upload")
                receipted.add(pinned)
                if hub_key is not None:
                    msg = b"labelvault/receipt/v1\0" + compact(rpairs)
                    if not strict_verify(hub_key, msg, b64(rsig, 64)):
                        raise Refused("receipt signature")
                    countersigned = max(countersigned, pinned)
        except Refused as e:
            raise Refused(f"line {lineno}: {e}") from None
        prev = h
        entries += 1
    return entries, (fingerprint(device_key) if device_key else ""), countersigned


def hub_entry_hash(prev, received_at_ms, device_id, body_sha_hex, receipt_json):
    h = hashlib.sha256(b"labelvault/hub-ledger/v1\0")
    h.update(prev)
    h.update(struct.pack(">q", received_at_ms))
    raw = device_id.encode()
    h.update(struct.pack(">Q", len(raw)))
    h.update(raw)
    h.update(body_sha_hex.encode())
    h.update(receipt_json)
    return h.digest()


def verify_hub(text, hub_key):
    """The hub ledger: chain, hashes, receipts, and the signed head as the last line."""
    prev = GENESIS
    n = 0
    head = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            if head is not None:
                raise Refused("an entry after the signed head")
            try:
                parsed = loads_ordered(raw)
            except ValueError:
                raise Refused("unreadable line") from None
            if isinstance(parsed, list) and parsed and parsed[0][0] == "signed_head":
                head = as_dict(parsed, ["signed_head", "signature"], "signed head")
                continue
            e = as_dict(parsed, HUB_LINE_FIELDS, "hub ledger line")
            if not is_int(e["seq"], n + 1, n + 1):
                raise Refused("seq")
            if not (isinstance(e["prev_hash"], str) and HEX64.match(e["prev_hash"])) or bytes.fromhex(e["prev_hash"]) != prev:
                raise Refused("prev_hash (chain broken)")
            body = b64(e["body_b64"])
            if hashlib.sha256(body).hexdigest() != e["body_sha256"]:
                raise Refused("body_sha256")
            if not (isinstance(e["device_id"], str) and DEVICE_ID.match(e["device_id"])):
                raise Refused("device_id")
            r, rsig, rpairs = check_receipt(e["receipt"])
            h = hub_entry_hash(prev, e["received_at_ms"], e["device_id"], e["body_sha256"], compact(e["receipt"]))
            if h.hex() != e["entry_hash"]:
                raise Refused("entry_hash")
            if r["body_sha256"] != e["body_sha256"] or r["device_id"] != e["device_id"]:
                raise Refused("receipt acknowledges another body or device")
            if not strict_verify(hub_key, b"labelvault/receipt/v1\0" + compact(rpairs), b64(rsig, 64)):
                raise Refused("receipt signature")
        except Refused as ex:
            raise Refused(f"line {lineno}: {ex}") from None
        prev = h
        n += 1
    if head is None:
        raise Refused("no signed head: the export was cut short")
    hd = as_dict(head["signed_head"], HEAD_FIELDS, "signed head")
    if hd["entries"] != n or hd["head"] != prev.hex():
        raise Refused("the signed head names another last entry")
    for d in hd["devices"]:
        d = as_dict(d, ["device_id", "seq", "head"], "signed head devices")
        if not (DEVICE_ID.match(d["device_id"]) and is_int(d["seq"], 1, 2**64 - 1) and HEX64.match(d["head"])):
            raise Refused("signed head devices")
    msg = b"labelvault/hub-ledger-head/v1\0" + compact(head["signed_head"])
    if not strict_verify(hub_key, msg, b64(head["signature"], 64)):
        raise Refused("head signature")
    return n


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
    hub_ledger = None
    if "--hub-ledger" in args:
        i = args.index("--hub-ledger")
        if i + 1 >= len(args) or hub_key is None:
            print("verify_ledger: --hub-ledger FILE needs --hub-key", file=sys.stderr)
            return 2
        hub_ledger = args[i + 1]
        del args[i:i + 2]
    if hub_ledger is not None and not args:
        with open(hub_ledger, encoding="utf-8") as f:
            text = f.read()
        try:
            n = verify_hub(text, hub_key)
        except Refused as e:
            print(f"refused: {e}")
            return 1
        print(f"ok {n} hub ledger entries, signed head verified")
        return 0
    if len(args) != 1:
        print(__doc__.strip().splitlines()[6].strip(), file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        text = f.read()
    try:
        n, fp, countersigned = verify(text, hub_key)
    except Refused as e:
        print(f"refused: {e}")
        return 1
    print(f"ok {n} entries, fingerprint {fp}, countersigned through {countersigned}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
