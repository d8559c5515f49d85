#!/usr/bin/env python3
"""Build a held-out PII evaluation set for the redactor (Python 3.11, stdlib only).

  python3 scripts/pii-heldout.py [--seed 7001] [--n 3000] [--data ../shared/data]
                                 [--out pii_heldout.jsonl]

Output: JSONL in the format of ../shared/pii/pii_eval.jsonl, which
../shared/pii/score_pii.py reads:

  {"id", "text", "entities": [{"start", "end", "type", "value", "format"}],
   "carrier": {"source", "intent"}}

Offsets are code points, end exclusive. A `<out>.meta.json` next to the output records the
seed, the counts and the SHA-256 of the output, so a run can be checked for reproducibility
(the same seed and the same carrier files always give the same bytes).

Why a second set: the development set (pii_eval.jsonl) is built on Banking77 with one family
of sentence templates, and the rules were written while looking at it. This set differs on
purpose in everything a rule could have memorised:

* carriers: CLINC150, HWU64, SNIPS and Bitext messages (never Banking77), only rows whose
  own annotations carry no personal data (HWU64 rows with a person or artist slot, SNIPS
  rows with an artist slot, Bitext rows with an order/invoice id or a person's name, and
  the CLINC150 intents that name the user or the people they call or message are left out);
* sentence shapes: other cue phrases, PII in the middle of a sentence, several PII values in
  one sentence, "key: value" lists, signatures on their own lines, weak cues, no cue;
* casing: whole messages or single values in lower case, some values in upper case;
* formats: names from ~20 locales (particles, hyphens, apostrophes, initials, titles,
  "Last, First"), phones of ~25 countries, IBANs of ~45 countries (valid mod-97), cards of
  eleven brands (valid Luhn, 12-19 digits, several groupings), street addresses of ~18
  countries with and without city and postcode, dates of birth written ~20 ways, order,
  account, ticket and tracking numbers of many shapes;
* hard negatives: amounts, dates that are not dates of birth, times, durations, product and
  model codes, flight numbers, versions, quantities after "order", short numbers after cue
  words, so that precision is tested and not only recall.
"""
import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import random
import sys

GEN_VERSION = 2

# ---------------------------------------------------------------- names (by locale)

NAMES = {
    "en_US": ("James Mary Robert Patricia Michael Jennifer William Linda David Elizabeth "
              "Joseph Barbara Thomas Susan Christopher Jessica Daniel Sarah Matthew Karen "
              "Brandon Ashley Tyler Brittany Kayla Dustin Shaniqua DeShawn Madison Hunter",
              "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
              "Wilson Anderson Thomas Taylor Moore Jackson Martin Thompson White Harris "
              "Whitaker Kowalczyk McAllister Hernandez Fitzgerald Sullivan Brennan Dawson"),
    "en_GB": ("Oliver Amelia George Isla Harry Ava Jack Mia Charlie Ivy Alfie Freya Noah "
              "Poppy Archie Florence Arthur Evie Theo Rosie Hamish Niamh Callum Eilidh",
              "Wright Walker Robinson Hughes Edwards Green Hall Wood Clarke Jackson Turner "
              "Hill Cooper Ward Morris Ashworth Pemberton Featherstone Cartwright Blackwood"),
    "en_IE": ("Aoife Ciarán Siobhán Oisín Saoirse Cillian Róisín Darragh Caoimhe Tadhg "
              "Sinéad Eoin Grainne Padraig Orla",
              "Murphy Kelly O'Sullivan Walsh O'Brien Byrne Ryan O'Connor O'Neill Reilly "
              "Doyle McCarthy Gallagher Ó Briain Mac Giolla"),
    "de_DE": ("Lukas Leonie Maximilian Johanna Felix Hannah Jonas Marie Paul Lena Moritz "
              "Charlotte Tobias Annika Jürgen Ursula Dieter Gisela Torsten Birgit",
              "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
              "Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Zimmermann Krüger "
              "von Bülow Großmann"),
    "fr_FR": ("Camille Léa Louis Manon Hugo Chloé Gabriel Inès Arthur Jade Théo Zoé "
              "Jean-Baptiste Marie-Claire François Hélène Benoît Océane Loïc Maëlle",
              "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
              "Laurent Lefèvre Michel Garnier Fournier Girard Bonnet Dupont de La Fontaine"),
    "es_ES": ("Lucía Hugo Martina Mateo Sofía Pablo Alba Álvaro Paula Alejandro Nerea "
              "Iker Ainhoa Sergio Begoña Íñigo Rocío Jesús Pilar Xabier",
              "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez "
              "Martín Jiménez Ruiz Hernández Díaz Moreno Álvarez Muñoz Romero Iglesias"),
    "it_IT": ("Francesco Sofia Alessandro Giulia Lorenzo Aurora Leonardo Ginevra Mattia "
              "Beatrice Andrea Chiara Gabriele Federica Niccolò Ilaria Salvatore Carmela",
              "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco "
              "Bruno Gallo Conti De Luca Mancini Costa Giordano Lombardi Moretti D'Angelo"),
    "nl_NL": ("Daan Emma Sem Julia Lucas Mila Levi Tess Finn Sophie Bram Fleur Thijs "
              "Sanne Joris Maartje Pieter Anouk Wouter Femke",
              "de Jong Jansen de Vries van den Berg van Dijk Bakker Janssen Visser Smit "
              "Meijer de Boer Mulder de Groot Bos Vos Peters Hendriks van Leeuwen Dekker"),
    "pl_PL": ("Zuzanna Antoni Julia Jakub Maja Jan Hanna Szymon Lena Filip Małgorzata "
              "Grzegorz Agnieszka Krzysztof Wojciech Katarzyna Łukasz Dorota Paweł Zofia",
              "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński "
              "Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Krawczyk Piotrowski"),
    "pt_BR": ("Miguel Helena Arthur Alice Heitor Laura Bernardo Manuela Davi Valentina "
              "Gustavo Larissa Thiago Fernanda João Conceição Rafael Letícia Caio Bruna",
              "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes "
              "Costa Ribeiro Martins Carvalho Almeida Lopes Sousa Nascimento Araújo"),
    "en_IN": ("Aarav Priya Vivaan Ananya Aditya Diya Arjun Saanvi Rohan Ishita Karthik "
              "Lakshmi Venkatesh Sunita Rajesh Deepika Harpreet Gurpreet Sanjay Meenakshi",
              "Sharma Verma Gupta Patel Reddy Nair Iyer Singh Kumar Chatterjee Banerjee "
              "Mukherjee Rao Menon Pillai Desai Joshi Agarwal Krishnamurthy Subramanian"),
    "tr_TR": ("Mehmet Ayşe Mustafa Fatma Ahmet Emine Ali Hatice Hüseyin Zeynep Emre "
              "Elif Burak Merve Oğuz Gülşen",
              "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir "
              "Arslan Doğan Kılıç Aslan Çetin"),
    "sv_SE": ("Erik Astrid Lars Ingrid Sven Karin Anders Linnéa Björn Sofia Nils Elsa "
              "Gustav Maja Oskar Freja",
              "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson "
              "Svensson Gustafsson Lindqvist Bergström Lindström Åkesson"),
    "ru_RU": ("Dmitry Anastasia Sergei Olga Alexei Tatiana Nikolai Ekaterina Ivan "
              "Svetlana Vladimir Yulia Mikhail Natalia Pavel Irina",
              "Ivanov Smirnova Kuznetsov Popova Sokolov Lebedeva Kozlov Novikova Morozov "
              "Petrova Volkov Solovyova Vasiliev Zaitseva"),
    "ja_JP": ("Haruto Yui Sota Hina Yuto Aoi Riku Sakura Takumi Yuna Kenji Akiko Hiroshi "
              "Naoko Daiki Emi",
              "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi "
              "Kato Yoshida Yamada Sasaki Matsumoto Inoue"),
    "zh_CN": ("Wei Fang Jun Li Ming Xiu Hao Yan Jie Lei Xiaoming Meiling Zhiwei Yifan "
              "Haoran Jing",
              "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo"),
    "ar": ("Mohammed Fatima Ahmed Aisha Omar Layla Youssef Mariam Khalid Noor Hassan "
           "Zainab Tariq Samira Karim Rania",
           "Al-Sayed Haddad Khalil Nasser Mansour Abdullah Hussein Saleh Farouk "
           "El-Amin Rahman Aziz Qureshi Bakr"),
    "yo_NG": ("Chinedu Ngozi Oluwaseun Adaeze Emeka Funmilayo Tunde Chiamaka Ifeanyi "
              "Yetunde Babatunde Nkechi",
              "Okafor Adeyemi Okonkwo Balogun Eze Nwosu Adebayo Obi Ogunleye Chukwu "
              "Olawale Nnamdi"),
    "ko_KR": ("Minjun Seoyeon Jiho Jiwoo Hyun Soojin Dongwoo Eunji Jaehyun Yuna",
              "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han"),
    "vi_VN": ("Minh Linh Anh Huong Tuan Thu Duc Lan Quang Mai",
              "Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do"),
    "el_GR": ("Giorgos Maria Dimitris Eleni Konstantinos Katerina Nikos Sofia Yannis "
              "Vasiliki",
              "Papadopoulos Georgiou Nikolaidis Konstantinou Papadakis Vlachos Oikonomou "
              "Karamanlis Dimitriou"),
}


