#!/usr/bin/env python3
"""Writes the seed corpus under fuzz/corpus/<target>/: small, real examples of every
input format. Deterministic except for the sealed `.lvbatch` seeds (age encryption is randomised),
which the CLI seals (`labelvault batch seal`) when it is built: set LABELVAULT_BIN or build
it first (`cargo build -p labelvault-cli`); without it those seeds are left as they are.

The test keys are derived here exactly as fuzz/src/lib.rs hard-codes them; they protect
nothing and exist so that seed batches and ledgers verify.

Message texts carry the marker PII-7f3a (see fuzz/src/lib.rs) so targets can check that
no error repeats a text.

Needs python3 with `cryptography` (Ed25519).
"""
import base64, hashlib, json, os, pathlib

from cryptography.hazmat.primitives.asymmetric import ed25519

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"


def ed(label):
    seed = hashlib.sha256(label.encode()).digest()
    k = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    from cryptography.hazmat.primitives import serialization as s
    pub = k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
    return k, pub


HUB, HUB_PUB = ed("labelvault-fuzz-hub-key")
DEV, DEV_PUB = ed("labelvault-fuzz-device-key")
HUB_KEY_ID = hashlib.sha256(HUB_PUB).hexdigest()[:16]
B64 = lambda b: base64.b64encode(b).decode()
canon = lambda o: json.dumps(o, separators=(",", ":"), ensure_ascii=False)


def write(target, name, data):
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data.encode() if isinstance(data, str) else data)


ITEMS = ["it_%032d" % i for i in range(1, 5)]

# ---------------------------------------------------------------- batch_input
PLAIN = "\n".join(canon(o) for o in [
    {"text": "Where is my card, [NAME_1]? It has been ten days. PII-7f3a", "intent": "card_arrival",
     "confidence": 0.41, "reason": "low_confidence",
     "alternatives": [{"intent": "change_pin", "confidence": 0.22}]},
    {"text": "You charged me twice for the same order [ORDER_1]", "model_intent": "refund_request",
     "score": "0.93", "reason": "false_positive", "alternatives": {"card_arrival": 0.04}},
    {"text": "how do I install the desktop client on a second laptop", "intent": "software_download",
     "confidence": 0.55, "reason": "random sample"},
]) + "\n"
LABEL_STUDIO = json.dumps([
    {"data": {"text": "my top up failed again this morning PII-7f3a", "reason": "low_confidence"},
     "predictions": [{"score": 0.35, "result": [{"value": {"choices": ["top_up_failed"]}}]},
                     {"score": 0.20, "result": [{"value": {"choices": ["card_arrival"]}}]}]},
    {"data": {"text": "the silver ring I ordered is the wrong size"},
     "predictions": [{"score": 0.61, "result": [{"value": {"choices": ["return_item"]}}]}],
     "meta": {"reason": "random_sample"}},
], indent=1)
LABEL_STUDIO_JSONL = "\n".join(canon(o) for o in json.loads(LABEL_STUDIO)) + "\n"
PRODIGY = "\n".join(canon(o) for o in [
    {"text": "pin blocked after three wrong tries PII-7f3a", "label": "change_pin",
     "meta": {"score": 0.22, "reason": "low_confidence"}},
    {"text": "please cancel my subscription today", "label": "cancel", "score": 0.8,
     "meta": {"alternatives": [{"intent": "refund_request", "confidence": 0.1}]}},
]) + "\n"
CSV = ('text,intent,confidence,reason,alternatives\n'
       '"hello, where is my card?",card_arrival,0.3,low_confidence,change_pin:0.2;top_up_failed:0.1\n'
       'the app crashes when I open settings,app_bug,0.72,random_sample,\n'
       '"He said ""refund"", twice",refund_request,0.5,,\n')
CSV2 = 'Text,Label,Score\r\nI lost my card yesterday,lost_card,0.66\r\n'
TAXONOMY = canon({"id": "banking", "version": "2026-11", "intents": [
    {"id": "card_arrival", "description": "When will my card arrive?"},
    {"id": "change_pin", "description": ""}]})
for name, data in [("plain.jsonl", PLAIN), ("label_studio.json", LABEL_STUDIO),
                   ("label_studio.jsonl", LABEL_STUDIO_JSONL), ("prodigy.jsonl", PRODIGY),
                   ("items.csv", CSV), ("items_crlf.csv", CSV2), ("taxonomy.json", TAXONOMY)]:
    write("batch_input", name, data)

