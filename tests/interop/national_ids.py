#!/usr/bin/env python3
"""National-id cases judged by python-stdnum, a reference implementation LabelVault did
not write. Writes JSONL rows {"id", "text", "number", "type", "valid"} to standard
output: for each type, numbers in the shape its recognizer looks for — about half with a
correct check digit (computed by stdnum), half altered — each after a cue word, with
stdnum's verdict. tests/system/tests/national_ids.rs runs `labelvault redact --spans`
over them and requires: a valid number is masked; a NATIONAL_ID span only on a valid one.

  python3 national_ids.py [SEED] [PER_TYPE]
"""
import json
import random
import sys

from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.iso7064 import mod_11_10
from stdnum.nl import bsn
from stdnum.us import ssn

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 20261204
per_type = int(sys.argv[2]) if len(sys.argv) > 2 else 200
rng = random.Random(seed)
digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def other(ch, alphabet):
    return rng.choice([c for c in alphabet if c != ch])


def us_ssn():
    pick = lambda p, good, bad: good if rng.random() < p else rng.choice(bad)
    area = pick(0.7, "%03d" % rng.randint(1, 899), ["000", "666", str(rng.randint(900, 999))])
    group = pick(0.9, "%02d" % rng.randint(1, 99), ["00"])
    serial = pick(0.9, "%04d" % rng.randint(1, 9999), ["0000"])
    if rng.random() < 0.03:
        area, group, serial = "078", "05", "1120"
    n = f"{area}-{group}-{serial}"
    return f"my SSN is {n}, thanks", n, ssn.is_valid(n)


def nl_bsn():
    body = digits(8)
    good = next(body + d for d in "0123456789" if bsn.is_valid(body + d)) if any(
        bsn.is_valid(body + d) for d in "0123456789") else body + digits(1)
    n = good if rng.random() < 0.5 else good[:-1] + other(good[-1], "0123456789")
    return f"mijn BSN is {n}", n, bsn.is_valid(n)


def es_dni():
    body = digits(8)
    n = body + dni.calc_check_digit(body)
    if rng.random() < 0.5:
        n = body + other(n[-1], "TRWAGMYFPDXBNJZSQVHLCKE")
    return f"mi DNI es {n}", n, dni.is_valid(n)


def es_nie():
    body = rng.choice("XYZ") + digits(7)
    n = body + nie.calc_check_digit(body)
    if rng.random() < 0.5:
        n = body + other(n[-1], "TRWAGMYFPDXBNJZSQVHLCKE")
    return f"NIE {n}", n, nie.is_valid(n)


def it_fiscal_code():
    omocodia = "LMNPQRSTUV"
    def num(k):
        return "".join(omocodia[int(d)] if rng.random() < 0.1 else d for d in digits(k))
    day = rng.randint(1, 28) + rng.choice([0, 40])
    body = ("".join(rng.choice(LETTERS) for _ in range(6)) + num(2) + rng.choice("ABCDEHLMPRST")
            + "".join(omocodia[int(d)] if rng.random() < 0.1 else d for d in "%02d" % day)
            + rng.choice(LETTERS) + num(3))
    n = body + codicefiscale.calc_check_digit(body)
    if rng.random() < 0.5:
        n = body + other(n[-1], LETTERS)
    return f"codice fiscale {n}", n, codicefiscale.is_valid(n)


def fr_nir():
    dept = rng.choice(["2A", "2B"] + ["%02d" % rng.randint(1, 95)] * 4)
    body = rng.choice("12") + digits(2) + "%02d" % rng.randint(1, 12) + dept + digits(6)
    n = body + nir.calc_check_digits(body)
    if rng.random() < 0.5:
        n = body + "%02d" % ((int(n[-2:]) + rng.randint(1, 96)) % 97)
    spaced = f"{n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:10]} {n[10:13]} {n[13:]}"
    return f"numéro de sécurité sociale {spaced}", spaced, nir.is_valid(n)


def de_idnr():
    first = [d for d in rng.sample("0123456789", 9) if True]
    if first[0] == "0":
        first[0], first[1] = first[1], first[0]
    dup = rng.choice(first[1:])
    body = "".join(first) + dup
    if rng.random() < 0.2:
        body = digits(10)
    n = body + mod_11_10.calc_check_digit(body)
    if rng.random() < 0.5:
        n = body + other(n[-1], "0123456789")
    return f"Steuer-ID: {n}", n, idnr.is_valid(n)


for kind, make in [("us_ssn", us_ssn), ("nl_bsn", nl_bsn), ("es_dni", es_dni), ("es_nie", es_nie),
                   ("it_fiscal_code", it_fiscal_code), ("fr_nir", fr_nir), ("de_idnr", de_idnr)]:
    for i in range(per_type):
        text, number, valid = make()
        print(json.dumps({"id": f"{kind}-{i}", "text": text, "number": number, "type": kind,
                          "valid": valid}, ensure_ascii=False))
