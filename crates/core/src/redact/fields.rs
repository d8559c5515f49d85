//! Form fields: a value after a field label that says what it is ("Nachname: Draová",
//! "Postcode: V92 L898", "| Passport no. | X1234567 |", `"street": "Strandvejen 160"`).
//!
//! Why: web forms, tickets and exports split personal data over fields, and each value
//! alone says little ("33A", "Dublin 9", a surname no list holds), but the label says what
//! it is. A line is read as a field when it opens with a label (after optional bullets or
//! a table bar) followed by `:`, `=`, a tab or a `|`; JSON keys are read the same way
//! (`first_name`, `postalCode` become "first name", "postal code"). The label is looked
//! up, after lower-casing and dropping a trailing `*` or "(optional)", in lists of field
//! labels of many languages; the value must then look like what the label promises (a
//! name has no digit and no more than five words, an id has a digit, an address part is
//! short and holds no e-mail or web address).

use super::lexicon::{self, Lower, WordSet};
use super::{Cand, PiiKind, Prio};
use std::sync::LazyLock;

/// Labels whose value is a person's name (or part of it).
const PERSON_LABELS: &[&str] = &[
    // English
    "name",
    "full name",
    "first name",
    "firstname",
    "last name",
    "lastname",
    "surname",
    "given name",
    "given names",
    "family name",
    "middle name",
    "forename",
    "forenames",
    "your name",
    "customer name",
    "contact name",
    "contact person",
    "contact",
    "client name",
    "account holder",
    "account holder name",
    "cardholder",
    "card holder",
    "cardholder name",
    "name on card",
    "name on account",
    "recipient",
    "recipient name",
    "addressee",
    "beneficiary",
    "beneficiary name",
    "payee",
    "payee name",
    "emergency contact",
    "next of kin",
    "guardian",
    "parent name",
    "parent/guardian",
    "sender",
    "sender name",
    "applicant",
    "applicant name",
    "passenger",
    "passenger name",
    "guest name",
    "guest",
    "patient",
    "patient name",
    "employee",
    "employee name",
    "requester",
    "requested by",
    "submitted by",
    "reported by",
    "assignee",
    "owner",
    "owner name",
    "attn",
    "attention",
    "c/o",
    "care of",
    "spouse",
    "partner",
    "name of applicant",
    "legal name",
    "maiden name",
    "preferred name",
    "nickname",
    "signature",
    "signed",
    "agent",
    "agent name",
    "caller",
    "caller name",
    "customer",
    "client",
    "buyer",
    "seller",
    "tenant",
    "landlord",
    "driver",
    "holder",
    "insured",
    "policyholder",
    "policy holder",
    "member name",
    "student name",
    "billing name",
    "shipping name",
    "ship to name",
    "deliver to",
    "delivered to",
    // German
    "vorname",
    "nachname",
    "familienname",
    "vor- und nachname",
    "vor und nachname",
    "vollständiger name",
    "ansprechpartner",
    "kontoinhaber",
    "karteninhaber",
    "empfänger",
    "absender",
    "geburtsname",
    "ihr name",
    "name, vorname",
    "kunde",
    "kundenname",
    // French
    "nom",
    "prénom",
    "prenom",
    "prénoms",
    "nom de famille",
    "nom complet",
    "nom et prénom",
    "nom, prénom",
    "titulaire",
    "titulaire du compte",
    "destinataire",
    "expéditeur",
    "votre nom",
    "nom de naissance",
    "interlocuteur",
    // Spanish, Portuguese, Italian, Catalan
    "nombre",
    "nombres",
    "apellido",
    "apellidos",
    "primer apellido",
    "segundo apellido",
    "nombre completo",
    "nombre y apellidos",
    "titular",
    "destinatario",
    "remitente",
    "su nombre",
    "nome",
    "sobrenome",
    "apelido",
    "apelidos",
    "nome completo",
    "cognome",
    "nome e cognome",
    "intestatario",
    "mittente",
    "il tuo nome",
    "seu nome",
    "cognom",
    // Dutch
    "voornaam",
    "voornamen",
    "achternaam",
    "tussenvoegsel",
    "naam",
    "volledige naam",
    "rekeninghouder",
    "ontvanger",
    "afzender",
    "contactpersoon",
    "uw naam",
    // Nordic
    "fornavn",
    "efternavn",
    "etternavn",
    "mellemnavn",
    "mellomnavn",
    "navn",
    "fulde navn",
    "förnamn",
    "efternamn",
    "namn",
    "fullständigt namn",
    "kontaktperson",
    "mottagare",
    "modtager",
    "mottaker",
    "etunimi",
    "etunimet",
    "sukunimi",
    "nimi",
    "koko nimi",
    "vastaanottaja",
    "yhteyshenkilö",
    "fornafn",
    "eftirnafn",
    "nafn",
    // Central and Eastern Europe, Baltic, Greek, Turkish
    "imię",
    "imie",
    "nazwisko",
    "imię i nazwisko",
    "imie i nazwisko",
    "odbiorca",
    "jméno",
    "příjmení",
    "jméno a příjmení",
    "meno",
    "priezvisko",
    "meno a priezvisko",
    "příjemce",
    "nume",
    "prenume",
    "numele",
    "nume complet",
    "destinatar",
    "vezetéknév",
    "keresztnév",
    "utónév",
    "név",
    "teljes név",
    "címzett",
    "ime",
    "prezime",
    "ime in priimek",
    "priimek",
    "ime i prezime",
    "име",
    "фамилия",
    "имя",
    "фамилия имя",
    "отчество",
    "vārds",
    "uzvārds",
    "vārds, uzvārds",
    "vardas",
    "pavardė",
    "vardas ir pavardė",
    "eesnimi",
    "perekonnanimi",
    "nimi ja perekonnanimi",
    "όνομα",
    "επώνυμο",
    "ονοματεπώνυμο",
    "ad",
    "soyad",
    "soyadı",
    "ad soyad",
    "adı soyadı",
    "adınız",
    "isim",
    "alıcı",
];

