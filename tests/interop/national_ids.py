#!/usr/bin/env python3
"""National-id cases judged by python-stdnum, a reference implementation LabelVault did
not write. Writes JSONL rows {"id", "text", "number", "type", "valid", "valid_as"} to
standard output: for each type, numbers in the shape its recognizer looks for — about
half with a correct check digit (computed by stdnum), half altered — each after a cue
word, with stdnum's verdict, and the other kinds found without a cue word that stdnum
accepts the number as. tests/system/tests/national_ids.rs runs `labelvault redact
--spans` over them and requires: a valid number is masked; a NATIONAL_ID span only on a
number valid as its own kind or as one of `valid_as`.

  python3 national_ids.py [SEED] [PER_TYPE]
"""
import datetime
import json
import random
import sys

from stdnum import luhn
from stdnum.br import cpf
from stdnum.de import idnr
from stdnum.ee import ik
from stdnum.es import dni, nie
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.iso7064 import mod_11_10
from stdnum.lt import asmens
from stdnum.nl import bsn
from stdnum.pl import pesel
from stdnum.ro import cnp
from stdnum.se import personnummer
from stdnum.tr import tckimlik
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


def birth_date(first=1901, last=2025):
    start = datetime.date(first, 1, 1).toordinal()
    return datetime.date.fromordinal(rng.randint(start, datetime.date(last, 12, 31).toordinal()))


def bad_date():
    """(year, month, day) that is no date: month 13, day 0, 31 of a 30-day month, 30 Feb."""
    y = rng.randint(1901, 2025)
    return rng.choice([(y, 13, rng.randint(1, 28)), (y, rng.randint(1, 12), 0),
                       (y, rng.choice([4, 6, 9, 11]), 31), (y, 2, 30)])


def ymd(valid_date, first=1901, last=2025):
    if valid_date:
        d = birth_date(first, last)
        return d.year, d.month, d.day
    return bad_date()


def wrong_last(n, alphabet="0123456789"):
    return n[:-1] + other(n[-1], alphabet)