# ---------------------------------------------------------------- ingest
ING_JSONL = "\n".join(canon(o) for o in [
    {"id": "m1", "text": "My card has not arrived, it was sent to 12 High Street PII-7f3a", "company": "acme_bank",
     "channel": "chat", "received_at": "2026-11-01T10:00:00Z", "intent": "card_arrival",
     "confidence": 0.4},
    {"id": 17, "text": "where can I download the installer for linux", "company": "softco",
     "received_at": 1761991200, "probabilities": {"software_download": 0.7, "bug_report": 0.3},
     "reported_false_positive": True},
    {"text": "do you make the pendant in rose gold?", "company": "craftjewel", "channel": "email",
     "received_at": "2026-11-02", "model_intent": "product_question", "score": "0.35",
     "false_positive": "no",
     "probabilities": [{"intent": "product_question", "probability": 0.35},
                       {"intent": "order_status", "confidence": 0.25}]},
    {"text": "refund please", "company": "acme_bank", "received_at": 1761991200000,
     "intent": "refund_request", "confidence": 0.9, "reported_false_positive": 1},
]) + "\n"
ING_LS = canon([{"data": {"text": "top up failed twice today PII-7f3a", "company": "acme_bank",
                          "received_at": "2026-11-01"},
                 "predictions": [{"score": 0.3, "result": [{"value": {"choices": ["top_up_failed"]}}]},
                                 {"score": 0.6, "result": [{"value": {"choices": ["card_arrival"]}}]}]}])
ING_PRODIGY = canon({"text": "pin blocked again PII-7f3a", "label": "change_pin",
                     "meta": {"score": 0.2, "company": "acme_bank", "channel": "email",
                              "received_at": "2026-11-01", "reported_false_positive": "yes"}}) + "\n"
ING_CSV = ("text,company,channel,received_at,intent,confidence,reported_false_positive,probabilities\n"
           "\"hi, there is a charge I do not recognise\",acme_bank,chat,2026-11-01,unknown_charge,0.5,no,\n"
           "installer fails on windows,softco,app,1761991200,bug_report,0.81,yes,"
           "\"{\"\"bug_report\"\": 0.81, \"\"software_download\"\": 0.19}\"\n"
           "short row,acme\n")
for name, data in [("messages.jsonl", ING_JSONL), ("label_studio.json", ING_LS),
                   ("prodigy.jsonl", ING_PRODIGY), ("messages.csv", ING_CSV)]:
    write("ingest", name, data)

# ---------------------------------------------------------------- batch_payload
def payload(items, expires=4_000_000_000):
    return {"batch_id": "b_00112233445566778899aabbccddeeff",
            "recipient": "age13v3ejw6enmdf7wtcem6wr6k0gqa77hy47k9xxpfa0lh54rkzsc8qevws0s",
            "created_at": 1_700_000_000 - 60, "expires_at": expires,
            "taxonomy": {"id": "banking", "version": "2026-11", "intents": [
                {"id": "card_arrival", "description": "When will my card arrive?"},
                {"id": "refund_request", "description": "Money back for an order"},
                {"id": "lost_card", "description": ""}]},
            "items": items}
P_ITEMS = [
    {"item_id": ITEMS[0], "text": "Where is my card, [NAME_1]? PII-7f3a", "model_intent": "card_arrival",
     "confidence": 0.41, "alternatives": [{"intent": "lost_card", "confidence": 0.3}],
     "reason": "low_confidence"},
    {"item_id": ITEMS[1], "text": "I was charged twice for [ORDER_1], e-mail me at [EMAIL_1]",
     "model_intent": "refund_request", "confidence": 0.97, "alternatives": [],
     "reason": "false_positive"},
    {"item_id": ITEMS[2], "text": "Ma carte n'est pas arrivée — où est-elle ?",
     "model_intent": "card_arrival", "confidence": 0.5, "alternatives": [], "reason": "random_sample"},
    {"item_id": ITEMS[3], "text": "My card never came, I want a refund",
     "model_intent": "refund_request", "confidence": 0.96, "alternatives": [{"intent": "card_arrival", "confidence": 0.03}],
     "reason": "suspected_label_error"},
]
write("batch_payload", "payload.json", canon(payload(P_ITEMS)))
write("batch_payload", "expired.json", canon(payload(P_ITEMS[:1], expires=1_600_000_000)))
write("batch_payload", "pretty.json", json.dumps(payload(P_ITEMS[1:]), indent=2))

# ---------------------------------------------------------------- label_upload
def label(item, rev=1, verdict="correct", intent="card_arrival", flags=(), spans=(), retracted=False):
    return {"item_id": item, "revision": rev, "retracted": retracted,
            "verdict": None if retracted else verdict, "intent_id": None if retracted else intent,
            "flags": list(flags), "pii_spans": [{"start": a, "end": b} for a, b in spans],
            "duration_ms": 1200, "decided_at_ms": 1_700_000_000_123}