/// Labels whose value is an address or a part of one (street, unit, postcode, place).
const ADDRESS_LABELS: &[&str] = &[
    // English
    "address",
    "street address",
    "street",
    "street name",
    "street and number",
    "street and house number",
    "street & number",
    "street, number",
    "house number",
    "house no",
    "house no.",
    "number",
    "street number",
    "building",
    "building name",
    "address line 1",
    "address line 2",
    "address line 3",
    "address 1",
    "address 2",
    "address1",
    "address2",
    "line 1",
    "line 2",
    "addr",
    "addr1",
    "addr2",
    "home address",
    "postal address",
    "mailing address",
    "billing address",
    "shipping address",
    "delivery address",
    "residential address",
    "permanent address",
    "current address",
    "correspondence address",
    "registered address",
    "new address",
    "old address",
    "previous address",
    "ship to",
    "bill to",
    "ship to address",
    "unit",
    "apartment",
    "apt",
    "apt.",
    "flat",
    "suite",
    "unit/apt",
    "apt/suite",
    "apartment/suite",
    "apartment, suite, etc.",
    "apt, suite, etc.",
    "floor",
    "floor/door",
    "door",
    "city",
    "town",
    "town/city",
    "city/town",
    "city / town",
    "suburb",
    "locality",
    "village",
    "district",
    "county",
    "postcode",
    "post code",
    "postal code",
    "zip",
    "zip code",
    "zipcode",
    "zip/postal code",
    "postal/zip code",
    "postcode/zip",
    "city, state, zip",
    "city/state/zip",
    "city, postcode",
    "postcode, city",
    "postcode and city",
    "postcode / city",
    "zip / city",
    "eircode",
    "pin code",
    "pincode",
    "po box",
    "p.o. box",
    // German
    "adresse",
    "anschrift",
    "straße",
    "strasse",
    "str.",
    "straße und hausnummer",
    "strasse und hausnummer",
    "straße, hausnummer",
    "straße / hausnummer",
    "straße/hausnummer",
    "straße und nr.",
    "straße, nr.",
    "hausnummer",
    "hausnr.",
    "adresszusatz",
    "wohnort",
    "ort",
    "stadt",
    "plz",
    "plz / ort",
    "plz/ort",
    "plz, ort",
    "plz und ort",
    "postleitzahl",
    "lieferadresse",
    "rechnungsadresse",
    "wohnadresse",
    "stiege",
    "stock",
    "tür",
    "stiege/tür",
    "top",
    // French
    "rue",
    "adresse postale",
    "adresse de livraison",
    "adresse de facturation",
    "numéro et rue",
    "n° et rue",
    "voie",
    "complément d'adresse",
    "complément",
    "code postal",
    "cp",
    "ville",
    "commune",
    "localité",
    "code postal / ville",
    "code postal et ville",
    "bâtiment",
    "étage",
    "appartement",
    "boîte",
    // Spanish, Portuguese, Italian, Catalan
    "dirección",
    "direccion",
    "domicilio",
    "calle",
    "calle y número",
    "número",
    "numero",
    "piso",
    "puerta",
    "piso/puerta",
    "código postal",
    "codigo postal",
    "ciudad",
    "localidad",
    "población",
    "municipio",
    "provincia",
    "colonia",
    "dirección de envío",
    "endereço",
    "endereco",
    "morada",
    "rua",
    "logradouro",
    "complemento",
    "bairro",
    "cep",
    "cidade",
    "código postal / localidade",
    "localidade",
    "concelho",
    "freguesia",
    "indirizzo",
    "via",
    "via e numero",
    "via e numero civico",
    "numero civico",
    "civico",
    "cap",
    "città",
    "citta",
    "comune",
    "località",
    "frazione",
    "scala",
    "interno",
    "indirizzo di spedizione",
    "adreça",
    "carrer",
    "codi postal",
    "població",
    // Dutch
    "adres",
    "straat",
    "straatnaam",
    "straat en huisnummer",
    "huisnummer",
    "huisnummer toevoeging",
    "toevoeging",
    "postcode en plaats",
    "plaats",
    "woonplaats",
    "bezorgadres",
    "factuuradres",
    // Nordic
    "gatuadress",
    "gata",
    "gatunummer",
    "postnummer",
    "postnr",
    "postnr.",
    "ort/stad",
    "postort",
    "postadress",
    "leveransadress",
    "lägenhetsnummer",
    "lgh",
    "lgh nr",
    "gateadresse",
    "gate",
    "postnummer og sted",
    "poststed",
    "sted",
    "by",
    "postnr. / by",
    "postnr./by",
    "postnr og by",
    "postnummer og by",
    "vej",
    "vejnavn",
    "husnummer",
    "etage",
    "etage/dør",
    "dør",
    "leveringsadresse",
    "katuosoite",
    "osoite",
    "postinumero",
    "postitoimipaikka",
    "kaupunki",
    "paikkakunta",
    "toimitusosoite",
    "huoneisto",
    "heimilisfang",
    "póstnúmer",
    // Central and Eastern Europe, Baltic, Greek, Turkish
    "adres zamieszkania",
    "ulica",
    "ulica i numer",
    "nr domu",
    "nr lokalu",
    "numer domu",
    "numer mieszkania",
    "kod pocztowy",
    "miejscowość",
    "miasto",
    "poczta",
    "adres do korespondencji",
    "ulice",
    "ulice a číslo",
    "číslo popisné",
    "psč",
    "obec",
    "město",
    "mesto",
    "ulica a číslo",
    "adresa",
    "adresă",
    "strada",
    "număr",
    "bloc",
    "scară",
    "apartament",
    "cod poștal",
    "cod postal",
    "localitate",
    "oraș",
    "oras",
    "județ",
    "judet",
    "cím",
    "utca",
    "házszám",
    "utca, házszám",
    "irányítószám",
    "település",
    "város",
    "naslov",
    "ulica in hišna številka",
    "poštna številka",
    "grad",
    "poštanski broj",
    "адрес",
    "улица",
    "город",
    "индекс",
    "почтовый индекс",
    "adrese",
    "iela",
    "pilsēta",
    "pasta indekss",
    "adresas",
    "gatvė",
    "miestas",
    "pašto kodas",
    "aadress",
    "tänav",
    "linn",
    "postiindeks",
    "διεύθυνση",
    "οδός",
    "πόλη",
    "ταχυδρομικός κώδικας",
    "τ.κ.",
    "adres bilgisi",
    "mahalle",
    "sokak",
    "cadde",
    "posta kodu",
    "il",
    "ilçe",
    "şehir",
    "sehir",
    "açık adres",
    "il/ilçe",
    // units, postcodes and places written other ways ("İl" lower-cases to "i̇l")
    "i̇l",
    "i̇lçe",
    "kod",
    "maja",
    "οδός και αριθμός",
    "zip city",
    "postcode city",
    "postal code city",
    "korter",
    "leilighet",
    "lejlighed",
    "våning",
    "etasje",
    "asunto",
    "daire",
    "kat",
    "όροφος",
    "διαμέρισμα",
    "dzīvokļa nr.",
    "dzīvoklis",
    "butas",
    "buto nr.",
    "postinro",
    "toimipaikka",
    "byt",
    "patro",
    "číslo bytu",
    "lakás",
    "emelet",
    "ajtó",
    "mieszkanie",
    "lokal",
    "wohnung",
    "whg.",
    "appartamento",
    "apartamento",
    "apto",
    "depto",
    "departamento",
    "andar",
    "bus",
    "apartment no.",
    "flat no.",
    "unit no.",
];

