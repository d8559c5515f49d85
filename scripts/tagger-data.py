#!/usr/bin/env python3
"""Training text for the redactor's person-name tagger (Python 3.11, standard library only).

  python3 scripts/tagger-data.py [--seed 1] [--n 60000] [--shared ../shared]
                                 [--out target/tagger-train.jsonl]

Writes JSONL {"text", "names": [[start, end], ...]} (code points, end exclusive), which
`cargo run --release -p labelvault-core --example train_tagger` reads.

What it holds:

* the development PII set (`<shared>/pii/pii_eval.jsonl`): its PERSON spans;
* Banking77's training messages (`<shared>/data/banking77/train.csv`) as they are: real
  customer text with capitalised words that are not names ("Apple Pay", "Visa", "UK");
* generated messages: a name (from the gazetteers in crates/core/src/redact/gazetteer/,
  or invented from syllables, so the tagger cannot rely on lists alone) in sentences
  where no cue phrase introduces it, in signature lines, lists, chat turns and short
  descriptions, spliced into Banking77 messages; and the same sentence frames filled
  with companies, places, products, days and months (labelled as no name), so context
  alone is never enough.

The held-out sets (`scripts/pii-heldout.py`, `scripts/pii-heldout2.py`) are never read
here. Deterministic for a seed.
"""
import argparse
import csv
import pickle
import json
import os
import random

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
GAZ = os.path.join(ROOT, "crates", "core", "src", "redact", "gazetteer")

ORGS = (
    "Acme Corp|Globex|Initech|Umbrella Ltd|Stark Industries|Wayne Enterprises|Hooli|Vandelay "
    "Industries|Barclays|Revolut|PayPal|Monzo|Santander|Western Union|Amazon|Netflix|Spotify|"
    "Uber|Deliveroo|Airbnb|Booking.com|Google|Microsoft|Apple|Samsung|Tesco|Lidl|Aldi|IKEA|"
    "Zalando|Vodafone|Orange|Deutsche Bank|BNP Paribas|ING|Rabobank|Nordea|Danske Bank|"
    "Northwind Traders|Contoso|Fabrikam|Tailspin Toys|Blue Yonder Airlines|Coho Winery|"
    "Lufthansa|Ryanair|EasyJet|Marriott|Hilton|Starbucks|McDonald's|Burger King|Shell|BP|"
    "Allianz|AXA|Generali|Zurich Insurance|Siemens|Bosch|Philips|Nokia|Ericsson|Spar|"
    "Carrefour|Mercadona|El Corte Inglés|Harrods|John Lewis|Marks & Spencer|Argos|Currys|"
    "Sainsbury's|Waitrose|Boots|Primark|Decathlon|Fnac|MediaMarkt|Otto|Bol.com|Allegro"
).split("|")
ORG_SUFFIX = ["Ltd", "Inc", "GmbH", "LLC", "S.A.", "B.V.", "Group", "Bank", "Holdings",
              "Solutions", "Logistics", "Services", "Partners", "& Co", "AG", "plc", "Corp"]