UPLOADS = {
    "one.json": {"upload_id": "up_0001", "device_id": "dev_fuzz", "labels": [label(ITEMS[0])]},
    "mixed.json": {"upload_id": "up_0002", "device_id": "dev_fuzz", "labels": [
        label(ITEMS[0], verdict="wrong", intent="lost_card", flags=["misclassification"]),
        label(ITEMS[1], verdict="unsure", intent=None, flags=["missed_pii", "multiple_intents"],
              spans=[(3, 9), (12, 20)]),
        label(ITEMS[2], verdict="skip", intent=None),
        label(ITEMS[0], rev=2, retracted=True),
        label(ITEMS[3], verdict="correct", intent="refund_request", flags=["not_customer_message"])]},
    "rejected.json": {"upload_id": "up_0003", "device_id": "dev_fuzz", "labels": [
        label("it_not_assigned_to_this_device"), label(ITEMS[1], rev=0),
        label(ITEMS[2], verdict="wrong", intent=None), label(ITEMS[3], intent="no_such_intent"),
        label(ITEMS[1], rev=3, spans=[(5, 5)])]},
    "empty.json": {"upload_id": "up_0004", "device_id": "dev_fuzz", "labels": []},
    "other_device.json": {"upload_id": "up_0005", "device_id": "dev_other", "labels": [label(ITEMS[0])]},
}
for name, u in UPLOADS.items():
    write("label_upload", name, canon(u))
write("label_upload", "unknown_field.json",
      canon({"upload_id": "u", "device_id": "dev_fuzz", "labels": [], "note": "free text"}))

# ---------------------------------------------------------------- ledgers
def entry_hash(seq, prev, created, url, method, path, body_sha):
    h = hashlib.sha256()
    h.update(b"labelvault/ledger/v1\0")
    h.update(prev)
    h.update(seq.to_bytes(8, "big"))
    h.update(created.to_bytes(8, "big", signed=True))
    for f in (url, method, path):
        f = f.encode()
        h.update(len(f).to_bytes(8, "big"))
        h.update(f)
    h.update(body_sha)
    return h.digest()


def receipt(upload_id, body_sha_hex, accepted, rejected=()):
    r = {"upload_id": upload_id, "device_id": "dev_0123456789abcdef", "body_sha256": body_sha_hex,
         "accepted": accepted, "duplicates": 0,
         "rejected": [{"item_id": i, "revision": v, "code": c} for i, v, c in rejected],
         "server_time_ms": 1_700_000_100_000, "hub_key_id": HUB_KEY_ID}
    sig = HUB.sign(b"labelvault/receipt/v1\0" + canon(r).encode())
    return {"receipt": r, "signature": B64(sig)}


def ledger(requests):
    prev = bytes(32)
    lines = []
    for i, (method, path, body, rc) in enumerate(requests, 1):
        body = body.encode()
        bsha = hashlib.sha256(body).digest()
        created = 1_700_000_000_000 + i * 1000
        url = "https://hub.example:7878"
        h = entry_hash(i, prev, created, url, method, path, bsha)
        sig = DEV.sign(b"labelvault/ledger-entry/v1\0" + h)
        lines.append({"seq": i, "prev_hash": prev.hex(), "entry_hash": h.hex(), "created_at_ms": created,
                      "hub_url": url, "method": method, "path": path, "body_b64": B64(body),
                      "body_sha256": bsha.hex(), "device_signing_key": B64(DEV_PUB),
                      "signature": B64(sig), "receipt": rc(bsha.hex()) if rc else None})
        prev = h
    return lines


def dev_upload(uid, labels):
    return canon({"upload_id": uid, "device_id": "dev_0123456789abcdef", "labels": labels})


ENROLL = canon({"enrollment_code": "ABCD-EF01-2345-6789-ABCD",
                "signing_key": B64(DEV_PUB), "recipient": "age13v3ejw6enmdf7wtcem6wr6k0gqa77hy47k9xxpfa0lh54rkzsc8qevws0s"})
U1 = dev_upload("up_a1", [label(ITEMS[0]), label(ITEMS[1], verdict="wrong", intent="lost_card")])
U2 = dev_upload("up_a2", [label(ITEMS[0], rev=2, retracted=True)])
U3 = dev_upload("up_a3", [label(ITEMS[2], verdict="unsure", intent=None, flags=["missed_pii"], spans=[(0, 4)])])
REQS = [("POST", "/v1/enroll", ENROLL, None), ("GET", "/v1/batches", "", None),
        ("GET", "/v1/batches/b_00112233445566778899aabbccddeeff", "", None),
        ("POST", "/v1/labels", U1, lambda h: receipt("up_a1", h, 2)),
        ("POST", "/v1/labels", U2, lambda h: receipt("up_a2", h, 0, [(ITEMS[0], 2, "invalid")])),
        ("POST", "/v1/labels", U3, None)]