def _split_multi(s):
    """Split a space-separated list, keeping particle surnames ('de Jong') together."""
    out, parts = [], s.split()
    particles = {"de", "van", "von", "den", "der", "La", "Ó", "Mac", "d'", "el"}
    i = 0
    while i < len(parts):
        p = parts[i]
        if p in particles and i + 1 < len(parts):
            j = i + 1
            while j < len(parts) and parts[j] in particles:
                j += 1
            out.append(" ".join(parts[i:j + 1]))
            i = j + 1
        else:
            out.append(p)
            i += 1
    return out


LOCALE_NAMES = {k: (_split_multi(g), _split_multi(s)) for k, (g, s) in NAMES.items()}
LOCALES = sorted(LOCALE_NAMES)


def person(rng):
    loc = rng.choice(LOCALES)
    given, sur = LOCALE_NAMES[loc]
    g, s = rng.choice(given), rng.choice(sur)
    r = rng.random()
    if r < 0.50:
        return f"{g} {s}", f"first_last:{loc}"
    if r < 0.60:
        g2 = rng.choice(given)
        while g2 == g:
            g2 = rng.choice(given)
        return f"{g} {g2} {s}", f"first_middle_last:{loc}"
    if r < 0.67:
        return f"{g[0]}. {s}", f"initial_last:{loc}"
    if r < 0.73:
        return f"{s}, {g}", f"last_comma_first:{loc}"
    if r < 0.80:
        t = rng.choice(["Mr", "Mrs", "Ms", "Dr", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof."])
        # the title is not part of the gold span: the name is.
        return f"{t}|{s}", f"title_last:{loc}"
    if r < 0.88:
        return g, f"first_only:{loc}"
    if r < 0.94:
        s2 = rng.choice(sur)
        return f"{g} {s}-{s2}" if " " not in s + s2 else f"{g} {s}", f"double_surname:{loc}"
    return f"{g} {s}".upper(), f"upper:{loc}"


# ---------------------------------------------------------------- e-mail

DOMAINS_FREE = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "web.de", "gmx.de",
                "orange.fr", "laposte.net", "libero.it", "virgilio.it", "yahoo.es",
                "telefonica.net", "ziggo.nl", "kpnmail.nl", "wp.pl", "onet.pl",
                "uol.com.br", "bol.com.br", "rediffmail.com", "yahoo.co.in", "bigpond.com",
                "shaw.ca", "icloud.com", "proton.me", "mail.ru", "yandex.ru", "naver.com",
                "qq.com", "163.com", "seznam.cz", "t-online.de", "btinternet.com",
                "eircom.net", "yahoo.co.jp", "fastmail.fm", "tutanota.com"]
DOMAINS_ORG = ["acme-corp.com", "northwind.io", "example-bank.de", "uni-heidelberg.de",
               "cs.ox.ac.uk", "mail.tum.de", "stadt-koeln.de", "nhs.net", "gov.uk",
               "sales.contoso.co.uk", "kleinbetrieb.at", "studio-rossi.it",
               "bufete-garcia.es", "praktijk-devries.nl", "firma.com.pl", "infosys.co.in",
               "empresa.com.br", "consulting.com.au", "maplesoft.ca", "team.example.org"]


def ascii_fold(s):
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e",
                           "ê": "e", "ë": "e", "á": "a", "à": "a", "â": "a", "ã": "a",
                           "í": "i", "ï": "i", "ó": "o", "ô": "o", "õ": "o", "ú": "u",
                           "ñ": "n", "ç": "c", "ł": "l", "ś": "s", "ź": "z", "ż": "z",
                           "ą": "a", "ę": "e", "ć": "c", "ń": "n", "ğ": "g", "ı": "i",
                           "ş": "s", "å": "a", "ø": "o", "æ": "ae", "Ó": "o", "'": ""})
    return s.lower().translate(table).replace(" ", "")


def email(rng):
    loc = rng.choice(LOCALES)
    given, sur = LOCALE_NAMES[loc]
    g, s = ascii_fold(rng.choice(given)), ascii_fold(rng.choice(sur))
    shape = rng.choice(["g.s", "gs", "g_s", "gN", "g.sN", "ig", "s.g", "gs+tag", "nick",
                        "g-s"])
    n = str(rng.randint(1, 2024))
    local = {"g.s": f"{g}.{s}", "gs": f"{g}{s}", "g_s": f"{g}_{s}", "gN": f"{g}{n}",
             "g.sN": f"{g}.{s}{n[-2:]}", "ig": f"{g[0]}{s}", "s.g": f"{s}.{g}",
             "gs+tag": f"{g}.{s}+{rng.choice(['shop', 'orders', 'bank', 'news'])}",
             "nick": f"{rng.choice(['sunny', 'blue', 'techie', 'mr', 'the'])}_{s}{n[-2:]}",
             "g-s": f"{g}-{s}"}[shape]
    dom = rng.choice(DOMAINS_FREE if rng.random() < 0.7 else DOMAINS_ORG)
    v = f"{local}@{dom}"
    fmt = "free" if dom in DOMAINS_FREE else "org"
    if rng.random() < 0.06:
        v = v.upper()
        fmt = "upper"
    elif rng.random() < 0.05:
        # "name at domain dot tld": people write this to dodge spam filters
        d = dom.replace(".", " dot ")
        v = f"{local} at {d}"
        fmt = "spelled"
    return v, f"{fmt}:{shape}"


# ---------------------------------------------------------------- phones

PHONES = {
    "US": ["(Ndd) Ndd-dddd", "Ndd-Ndd-dddd", "Ndd.Ndd.dddd", "+1 Ndd Ndd dddd",
           "1-Ndd-Ndd-dddd", "+1-Ndd-Ndd-dddd", "+1 (Ndd) Ndd-dddd", "Ndd Ndd dddd"],
    "CA": ["+1 416 Ndd dddd", "(604) Ndd-dddd", "514-Ndd-dddd"],
    "GB": ["+44 7ddd dddddd", "07ddd dddddd", "020 dddd dddd", "+44 (0)20 dddd dddd",
           "0161 ddd dddd", "+447ddddddddd", "0044 7ddd ddd ddd", "01632 dddddd"],
    "IE": ["+353 8d ddd dddd", "08d ddd dddd", "(01) ddd dddd", "+353 1 ddd dddd"],
    "DE": ["+49 151 dddddddd", "0151 dddddddd", "030 dddddddd", "+49 (0)30 ddddddd",
           "0049 89 ddddddd", "0171/ddddddd", "+49 171 ddd dddd", "089-ddddddd"],
    "FR": ["+33 6 dd dd dd dd", "06 dd dd dd dd", "06.dd.dd.dd.dd", "+33 (0)1 dd dd dd dd",
           "0033 7 dd dd dd dd", "01-dd-dd-dd-dd"],
    "IT": ["+39 3dd ddd dddd", "3dd ddd dddd", "+39 06 dddd dddd", "06 dddddddd",
           "+39 02 ddddddd"],
    "ES": ["+34 6dd ddd ddd", "6dd dd dd dd", "91 ddd dd dd", "+34 91 ddd dd dd",
           "+34 6dddddddd"],
    "NL": ["+31 6 dddddddd", "06-dddddddd", "020-ddd dddd", "+31 (0)20 ddd dddd",
           "06 dd dd dd dd"],
    "BE": ["+32 4dd dd dd dd", "04dd dd dd dd", "+32 2 ddd dd dd"],
    "CH": ["+41 7d ddd dd dd", "07d ddd dd dd", "044 ddd dd dd"],
    "AT": ["+43 66d dddddd", "0664 ddddddd", "+43 1 dddd dddd"],
    "PL": ["+48 5dd ddd ddd", "5dd-ddd-ddd", "+48 22 ddd dd dd", "+48 6dd ddd ddd"],
    "SE": ["+46 7d ddd dd dd", "07d-ddd dd dd", "08-ddd ddd dd"],
    "PT": ["+351 9dd ddd ddd", "9dd ddd ddd", "+351 21 ddd dddd"],
    "BR": ["+55 11 9dddd-dddd", "(11) 9dddd-dddd", "+55 (21) 9dddd-dddd",
           "+55 11 9dddddddd"],
    "MX": ["+52 55 dddd dddd", "+52 1 55 dddd dddd", "55 dddd dddd"],
    "AU": ["+61 4dd ddd ddd", "04dd ddd ddd", "(02) dddd dddd", "+61 2 dddd dddd"],
    "NZ": ["+64 21 ddd dddd", "021 ddd dddd"],
    "IN": ["+91 9dddd ddddd", "+91-9ddddddddd", "09ddddddddd", "+91 98ddd ddddd"],
    "JP": ["+81 90-dddd-dddd", "090-dddd-dddd", "03-dddd-dddd", "+81 3 dddd dddd"],
    "CN": ["+86 13d dddd dddd", "+86 139 dddd dddd"],
    "SG": ["+65 9ddd dddd", "+65 8ddd dddd"],
    "ZA": ["+27 8d ddd dddd", "08d ddd dddd"],
    "NG": ["+234 80d ddd dddd", "080d ddd dddd"],
    "AE": ["+971 5d ddd dddd", "05d ddd dddd"],
    "TR": ["+90 5dd ddd dd dd", "0 5dd ddd dd dd", "05dd ddd dd dd"],
    "KR": ["+82 10-dddd-dddd", "010-dddd-dddd"],
    "RU": ["+7 9dd ddd-dd-dd", "8 (9dd) ddd-dd-dd", "+7 (495) ddd-dd-dd"],
}
PHONE_COUNTRIES = sorted(PHONES)