/// Address labels whose value may hold no digit (a place, a district, a street name);
/// the value of any other address label without a digit is no address: after "Ship to:"
/// or "Billing address:" it is the recipient's name, which is taken as a name when it
/// looks like one.
const PLACE_LABELS: &[&str] = &[
    "street",
    "street name",
    "city",
    "town",
    "town/city",
    "city/town",
    "city / town",
    "suburb",
    "locality",
    "village",
    "district",
    "county",
    "straße",
    "strasse",
    "wohnort",
    "ort",
    "stadt",
    "rue",
    "voie",
    "ville",
    "commune",
    "localité",
    "calle",
    "ciudad",
    "localidad",
    "población",
    "municipio",
    "provincia",
    "colonia",
    "rua",
    "logradouro",
    "bairro",
    "cidade",
    "localidade",
    "concelho",
    "freguesia",
    "via",
    "città",
    "citta",
    "comune",
    "località",
    "frazione",
    "carrer",
    "població",
    "straat",
    "straatnaam",
    "plaats",
    "woonplaats",
    "gata",
    "postort",
    "ort/stad",
    "gate",
    "poststed",
    "sted",
    "by",
    "vej",
    "vejnavn",
    "kaupunki",
    "postitoimipaikka",
    "paikkakunta",
    "ulica",
    "miejscowość",
    "miasto",
    "poczta",
    "ulice",
    "obec",
    "město",
    "mesto",
    "strada",
    "localitate",
    "oraș",
    "oras",
    "județ",
    "judet",
    "utca",
    "település",
    "város",
    "grad",
    "улица",
    "город",
    "iela",
    "pilsēta",
    "gatvė",
    "miestas",
    "tänav",
    "linn",
    "οδός",
    "πόλη",
    "mahalle",
    "sokak",
    "cadde",
    "il",
    "ilçe",
    "i̇l",
    "i̇lçe",
    "şehir",
    "sehir",
    // Hungarian postcode and place ("Irsz. / település")
    "irsz.",
    "irsz",
    "irányítószám",
    "település",
    "helység",
    "város",
];