PLACES = (
    "London|Paris|Berlin|Madrid|Rome|Lisbon|Dublin|Amsterdam|Brussels|Vienna|Prague|Warsaw|"
    "Budapest|Athens|Stockholm|Oslo|Helsinki|Copenhagen|Tallinn|Riga|Vilnius|New York|"
    "San Francisco|Los Angeles|Chicago|Boston|Toronto|Vancouver|Sydney|Melbourne|Auckland|"
    "Mumbai|Delhi|Singapore|Tokyo|Seoul|Dubai|Cairo|Lagos|Nairobi|Johannesburg|Mexico City|"
    "Buenos Aires|São Paulo|Lima|Bogotá|Spain|France|Germany|Italy|Portugal|Ireland|Poland|"
    "Greece|Sweden|Norway|Finland|Denmark|Estonia|Latvia|Lithuania|Canada|Australia|India|"
    "Japan|Brazil|Mexico|Kenya|Nigeria|Egypt|Turkey|Croatia|Thailand|Vietnam|Manchester|"
    "Leeds|Glasgow|Edinburgh|Cardiff|Bristol|Munich|Hamburg|Cologne|Lyon|Marseille|Milan|"
    "Naples|Seville|Valencia|Porto|Rotterdam|Utrecht|Antwerp|Geneva|Zurich|Kraków|Gdańsk|"
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|"
    "Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
    "Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
    "New Hampshire|New Jersey|New Mexico|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|"
    "Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|"
    "Virginia|Washington D.C.|West Virginia|Wisconsin|Wyoming|Quebec|Ontario|Bavaria|Tuscany|"
    "Andalusia|Provence|Scotland|Wales|Cornwall|Yorkshire|Brittany|Normandy|Catalonia"
).split("|")
THINGS = (
    "Apple Pay|Google Pay|Visa|Mastercard|American Express|iPhone|Galaxy S21|Pixel|PlayStation|"
    "Xbox|Kindle|MacBook|Windows|Android|Chrome|Safari|Customer Service|Help Center|Premium|"
    "Gold Card|Platinum|Black Friday|Cyber Monday|Christmas|Easter|Ramadan|Diwali|Monday|"
    "Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|"
    "July|August|September|October|November|December|ATM|PIN|IBAN|SEPA|SWIFT|USD|EUR|GBP|"
    "Terms and Conditions|Privacy Policy|Card Services|Fraud Team|Support|Billing|Returns|"
    "Express Delivery|Standard Shipping|Face ID|Touch ID|Bluetooth|Wi-Fi|Prime|Plus|Pro Max|"
    "Tour de France|World Cup|Champions League|Super Bowl|Coldplay|Metallica|Radiohead|"
    "The Beatles|Queen|Nirvana|Abba|Harry Potter|Star Wars|Netflix Premium"
).split("|")
TITLES = ["Mr", "Mrs", "Ms", "Dr", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Sir", "Madam"]
JOBS = ["Account Manager", "Customer Success Lead", "Head of Finance", "Support Engineer",
        "Office Manager", "Sales Director", "Senior Analyst", "Operations Coordinator",
        "Chief Executive Officer", "Procurement Officer", "HR Business Partner"]
PARTICLES = ["van", "van der", "van den", "de", "de la", "del", "da", "dos", "von", "di",
             "le", "la", "ter", "al", "bin", "ibn"]

# syllables for invented names: onset + vowel (+ coda), several flavours
FLAVOURS = [
    ("b br d dr g gr k kr l m n p pr r s st t tr v z zh", "a e i o u", "n r l s k", ["a", "o", "", "en", "ov", "ski", "ic"]),
    ("b c d f g l m n p r s t v", "a e i o u ia io", "n l r s", ["a", "o", "i", "ini", "ez", "ello", "ana"]),
    ("h k l m n r s t th v w", "a e i o u ai ei", "n r s th", ["son", "sen", "a", "i", "berg", "dottir", "stad"]),
    ("ch j k m n s sh t y", "a e i o u", "n", ["ko", "ka", "ta", "ro", "shi", "mi", "yama"]),
    ("b d f g h j k l m n s t w y", "a e i o u", "n m", ["a", "i", "u", "we", "ola", "emi", "ike"]),
    ("a b d f h j k m n r s t z", "a i u a ee", "d l m r", ["a", "i", "ah", "een", "ani", "oud"]),
    ("b d g k l m n p r s t v z", "a e i o u y", "n r s", ["escu", "eanu", "idis", "opoulos", "aki", "oglu"]),
    # letters with diacritics and other scripts, so a name is not recognised by being ASCII
    ("b č d g j k l m n p r s š t v z ž", "a e i o u á é í ó ú ě", "n r l š", ["ová", "ský", "ek", "ič", "ák", "a"]),
    ("b d g h k l m n p s t v z", "a e i o u ö ü ő ű á é", "n r l sz", ["né", "i", "ás", "ó", "ffy", "os"]),
    ("b d g j k l m n p r s t v", "a e i o u ā ē ī ū", "n r s š", ["s", "is", "e", "ai", "ūte", "iņš"]),
    ("b d f g h k l m n r s t v", "a e i o u å ø æ ä ö", "n r l", ["sen", "rud", "dal", "by", "stad", "lund"]),
    ("b d g k l m n p r s t v z ш ч", "а е и о у", "н р л в", ["ов", "ова", "ин", "ина", "енко", "ский"]),
    ("β γ δ κ λ μ ν π ρ σ τ", "α ε ι ο υ η ω", "ν ρ ς", ["ος", "ου", "ης", "ίδης", "άκης", "α"]),
    ("b c d g h l m n ng ph t th tr v x", "a e i o u ă â ê ô ơ ư", "n ng nh", ["", "", "h"]),
    ("b c ç d g h k l m n r s ş t y", "a e ı i o ö u ü", "n r l k", ["oğlu", "an", "er", "ay", "ın", "can"]),
]


def invented(rng):
    onsets, vowels, codas, ends = rng.choice(FLAVOURS)
    onsets, vowels, codas = onsets.split(), vowels.split(), codas.split()
    s = ""
    for _ in range(rng.choice([1, 2, 2, 3])):
        s += rng.choice(onsets) + rng.choice(vowels)
        if rng.random() < 0.3:
            s += rng.choice(codas)
    s += rng.choice(ends)
    return s.capitalize()


def load_gaz():
    out = {}
    for kind, fname in (("given", "given.txt"), ("surname", "surnames.txt")):
        words = {1: [], 2: [], 3: []}
        with open(os.path.join(GAZ, fname), encoding="utf-8") as f:
            for line in f:
                w, t = line.split()
                words[int(t)].append(w)
        out[kind] = words
    return out


def cap(w):
    return "-".join(p[:1].upper() + p[1:] for p in w.split("-"))


def pick(rng, gaz, kind):
    r = rng.random()
    if r < 0.30:
        return invented(rng)
    tier = 1 if r < 0.55 else 2 if r < 0.85 else 3
    words = gaz[kind][tier] or gaz[kind][2]
    w = rng.choice(words)
    if "'" in w and rng.random() < 0.5:
        w = w.replace("'", "")
    return cap(w)


def person(rng, gaz):
    """A name as written, and whether it is a full name."""
    g, s = pick(rng, gaz, "given"), pick(rng, gaz, "surname")
    r = rng.random()
    if r < 0.40:
        v = f"{g} {s}"
    elif r < 0.50:
        v = f"{g} {chr(rng.randrange(65, 91))}. {s}"
    elif r < 0.58:
        v = f"{g} {rng.choice(PARTICLES)} {cap(s.lower())}"
    elif r < 0.64:
        v = f"{g} {s}-{pick(rng, gaz, 'surname')}"
    elif r < 0.70:
        v = f"{g} {pick(rng, gaz, 'given')} {s}"
    elif r < 0.85:
        v = g
    elif r < 0.93:
        v = s
    else:
        v = f"{chr(rng.randrange(65, 91))}. {s}"
    if rng.random() < 0.04:
        v = v.upper()
    if rng.random() < 0.1 and " " in v:
        v = "O'" + v if rng.random() < 0.2 else v
    return v


def org(rng):
    if rng.random() < 0.1:
        return rng.choice(BRANDS)
    if rng.random() < 0.35:
        return f"{invented(rng)} {rng.choice(ORG_SUFFIX)}"
    return rng.choice(ORGS)


def non_name(rng):
    r = rng.random()
    if r < 0.4:
        return org(rng)
    if r < 0.7:
        return rng.choice(PLACES)
    return rng.choice(THINGS)


# {P} a person (labelled), {X} a person in name frames, or a non-name in negative copies
FRAMES = [
    "{X} is from {O}.", "{X} from {O} told me to write to you.", "{X} said my card was blocked.",
    "I went to a {X} concert last week and paid twice.", "I bought tickets for {X} but the payment failed.",
    "What's your last name? {X}", "And your first name? {X}", "Surname please? {X}",
    "{X} and I share this account.", "Can {X} use my card while I'm away?", "{X} will pick up the parcel.",
    "Is {X} allowed to see my statements?", "Please tell {X} that the refund arrived.",
    "I gave my old card to {X} by mistake.", "cc {X}", "The money from {X} never arrived.",
    "My payment to {X} failed twice.", "{X} here again, still waiting for the refund.",
    "{X}'s card was charged instead of mine.", "I think {X} changed the PIN.",
    "Yesterday {X} called me about a transfer I never made.", "{X} works at {O} and uses my account.",
    "Last Friday {X} sent me 40 euros.", "According to {X} the limit is 500.",
    "Could you ask {X} to call me back?", "We met {X} at the branch in {L}.",
    "Both {X} and {Y} have cards on this account.", "{X}, {Y} and I want a joint account.",
    "Spoke with {X} yesterday, no help at all.", "Your colleague {X} promised a callback.",
    "{X} was really helpful, thanks.", "Tell {X} I said hi.", "{X}? Yes, that's my daughter.",
    "The card belongs to {X}.", "It was {X} who ordered it, not me.", "Sent by {X} via {O}.",
    "{X} lives in {L} now and can't access the app.", "{X} moved to {L} in 2019.",
    "Reference: transfer to {X}", "{X} - {O}", "{X} | {O}", "{X}\n{J}\n{O}",
    "Best,\n{X}", "Regards\n{X}\n{O}", "--\n{X}\n{J}", "Thanks!\n\n{X}",
    "{X} (mobile) called twice", "From: {X}\nTo: support", "Name: {X}", "Account holder: {X}",
    "Hi, {X} again.", "{X}, {L}", "Hello {X}, I still have a problem.",
    # short biographies
    "{X} was born in {L} and studied in {L}.", "{X} lives in {L} with two cats.",
    "{X} moved to {L} in 2019 and works for {O}.", "In 2016 {X} joined {O} as {J}.",
    "{X}, {J} at {O}, was born on 3/4/1970.", "{X} speaks three languages.",
    "{X} and {Y} founded {O} in 2012.", "{X}'s daughter studies in {L}.",
    "Before that, {X} worked at {O}.", "{X} (born 1961) is a {J} based in {L}.",
    "After university {X} spent ten years at {O}.", "{X} collects stamps and old maps.",
    "{X} wurde in {L} geboren.", "{X} est né à {L}.", "{X} nació en {L}.", "{X} è nato a {L}.",
    "{X} urodził się w {L}.", "{X} woont in {L}.", "{X} bor i {L}.", "{X} asuu {L}.",
    # chat lines
    "[09:17] {X}: is the parcel still coming?", "[14:02] Agent: {X} will call you back.",
    "Customer: it's for {X}, my sister", "Agent: Thanks {X}, one moment.",
    # a name as the subject of everyday verbs, in several languages
    "{X} will call you tomorrow morning.", "{X} can be reached on the office line.",
    "{X} is on holiday this week, ask me instead.", "{X} needs to sign the form first.",
    "{X} just told me the card is blocked.", "{X} handles the refunds now.",
    "{X} wrote to you last week about this.", "{X} is in copy.", "{X} knows the details.",
    "{X} vous enverra le contrat.", "{X} a déjà payé la facture.", "{X} s'occupe de votre dossier.",
    "{X} enviará la factura mañana.", "{X} ya pagó la factura.", "{X} revisa su pedido.",
    "{X} schickt Ihnen den Vertrag.", "{X} hat die Rechnung schon bezahlt.", "{X} ist diese Woche im Urlaub.",
    "{X} le invierà il contratto.", "{X} ha già pagato.", "{X} stuurt u de factuur.", "{X} heeft al betaald.",
    "{X} skickar fakturan.", "{X} lähettää laskun.", "{X} wyśle fakturę.", "{X} pošle fakturu.",
    # possessives and lists of names
    "The parcel is in {X}'s name.", "I paid with {X}'s card by mistake.", "{X}'s phone number changed.",
    "It's {X}'s birthday next week.", "Please send it to {X}'s old address.",
    "We are three: {X}, {Y} and myself.", "Add {X} and {Y} to the reservation.",
    "{X} and {Y} will both attend.", "Can you check with {X}?", "Apparently {X} already paid.",
    "Thanks to {X} the issue was solved.", "I spoke to {X} earlier today.",
    # short biography sentences
    "{X} teaches at a school in {L}.", "{X} has worked in logistics for ten years.",
    "{X} enjoys hiking and photography.", "{X} retired in 2020 and lives in {L}.",
    "{X} unterrichtet in {L}.", "{X} habite à {L}.", "{X} vive en {L}.", "{X} abita a {L}.",
    "{X} bor på {L}.", "{X} mieszka w {L}.", "{X} bydlí v {L}.",
]


def fill(rng, gaz, frame, as_name):
    """Fill a frame; {X}/{Y} are names when as_name, else non-names."""
    text, names = "", []
    i = 0
    while i < len(frame):
        if frame[i] == "{" and frame[i + 2] == "}":
            k = frame[i + 1]
            if k in "XY":
                v = person(rng, gaz) if as_name else non_name(rng)
                if as_name:
                    names.append((len(text), len(text) + len(v)))
            elif k == "O":
                v = org(rng)
            elif k == "L":
                v = rng.choice(PLACES)
            else:
                v = rng.choice(JOBS)
            text += v
            i += 3
        else:
            text += frame[i]
            i += 1
    return text, names


TITLE_FRAMES = [
    "play {T}", "Play {T} please", "I watched {T} last night", "The {T} feature is not working.",
    "{T} is not working.", "My {T} subscription was charged twice.", "Re: {T}", "Subject: {T}",
    "{T} - {O}", "I bought {T} from {O}.", "Add {T} to my list", "the book {T}", "a film called {T}",
    "{T}!", "{T}?", "Why was I charged for {T}?", "{T} {T}",
]


def title_phrase(rng, words):
    n = rng.choice([1, 1, 2, 2, 3, 4])
    return " ".join(rng.choice(words).capitalize() for _ in range(n))


def acronym(rng):
    return "".join(chr(rng.randrange(65, 91)) for _ in range(rng.choice([2, 3, 3, 4])))


def title_case(s, rng):
    out = []
    for w in s.split(" "):
        r = rng.random()
        out.append(w.upper() if r < 0.05 and len(w) <= 4 else w[:1].upper() + w[1:] if r < 0.7 else w)
    return " ".join(out)


SPEAKERS = ["Agent", "Customer", "Visitor", "Bot", "Support", "Me", "User", "Cliente",
            "Kunde", "Kundenservice", "Conseiller", "Client", "Klant", "Asiakas", "Operator",
            "Advisor", "Assistant", "Service", "Kundtjänst", "Klient", "Obsługa", "Atendente",
            "Operatore", "Helpdesk", "You", "System", "Chatbot", "Guest", "Host"]
GREETINGS = ["Hola", "Bonjour", "Hallo", "Hoi", "Hej", "Ciao", "Olá", "Guten Tag", "Buongiorno",
             "Buenos días", "Dzień dobry", "Dobrý den", "Goedemiddag", "Moi", "Hei", "Γεια σας",
             "Merhaba", "Szia", "Labas", "Tere", "Sveiki", "Bună ziua", "Hello", "Hi", "Dear all",
             "Sehr geehrte Damen und Herren", "Madame, Monsieur", "Estimados señores",
             "Gentili signori", "Geachte heer, mevrouw", "Szanowni Państwo"]
CLOSINGS = ["Cordialement", "Mit freundlichen Grüßen", "Saludos", "Atentamente", "Üdvözlettel",
            "S pozdravem", "Pozdrawiam", "Met vriendelijke groet", "Med vänliga hälsningar",
            "Ystävällisin terveisin", "Cumprimentos", "Distinti saluti", "Bien cordialement",
            "Très cordialement", "Viele Grüße", "Un saluto", "Saludos cordiales", "Best regards",
            "Kind regards", "Regards", "Cheers", "Thanks", "Sincerely", "Yours faithfully",
            "Με εκτίμηση", "Saygılarımla", "Lugupidamisega", "Ar cieņu", "Pagarbiai", "Hilsen",
            "Venlig hilsen", "Med vennlig hilsen", "Groetjes", "Liebe Grüße", "Bises"]
JOB_TITLES = ["Jefa de proyecto", "Directora comercial", "Kierownik działu zakupów",
              "Geschäftsführer", "Responsable achats", "Assistant to the Managing Director",
              "Projektleiterin", "Chef de projet", "Direttore vendite", "Inköpschef",
              "Head of Procurement", "Office Manager", "Customer Success Manager",
              "Senior Buyer", "Einkaufsleiter", "Responsabile amministrativo", "Hankintapäällikkö",
              "Gerente de cuentas", "Diretor financeiro", "Key Account Manager", "Teamleiterin Logistik",
              "Sales Executive", "Payroll Administrator", "Account Executive", "Operations Lead"]
LEGAL = ["SIA", "Sp. z o.o.", "Lda", "Oy", "AB", "AS", "A/S", "s.r.o.", "S.L.", "S.A.", "LLP",
         "GmbH", "BV", "NV", "SRL", "SpA", "Kft.", "d.o.o.", "OÜ", "UAB", "Ltd", "Inc.", "LLC",
         "S.p.A.", "S.A.S.", "AG", "KG", "Pty Ltd", "plc", "Oyj", "ApS", "S.à r.l."]
BRANDS = ["Hugo Boss", "Calvin Klein", "Tommy Hilfiger", "Dr. Martens", "Louis Vuitton",
          "Ralph Lauren", "Giorgio Armani", "Ben & Jerry's", "Johnson & Johnson", "Ford",
          "Tesla", "Mercedes-Benz", "Porsche", "Ferrari", "Dell", "Chanel", "Dior", "Gucci",
          "Prada", "Versace", "Adidas", "Levi's", "Walt Disney", "Jack Daniel's", "Kellogg's",
          "Marks & Spencer", "Ted Baker", "Paul Smith", "Karl Lagerfeld", "Michael Kors"]
PERSONLIKE_PLACES = ["St. Gallen", "Savannah", "Darwin", "Charlotte", "Victoria", "Madison",
                     "Florence", "Eugene", "Lourdes", "Austin", "Jackson", "Lincoln", "Houston",
                     "Chelsea", "Regina", "Adelaide", "Santa Clara", "San José", "São João",
                     "Sankt Pölten", "Saint-Denis", "Mont Blanc", "Victoria Falls", "Alexandria"]
FORM_NAME = [("Nombre", "g"), ("Apellidos", "s"), ("Vorname", "g"), ("Nachname", "s"),
             ("Prénom", "g"), ("Nom", "s"), ("Nome", "g"), ("Cognome", "s"), ("Imię", "g"),
             ("Nazwisko", "s"), ("Voornaam", "g"), ("Achternaam", "s"), ("Förnamn", "g"),
             ("Efternamn", "s"), ("Etunimi", "g"), ("Sukunimi", "s"), ("Ad", "g"), ("Soyad", "s"),
             ("Jméno", "g"), ("Příjmení", "s"), ("First name", "g"), ("Last name", "s"),
             ("Surname", "s"), ("Full name", "n"), ("Name", "n"), ("Nombre completo", "n"),
             ("Vollständiger Name", "n"), ("Nom complet", "n"), ("Contact", "n"), ("Kontakt", "n")]
FORM_OTHER = [("Ciudad", "L"), ("Stadt", "L"), ("Ville", "L"), ("Città", "L"), ("Miasto", "L"),
              ("City", "L"), ("Land", "L"), ("País", "L"), ("Country", "L"), ("Firma", "O"),
              ("Empresa", "O"), ("Société", "O"), ("Company", "O"), ("Azienda", "O"),
              ("Fecha de nacimiento", "D"), ("Date de naissance", "D"), ("Geburtsdatum", "D"),
              ("Data di nascita", "D"), ("Data urodzenia", "D"), ("Subject", "T"), ("Betreff", "T"),
              ("Asunto", "T"), ("Objet", "T"), ("Produkt", "B"), ("Product", "B"), ("Marca", "B"),
              ("Anrede", "H"), ("Civilité", "H"), ("Título", "H"), ("Salutation", "H")]


def company(rng):
    return f"{invented(rng)} {rng.choice(['Trade', 'Tours', 'Legal', 'Mobility', 'Logistics', 'Design', 'Energy', 'Foods', 'Renovables', 'Opakowania', 'Imobiliária', 'Systems', 'Media', ''])} {rng.choice(LEGAL)}".replace("  ", " ")


def span_join(parts):
    """Join (text, is_name) parts; return text and name spans."""
    text, names = "", []
    for t, is_name in parts:
        if is_name:
            names.append((len(text), len(text) + len(t)))
        text += t
    return text, names


def chat(rng, gaz, carriers):
    parts = []
    a, b = rng.sample(SPEAKERS, 2)
    for _ in range(rng.randint(2, 6)):
        sp = rng.choice([a, b])
        if rng.random() < 0.1:
            parts += [(person(rng, gaz), True), (": ", False)]
        elif rng.random() < 0.1:
            # the answer to a question for a name
            parts += [(f"{sp}: ", False), (rng.choice(["What's your full name?", "Your name, please?",
                                                       "Under which name?", "¿Su nombre?", "Ihr Name?"]) + "\n", False),
                      (f"{b if sp == a else a}: ", False), (person(rng, gaz), True), ("\n", False)]
            continue
        else:
            parts.append((f"{sp}: ", False))
        r = rng.random()
        if r < 0.25:
            body, names = fill(rng, gaz, rng.choice(FRAMES), rng.random() < 0.6)
            parts += split_named(body, names)
        elif r < 0.4:
            parts += [(rng.choice(GREETINGS) + ", ", False), (person(rng, gaz), True), (". ", False),
                      (rng.choice(carriers), False)]
        elif r < 0.5:
            parts += [(rng.choice(GREETINGS) + "! ", False), (rng.choice(carriers), False)]
        elif r < 0.6:
            parts += [(rng.choice(["Yes", "No", "Ja", "Sí", "Oui", "Nee", "Tak", "Ok", "Sure"]) + ", ", False),
                      (rng.choice(carriers), False)]
        else:
            parts.append((rng.choice(carriers), False))
        parts.append(("\n", False))
    return span_join(parts)


def split_named(body, names):
    out, pos = [], 0
    for s, e in names:
        out += [(body[pos:s], False), (body[s:e], True)]
        pos = e
    out.append((body[pos:], False))
    return out


def signature(rng, gaz, carriers):
    parts = [(rng.choice(GREETINGS) + ",\n\n", False), (rng.choice(carriers) + "\n\n", False),
             (rng.choice(CLOSINGS) + ",\n", False)]
    if rng.random() < 0.5:
        parts.append(("\n", False))
    if rng.random() < 0.2:
        parts.append((rng.choice(TITLES) + " ", False))
    parts += [(person(rng, gaz), True), ("\n", False)]
    if rng.random() < 0.7:
        parts.append((rng.choice(JOB_TITLES) + "\n", False))
    parts.append(((company(rng) if rng.random() < 0.6 else org(rng)) + "\n", False))
    if rng.random() < 0.6:
        parts.append((f"{rng.choice(PLACES + PERSONLIKE_PLACES)}\n", False))
    return span_join(parts)


def form(rng, gaz):
    sep = rng.choice([": ", " = ", "\t", " | ", ":  "])
    fields = rng.sample(FORM_NAME, rng.randint(1, 3)) + rng.sample(FORM_OTHER, rng.randint(1, 4))
    rng.shuffle(fields)
    parts = [(rng.choice(["New submission", "Kontaktanfrage", "Formulario de contacto",
                          "Aanmeldformulier", "Zgłoszenie", "Demande de contact",
                          "Contact form", "Richiesta"]) + "\n", False)]
    for label, kind in fields:
        if kind in "gsn":
            g, sn = pick(rng, gaz, "given"), pick(rng, gaz, "surname")
            v = g if kind == "g" else sn if kind == "s" else f"{g} {sn}"
            parts += [(label + sep, False), (v, True), ("\n", False)]
        else:
            v = {"L": lambda: rng.choice(PLACES + PERSONLIKE_PLACES), "O": lambda: company(rng),
                 "D": lambda: f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.{rng.randint(1940, 2005)}",
                 "T": lambda: title_phrase(rng, ORG_WORDS), "B": lambda: rng.choice(BRANDS),
                 "H": lambda: rng.choice(["Herr", "Frau", "Monsieur", "Madame", "Sr.", "Sra.", "Mr", "Ms"])}[kind]()
            parts.append((label + sep + v + "\n", False))
    return span_join(parts)


FORM_LABELS = ("Telefon|Correo electrónico|Correo|Código postal|Código|Dirección|Fornavn|Etternavn|"
               "Postnummer|Fødselsdato|Geburtsdatum|Adresse|Straße|Hausnummer|PLZ|Ort|Téléphone|"
               "Adresse e-mail|Code postal|Indirizzo|CAP|Telefono|Ulica|Kod pocztowy|Miejscowość|"
               "Telefoon|Postcode|Woonplaats|Gatuadress|Puhelin|Osoite|Postinumero|Τηλέφωνο|"
               "Διεύθυνση|Adres|Telefon numarası|Posta kodu|Születési dátum|Lakcím|Irányítószám|"
               "Gimimo data|Asmens kodas|Telefono numeris|Adresas|Dzimšanas datums|Tālrunis|Adrese|"
               "Sünniaeg|Isikukood|Aadress|Data nașterii|Adresă|E-mail|Page|Source|Submitted|IP|"
               "Message|Nachricht|Mensaje|Wiadomość|Bericht|Meddelande|Viesti|Mobil|Móvil|Portable|"
               "Cellulare|Komórka|Mobiel|Handy|Fax|Web|Website|Sitio web|Steuer-ID|PESEL|NIE|DNI|"
               "Pasaporte|Reisepass|Passeport|Passaporto|Paszport|Führerschein|Permis|Patente|"
               "Carnet|Prawo jazdy|Rijbewijs|Körkort|Ajokortti|Kundennummer|Numéro client|"
               "Número de cliente|Bestellnummer|Numéro de commande|Número de pedido|Referenz|"
               "Référence|Referencia|Riferimento|Datum|Fecha|Date|Data|Uhrzeit|Hora|Heure|Ora").split("|")


ORG_WORDS = ["invoice", "delivery", "question", "order", "refund", "account", "complaint",
             "request", "update", "payment", "contract", "offer", "quote", "return"]


def negatives_with_lookalikes(rng):
    frame = rng.choice(["We visited {P} and {P} in May.", "I grew up near {P}.", "Moved to {P} last year.",
                        "My {B} bag arrived broken.", "Do you sell {B} shoes?", "The {B} order is late.",
                        "I paid with {B} points.", "{B} refund still missing", "From {P} to {P}, 2 nights"])
    while "{P}" in frame:
        frame = frame.replace("{P}", rng.choice(PERSONLIKE_PLACES), 1)
    while "{B}" in frame:
        frame = frame.replace("{B}", rng.choice(BRANDS), 1)
    return frame


def lower_first(s):
    return s[:1].lower() + s[1:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--words", help="web2.pickle of the english-words package: everyday "
                    "words (lower-case entries) for capitalised non-names")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "tagger-train.jsonl"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    gaz = load_gaz()
    rows = []
    dev = os.path.join(args.shared, "pii", "pii_eval.jsonl")
    with open(dev, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            names = [(e["start"], e["end"]) for e in d["entities"] if e["type"] == "PERSON"]
            rows.append({"text": d["text"], "names": names})
    carriers = []
    with open(os.path.join(args.shared, "data", "banking77", "train.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            carriers.append(r["text"])
            rows.append({"text": r["text"], "names": []})
    for _ in range(args.n):
        frame = rng.choice(FRAMES)
        as_name = rng.random() < 0.6
        body, names = fill(rng, gaz, frame, as_name)
        before = rng.choice(carriers) + " " if rng.random() < 0.5 else ""
        after = " " + rng.choice(carriers) if rng.random() < 0.4 else ""
        if rng.random() < 0.15 and not before:
            body = lower_first(body) if not names or names[0][0] > 0 else body
        text = before + body + after
        rows.append({"text": text, "names": [[s + len(before), e + len(before)] for s, e in names]})
    # capitalised text that holds no name: title-cased customer messages, acronyms,
    # titles of things made of everyday words
    words = [w for w in {x.lower() for c in carriers for x in c.split() if x.isalpha()}]
    if args.words:
        with open(args.words, "rb") as f:
            web2 = sorted(w for w in pickle.load(f) if w.islower() and w.isalpha() and len(w) <= 9)
        words += web2
    words.sort()
    for _ in range(args.n // 6):
        rows.append({"text": title_case(rng.choice(carriers), rng), "names": []})
    for _ in range(args.n // 4):
        frame = rng.choice(TITLE_FRAMES)
        text = frame.replace("{O}", org(rng))
        if rng.random() < 0.2:
            text += f" {rng.choice(['II', 'III', 'IV', 'X', 'Mk II', 'S', 'XL', 'D.C.', 'U.S.', 'U.K.'])}"
        if rng.random() < 0.2:
            text = text.replace("{T}", acronym(rng), 1)
        while "{T}" in text:
            text = text.replace("{T}", title_phrase(rng, words), 1)
        before = rng.choice(carriers) + " " if rng.random() < 0.5 else ""
        rows.append({"text": before + text, "names": []})
    # form labels of many languages over values that are not names
    for _ in range(args.n // 12):
        text = "\n".join(f"{rng.choice(FORM_LABELS)}{rng.choice([': ', ' = ', chr(9)])}"
                         f"{rng.choice([rng.choice(carriers)[:30], str(rng.randint(1, 99999)), org(rng)])}"
                         for _ in range(rng.randint(1, 4)))
        rows.append({"text": text, "names": []})
    # documents: chats, signatures, forms, and look-alike places and brands
    for _ in range(args.n // 4):
        r = rng.random()
        if r < 0.35:
            text, names = chat(rng, gaz, carriers)
        elif r < 0.65:
            text, names = signature(rng, gaz, carriers)
        elif r < 0.9:
            text, names = form(rng, gaz)
        else:
            text, names = negatives_with_lookalikes(rng), []
        rows.append({"text": text, "names": [list(x) for x in names]})
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps({"text": r["text"], "names": [list(x) for x in r["names"]]},
                               ensure_ascii=False) + "\n")
    print(f"{args.out}: {len(rows)} examples, {sum(len(r['names']) for r in rows)} names")


if __name__ == "__main__":
    main()