def fill(rng, pat):
    out = []
    for ch in pat:
        if ch == "d":
            out.append(str(rng.randint(0, 9)))
        elif ch == "N":
            out.append(str(rng.randint(2, 9)))
        else:
            out.append(ch)
    return "".join(out)


def phone(rng):
    cc = rng.choice(PHONE_COUNTRIES)
    i = rng.randrange(len(PHONES[cc]))
    v = fill(rng, PHONES[cc][i])
    if rng.random() < 0.04:
        v += rng.choice([" ext. ", " x", " ext ", "#"]) + str(rng.randint(10, 9999))
        return v, f"{cc}:{i}:ext"
    return v, f"{cc}:{i}"


# ---------------------------------------------------------------- cards (Luhn)

CARD_BRANDS = [
    # brand, prefixes (strings or (lo, hi) ranges), lengths
    ("visa", ["4"], [16, 16, 16, 13, 19]),
    ("mastercard", [("51", "55")], [16]),
    ("mastercard2", [("2221", "2720")], [16]),
    ("amex", ["34", "37"], [15]),
    ("discover", ["6011", ("644", "649"), "65"], [16, 19]),
    ("jcb", [("3528", "3589")], [16, 19]),
    ("diners", [("300", "305"), "36", "38", "39"], [14]),
    ("unionpay", ["62"], [16, 17, 18, 19]),
    ("maestro", ["5018", "5020", "5038", "6304", "6759", "6761", "6763"], [12, 13, 16, 19]),
    ("mir", [("2200", "2204")], [16]),
    ("rupay", ["60", "6521", "6522", "508"], [16]),
]


def luhn_complete(body):
    digits = [int(c) for c in body]
    s = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return body + str((10 - s % 10) % 10)


def card(rng):
    brand, prefixes, lengths = rng.choice(CARD_BRANDS)
    p = rng.choice(prefixes)
    if isinstance(p, tuple):
        p = str(rng.randint(int(p[0]), int(p[1])))
    n = rng.choice(lengths)
    body = p + "".join(str(rng.randint(0, 9)) for _ in range(n - 1 - len(p)))
    num = luhn_complete(body)
    style = rng.choice(["plain", "space", "dash", "space", "plain"])
    if style == "plain":
        return num, f"{brand}{n}:plain"
    if brand == "amex":
        groups = [num[:4], num[4:10], num[10:]]
    elif brand == "diners" and n == 14:
        groups = [num[:4], num[4:10], num[10:]]
    else:
        groups = [num[i:i + 4] for i in range(0, n, 4)]
    sep = " " if style == "space" else "-"
    return sep.join(groups), f"{brand}{n}:{style}"


# ---------------------------------------------------------------- IBAN (mod-97)

IBAN_SPEC = {
    "DE": "8n10n", "GB": "4a6n8n", "FR": "5n5n11c2n", "ES": "4n4n1n1n10n", "IT": "1a5n5n12c",
    "NL": "4a10n", "BE": "3n7n2n", "AT": "5n11n", "CH": "5n12c", "PL": "8n16n",
    "PT": "4n4n11n2n", "SE": "3n16n1n", "NO": "4n6n1n", "DK": "4n9n1n", "FI": "3n11n",
    "IE": "4a6n8n", "LU": "3n13c", "GR": "3n4n16c", "CZ": "4n6n10n", "HU": "3n4n1n15n1n",
    "RO": "4a16c", "HR": "7n10n", "SI": "5n8n2n", "SK": "4n6n10n", "BG": "4a4n2n8c",
    "TR": "5n1n16c", "SA": "2n18c", "AE": "3n16n", "BR": "8n5n10n1a1c", "LT": "5n11n",
    "LV": "4a13c", "EE": "2n2n11n1n", "MT": "4a5n18c", "CY": "3n5n16c", "IS": "4n2n6n10n",
    "LI": "5n12c", "MC": "5n5n11c2n", "IL": "3n3n13n", "JO": "4a4n18c", "QA": "4a21c",
    "KW": "4a22c", "UA": "6n19c", "GE": "2a16n", "KZ": "3n13c", "PK": "4a16c", "RS": "3n13n2n",
}
IBAN_COUNTRIES = sorted(IBAN_SPEC)
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def bban(rng, spec):
    out, num = [], ""
    for ch in spec:
        if ch.isdigit():
            num += ch
            continue
        k = int(num)
        num = ""
        for _ in range(k):
            if ch == "n":
                out.append(str(rng.randint(0, 9)))
            elif ch == "a":
                out.append(rng.choice(UPPER))
            else:
                out.append(rng.choice(UPPER) if rng.random() < 0.25 else str(rng.randint(0, 9)))
    return "".join(out)


def iban_check(cc, b):
    s = b + cc + "00"
    n = int("".join(str(int(c, 36)) for c in s))
    return f"{98 - n % 97:02d}"


def iban(rng):
    cc = rng.choice(IBAN_COUNTRIES)
    b = bban(rng, IBAN_SPEC[cc])
    v = cc + iban_check(cc, b) + b
    style = rng.choice(["compact", "grouped", "grouped", "compact"])
    if style == "grouped":
        v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    if rng.random() < 0.05:
        v = v.lower()
        style += "_lower"
    return v, f"{cc}:{style}"


# ---------------------------------------------------------------- IP and URL