/// Labels of fields that hold no person's name although a name-like capitalised word often
/// stands in them ("Land: Suomi", "Ülke: Turkey", "| Field | Value |"): no name found by
/// the tagger or the weakest rules is kept in the label or the value of such a field, nor
/// in any label of the lists above.
const OTHER_LABELS: &[&str] = &[
    "country",
    "land",
    "pays",
    "país",
    "pais",
    "paese",
    "nazione",
    "kraj",
    "krajina",
    "stát",
    "ország",
    "țară",
    "tara",
    "ülke",
    "maa",
    "valsts",
    "šalis",
    "riik",
    "χώρα",
    "страна",
    "state",
    "region",
    "province",
    "bundesland",
    "kanton",
    "nationality",
    "citizenship",
    "staatsangehörigkeit",
    "nationalité",
    "nacionalidad",
    "nazionalità",
    "nacionalidade",
    "nationaliteit",
    "statsborgerskab",
    "statsborgerskap",
    "medborgarskap",
    "kansalaisuus",
    "obywatelstwo",
    "státní občanství",
    "cetățenie",
    "állampolgárság",
    "uyruk",
    "gender",
    "sex",
    "geschlecht",
    "sexe",
    "sexo",
    "sesso",
    "geslacht",
    "køn",
    "kjønn",
    "kön",
    "sukupuoli",
    "płeć",
    "pohlaví",
    "sex/gen",
    "nem",
    "cinsiyet",
    "phone",
    "telephone",
    "telefon",
    "téléphone",
    "teléfono",
    "telefono",
    "telefone",
    "telefoon",
    "puhelin",
    "mobile",
    "mobil",
    "handy",
    "company",
    "firma",
    "empresa",
    "azienda",
    "société",
    "bedrijf",
    "yritys",
    "företag",
    "subject",
    "betreff",
    "objet",
    "asunto",
    "oggetto",
    "assunto",
    "onderwerp",
    "field",
    "value",
    "feld",
    "wert",
    "champ",
    "valeur",
    "campo",
    "valor",
    "veld",
    "waarde",
    "kenttä",
    "arvo",
    "pole",
    "wartość",
    "language",
    "sprache",
    "langue",
    "idioma",
    "lingua",
    "taal",
    "page",
    "submitted",
    "date",
    "datum",
    "fecha",
    "data",
    "päivämäärä",
    "tarih",
    "dátum",
    "date of birth",
    "geburtsdatum",
    "date de naissance",
    "fecha de nacimiento",
    "data di nascita",
    "data de nascimento",
    "geboortedatum",
    "fødselsdato",
    "födelsedatum",
    "syntymäaika",
    "data urodzenia",
    "datum narození",
    "data nașterii",
    "születési dátum",
    "doğum tarihi",
    "e-mail",
    "email",
    "e-post",
    "e-posta",
    "courriel",
    "correo",
    "correo electrónico",
    "sähköposti",
    "iban",
    "bic",
    "occupation",
    "beruf",
    "profession",
    "profesión",
    "job title",
    "title",
    "titel",
    "titre",
    "anrede",
    "salutation",
    "plan",
    "status",
    "type",
    "typ",
    "tipo",
    "product",
    "produkt",
    "producto",
    "prodotto",
    "item",
];