DEVICE_LEDGER = ledger(REQS)
jl = lambda lines: "".join(canon(l) + "\n" for l in lines)
write("ledger_verify", "full.jsonl", jl(DEVICE_LEDGER))
write("ledger_verify", "short.jsonl", jl(DEVICE_LEDGER[:2]))
write("ledger_verify", "uploads.jsonl", jl(ledger(REQS[3:])))
broken = [dict(l) for l in DEVICE_LEDGER]
broken[2], broken[3] = broken[3], broken[2]
write("ledger_verify", "reordered.jsonl", jl(broken))

hub_lines = []
for n, l in enumerate(DEVICE_LEDGER[3:5], 1):
    hub_lines.append({"seq": n, "prev_hash": "00" * 32, "entry_hash": "11" * 32, "device_id": "dev_0123456789abcdef",
                      "received_at_ms": 1_700_000_100_000, "body_sha256": l["body_sha256"],
                      "receipt": l["receipt"]})
hub_lines.append({"seq": 3, "device_id": "dev_0123456789abcdef", "body_sha256": "ab" * 32, "receipt": None})
hub_lines.append({"seq": 4, "device_id": "dev_someone_else", "body_sha256": "cd" * 32})
write("ledger_reconcile", "device_and_hub.txt", jl(DEVICE_LEDGER) + "---\n" + jl(hub_lines))
write("ledger_reconcile", "clean.txt", jl(DEVICE_LEDGER[:4]) + "---\n" + jl(hub_lines[:1]))
write("ledger_reconcile", "device_only.txt", jl(DEVICE_LEDGER))

# ---------------------------------------------------------------- redact
REDACT = [
    "Hi, I'm Sarah Connor, e-mail sarah.connor@example.com or call +44 20 7946 0958.",
    "Card 4111 1111 1111 1111 was charged twice; my IBAN is GB82 WEST 1234 5698 7654 32.",
    "Order #A-123456 never arrived at 221B Baker Street, London NW1 6XE. DOB 03/04/1985.",
    "login from 192.168.10.24 and 2001:db8::ff00:42:8329, see https://shop.example.org/track?id=99",
    "contact: j dot smith at mail dot com, or j.smith[at]mail.com; mastercard 2221 0000 0000 0009",
    "Mon numéro est le 06 12 34 56 78, je m'appelle Émilie Dubois — 12 rue de la Paix, 75002 Paris",
    "no personal data here, just asking where the installer is",
]
for i, t in enumerate(REDACT):
    write("redact", "msg%02d.txt" % (i + 1), t)

# ---------------------------------------------------------------- lvbatch (sealed by the CLI)
import subprocess, tempfile
HUB_SECRET = "LABELVAULT-HUB-SECRET-KEY-1:" + B64(
    bytes.fromhex("3053020101300506032b657004220420")
    + hashlib.sha256(b"labelvault-fuzz-hub-key").digest() + bytes.fromhex("a123032100") + HUB_PUB)
RECIPIENT = "age13v3ejw6enmdf7wtcem6wr6k0gqa77hy47k9xxpfa0lh54rkzsc8qevws0s"
cli = os.environ.get("LABELVAULT_BIN") or str(ROOT.parent.parent / "target" / "debug" / "labelvault")
if os.path.exists(cli):
    with tempfile.TemporaryDirectory() as tmp:
        key = pathlib.Path(tmp, "hub.key")
        key.write_text(HUB_SECRET + "\n")
        key.chmod(0o600)
        tax = pathlib.Path(tmp, "taxonomy.json")
        tax.write_text(canon({"id": "banking", "version": "2026-11", "intents": [
            {"id": i, "description": "d"} for i in
            ["card_arrival", "change_pin", "refund_request", "software_download", "top_up_failed",
             "return_item", "cancel", "lost_card", "app_bug"]]}))
        for name, src, extra in [("plain", "plain.jsonl", ["--taxonomy", str(tax)]),
                                 ("label_studio", "label_studio.json", []),
                                 ("prodigy", "prodigy.jsonl", ["--taxonomy", str(tax)]),
                                 ("csv", "items.csv", [])]:
            out = ROOT / "lvbatch" / (name + ".batch")
            out.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([cli, "--profile", str(pathlib.Path(tmp, "profile")), "batch", "seal",
                            "--hub-key", str(key), "--to", RECIPIENT, "--expires-days", "36500",
                            "-o", str(out), *extra, str(ROOT / "batch_input" / src)],
                           check=True, stdout=subprocess.DEVNULL)
else:
    print("no CLI at", cli, "- sealed batch seeds left unchanged")
print("seed corpus written to", ROOT)