def ip(rng):
    r = rng.random()
    if r < 0.45:
        first = rng.choice([rng.randint(1, 223), 8, 31, 46, 62, 81, 85, 104, 151, 185, 203])
        v = f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        return v, "v4_public"
    if r < 0.65:
        v = rng.choice([f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                        f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                        f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"])
        return v, "v4_private"
    groups = [f"{rng.randint(0, 0xffff):x}" for _ in range(8)]
    if r < 0.78:
        return ":".join(groups), "v6_full"
    if r < 0.92:
        pre = rng.choice(["2001:db8", "2a02:8108", "2600:1700", "fe80", "2001:4860"])
        k = rng.randint(1, 3)
        return f"{pre}::" + ":".join(groups[:k]), "v6_compressed"
    return ":".join(groups).upper(), "v6_upper"


URL_HOSTS = ["shop.example-store.de", "www.kleidung-online.at", "mitienda.es", "boutique.fr",
             "negozio-online.it", "winkel.nl", "sklep.pl", "loja.com.br", "store.co.uk",
             "myshop.com.au", "ca-deals.ca", "bazaar.in", "track.parcel-express.com",
             "portal.mybank.eu", "secure-login.example.net", "docs.example.org",
             "drive.cloudbox.io", "forms.survey.app", "tickets.eventhall.com",
             "my.utility-company.co.uk", "bit.ly", "tinyurl.com", "t.co", "paypal-help.info"]
URL_PATHS = ["/orders/{n}", "/account/settings", "/track?id={n}", "/p/{w}-{n}",
             "/help/article/{n}", "/login?next=%2Faccount", "/invoice/{n}.pdf",
             "/{w}", "/cart", "/r/{a}", "/s/{a}?ref=mail", "/de/produkte/{w}",
             "/checkout/step-2", "/u/{n}/profile"]


def url(rng):
    host = rng.choice(URL_HOSTS)
    path = rng.choice(URL_PATHS).format(
        n=rng.randint(1000, 99999999), w=rng.choice(["blue-shoes", "sofa", "lamp", "refund"]),
        a="".join(rng.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(7)))
    r = rng.random()
    if r < 0.45:
        return f"https://{host}{path}", "https_path"
    if r < 0.55:
        return f"http://{host}", "http_bare"
    if r < 0.75:
        h = host if host.startswith("www.") else "www." + host.split(".", 1)[-1] \
            if host.count(".") > 1 else "www." + host
        return f"{h}{path if rng.random() < 0.5 else ''}", "www"
    if r < 0.92:
        return f"{host}{path}", "bare_path"
    return f"https://{host}{path}".upper() if rng.random() < 0.3 else f"HTTPS://{host}", "upper"


# ---------------------------------------------------------------- street addresses

ADDR = {}

ADDR["US"] = dict(
    streets="Maple Oak Pine Cedar Elm Washington Lincoln Jefferson Lakeview Sunset Highland "
            "Ridgewood Meadowbrook Willow Chestnut Magnolia Peachtree Sycamore Dogwood "
            "Juniper Cypress Redwood Brookside Fairview Hillcrest Orchard".split(),
    types="Street St Avenue Ave Road Rd Boulevard Blvd Drive Dr Lane Ln Court Ct Way "
          "Place Pl Terrace Circle Cir Parkway Pkwy Trail Highway".split(),
    cities=[("Springfield", "IL"), ("Austin", "TX"), ("Denver", "CO"), ("Portland", "OR"),
            ("Columbus", "OH"), ("Raleigh", "NC"), ("Tucson", "AZ"), ("Albany", "NY"),
            ("Madison", "WI"), ("Boise", "ID"), ("Savannah", "GA"), ("Fresno", "CA")])
ADDR["CA"] = dict(
    streets="Yonge Bay Queen King Bloor Dundas Granville Robson Jasper Portage Wellington "
            "Sparks Elgin Barrington".split(),
    types="Street St Avenue Ave Road Rd Boulevard Drive Crescent Cres".split(),
    cities=[("Toronto", "ON"), ("Vancouver", "BC"), ("Calgary", "AB"), ("Ottawa", "ON"),
            ("Winnipeg", "MB"), ("Halifax", "NS"), ("Edmonton", "AB")])
ADDR["GB"] = dict(
    streets="Kingsley Victoria Albert Church Station Mill Park Queens Manor Grange "
            "Belmont Ashdown Harrow Beechwood Hawthorn Lavender Thornbury Westfield".split(),
    types="Road Street Lane Avenue Close Gardens Crescent Grove Drive Way Mews Terrace "
          "Place Rise Row Square Hill Walk".split(),
    cities=["London", "Leeds", "Bristol", "Manchester", "Sheffield", "Nottingham", "Bath",
            "Cardiff", "Edinburgh", "Glasgow", "Brighton", "York"])
ADDR["AU"] = dict(
    streets="George Pitt Collins Bourke Flinders Chapel Oxford Anzac Beach Bridge "
            "Wattle Banksia Jacaranda".split(),
    types="Street St Road Rd Avenue Ave Parade Pde Highway Hwy Crescent Drive Esplanade".split(),
    cities=[("Sydney", "NSW", "2000"), ("Fitzroy", "VIC", "3065"), ("Brisbane", "QLD", "4000"),
            ("Perth", "WA", "6000"), ("Adelaide", "SA", "5000"), ("Hobart", "TAS", "7000"),
            ("Canberra", "ACT", "2601"), ("Darwin", "NT", "0800")])
ADDR["IE"] = dict(
    streets="O'Connell Grafton Dame Henry Patrick Shop Abbey Castle Bridge Main".split(),
    types="Street Road Avenue Lane Park Terrace Quay".split(),
    cities=["Dublin 2", "Cork", "Galway", "Limerick", "Dublin 8", "Waterford"])
DE_STREETS = ("Haupt Bahnhof Linden Schiller Goethe Garten Kirch Berg Schul Wald Ring Dorf "
              "Rosen Birken Mühlen Friedrich Mozart Beethoven Eichen Sonnen Wiesen").split()
DE_CITIES = [("10115", "Berlin"), ("80331", "München"), ("50667", "Köln"), ("20095", "Hamburg"),
             ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"), ("04109", "Leipzig"),
             ("01067", "Dresden"), ("28195", "Bremen"), ("90402", "Nürnberg")]
FR_STREETS = ["de la Paix", "Victor Hugo", "de la République", "du Général de Gaulle",
              "Jean Jaurès", "des Lilas", "Pasteur", "de la Gare", "Saint-Michel",
              "des Écoles", "du Moulin", "Émile Zola", "de Verdun", "Gambetta"]
FR_CITIES = [("75002", "Paris"), ("69003", "Lyon"), ("13001", "Marseille"),
             ("31000", "Toulouse"), ("33000", "Bordeaux"), ("59000", "Lille"),
             ("44000", "Nantes"), ("67000", "Strasbourg"), ("06000", "Nice")]
IT_STREETS = ["Roma", "Garibaldi", "Giuseppe Verdi", "Dante Alighieri", "Cavour", "Mazzini",
              "XX Settembre", "della Repubblica", "dei Mille", "San Francesco", "Marconi",
              "Vittorio Emanuele II", "Gramsci", "delle Rose"]
IT_CITIES = [("20121", "Milano", "MI"), ("00184", "Roma", "RM"), ("10121", "Torino", "TO"),
             ("40121", "Bologna", "BO"), ("50123", "Firenze", "FI"), ("80133", "Napoli", "NA"),
             ("16121", "Genova", "GE")]
ES_STREETS = ["Mayor", "de Alcalá", "Gran Vía", "de la Constitución", "del Sol",
              "de Cervantes", "San Juan", "de Goya", "de Serrano", "del Carmen",
              "de Gracia", "Real", "de Andalucía", "de la Paz"]
ES_CITIES = [("28013", "Madrid"), ("08007", "Barcelona"), ("41004", "Sevilla"),
             ("46002", "Valencia"), ("48001", "Bilbao"), ("29015", "Málaga"),
             ("50001", "Zaragoza")]
NL_STREETS = ["Keizers", "Heren", "Prinsen", "Dorps", "Kerk", "Molen", "Stations",
              "Wilhelmina", "Julianalaan", "Beatrix", "Oranje", "Linden", "Nieuwe"]
NL_CITIES = ["Amsterdam", "Utrecht", "Rotterdam", "Den Haag", "Eindhoven", "Groningen",
             "Leiden", "Haarlem", "Zwolle"]
PL_STREETS = ["Marszałkowska", "Piotrkowska", "Długa", "Mickiewicza", "Słowackiego",
              "Kościuszki", "Jana Pawła II", "Polna", "Lipowa", "Ogrodowa", "Sienkiewicza",
              "Jerozolimskie", "Krakowska"]
PL_CITIES = [("00-514", "Warszawa"), ("90-001", "Łódź"), ("31-011", "Kraków"),
             ("80-831", "Gdańsk"), ("50-001", "Wrocław"), ("61-001", "Poznań")]
IN_AREAS = [("Indiranagar", "Bengaluru", "560038"), ("Koramangala", "Bengaluru", "560034"),
            ("Andheri West", "Mumbai", "400058"), ("Bandra East", "Mumbai", "400051"),
            ("Salt Lake", "Kolkata", "700091"), ("T. Nagar", "Chennai", "600017"),
            ("Banjara Hills", "Hyderabad", "500034"), ("Kothrud", "Pune", "411038"),
            ("Sector 15", "Noida", "201301"), ("Vaishali Nagar", "Jaipur", "302021")]
IN_BUILDINGS = ["Sai Residency", "Green Park Apartments", "Shanti Niketan", "Lake View Towers",
                "Prestige Shantiniketan", "Sunrise Enclave", "Ashoka Heights"]
IN_ROADS = ["MG Road", "14th Cross Road", "100 Feet Road", "Link Road", "Station Road",
            "Nehru Marg", "SV Road", "Gandhi Nagar Main Road", "4th Main"]
SE_STREETS = ["Drottning", "Kungs", "Stor", "Skol", "Kyrko", "Sveavägen", "Vasa", "Ring"]
SE_CITIES = [("111 21", "Stockholm"), ("411 06", "Göteborg"), ("211 20", "Malmö"),
             ("753 20", "Uppsala")]
CH_STREETS = ["Bahnhof", "Haupt", "Dorf", "See", "Kirch", "Berna", "Zürcher"]
CH_CITIES = [("8001", "Zürich"), ("3011", "Bern"), ("4051", "Basel"), ("6003", "Luzern"),
             ("1003", "Lausanne")]
BR_STREETS = ["das Flores", "Augusta", "Oscar Freire", "XV de Novembro", "Sete de Setembro",
              "Barão de Itapetininga", "da Consolação", "Tiradentes"]
BR_CITIES = [("São Paulo", "SP", "01310-100"), ("Rio de Janeiro", "RJ", "20040-002"),
             ("Curitiba", "PR", "80010-000"), ("Belo Horizonte", "MG", "30130-000")]
PT_STREETS = ["Augusta", "do Ouro", "da Prata", "Garrett", "de Santa Catarina", "das Flores"]
PT_CITIES = [("1100-053", "Lisboa"), ("4000-322", "Porto"), ("3000-150", "Coimbra")]
MX_STREETS = ["Insurgentes Sur", "Reforma", "Juárez", "Madero", "Revolución", "Hidalgo"]
BE_STREETS = ["Rue Neuve", "Avenue Louise", "Meir", "Kerkstraat", "Rue de la Loi",
              "Veldstraat"]
BE_CITIES = [("1000", "Bruxelles"), ("2000", "Antwerpen"), ("9000", "Gent"), ("4000", "Liège")]


def hn(rng, lo=1, hi=250):
    return str(rng.randint(lo, hi))


def uk_postcode(rng):
    area = rng.choice(["LS", "SW", "M", "B", "BS", "EH", "G", "NG", "S", "CF", "BN", "YO",
                       "N", "E", "SE", "W", "NW", "EC"])
    d = str(rng.randint(1, 20)) + (rng.choice(UPPER) if rng.random() < 0.1 else "")
    return f"{area}{d} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
           f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def ca_postcode(rng):
    L = "ABCEGHJKLMNPRSTVXY"
    return f"{rng.choice(L)}{rng.randint(0, 9)}{rng.choice(L)} " \
           f"{rng.randint(0, 9)}{rng.choice(L)}{rng.randint(0, 9)}"


def address(rng):
    """A street address of one of ~18 countries; returns (text, format)."""
    c = rng.choice(["US", "US", "GB", "GB", "DE", "DE", "FR", "FR", "IT", "ES", "NL", "PL",
                    "AU", "CA", "IN", "IN", "IE", "SE", "CH", "BR", "PT", "MX", "BE"])
    full = rng.random() < 0.6
    r = rng.random
    if c in ("US", "CA", "GB", "AU", "IE"):
        a = ADDR[c]
        st = f"{hn(rng, 1, 9999 if c in ('US', 'CA') else 300)} {rng.choice(a['streets'])} " \
             f"{rng.choice(a['types'])}"
        if c == "US" and r() < 0.2:
            st = f"{hn(rng, 100, 9999)} {rng.choice(['N', 'S', 'E', 'W', 'North', 'West'])} " \
                 f"{rng.choice(a['streets'])} {rng.choice(a['types'])}"
        if c == "US" and r() < 0.1:
            st = f"{hn(rng, 1, 999)} {ordinal(rng.randint(2, 99))} Street"
        unit = ""
        if r() < 0.3:
            unit = rng.choice([f", Apt {rng.randint(1, 40)}{rng.choice(['', 'B', 'C'])}",
                               f", Suite {rng.randint(100, 900)}", f" #{rng.randint(1, 40)}",
                               f", Unit {rng.randint(1, 30)}"])
        if c == "GB" and r() < 0.25:
            st = f"Flat {rng.randint(1, 30)}, {st}"
        if c == "AU" and r() < 0.3:
            st = f"{rng.randint(1, 30)}/{st}"
        if not full:
            return st + (unit if c in ("US", "CA") else ""), f"{c}:street"
        if c == "US":
            city, stt = rng.choice(a["cities"])
            zc = f"{rng.randint(10000, 99999)}"
            return f"{st}{unit}, {city}, {stt} {zc}", f"{c}:full"
        if c == "CA":
            city, prov = rng.choice(a["cities"])
            return f"{st}{unit}, {city}, {prov} {ca_postcode(rng)}", f"{c}:full"
        if c == "GB":
            return f"{st}, {rng.choice(a['cities'])} {uk_postcode(rng)}", f"{c}:full"
        if c == "AU":
            city, stt, pc = rng.choice(a["cities"])
            return f"{st}, {city} {stt} {pc}", f"{c}:full"
        eir = f"{rng.choice(['D02', 'T12', 'H91', 'V94', 'D08'])} " \
              f"{rng.choice(UPPER)}{rng.randint(100, 999)}"
        return f"{st}, {rng.choice(a['cities'])}{', ' + eir if r() < 0.5 else ''}", f"{c}:full"
    if c == "DE":
        base = rng.choice(DE_STREETS)
        suf = rng.choice(["straße", "str.", "weg", "allee", "platz", "gasse", "ring"])
        st = f"{base}{suf} {hn(rng, 1, 180)}{rng.choice(['', '', 'a', 'b'])}"
        if r() < 0.2:
            st = f"Am {base}garten {hn(rng, 1, 60)}"
        if r() < 0.1:
            st = f"{rng.choice(['Berliner', 'Münchner', 'Kölner'])} Straße {hn(rng, 1, 200)}"
        if not full:
            return st, "DE:street"
        pc, city = rng.choice(DE_CITIES)
        return f"{st}, {pc} {city}", "DE:full"
    if c == "CH":
        st = f"{rng.choice(CH_STREETS)}strasse {hn(rng, 1, 120)}"
        if not full:
            return st, "CH:street"
        pc, city = rng.choice(CH_CITIES)
        return f"{st}, {pc} {city}", "CH:full"
    if c == "FR":
        t = rng.choice(["rue", "avenue", "boulevard", "place", "impasse", "allée", "chemin",
                        "quai"])
        n = hn(rng, 1, 200) + rng.choice(["", "", "", " bis", " ter"])
        sep = rng.choice([" ", ", "])
        st = f"{n}{sep}{t} {rng.choice(FR_STREETS)}"
        if not full:
            return st, "FR:street"
        pc, city = rng.choice(FR_CITIES)
        return f"{st}, {pc} {city}", "FR:full"
    if c == "BE":
        st = f"{rng.choice(BE_STREETS)} {hn(rng, 1, 200)}"
        if not full:
            return st, "BE:street"
        pc, city = rng.choice(BE_CITIES)
        return f"{st}, {pc} {city}", "BE:full"
    if c == "IT":
        t = rng.choice(["Via", "Viale", "Corso", "Piazza", "Largo", "via", "V.le"])
        st = f"{t} {rng.choice(IT_STREETS)}{rng.choice([' ', ', '])}{hn(rng, 1, 150)}"
        if not full:
            return st, "IT:street"
        pc, city, prov = rng.choice(IT_CITIES)
        return f"{st}, {pc} {city}{' ' + prov if r() < 0.5 else ''}", "IT:full"
    if c == "ES":
        t = rng.choice(["Calle", "C/", "Avenida", "Avda.", "Paseo", "Plaza", "calle"])
        st = f"{t} {rng.choice(ES_STREETS)}{rng.choice([' ', ', '])}{hn(rng, 1, 150)}"
        if r() < 0.3:
            st += rng.choice([", 3º B", ", 2º izq.", ", 1ª", ", piso 4"])
        if not full:
            return st, "ES:street"
        pc, city = rng.choice(ES_CITIES)
        return f"{st}, {pc} {city}", "ES:full"
    if c == "NL":
        base = rng.choice(NL_STREETS)
        if base.endswith("laan"):
            st = f"{base} {hn(rng, 1, 300)}"
        else:
            st = f"{base}{rng.choice(['straat', 'gracht', 'weg', 'plein', 'laan', 'kade'])} " \
                 f"{hn(rng, 1, 300)}{rng.choice(['', '', '-2', 'A', ' hs'])}"
        if not full:
            return st, "NL:street"
        pc = f"{rng.randint(1000, 9999)} {rng.choice(UPPER)}{rng.choice(UPPER)}"
        return f"{st}, {pc} {rng.choice(NL_CITIES)}", "NL:full"
    if c == "PL":
        t = rng.choice(["ul.", "ul.", "al.", "pl.", "ulica"])
        st = f"{t} {rng.choice(PL_STREETS)} {hn(rng, 1, 150)}" \
             f"{rng.choice(['', '', '/' + str(rng.randint(1, 90)), ' m. ' + str(rng.randint(1, 60))])}"
        if not full:
            return st, "PL:street"
        pc, city = rng.choice(PL_CITIES)
        return f"{st}, {pc} {city}", "PL:full"
    if c == "SE":
        base = rng.choice(SE_STREETS)
        st = f"{base if base.endswith('vägen') else base + rng.choice(['gatan', 'vägen'])} " \
             f"{hn(rng, 1, 120)}"
        if not full:
            return st, "SE:street"
        pc, city = rng.choice(SE_CITIES)
        return f"{st}, {pc} {city}", "SE:full"
    if c == "PT":
        st = f"Rua {rng.choice(PT_STREETS)} {hn(rng, 1, 300)}"
        if not full:
            return st, "PT:street"
        pc, city = rng.choice(PT_CITIES)
        return f"{st}, {pc} {city}", "PT:full"
    if c == "BR":
        t = rng.choice(["Rua", "Av.", "Avenida", "Alameda"])
        st = f"{t} {rng.choice(BR_STREETS)}, {hn(rng, 1, 3000)}"
        if r() < 0.3:
            st += f", Apto {rng.randint(11, 250)}"
        if not full:
            return st, "BR:street"
        city, uf, cep = rng.choice(BR_CITIES)
        return f"{st}, {city} - {uf}, {cep}", "BR:full"
    if c == "MX":
        st = f"Av. {rng.choice(MX_STREETS)} {hn(rng, 1, 3000)}"
        if not full:
            return st, "MX:street"
        return f"{st}, Col. Centro, {rng.randint(10000, 99999)} Ciudad de México", "MX:full"
    # India: building / road / area / city PIN
    area, city, pin = rng.choice(IN_AREAS)
    road = rng.choice(IN_ROADS)
    kind = rng.random()
    if kind < 0.4:
        st = f"Flat {rng.randint(101, 1204)}, {rng.choice(IN_BUILDINGS)}, {road}"
    elif kind < 0.7:
        st = f"{rng.choice(['House No.', 'H.No.', '#'])} {rng.randint(1, 999)}, {road}"
    else:
        st = f"{rng.randint(1, 300)}, {road}"
    if not full:
        return f"{st}, {area}", "IN:street"
    return f"{st}, {area}, {city}{rng.choice([' ', ' - ', ', '])}{pin}", "IN:full"


# ---------------------------------------------------------------- dates of birth

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def ordinal(d):
    return f"{d}{'th' if 11 <= d % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"


def dob(rng):
    y = rng.randint(1938, 2007)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28 if m == 2 else 30)
    M, Mb = MONTHS[m - 1], MONTHS[m - 1][:3]
    forms = [
        (f"{d:02d}/{m:02d}/{y}", "dmy_slash"), (f"{m:02d}/{d:02d}/{y}", "mdy_slash"),
        (f"{d}/{m}/{y}", "dmy_slash_short"), (f"{d:02d}.{m:02d}.{y}", "dmy_dot"),
        (f"{d}.{m}.{y % 100:02d}", "dmy_dot_yy"), (f"{y}-{m:02d}-{d:02d}", "iso"),
        (f"{d:02d}-{m:02d}-{y}", "dmy_dash"), (f"{y}/{m:02d}/{d:02d}", "ymd_slash"),
        (f"{m}/{d}/{y % 100:02d}", "mdy_yy"), (f"{d} {M} {y}", "d_month_y"),
        (f"{M} {d}, {y}", "month_d_y"), (f"{Mb} {d} {y}", "mon_d_y"),
        (f"{ordinal(d)} of {M} {y}", "ord_of_month"), (f"{M} {ordinal(d)}, {y}", "month_ord"),
        (f"{d}-{Mb}-{y}", "d_mon_y_dash"), (f"{d} {Mb}. {y}", "d_mon_dot_y"),
        (f"{d} {M.lower()} {y}", "d_month_lower"), (f"{Mb.upper()} {d:02d} {y}", "MON_upper"),
        (f"the {ordinal(d)} of {M}, {y}", "the_ord_of"), (f"{d:02d} {Mb} {y}", "dd_mon_y"),
    ]
    return rng.choice(forms)


# ---------------------------------------------------------------- order / account numbers

def order(rng):
    D = lambda k: "".join(str(rng.randint(0, 9)) for _ in range(k))  # noqa: E731
    A = lambda k: "".join(rng.choice(UPPER) for _ in range(k))  # noqa: E731
    X = lambda k: "".join(rng.choice(UPPER + "0123456789") for _ in range(k))  # noqa: E731
    forms = [
        (f"#{D(rng.randint(5, 9))}", "hash_digits"),
        (f"{D(3)}-{D(7)}-{D(7)}", "amazon"),
        (f"ORD-{D(rng.randint(5, 8))}", "ord_dash"),
        (f"PO-{rng.randint(2019, 2026)}-{D(5)}", "po_year"),
        (f"{A(2)}{D(6)}", "aa999999"),
        (f"{A(2)}-{D(3)}-{D(3)}", "aa_999_999"),
        (f"INV/{rng.randint(2019, 2026)}/{D(5)}", "inv_slash"),
        (f"W{D(10)}", "w_digits"),
        (f"1Z{X(6)}{D(10)}", "ups"),
        (A(1) + X(5), "pnr6"),
        (f"R-{D(5)}-{A(1)}", "r_dash"),
        (f"CS-{D(6)}", "case"),
        (D(rng.randint(8, 12)), "digits_long"),
        (D(rng.randint(5, 6)), "digits_short"),
        (f"{X(4)}-{X(4)}-{X(4)}", "x4x4x4"),
        (f"{A(3)}{D(7)}", "aaa9999999"),
        (f"{D(4)} {D(4)} {D(2)}", "spaced_digits"),
        (f"{A(2)}{D(9)}{A(2)}", "postal_tracking"),
    ]
    v, f = rng.choice(forms)
    if rng.random() < 0.08 and any(ch.isalpha() for ch in v):
        v = v.lower()
        f += "_lower"
    return v, f


ORDER_CUES = {
    # form -> the cue phrases that fit it (the id follows the cue)
    "any": ["order number", "order no.", "order #", "my order", "order id", "order ref",
            "reference number", "ref.", "invoice", "invoice number", "purchase",
            "confirmation number", "confirmation code", "booking reference", "booking ref",
            "case number", "case id", "ticket", "ticket number", "claim number",
            "customer number", "customer id", "account number", "account no.",
            "membership number", "member id", "tracking number", "tracking code",
            "shipment", "parcel", "return authorisation", "RMA", "subscription id",
            "contract number", "policy number", "loyalty card number"],
}


# ---------------------------------------------------------------- sentence templates

T = {
    "PERSON": [
        "my name's {X}", "I am {X}", "this is {X} from accounts", "it's {X} again",
        "{X} here", "signed, {X}", "cheers, {X}", "kind regards\n{X}", "best,\n{X}",
        "- {X}", "thanks, {X}", "the account is under {X}", "booked under the name {X}",
        "it's registered to {X}", "the parcel was addressed to {X}",
        "name on the card: {X}", "cardholder: {X}", "please ask for {X}",
        "can I speak to {X}?", "my wife {X} made the booking", "my son {X} has the card",
        "I'm writing on behalf of {X}", "{X} told me to contact you",
        "forward this to {X} please", "I spoke with {X} yesterday", "contact: {X}",
        "the agent, {X}, said it was fine", "Name: {X}", "full name {X}",
        "I'm {X} and I need help", "hi, {X} speaking", "the guy on the phone ({X}) hung up",
        "put it in the name of {X}", "from: {X}", "sent by {X}", "my colleague {X} will call",
        "the reservation is for {X}", "I'm calling for my mother, {X}",
    ],
    "EMAIL_ADDRESS": [
        "write to me at {X}", "my e-mail is {X}", "email {X}", "mail: {X}", "e-mail: {X}",
        "send the invoice to {X}", "cc {X} on the reply", "reach me via {X}",
        "update my contact email to {X}", "I never got anything at {X}",
        "the login is {X}", "username {X}", "it went to {X} instead",
        "({X})", "reply to {X} not this address", "you can use {X}",
    ],
    "PHONE_NUMBER": [
        "call me on {X}", "my number is {X}", "phone {X}", "tel: {X}", "tel. {X}",
        "mobile: {X}", "cell {X}", "you can ring me at {X}", "text {X} when it ships",
        "whatsapp me on {X}", "reach me at {X} after 6", "my new number is {X}",
        "I tried calling from {X}", "contact number {X}", "ph: {X}", "phone no. {X}",
        "call back on {X} please", "landline {X}", "mob {X}", "or {X}",
        "my daytime number: {X}", "give me a call, {X}",
    ],
    "CREDIT_CARD": [
        "my card is {X}", "card number {X}", "the card ending up being {X}",
        "I paid with {X}", "charge it to {X}", "visa {X}", "cc: {X}", "cc# {X}",
        "card no {X}", "please cancel {X}", "the debit card {X} was declined",
        "my mastercard {X} got swallowed", "number on the card: {X}", "credit card {X}",
        "use {X} for the payment", "PAN {X}", "I lost {X}",
    ],
    "IBAN_CODE": [
        "pay it into {X}", "my iban is {X}", "IBAN {X}", "account: {X}",
        "bank account {X}", "refund to {X} please", "transfer it to {X}",
        "the money should go to {X}", "sent from {X}", "iban: {X}", "my new account {X}",
        "direct debit from {X}", "use {X} for the refund",
    ],
    "IP_ADDRESS": [
        "my ip is {X}", "IP address {X}", "logged in from {X}", "the router is at {X}",
        "server {X} is down", "ping {X}", "access from {X} was blocked",
        "connection refused from {X}", "someone at {X} tried my password",
        "ip: {X}", "whitelist {X} please", "my vpn shows {X}",
    ],
    "URL": [
        "see {X}", "the link {X} is broken", "go to {X}", "I found it on {X}",
        "check {X}", "is {X} a scam?", "I got a text with {X}", "open {X}",
        "the page {X} won't load", "link: {X}", "ordered via {X}", "({X})",
        "following {X} gives an error", "{X} says my order doesn't exist",
    ],
    "STREET_ADDRESS": [
        "ship to {X}", "my address is {X}", "deliver it to {X}", "I moved to {X}",
        "address: {X}", "send it to {X} please", "we live at {X}", "new address {X}",
        "the parcel went to {X} instead", "billing address: {X}", "I'm at {X}",
        "collection from {X}", "address {X}", "delivery address {X}",
        "my old address was {X}", "they left it at {X}", "postal address: {X}",
        "can you change it to {X}?", "home: {X}",
    ],
    "DATE_OF_BIRTH": [
        "born {X}", "I was born on {X}", "date of birth {X}", "DOB {X}", "dob: {X}",
        "d.o.b. {X}", "my birthday is {X}", "birthdate: {X}", "birth date {X}",
        "born on {X}", "my date of birth is {X}", "DoB - {X}", "b. {X}",
        "my birthday: {X}", "he was born {X}", "date of birth: {X}",
    ],
    "ORDER_NUMBER": ["{C} {X}", "{C}: {X}", "{C} is {X}", "my {C} is {X}",
                     "about {C} {X}", "regarding {C} {X}", "{C} {X} never arrived",
                     "where is {C} {X}?", "the {C} was {X}", "re {C} {X}"],
}

# Hard negatives: text that looks like PII but is not. `{d}` etc. are filled with numbers.
NEGATIVES = [
    "I was charged ${a} twice", "the total came to €{a}", "it costs £{b}",
    "I paid {a} EUR on {rd}", "refund of ${a} still pending", "I sent {b} dollars yesterday",
    "the bill is {b}.{c2} euros", "it was {pct}% off", "my balance shows -{b}.{c2}",
    "the meeting is on {rd}", "I ordered it on {rd}", "delivery was due {rd}",
    "it arrived on {rdw}", "since {rdw} nothing happened", "my subscription renews {rd}",
    "wake me at {t}", "set an alarm for {t}", "the store closes at {t}",
    "the flight leaves at {t24}", "call me back in {n2} minutes", "I waited {n2} days",
    "order {n1} pizzas", "I want to order {n1} large coffees", "order {n1} more boxes",
    "add {n1} items to my cart", "I have {n2} unread messages", "room {n3}",
    "gate {gate}", "flight {flight}", "seat {seat}", "the model is {model}",
    "I have the {model}", "my {device} keeps crashing", "version {ver} broke it",
    "update to {ver}", "size {n2} please", "it weighs {n2} kg", "set the heat to {n2} degrees",
    "my pin has {n1} digits", "in {year} I had another card", "the {ordn} time this happens",
    "it took {n2} hours", "top floor, {n2} steps", "table for {n1} at {t}",
    "{n1} adults and {n1} kids", "error code {err}", "chapter {n2}", "the {year} model",
    "page {n3} of the manual", "the last {n1} digits are wrong", "sku {sku}",
    "tracking shows {n1} attempts", "it's {n2} miles away", "{n3} reviews",
    "reference my last {n1} messages", "my account has {n2} transactions this month",
    "I've been a customer since {od}", "the account was opened on {od}",
    "my old card expired {exp}", "expiry {exp}", "valid thru {exp}",
]
DEVICES = ["iPhone 15 Pro", "Galaxy S23", "Pixel 8", "PS5", "Xbox Series X", "Windows 11 laptop",
           "Kindle Paperwhite", "MacBook Air M2", "Fire TV Stick 4K"]
MODELS = ["WH-1000XM4", "RTX 4070", "Model 3", "A4", "XPS 13", "EOS R6", "QLED Q80T",
          "Series 7", "GT-5000", "Mk II", "KX-TG6821"]


def negative(rng):
    s = rng.choice(NEGATIVES)
    year = rng.randint(2021, 2026)
    rdate = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    rd = rng.choice([rdate.strftime("%d/%m/%Y"), rdate.strftime("%m/%d/%Y"),
                     rdate.isoformat(), f"{MONTHS[rdate.month - 1]} {rdate.day}",
                     f"{rdate.day} {MONTHS[rdate.month - 1]}", rdate.strftime("%d.%m.%Y"),
                     f"{ordinal(rdate.day)} of {MONTHS[rdate.month - 1]}"])
    rdw = rng.choice([f"{MONTHS[rdate.month - 1]} {ordinal(rdate.day)}", "last Tuesday",
                      f"{rdate.day}/{rdate.month}", "Monday", f"the {ordinal(rdate.day)}"])
    vals = dict(
        a=f"{rng.randint(1, 2999):,}.{rng.randint(0, 99):02d}", b=str(rng.randint(2, 5000)),
        c2=f"{rng.randint(0, 99):02d}", pct=str(rng.randint(5, 70)), rd=rd, rdw=rdw,
        t=rng.choice([f"{rng.randint(1, 12)}:{rng.choice(['00', '15', '30', '45'])} "
                      f"{rng.choice(['am', 'pm', 'AM', 'PM'])}", f"{rng.randint(1, 12)}pm",
                      f"{rng.randint(1, 12)} o'clock", "noon"]),
        t24=f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}", n1=str(rng.randint(2, 9)),
        n2=str(rng.randint(10, 99)), n3=str(rng.randint(100, 999)),
        gate=f"{rng.choice('ABCDE')}{rng.randint(1, 40)}",
        flight=f"{rng.choice(['BA', 'LH', 'AF', 'KL', 'FR', 'U2', 'DL', 'UA'])}{rng.randint(10, 9999)}",
        seat=f"{rng.randint(1, 40)}{rng.choice('ABCDEF')}", model=rng.choice(MODELS),
        device=rng.choice(DEVICES), ver=f"{rng.randint(1, 17)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
        year=str(rng.randint(1995, 2026)), ordn=rng.choice(["3rd", "4th", "5th", "10th"]),
        err=rng.choice([f"E{rng.randint(10, 999)}", f"0x{rng.randint(0, 0xffff):04X}",
                        f"{rng.randint(400, 504)}"]),
        sku=f"{rng.randint(100, 999)}-{rng.randint(10, 99)}",
        od=rng.choice([f"{rng.randint(1, 28)} {MONTHS[rng.randint(0, 11)]} {rng.randint(1998, 2010)}",
                       f"{rng.randint(1, 12):02d}/{rng.randint(1998, 2010)}",
                       f"{rng.randint(1998, 2010)}"]),
        exp=rng.choice([f"{rng.randint(1, 12):02d}/{rng.randint(24, 31)}",
                        f"{rng.randint(1, 12):02d}/20{rng.randint(24, 31)}"]),
    )
    return s.format(**vals)