/// Labels whose value is an identity document or a national identifier.
const ID_LABELS: &[&str] = &[
    // passports
    "passport",
    "passport no",
    "passport no.",
    "passport number",
    "passport nr",
    "passport #",
    "passport id",
    "passport num",
    "passport number (optional)",
    "reisepass",
    "reisepassnummer",
    "reisepass-nr.",
    "reisepass nr.",
    "passnummer",
    "pass-nr.",
    "pass nr.",
    "passeport",
    "n° de passeport",
    "numéro de passeport",
    "no de passeport",
    "pasaporte",
    "nº de pasaporte",
    "n.º de pasaporte",
    "número de pasaporte",
    "numero de pasaporte",
    "passaporto",
    "numero passaporto",
    "n. passaporto",
    "passaporte",
    "número do passaporte",
    "nº do passaporte",
    "paspoort",
    "paspoortnummer",
    "pas",
    "passi",
    "passin numero",
    "paszport",
    "numer paszportu",
    "pas nr",
    "cestovní pas",
    "číslo pasu",
    "pașaport",
    "număr pașaport",
    "útlevél",
    "útlevélszám",
    "pasaport",
    "pasaport no",
    "διαβατήριο",
    "αριθμός διαβατηρίου",
    "pase",
    "pases numurs",
    "pasas",
    "paso numeris",
    "passi number",
    "paso nr.",
    "paso nr",
    "pases nr.",
    "pases nr",
    "nr. pașaport",
    "nr pașaport",
    "nr. pasaport",
    "nr paszportu",
    "pasnummer",
    "n.º do passaporte",
    "n.º passaporte",
    "útlevél száma",
    // driving licences
    "nr prawa jazdy",
    "numer prawa jazdy",
    "prawo jazdy",
    "nr. permis de conducere",
    "nr permis de conducere",
    "permis de conducere",
    "vadītāja apliecības nr.",
    "vadītāja apliecības nr",
    "vadītāja apliecība",
    "jogosítvány száma",
    "jogosítvány",
    "vairuotojo pažymėjimo nr.",
    "vairuotojo pažymėjimo nr",
    "vairuotojo pažymėjimas",
    "αριθμός διπλώματος οδήγησης",
    "δίπλωμα οδήγησης",
    "juhiluba",
    "juhiloa number",
    "driving licence",
    "driving license",
    "driving licence no",
    "driving licence no.",
    "driving licence number",
    "driving license number",
    "driver's license",
    "drivers license",
    "driver's licence",
    "drivers licence",
    "driver license",
    "driver licence",
    "driver's license number",
    "driver's license no.",
    "driver license number",
    "driver licence number",
    "drivers license number",
    "licence number",
    "license number",
    "licence no",
    "licence no.",
    "license no",
    "license no.",
    "dl number",
    "dl no",
    "dl #",
    "dl",
    "führerschein",
    "führerscheinnummer",
    "führerschein-nr.",
    "führerschein nr.",
    "permis de conduire",
    "n° de permis de conduire",
    "numéro de permis",
    "numéro du permis de conduire",
    "permis",
    "carnet de conducir",
    "permiso de conducir",
    "licencia de conducir",
    "nº de permiso de conducir",
    "patente",
    "patente di guida",
    "numero patente",
    "n. patente",
    "carta de condução",
    "carteira de motorista",
    "cnh",
    "rijbewijs",
    "rijbewijsnummer",
    "körkort",
    "körkortsnummer",
    "kørekort",
    "kørekortnummer",
    "førerkort",
    "førerkortnummer",
    "ajokortti",
    "ajokortin numero",
    "prawo jazdy",
    "numer prawa jazdy",
    "řidičský průkaz",
    "číslo řidičského průkazu",
    "permis de conducere",
    "jogosítvány",
    "vezetői engedély",
    "ehliyet",
    "ehliyet no",
    "δίπλωμα οδήγησης",
    // identity cards and national numbers
    "national id",
    "national id number",
    "national id no",
    "national identity number",
    "national identification number",
    "national insurance number",
    "national insurance no",
    "ni number",
    "nino",
    "id number",
    "id no",
    "id no.",
    "id card",
    "id card number",
    "identity card",
    "identity card number",
    "identity number",
    "identity document",
    "id document",
    "document number",
    "document no",
    "document no.",
    "doc number",
    "personal id",
    "personal number",
    "personal identity number",
    "personal code",
    "social security number",
    "social security no",
    "ssn",
    "sin",
    "social insurance number",
    "tax id",
    "tax number",
    "tax identification number",
    "tin",
    "tax file number",
    "tfn",
    "pps number",
    "ppsn",
    "medicare number",
    "nhs number",
    "aadhaar",
    "aadhaar number",
    "pan",
    "pan number",
    "personalausweis",
    "personalausweisnummer",
    "ausweisnummer",
    "ausweis-nr.",
    "steuer-id",
    "steuer-idnr",
    "steuerliche identifikationsnummer",
    "steueridentifikationsnummer",
    "identifikationsnummer",
    "sozialversicherungsnummer",
    "ahv-nummer",
    "ahv-nr.",
    "carte d'identité",
    "n° de carte d'identité",
    "numéro de carte d'identité",
    "cni",
    "numéro de sécurité sociale",
    "n° de sécurité sociale",
    "nir",
    "numéro fiscal",
    "dni",
    "nie",
    "nif",
    "dni/nie",
    "nif/nie",
    "documento de identidad",
    "número de documento",
    "carta d'identità",
    "numero carta d'identità",
    "codice fiscale",
    "c.f.",
    "cf",
    "documento",
    "cpf",
    "rg",
    "cartão de cidadão",
    "bi",
    "nic",
    "bsn",
    "burgerservicenummer",
    "id-kaart",
    "identiteitskaart",
    "personnummer",
    "samordningsnummer",
    "fødselsnummer",
    "cpr",
    "cpr-nummer",
    "cpr-nr.",
    "henkilötunnus",
    "hetu",
    "kennitala",
    "pesel",
    "numer pesel",
    "dowód osobisty",
    "numer dowodu",
    "nr dowodu osobistego",
    "rodné číslo",
    "číslo op",
    "občanský průkaz",
    "cnp",
    "cod numeric personal",
    "carte de identitate",
    "személyi igazolvány",
    "személyi szám",
    "adóazonosító jel",
    "taj szám",
    "isikukood",
    "asmens kodas",
    "personas kods",
    "emšo",
    "oib",
    "jmbg",
    "egn",
    "tc kimlik no",
    "t.c. kimlik no",
    "tc kimlik",
    "kimlik no",
    "kimlik numarası",
    "αριθμός ταυτότητας",
    "αδτ",
    "αφμ",
    "αμκα",
    "ταυτότητα",
    "ssn / tin",
];

