#!/usr/bin/env python3
"""Rebuild the redactor's name gazetteers from two permissively licensed packages.

  python3 scripts/build-gazetteer.py [--venv target/gazetteer-venv]

Writes crates/core/src/redact/gazetteer/{given,surnames}.txt: one lower-case name per
line, a space, and how common it is (1 = very common, 2 = common, 3 = rare), sorted. The
files are committed, so the redactor needs nothing at run time and stays deterministic;
this script only says where they come from and rebuilds them byte for byte.

Sources (both from the Python package registry, both MIT-licensed packages):

* `names` 0.3.0 (https://pypi.org/project/names/, MIT): the US Census Bureau's 1990
  frequency lists (dist.all.last, dist.male.first, dist.female.first; US government
  work, public domain). Tier by rank: given names 1-500 -> 1, to 2,000 -> 2, else 3;
  surnames 1-1,000 -> 1, to 10,000 -> 2, else 3.
* `Faker` 40.63.0 (https://pypi.org/project/Faker/, MIT): the first- and last-name
  lists of every locale's person provider (86 locales). Tier 2 (no ranks), unless the
  Census gives a better one.

Only words of letters (any script), with inner hyphens or apostrophes, 2-30 characters;
multi-word entries are split and name particles ("van", "de") dropped, since the redactor
treats particles separately.
"""
import argparse
import importlib
import os
import subprocess
import sys
import unicodedata

NAMES_VERSION = "0.3.0"
FAKER_VERSION = "40.63.0"
PARTICLES = {
    "van", "von", "de", "der", "den", "del", "della", "dei", "di", "da", "das", "dos", "du",
    "la", "le", "ter", "ten", "bin", "ibn", "al", "el", "y", "zu", "af", "st", "mc", "mac",
}
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "crates", "core", "src", "redact", "gazetteer")


def ensure_venv(venv):
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run(
        [py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"names=={NAMES_VERSION}", f"Faker=={FAKER_VERSION}"],
        check=True,
    )
    return py


def word_ok(w):
    if not 2 <= len(w) <= 30:
        return False
    if w[0] in "-'" or w[-1] in "-'":
        return False
    return all(unicodedata.category(c).startswith("L") or c in "-'" for c in w)


def split(name):
    for w in name.replace("’", "'").lower().split():
        w = w.strip(".,")
        if w and w not in PARTICLES and word_ok(w):
            yield w


def collect():
    """Run inside the venv: print `kind<TAB>word<TAB>tier` lines."""
    import names as census  # noqa: PLC0415
    base = os.path.dirname(census.__file__)
    for fname, kind, cuts in (
        ("dist.male.first", "given", (500, 2000)),
        ("dist.female.first", "given", (500, 2000)),
        ("dist.all.last", "surname", (1000, 10000)),
    ):
        with open(os.path.join(base, fname), encoding="ascii") as f:
            for rank, line in enumerate(f, 1):
                parts = line.split()
                if not parts:
                    continue
                tier = 1 if rank <= cuts[0] else 2 if rank <= cuts[1] else 3
                for w in split(parts[0]):
                    print(f"{kind}\t{w}\t{tier}")
    from faker.providers import person  # noqa: PLC0415
    pbase = os.path.dirname(person.__file__)
    for loc in sorted(os.listdir(pbase)):
        if loc.startswith("_") or not os.path.isdir(os.path.join(pbase, loc)):
            continue
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attr in sorted(dir(provider)):
            if attr.startswith("first_name"):
                kind = "given"
            elif attr.startswith("last_name"):
                kind = "surname"
            else:
                continue
            value = getattr(provider, attr, None)
            if not isinstance(value, (tuple, list, dict)):
                continue
            for entry in value:
                if isinstance(entry, str):
                    for w in split(entry):
                        print(f"{kind}\t{w}\t2")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--collect":
        collect()
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--venv", default=os.path.join(ROOT, "target", "gazetteer-venv"))
    args = ap.parse_args()
    py = ensure_venv(args.venv)
    out = subprocess.run(
        [py, os.path.abspath(__file__), "--collect"], check=True, capture_output=True, text=True
    ).stdout
    best = {"given": {}, "surname": {}}
    for line in out.splitlines():
        kind, w, tier = line.split("\t")
        t = int(tier)
        best[kind][w] = min(t, best[kind].get(w, 9))
    os.makedirs(OUT, exist_ok=True)
    for kind, fname in (("given", "given.txt"), ("surname", "surnames.txt")):
        path = os.path.join(OUT, fname)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for w in sorted(best[kind]):
                f.write(f"{w} {best[kind][w]}\n")
        print(f"{path}: {len(best[kind])} names", file=sys.stderr)


if __name__ == "__main__":
    main()