# ---------------------------------------------------------------- carriers

def load_carriers(data):
    out = []
    with open(os.path.join(data, "clinc150", "data_full.json"), encoding="utf-8") as fh:
        cl = json.load(fh)
    for split in sorted(cl):
        for text, intent in cl[split]:
            # these intents name the user or the people they message and call
            if intent in ("change_user_name", "text", "make_call", "share_location"):
                continue
            out.append(("clinc150", intent, text))
    for f in ("train.csv", "test.csv"):
        with open(os.path.join(data, "hwu64", f), encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                ann = row.get("answer_annotation", "")
                if "[person" in ann or "[artist_name" in ann:
                    continue
                out.append(("hwu64", row["intent"], row["text"]))
    for f in ("train.jsonl", "test.jsonl"):
        with open(os.path.join(data, "snips", f), encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if any(e["type"] in ("artist",) for e in d.get("entities", [])):
                    continue
                out.append(("snips", d["intent"], d["text"]))
    for f in sorted(os.listdir(os.path.join(data, "bitext_cs"))):
        if not (f.startswith("Bitext_") and f.endswith(".csv")):
            continue
        with open(os.path.join(data, "bitext_cs", f), encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["entity_type"] in ("order_id", "person_name", "invoice_id"):
                    continue
                if "{{" in row["utterance"]:
                    continue
                out.append(("bitext_cs", row["intent"], row["utterance"]))
    # dedupe, keep a stable order
    seen, uniq = set(), []
    for c in out:
        t = c[2].strip()
        if t and t not in seen and "\n" not in t:
            seen.add(t)
            uniq.append((c[0], c[1], t))
    return uniq


# ---------------------------------------------------------------- assembly

GEN = {"PERSON": person, "EMAIL_ADDRESS": email, "PHONE_NUMBER": phone, "CREDIT_CARD": card,
       "IBAN_CODE": iban, "IP_ADDRESS": ip, "URL": url, "STREET_ADDRESS": address,
       "DATE_OF_BIRTH": dob, "ORDER_NUMBER": order}
TYPES = list(GEN)

# Lists with keys (a form, a signature), and multi-value sentences.
KV_KEYS = {"PERSON": ["Name", "name", "Full name", "Customer"],
           "EMAIL_ADDRESS": ["Email", "E-mail", "email"],
           "PHONE_NUMBER": ["Phone", "Tel", "Mobile", "phone"],
           "CREDIT_CARD": ["Card", "Card number", "card"],
           "IBAN_CODE": ["IBAN", "Account", "iban"],
           "IP_ADDRESS": ["IP", "ip"],
           "URL": ["Link", "Website", "url"],
           "STREET_ADDRESS": ["Address", "address", "Delivery address"],
           "DATE_OF_BIRTH": ["DOB", "Date of birth", "dob", "Birth date"],
           "ORDER_NUMBER": ["Order", "Order no.", "Ref", "Booking", "order"]}


class Msg:
    """Text built piece by piece, so entity offsets are exact in code points."""

    def __init__(self):
        self.parts, self.ents, self.len = [], [], 0

    def add(self, s):
        self.parts.append(s)
        self.len += len(s)

    def ent(self, typ, value, fmt):
        self.ents.append({"start": self.len, "end": self.len + len(value), "type": typ,
                          "value": value, "format": fmt})
        self.add(value)

    def text(self):
        return "".join(self.parts)


def render(rng, msg, template, typ, lower):
    """Append `template` with {X} replaced by a fresh value of `typ` (and {C} by a cue)."""
    v, f = GEN[typ](rng)
    pre_title = ""
    if typ == "PERSON" and "|" in v:
        pre_title, v = v.split("|", 1)
        pre_title += " "
    if typ == "ORDER_NUMBER":
        template = template.replace("{C}", rng.choice(ORDER_CUES["any"]))
    before, after = template.split("{X}", 1)
    if lower:
        before, after = before.lower(), after.lower()
        v = v.lower()
        pre_title = pre_title.lower()
        f += ":lc"
    msg.add(before + pre_title)
    msg.ent(typ, v, f)
    msg.add(after)


def cap(s):
    return s[:1].upper() + s[1:] if s else s


def build(rng, carriers, idx):
    src, intent, carrier = rng.choice(carriers)
    m = Msg()
    lower_all = rng.random() < 0.15
    if lower_all:
        carrier = carrier.lower()
    r = rng.random()
    n_pii = 0 if r < 0.14 else 1 if r < 0.55 else 2 if r < 0.85 else 3
    n_neg = rng.choice([0, 0, 1, 1, 2]) if n_pii < 3 else rng.choice([0, 1])
    types = [rng.choice(TYPES) for _ in range(n_pii)]
    pieces = [("pii", t) for t in types] + [("neg", None)] * n_neg
    rng.shuffle(pieces)
    shape = rng.random()
    greeting = rng.choice(["", "", "", "hi, ", "Hello! ", "hey ", "Good evening. ", "Dear team, "])
    if lower_all:
        greeting = greeting.lower()
    m.add(greeting)
    if shape < 0.12 and n_pii >= 2:
        # a "key: value" list after the carrier
        m.add(carrier.rstrip() + rng.choice([". ", "\n", " - ", "; "]))
        sep = rng.choice([", ", "; ", "\n", " | "])
        first = True
        for kind, t in pieces:
            if kind != "pii":
                continue
            if not first:
                m.add(sep)
            first = False
            key = rng.choice(KV_KEYS[t])
            render(rng, m, key + rng.choice([": ", ": ", " - ", " "]) + "{X}", t, lower_all)
        return finish(m, idx, src, intent)
    # sentences around the carrier; the carrier may also be split in the middle
    sentences = []
    for kind, t in pieces:
        if kind == "pii":
            sentences.append(("pii", t, rng.choice(T[t])))
        else:
            sentences.append(("neg", None, negative(rng)))
    pos = rng.randint(0, len(sentences))
    sentences.insert(pos, ("carrier", None, carrier))
    for i, (kind, t, s) in enumerate(sentences):
        if i:
            m.add(rng.choice([". ", ". ", " ", ", ", "! ", " - ", "\n", " and ", "; "]))
        if kind == "carrier":
            m.add(s)
        elif kind == "neg":
            m.add(s.lower() if lower_all else (cap(s) if i == 0 or rng.random() < 0.5 else s))
        else:
            lower = lower_all or rng.random() < 0.08
            tmpl = cap(s) if (i == 0 or rng.random() < 0.4) and not lower else s
            render(rng, m, tmpl, t, lower)
    if rng.random() < 0.4:
        m.add(rng.choice([".", "?", "!", " thanks", " pls", ""]))
    return finish(m, idx, src, intent)


def finish(m, idx, src, intent):
    return {"id": f"ho-{idx:05d}", "text": m.text(), "entities": m.ents,
            "carrier": {"source": src, "intent": intent}}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=7001)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--out", default="pii_heldout.jsonl")
    a = ap.parse_args()
    if not os.path.isdir(a.data):
        print(f"carrier data not found: {a.data}", file=sys.stderr)
        return 2
    carriers = load_carriers(a.data)
    rng = random.Random(a.seed)
    rows = [build(rng, carriers, i + 1) for i in range(a.n)]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    with open(a.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(body)
    counts = {}
    for r in rows:
        for e in r["entities"]:
            counts[e["type"]] = counts.get(e["type"], 0) + 1
    meta = {"n": a.n, "seed": a.seed, "generator_version": GEN_VERSION,
            "carriers": sorted({c[0] for c in carriers}), "carrier_pool": len(carriers),
            "entity_counts": {t: counts.get(t, 0) for t in TYPES},
            "total_entities": sum(counts.values()),
            "clean_messages": sum(1 for r in rows if not r["entities"]),
            "text_bytes_utf8": sum(len(r["text"].encode()) for r in rows),
            "sha256": hashlib.sha256(body.encode()).hexdigest()}
    with open(a.out + ".meta.json", "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=2)
        fh.write("\n")
    print(json.dumps(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