/// Labels of fields that are not personal data although a word of them is in a list above
/// ("company name", "e-mail address"): checked before the lists.
const NOT_PERSONAL: &[&str] = &[
    "mail",
    "e-mail",
    "email",
    "correo",
    "courriel",
    "ip",
    "web",
    "url",
    "site",
    "company",
    "firma",
    "société",
    "empresa",
    "azienda",
    "bedrijf",
    "organisation",
    "organization",
    "user",
    "benutzer",
    "file",
    "product",
    "produkt",
    "bank",
    "ticket",
    "order",
    "invoice",
    "reference",
    "device",
    "server",
    "host",
    "browser",
    "agent",
    "model",
    "version",
];

static LABELS: LazyLock<[WordSet; 5]> = LazyLock::new(|| {
    [
        PERSON_LABELS.iter().copied().collect(),
        ADDRESS_LABELS.iter().copied().collect(),
        ID_LABELS.iter().copied().collect(),
        PLACE_LABELS.iter().copied().collect(),
        OTHER_LABELS.iter().copied().collect(),
    ]
});

/// What a label says about its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    /// Personal data of this kind; `place`: an address part that needs no digit.
    Pii { kind: PiiKind, place: bool },
    /// A known label of something else (a country, a phone, a date, a table header).
    Other,
    /// A free-text field (a message, a subject): its label is no name, but its value is
    /// a sentence that may name anyone ("Message : Kaltõma recommended your company").
    Text,
}

/// Labels of free-text fields, lower case.
const TEXT_LABELS: &[&str] = &[
    "message",
    "nachricht",
    "mensaje",
    "messaggio",
    "mensagem",
    "bericht",
    "viesti",
    "wiadomość",
    "zpráva",
    "mesaj",
    "üzenet",
    "comment",
    "comments",
];

/// The longest label, in bytes, worth looking up.
const MAX_LABEL: usize = 48;

/// What a label says its value is.
fn label_kind(raw: &str, buf: &mut String) -> Option<Field> {
    let raw = raw
        .trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '*');
    if raw.is_empty() || raw.len() > MAX_LABEL {
        return None;
    }
    buf.clear();
    // camelCase and snake_case keys ("postalCode", "first_name") as words
    let mut prev_lower = false;
    for c in raw.chars() {
        if c == '_' {
            buf.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            buf.push(' ');
        }
        prev_lower = c.is_lowercase();
        buf.extend(c.to_lowercase());
    }
    let mut l = buf.trim();
    for tail in ["(optional)", "(required)", "*", "(s)", ":"] {
        l = l.strip_suffix(tail).unwrap_or(l).trim_end();
    }
    if l.is_empty() {
        return None;
    }
    let sets = &*LABELS;
    let kind = if sets[2].contains(l) {
        PiiKind::NationalId
    } else if sets[1].contains(l) || sets[3].contains(l) {
        PiiKind::StreetAddress
    } else if sets[0].contains(l) {
        PiiKind::Person
    } else if TEXT_LABELS.contains(&l) {
        return Some(Field::Text);
    } else if sets[4].contains(l) {
        return Some(Field::Other);
    } else {
        return address_parts(l, sets);
    };
    if kind != PiiKind::NationalId
        && l.split(|c: char| !c.is_alphanumeric())
            .any(|w| NOT_PERSONAL.contains(&w))
        && !matches!(l, "agent" | "agent name" | "user")
    {
        return Some(Field::Other);
    }
    let place = kind == PiiKind::StreetAddress && sets[3].contains(l);
    Some(Field::Pii { kind, place })
}

/// A label joining address labels ("CP / Localidad", "Postinro ja -toimipaikka",
/// "Apartment / Suite", "Postnr. / sted"): an address field when every part is an
/// address label, and a place (no digit needed) when one part is.
fn address_parts(l: &str, sets: &[WordSet; 5]) -> Option<Field> {
    const JOINS: &[&str] = &[
        " and ", " und ", " og ", " och ", " ja ", " y ", " e ", " et ", " en ", " i ", " și ",
        " és ", " a ", " & ", " και ", " ir ",
    ];
    let mut joined = l.to_string();
    for j in JOINS {
        joined = joined.replace(j, "/");
    }
    let parts: Vec<&str> = joined
        .split(['/', ','])
        .map(|p| p.trim().trim_start_matches('-'))
        .collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let known = |p: &&str| sets[1].contains(*p) || sets[3].contains(*p);
    parts.iter().all(known).then(|| Field::Pii {
        kind: PiiKind::StreetAddress,
        place: parts.iter().any(|p| sets[3].contains(*p)),
    })
}

/// Whether `label` is a known form label of any kind (a chat speaker is not).
pub(super) fn is_label(label: &str, buf: &mut String) -> bool {
    label_kind(label, buf).is_some()
}