def pl_pesel():
    # about half valid; the rest a wrong check digit or, with the right one, no date
    good_date = rng.random() < 0.8
    y, m, d = ymd(good_date, 1850, 2025)
    month = m + {18: 80, 19: 0, 20: 20}[y // 100]
    body = "%02d%02d%02d" % (y % 100, month, d) + digits(4)
    n = body + pesel.calc_check_digit(body)
    if good_date and rng.random() < 0.4:
        n = wrong_last(n)
    cue = rng.choice(["mój PESEL to {}", "PESEL: {}", "nr PESEL {}", "PESEL number {}"])
    return cue.format(n), n, pesel.is_valid(n)


def se_personnummer():
    good_date = rng.random() < 0.8
    y, m, d = ymd(good_date, 1901, 2025)
    if good_date and rng.random() < 0.1:
        y = rng.randint(1901, 1925)  # aged 100 or more: a plus in the short form
    body = "%02d%02d%02d" % (y % 100, m, d) + digits(3)
    ten = body + luhn.calc_check_digit(body)
    if good_date and rng.random() < 0.4:
        ten = wrong_last(ten)
    sign = "+" if y <= 2026 - 100 else "-"
    n = rng.choice([ten[:6] + sign + ten[6:], str(y)[:2] + ten[:6] + "-" + ten[6:], ten,
                    str(y)[:2] + ten])
    cue = rng.choice(["mitt personnummer är {}", "Personnummer: {}", "pnr {}",
                      "personal identity number {}"])
    return cue.format(n), n, personnummer.is_valid(n)


def fi_hetu():
    good_date = rng.random() < 0.8
    y, m, d = ymd(good_date, 1860, 2025)
    sign = {18: "+", 19: rng.choice("-----UVWXY"), 20: rng.choice("AAAABCDEF")}[y // 100]
    individual = rng.randint(2, 899) if rng.random() < 0.9 else rng.choice(
        [0, 1, rng.randint(900, 999)])
    nine = "%02d%02d%02d%03d" % (d, m, y % 100, individual)
    n = nine[:6] + sign + nine[6:] + "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(nine) % 31]
    if good_date and rng.random() < 0.4:
        n = wrong_last(n, "0123456789ABCDEFHJKLMNPRSTUVWXY")
    cue = rng.choice(["henkilötunnus {}", "HETU: {}", "personbeteckning {}",
                      "personal identity code {}"])
    return cue.format(n), n, hetu.is_valid(n)


def tr_tckn():
    body = rng.choice("123456789") + digits(8)
    n = body + tckimlik.calc_check_digits(body)
    if rng.random() < 0.5:
        i = rng.choice([9, 10])
        n = n[:i] + other(n[i], "0123456789") + n[i + 1:]
    cue = rng.choice(["T.C. Kimlik No: {}", "TC kimlik numarası {}", "TCKN {}",
                      "Turkish ID {}"])
    return cue.format(n), n, tckimlik.is_valid(n)


def baltic(cues, check):
    good_date = rng.random() < 0.8
    y, m, d = ymd(good_date, 1850, 2025)
    first = str((y // 100 - 18) * 2 + rng.choice([1, 2]))
    body = first + "%02d%02d%02d" % (y % 100, m, d) + digits(3)
    n = body + ik.calc_check_digit(body + "0")
    if good_date and rng.random() < 0.4:
        n = wrong_last(n)
    return rng.choice(cues).format(n), n, check(n)


def ee_isikukood():
    return baltic(["isikukood {}", "Isikukood: {}", "personal code {}"], ik.is_valid)


def lt_asmens_kodas():
    return baltic(["asmens kodas {}", "Asmens kodas: {}", "personal code {}"],
                  asmens.is_valid)


RO_COUNTIES = ["%02d" % c for c in list(range(1, 49)) + [51, 52, 70, 80, 81, 82, 83]]


def ro_cnp():
    good_date = rng.random() < 0.85
    y, m, d = ymd(good_date, 1850, 2025)
    sex = {18: "34", 19: "1278", 20: "56"}[y // 100]
    county = rng.choice(RO_COUNTIES) if rng.random() < 0.9 else rng.choice(
        ["00", "49", "50", "60", "99"])
    body = rng.choice(sex) + "%02d%02d%02d" % (y % 100, m, d) + county + digits(3)
    n = body + cnp.calc_check_digit(body)
    if good_date and county in RO_COUNTIES and rng.random() < 0.4:
        n = wrong_last(n)
    cue = rng.choice(["CNP: {}", "cod numeric personal {}", "codul numeric personal {}",
                      "personal numeric code {}"])
    return cue.format(n), n, cnp.is_valid(n)


def br_cpf():
    body = digits(9)
    n = body + cpf._calc_check_digits(body)
    if rng.random() < 0.5:
        i = rng.choice([9, 10])
        n = n[:i] + other(n[i], "0123456789") + n[i + 1:]
    if rng.random() < 0.5:
        n = f"{n[:3]}.{n[3:6]}.{n[6:9]}-{n[9:]}"
    cue = rng.choice(["meu CPF é {}", "CPF: {}", "nº do CPF {}", "CPF number {}"])
    return cue.format(n), n, cpf.is_valid(n)


# The kinds with a shape the redactor takes without a cue word, and stdnum's check.
CUELESS = [
    ("se_personnummer", lambda n: n[-5:-4] in ("-", "+") and personnummer.is_valid(n)),
    ("fi_hetu", hetu.is_valid),
]

for kind, make in [("us_ssn", us_ssn), ("nl_bsn", nl_bsn), ("es_dni", es_dni), ("es_nie", es_nie),
                   ("it_fiscal_code", it_fiscal_code), ("fr_nir", fr_nir), ("de_idnr", de_idnr),
                   ("pl_pesel", pl_pesel), ("se_personnummer", se_personnummer),
                   ("fi_hetu", fi_hetu), ("tr_tckn", tr_tckn), ("ee_isikukood", ee_isikukood),
                   ("lt_asmens_kodas", lt_asmens_kodas), ("ro_cnp", ro_cnp), ("br_cpf", br_cpf)]:
    for i in range(per_type):
        text, number, valid = make()
        # A number refused as its own kind may still be a valid number of a kind that is
        # found without a cue word: a Finnish HETU with a wrong check digit can be a
        # Swedish personnummer (DDMMYY-NNNN and YYMMDD-NNNN share the shape).
        also = [k for k, ok in CUELESS if k != kind and ok(number)]
        print(json.dumps({"id": f"{kind}-{i}", "text": text, "number": number, "type": kind,
                          "valid": valid, "valid_as": also}, ensure_ascii=False))