/// Whether `v` can be a passport number with few digits: one token of six to twelve
/// letters and digits, a digit at least ("CZJZZCWK4", "UFFT66A51"); in capitals unless
/// `any_case` (a chat answer typed in lower case).
pub(super) fn document_number(v: &str, any_case: bool) -> bool {
    (6..=12).contains(&v.len())
        && v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes().all(|c| {
            c.is_ascii_digit() || c.is_ascii_uppercase() || (any_case && c.is_ascii_lowercase())
        })
}

/// Whether `v` looks like the value `kind`'s label promises.
fn value_fits(kind: PiiKind, v: &str, buf: &mut Lower) -> bool {
    if v.is_empty() || v.len() > 120 || v.contains('@') || v.contains("://") || v.contains("www.") {
        return false;
    }
    let lv = v.to_lowercase();
    if matches!(
        lv.trim_end_matches('.'),
        "n/a"
            | "na"
            | "none"
            | "-"
            | "--"
            | "same"
            | "same as above"
            | "unknown"
            | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "other"
            | "n.a."
            | "keine"
            | "aucun"
            | "ninguno"
    ) {
        return false;
    }
    match kind {
        PiiKind::Person => {
            let words: Vec<&str> = v.split_whitespace().collect();
            if words.is_empty() || words.len() > 5 || v.len() > 60 {
                return false;
            }
            if v.chars()
                .any(|c| c.is_ascii_digit() || matches!(c, '?' | '!' | '#' | '/' | '=' | '+'))
            {
                return false;
            }
            // a value of everyday words only is a sentence or a placeholder, not a name, and
            // a value with an everyday word of any language in it is a chat line or a
            // reply ("Customer: thanks, bye", "Agent: Will do."), not a name
            let mut any_unusual = false;
            for w in &words {
                let t = w.trim_matches(|c: char| !c.is_alphanumeric());
                if t.is_empty() {
                    continue;
                }
                if !t.chars().next().is_some_and(char::is_alphabetic) {
                    return false;
                }
                let lw = lexicon::lower(t, buf);
                let lex = lexicon::lookup(lw);
                if !lex.common() || lex.named() {
                    any_unusual = true;
                }
                if lex.common_any()
                    && !lex.named()
                    && !lex.particle()
                    && !matches!(
                        lw,
                        "and" | "und" | "et" | "y" | "e" | "en" | "och" | "og" | "i"
                    )
                {
                    return false;
                }
            }
            any_unusual
        }
        PiiKind::NationalId => {
            let digits = v.bytes().filter(u8::is_ascii_digit).count();
            let groups = v.split_whitespace().count();
            (digits >= 4 || document_number(v, false))
                && v.len() >= 5
                && v.len() <= 30
                && groups <= 5
                && v.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/'))
        }
        _ => {
            // an address part: short, letters or digits, not a sentence
            let words = v.split_whitespace().count();
            words <= 14
                && v.chars().any(char::is_alphanumeric)
                && !v.ends_with('?')
                && !v.ends_with('!')
        }
    }
}

/// Push the value `text[s..e]` (trimmed) of a field; a field of something else vetoes
/// weak names in its label and value.
fn push(
    text: &str,
    (ls, s, e): (usize, usize, usize),
    field: Field,
    buf: &mut Lower,
    out: &mut Vec<Cand>,
    veto: &mut Vec<(usize, usize)>,
) {
    let (mut kind, place) = match field {
        Field::Pii { kind, place } => (kind, place),
        Field::Text => {
            veto.push((ls, s));
            return;
        }
        Field::Other => {
            veto.push((ls, e));
            return;
        }
    };
    veto.push((ls, s));
    let v = &text[s..e];
    let lead = v.len() - v.trim_start().len();
    let v = v.trim();
    let v = v.trim_end_matches([',', ';']);
    let v = v.trim_end();
    if kind == PiiKind::StreetAddress && !place && !v.bytes().any(|c| c.is_ascii_digit()) {
        // "Ship to: Itai Tzur": the recipient, when it looks like a name
        kind = PiiKind::Person;
    }
    if !value_fits(kind, v, buf) {
        return;
    }
    let s = s + lead;
    let e = s + v.len();
    if kind == PiiKind::NationalId
        && super::recognizer::fails_named_scheme(text, &text[ls..s], s, e)
    {
        return;
    }
    let prio = match kind {
        PiiKind::Person => Prio::PERSON_STRONG,
        PiiKind::NationalId => Prio::FIELD_ID,
        _ if v.split_whitespace().count() > 8 => Prio::FIELD_ADDRESS_LONG,
        _ => Prio::ADDRESS_CUE,
    };
    out.push(Cand::new(s, e, kind, prio));
}

/// Every labelled field's value; `veto` gets the labels, and the values of fields that
/// hold no personal data, where no weak name is kept.
pub(super) fn fields(text: &str, out: &mut Vec<Cand>, veto: &mut Vec<(usize, usize)>) {
    let b = text.as_bytes();
    if memchr::memchr3(b':', b'\t', b'|', b).is_none() && memchr::memchr(b'=', b).is_none() {
        return;
    }
    let mut lbuf = String::new();
    let mut buf = Lower::new();
    let mut at = 0usize;
    for line in text.split('\n') {
        let start = at;
        at += line.len() + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.len() < 3 {
            continue;
        }
        if line.contains("\":") || line.contains("\" :") {
            json_fields(text, start, line, &mut lbuf, &mut buf, out, veto);
            continue;
        }
        let lead = line.len()
            - line
                .trim_start_matches(|c: char| {
                    c.is_whitespace() || matches!(c, '-' | '*' | '•' | '>')
                })
                .len();
        let body = &line[lead..];
        if let Some(rest) = body.strip_prefix('|') {
            // a table row: | label | value |
            let mut cells = rest.split('|');
            let (Some(l), Some(v)) = (cells.next(), cells.next()) else {
                continue;
            };
            if let Some(field) = label_kind(l, &mut lbuf) {
                let ls = start + lead + 1;
                let vs = ls + l.len() + 1;
                push(text, (ls, vs, vs + v.len()), field, &mut buf, out, veto);
            }
            continue;
        }
        // "Label: value", "Label : value", "Label\tvalue"
        let lim = body.len().min(MAX_LABEL + 2);
        let Some(sep) = body.as_bytes()[..lim]
            .iter()
            .position(|&c| matches!(c, b':' | b'\t' | b'|' | b'='))
        else {
            continue;
        };
        let label = &body[..sep];
        if label.trim().is_empty() {
            continue;
        }
        let Some(field) = label_kind(label, &mut lbuf) else {
            continue;
        };
        let vs = start + lead + sep + 1;
        let ve = start + line.len();
        let v = &text[vs..ve];
        // a second field on the same line ("PLZ: 1010 · Ort: Wien") ends this value
        let cut = [" | ", " · ", "\t", " ; "]
            .iter()
            .filter_map(|d| {
                let t = v.trim_start();
                let off = v.len() - t.len();
                t.find(d).map(|i| off + i)
            })
            .min()
            .unwrap_or(v.len());
        push(
            text,
            (start + lead, vs, vs + cut),
            field,
            &mut buf,
            out,
            veto,
        );
    }
}

/// `"label": "value"` pairs of a JSON line (one or several on the line).
fn json_fields(
    text: &str,
    start: usize,
    line: &str,
    lbuf: &mut String,
    buf: &mut Lower,
    out: &mut Vec<Cand>,
    veto: &mut Vec<(usize, usize)>,
) {
    let mut i = 0usize;
    while let Some(q) = line[i..].find('"') {
        let ks = i + q + 1;
        let Some(kl) = line[ks..].find('"') else {
            return;
        };
        let ke = ks + kl;
        let after = line[ke + 1..].trim_start();
        let Some(after) = after.strip_prefix(':') else {
            i = ke + 1;
            continue;
        };
        let vo = line.len() - after.len();
        let t = after.trim_start();
        let vo = vo + (after.len() - t.len());
        let Some(v) = t.strip_prefix('"') else {
            i = vo.max(ke + 1);
            continue;
        };
        let vs = vo + 1;
        let Some(vl) = v.find('"') else {
            return;
        };
        let ve = vs + vl;
        if let Some(field) = label_kind(&line[ks..ke], lbuf) {
            push(
                text,
                (start + ks, start + vs, start + ve),
                field,
                buf,
                out,
                veto,
            );
        }
        i = ve + 1;
    }
}

#[cfg(test)]
mod tests {
    use crate::redact::tests::addresses;

    #[test]
    fn labels_joining_address_labels_are_address_fields() {
        assert_eq!(
            addresses("País\tSpain\nCP / Localidad\t37002 Salamanca\nIP: 10.0.0.1"),
            ["37002 Salamanca"]
        );
        assert_eq!(
            addresses("Postinro ja -toimipaikka = 02100 Espoo\nKansalaisuus = American"),
            ["02100 Espoo"]
        );
        assert_eq!(addresses("Apartment / Suite: 7B\nNotes: none"), ["7B"]);
        assert_eq!(
            addresses(r#"{"zip_city": "779 00 Olomouc", "country": "Czech Republic"}"#),
            ["779 00 Olomouc"]
        );
    }

    #[test]
    fn labels_of_turkish_greek_polish_and_estonian_forms() {
        assert_eq!(
            addresses("Posta kodu / İl: 06690 Çankaya/Ankara\nÜlke: Türkiye"),
            ["06690 Çankaya/Ankara"]
        );
        assert_eq!(addresses("Οδός και αριθμός = Σταδίου 22"), ["Σταδίου 22"]);
        assert_eq!(
            addresses("Kod / miejscowość: 87-100 Toruń"),
            ["87-100 Toruń"]
        );
        assert_eq!(addresses("Tänav ja maja : Rüütli 69-11"), ["Rüütli 69-11"]);
    }

    #[test]
    fn labels_joining_other_labels_are_not() {
        // an address label joined to a label of something else says nothing
        assert!(addresses("Postcode / Reference: 12345 AB").is_empty());
        assert!(addresses("Order / Status: 4411 shipped").is_empty());
    }
}
