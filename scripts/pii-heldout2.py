#!/usr/bin/env python3
"""Build a second held-out PII evaluation set for the redactor (Python 3.11, stdlib only).

  python3 scripts/pii-heldout2.py [--seed 1] [--n 3000] [--out pii_heldout2.jsonl]

Output: JSONL in the format score_pii.py reads (the same as pii-heldout.py writes):

  {"id", "text", "entities": [{"start", "end", "type", "value", "format"}],
   "carrier": {"kind", "lang", "country"}}

Offsets are code points, end exclusive. A `<out>.meta.json` next to the output records the
seed, the counts, what the name filter excluded and the SHA-256 of the output. The same seed,
the same GEN_VERSION and the same redactor word lists always give the same bytes.

Why a second set: pii-heldout.py puts values into short one-line customer messages (a
carrier sentence plus templates with a cue next to each value). Real text also arrives in
other shapes, and this set is made of them, with nothing taken from outside this file (it
needs no carrier data and runs on a bare checkout):

* e-mails that end in a signature or contact block: a name line (titles, middle initials,
  particles such as "van der", "de la", hyphens, apostrophes, post-nominals), a job title, a
  company, street / "Apt." / "Suite" / city / country-and-postcode lines in many layouts,
  phone lines such as "040 165 6868-Office" or "+41 (0)66 362 96 22-Fax", e-mail and URL,
  company registration and VAT numbers, disclaimers;
* web form submissions in 20 languages ("Vorname:", "Prénom :", "Nazwisko:", ...): key/value
  lines, tables, tab-separated and JSON, fields in varying order, with national ids,
  passport and licence numbers, IBANs and cards, submission metadata (IP, page URL, time);
* chat transcripts (Agent/Customer turns) where names stand without a cue phrase: "Inessa is
  from Acme Corp.", a bare surname as the answer to "What's your last name?", "I went to a
  Roxy R. van der Torre concert", names at the start of a sentence, lower-cased turns;
* short biographies ("<name> lives at <address>, born <date>, ...") in several languages;
* shipping labels and address blocks of 36 countries (Nordic, Baltic, Greek script, numbers
  on both sides of the street name, CEDEX-style and country-prefixed postcodes);
* short messages with phone numbers in national formats and no cue word, "(0)" trunk
  prefixes, national ids with valid check digits (US SSN, UK NINO, NL BSN, ES DNI/NIE, IT
  codice fiscale, FR NIR, DE Steuer-IdNr, PL PESEL, SE personnummer, FI HETU, TR TCKN,
  EE/LT isikukood, RO CNP, BR CPF), passports and driving licences after cue words, cards
  (Luhn), IBANs (mod 97), IPs, URLs, order numbers, dates of birth;
* hard negatives everywhere: company, product and brand names (some named after people),
  place names, capitalised common words, month and weekday names, capitalised verbs at the
  start of a sentence, amounts, dates that are not dates of birth, times, flight, model and
  version numbers, VAT and company numbers, last four card digits; ~10% of messages hold
  no personal data at all.

Names: the given names and surnames are this file's own per-locale lists (48 locales,
including Greek and Cyrillic script) plus names invented by per-locale syllable models.
Any name that occurs in a word list the redactor reads is left out when the set is built:
every `*.txt` below crates/core/src/redact/ (gazetteer/ included, whatever is there at run
time) is read relative to this script, and any given name or surname one of whose parts
(lower-cased, with and without diacritics) is listed there is dropped. meta.json records
how many names were dropped and a hash of the dropped list. So the names test recognition
from context and shape, not recall of a list.

Conventions (the same as pii-heldout.py): a title ("Mr.", "Frau", "Dr.") and a
post-nominal ("PhD") are not part of a PERSON span, middle initials and particles are; a
possessive "'s" is outside. A street address is one span from its first line (street, or
unit/building line) to the postcode or city, also across line breaks; a country name on a
line of its own after it is outside, a country inside the block ("Netherlands 1017 DK") is
inside. In forms, each address field (street, unit, postcode, city) is its own span; a
country field is not personal data. A phone span is the number with its "(0)" and any
extension, without labels ("-Office", "Mobile:"). Every PERSON format starts with "cue:"
(a phrase such as "my name is", "Regards,", "Mr.", "Name:", "ask for", "contact person", a
greeting or sign-off introduces it) or "no_cue:" (the name stands in running text, as a bare
answer, as a speaker label, on a signature line with no sign-off); the rest of the format
says where (signature, form, chat, bio, label, ...), the shape, the locale and "list" or
"inv" (invented).
"""
import argparse
import hashlib
import json
import os
import re
import random
import sys
import unicodedata

GEN_VERSION = 1

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
REDACT_DIR = os.path.join(REPO, "crates", "core", "src", "redact")

# ====================================================================== names (own lists)
# "given names", "surnames"; '_' joins the words of one name ("van_der_Torre").

NAME_LISTS = {
    "en_US": ("Brantley Kinsley Paisley Jaxton Kaydence Rhett Oaklynn Bodhi Everleigh Tatum "
              "Maverick Sutton Callahan Delaney Jericho Marisol Tobiah Lennox Shiloh Dashiell "
              "Ainsley Keegan Rosalind Thaddeus Winslow Delphine Corbin Linnea Anson Roxy "
              "Jolene Cassius Marlowe Emmitt Lorelei Beckett Tamsin Rhiannon Zebediah Odessa Kadence Braxtyn Zaylee Jaxtyn Oaklee Brynlee Ryker Kinslee Maddox Paxton",
              "Adkins Blankenship Dunaway Ellsworth Fairbanks Hollingsworth Ingersoll "
              "Kettering Lockridge Mayfield Oglesby Pendergast Quackenbush Rutledge Stansbury "
              "Tolliver Umberger Vanderpool Whitlock Yarbrough Zimmerly Breckenridge Calloway "
              "Dorsett Emberton Fennimore Goodnight Haverford Kimbrough Lanier McGillicuddy "
              "Pettibone Rockefeller Sizemore Thibodeaux Wolcott Throckmorton Pettigrew Vandiver Honeycutt Lovelady Funderburk Blackwelder Applewhite Satterfield Wigglesworth Ledbetter Boatwright Hatchett Poindexter Overstreet Kittredge Smallwood"),
    "en_GB": ("Imogen Tarquin Rufus Cressida Fenella Crispin Jocasta Barnaby Perpetua "
              "Lysander Araminta Clementine Peregrine Ottilie Ambrose Marigold Digby Hattie "
              "Wilfred Philippa Montague Tabitha Horatio Octavia Algernon Verity Cosmo "
              "Elspeth Torquil Rosamund",
              "Ashcombe Bagshawe Cholmondeley Dimbleby Entwistle Fanshawe Gathercole Haworth "
              "Illingworth Jowett Kitchingman Lethbridge Marchbanks Nettleship Ormerod "
              "Pennycook Quarmby Ravenscroft Sidebottom Thistlethwaite Uttley Venables "
              "Winstanley Yeardley Ackroyd Bellingham Clitheroe Duckworth Eversleigh "
              "Fotheringham Smythe-Baxter Hartley-Pugh"),
    "ga_IE": ("Fionnuala Donncha Clodagh Ruairí Ailbhe Diarmuid Bláthnaid Cathal Sadhbh "
              "Fiachra Éabha Gráinne Colm Muireann Peadar Líadan Seosamh Órla Breandán "
              "Caoilfhionn Tadhgán Eithne Ainle Caoilte Dearbhla Fionntán Sorcha Tuathal Mairéad Odhrán",
              "Ó_Floinn Mac_Craith Ní_Bhriain Ó_Dálaigh Mac_Carthaigh Ó_Súilleabháin "
              "Nic_Aodha Ó_Ceallaigh Ó_Riain Breathnach Mac_Aonghusa Ó_Conchúir Ó_Tuathail "
              "O'Shaughnessy McGillycuddy O'Dwyer Mac_Suibhne Mac_Lochlainn Ó_Murchadha Ó_hEadhra Ó_Dubhghaill Ní_Mhurchú Ó_Conaill"),
    "de_DE": ("Hannelore Wolfram Gerlinde Hartmut Irmgard Volker Waltraud Reinhold Edeltraud "
              "Gunther Roswitha Siegfried Adelheid Lothar Hiltrud Eckhard Sieglinde Ortwin "
              "Brunhilde Detlef Kunigunde Ansgar Mechthild Wendelin Gudrun Leberecht "
              "Dietlinde Rüdiger Swantje Hinnerk Wiebke Kunibert Wigbert Walburga Friedhelm Erdmute Gottlob Reinhild Burkhard Hermine Sieghard Traudel Ehrenfried Irmtraud Gotthilf Liesel Eberhard Notker Adalbert Wunibald Theodelinde",
              "Brömmelkamp Dreesen Eichhorst Flügge Gröning Haberkorn Isenbügel Jaschinski "
              "Kettelhack Lüdemann Mertesacker Nöthling Oberhauser Plötz Schwertfeger "
              "Tiedemann Uhlenbrock Vogelsang Wiechmann Zeisberg Achterberg Bockelmann "
              "Dörfler Eisenhut Fuchsberger Hölzl Kienbaum von_Hagenow zu_Eltz Struckmeier "
              "Oppermann-Lichtblau"),
    "de_AT": ("Vinzenz Resi Korbinian Burgl Leopoldine Urs Vreni Reto Seraina Gian Chasper "
              "Mirjam Ueli Fränzi Kaspar Balz Livia Notburga Hieronymus Zenzi",
              "Brunnthaler Pfanzelter Hinterleitner Moosbrugger Tschurtschenthaler Aebischer "
              "Zwahlen Gugelmann Hunziker Niederberger Oberholzer Flückiger Rüegsegger Kälin "
              "Schnyder Imboden Bühlmann Hinterhuber Gruber-Strohmaier"),
    "fr_FR": ("Gwenaëlle Anatole Solène Aurélien Ségolène Barthélemy Maïwenn Gaspard "
              "Blandine Théophile Ombeline Anselme Bérénice Eudes Capucine Evrard Clothilde "
              "Honoré Sidonie Lazare Philippine Achille Domitille Fulbert Apolline Mériadec "
              "Guillemette Tancrède Marie-Ombeline Jean-Eudes Anne-Solène",
              "Abgrall Boisselier Chaumette Courtemanche Dufresnoy Fauconnier Guéguen "
              "Hautecoeur Jacquemin Kerjean Lachaussée Noiret Ollivier Quéméner Rousselot "
              "Saint-Aubin Tréguier Brisebois Le_Goff Le_Floch de_la_Roche Ducrocq "
              "Desjardins d'Aubigné de_Villeneuve Pétrequin Lancelin"),
    "es_ES": ("Amparo Eulalio Itziar Gorka Macarena Fulgencio Remedios Baltasar Covadonga "
              "Anselmo Leire Saturnino Montserrat Gumersindo Visitación Aitor Inmaculada "
              "Hermenegildo Edurne Nekane Iñaki María_del_Pilar",
              "Arrizabalaga Bustamante Carrasquilla Echeverría Garmendia Idígoras Larrañaga "
              "Manzanares Quiroga Santesteban Urquijo Villalobos Zubizarreta Olabarrieta "
              "de_la_Fuente Cienfuegos Altamirano Cortázar Peñalver Sotomayor Barrenechea "
              "Mondragón Valdivieso García-Ochoa de_la_Vega"),
    "es_MX": ("Ximena Guadalupe Cuauhtémoc Itzel Xóchitl Nayeli Ulises Yaretzi Eréndira "
              "Tenoch Citlali Jacinto Abigaíl Rigoberto Maricruz Tonatiuh",
              "Zepeda Ocampo Villaseñor Tlacuilo Barragán Cervantes Huerta Maldonado Quintero "
              "Arellano Escamilla Nájera Solís Tapia Tlapanco Xicoténcatl Itzcóatl Cuauhtli Tezozómoc Ahuizotl Yáñez Zárate Olvera Ledesma"),
    "it_IT": ("Gianfilippo Ornella Tiziano Loredana Ermenegildo Annunziata Fiorenzo "
              "Pierluigi Assunta Cosimo Mariagrazia Eriberto Nunzia Gaetano Tecla Ottorino "
              "Rosalba Ignazio Serafina Liborio Benedetta Amedeo Giuditta Corrado",
              "Abbruzzese Barzaghi Castiglioni D'Alessandro Esposti Fumagalli Gherardini "
              "Iannuzzi Lo_Bianco Mastrangelo Nicoletti Occhipinti Quattrocchi Santangelo "
              "Tagliaferri Uboldi Zanardelli Brambilla Canepa Di_Stefano Foschini Galimberti "
              "Lo_Presti Pagliarulo Scognamiglio Terracciano Zampieri"),
    "pt_PT": ("Gonçalo Leonor Madalena Duarte Benedita Afonso Joaquim Filipa Vasco Graça "
              "Lourenço Inês Salvador Carolina Tomé Gaspar Matilde Vicente Carlota Simão Constança Mafalda Brites Henrique",
              "Albuquerque Bettencourt Cavaco Damasceno Figueiredo Gusmão Magalhães Quaresma "
              "Rebelo Sampaio Valadares Bragança Meireles Vasconcelos dos_Anjos da_Cunha "
              "Loureiro Portela Sousa-Tavares"),
    "pt_BR": ("Iracema Raimundo Jaciara Ubirajara Luzia Anacleto Ivone Cauã Yara Apolinário "
              "Thaís Irineu Ariadne Jussara Edivaldo Rosângela Valdecir Kauane",
              "Damasceno Junqueira Nogueira Teixeira Zanetti Cordeiro Vasconcellos Bezerra "
              "Carvalhal Medeiros Paranhos Siqueira Tavares Xavier de_Assis"),
    "nl_NL": ("Gerrit Hendrikje Sjoerd Aaltje Geertruida Wessel Jikke Reinier Fenna Hidde "
              "Tjitske Berend Ids Wietske Jelle Hester Siebe Annelies Aart Griet Lieke "
              "Femmigje Auke Trijntje",
              "van_der_Torre van_Kampen Bijlsma Hoogendoorn Lammerts van_Oosterhout "
              "Schuurman Terpstra Veenstra de_Wilde Wijnberg van_den_Heuvel Oosterveld "
              "Roelofs Stapel Hulshof Kloosterman ter_Horst van_Beek Zijlstra "
              "van_der_Meulen-Bos Hoekstra Kwakernaak"),
    "nl_BE": ("Lieven Griet Wannes Sofie Joke Stijn Lotte Korneel Annelien Jef Bavo Jorien Amelie Dries Lore Brecht Kaat Seppe Hanne",
              "Vandenbroucke Verhaegen De_Smedt Van_Damme Goossens Claeys Vermeulen "
              "Desmet Van_Acker Peeters Vanhoutte Verstraeten Van_Hecke Debruyne Van_Steenkiste Vercruysse Derycke Vanneste Claerhout Vandewalle"),
    "pl_PL": ("Bożena Jarosław Grażyna Zdzisław Wiesława Bogumił Halina Radosław Mirosława "
              "Czesław Jadwiga Przemysław Urszula Wacław Kazimiera Bolesław Genowefa "
              "Sławomir Teodora Mieczysław Marlena Ziemowit Bogusława Ludwik Władysława Zenon Eugenia Lech Stanisława Dobrosław",
              "Brzęczyszczykiewicz Chmielewski Dziedzic Grabowiecka Jastrzębski Kaczmarczyk "
              "Łukasiewicz Maciejewska Niedźwiecki Pietrzak Rybczyński Sobczak Tomaszewska "
              "Wróblewski Zawadzki Żółkiewski Gwiazdowski Kołodziej Przybylska Szczepańczyk "
              "Mavc Skłodowska-Kowal"),
    "cs_CZ": ("Bohuslav Drahomíra Jaroslava Vítězslav Zdeňka Radomír Ludmila Bořivoj Věra "
              "Libuše Dalibor Miloslava Svatopluk Blažena Vojtěch Jiřina Otakar Přemysl Bohumila Jaromír Dobromila Vratislav Slavomír Radmila Čestmír Květoslava Soběslav Zbyněk Ctirad Vlastimil",
              "Dvořáček Hrabal Chalupníková Koudelka Procházka Růžička Šťastný Vondráček "
              "Zelenka Bartoš Kratochvíl Pospíšilová Šimek Valenta Hromádko Kučerová "
              "Ondráček Vrba Šebestová Holub Kopecký Sýkora Jelínková Čermák Hájek Zbořil Navrátil Kubíček Doležal Pokorná"),
    "hu_HU": ("Zsófia Bence Réka Levente Boglárka Csaba Enikő Gergely Ildikó Szabolcs Tünde "
              "Krisztina Botond Orsolya Huba Emese Lőrinc Ágoston Benedek Csilla Dezső Etelka Hajnalka Ibolya Jolán Kálmán Lehel Mátyás Piroska Rozália Sarolta Tihamér Vilmos Zsolt",
              "Szőke Halász Bognár Fodor Vörös Pásztor Takács Szalai Berényi Lakatos Mészáros "
              "Csonka Győri Kertész Dobos Sárközi Vámos Bozsik Czakó Dénes Fazekas Gulyás Hegedűs Juhász Kelemen Lengyel Madarász Nyitrai Pintér Rácz Somogyi Zsigmond"),
    "ro_RO": ("Ioana Mircea Ecaterina Dragoș Florentina Sorin Anca Mihaela Rodica Crina Horia "
              "Simona Lucian Ovidiu Viorica Sânziana Ilinca Tudora Costel Dorin Petru Ilie Voicu Miruna Oana Răzvan Iulian Smaranda Ștefania Codruț",
              "Stănescu Vasilescu Munteanu Ciobanu Lungu Moldoveanu Ardeleanu Bălănescu "
              "Grigorescu Niculescu Drăgulescu Pârvulescu Țăranu"),
    "el_GR": ("Evangelos Panagiota Charalampos Paraskevi Spyridon Theodoros Chrysoula "
              "Athanasios Stavroula Aristotelis Kalliopi Emmanouil Despoina Fotios "
              "Eleftheria Ilias Zoi Polyxeni",
              "Papathanasiou Karagiannis Triantafyllou Chatzidakis Theodoropoulos Mavromatis "
              "Kyriakopoulos Antonopoulou Stamatelou Zacharopoulos Vlachopoulos Anagnostou "
              "Economides Lambrakis Tsakalidis"),
    "tr_TR": ("Büşra Oğuzhan Gülizar Tarkan Nurhan Serkan Dilek Kerem Şebnem Volkan Sevgi "
              "Barış Yeşim Umut Aslı Cengiz Melike Ferhat",
              "Karaoğlu Kocabaş Erdoğdu Bozkurt Akgündüz Tekin Sarıgül Uysal Güneş Karakaya "
              "Aksoy Çakır Kahraman Ertuğrul Özbek Yazıcı"),
    "sv_SE": ("Birgitta Ulf Gunilla Torbjörn Margareta Solveig Göran Agneta Kjell Britt "
              "Lennart Ylva Sixten Ebba Folke Signe Ragnar Gösta Ingegerd Sune Märta Evert Torsten Valdemar Dagny Sigvard Algot Hedvig Ture Siv Arvid Vendela Birger Inga-Lill Gull-Britt",
              "Blomqvist Ekström Forsberg Hägglund Lundqvist Sjöberg Wallin Åberg Östlund "
              "Nordström Lindgren Holmberg Sandström Bergkvist Engström Fält Wennerström Hjalmarsson Ståhlberg Lindblad Ljungqvist Brännström Öhman Sjögren Stenmark Hedlund Björkman Ekdahl Tjernberg Westerlund Åkerblom Skoglund Almqvist Rosengren"),
    "nb_NO": ("Håkon Ingvild Eirik Ragnhild Torstein Sigrid Øystein Kjersti Leif Marit "
              "Trygve Åse Steinar Randi Vegard Ragnvald Gudbrand Torgunn Halvdan Signy Aslaug Audun Jorunn Eivind Brynhild",
              "Haugland Bakkevig Fjeldstad Halvorsen Grøtterud Myklebust Hovland Sæther Løvås "
              "Rønning Aasheim Tveit Bjørnstad Eide Aarflot Bjørge Fosse Gjerde Haugen Kvam Lunde Nesheim Opdal Ruud Skjervheim Vatne"),
    "da_DK": ("Mette Søren Birthe Jesper Lone Bjarne Pernille Mogens Susanne Torben Dorthe "
              "Frede Kirsten Hanne Vagn Bodil Egon Inger Aksel Grethe Ejnar Tove Preben Jytte Asger Kamma Verner Svend",
              "Kjærgaard Søndergaard Østergaard Dalsgaard Mikkelsen Frederiksen Bisgaard "
              "Nygaard Skovgaard Thygesen Bundgaard Vestergaard Damgaard Brøndum Krogh Vinther Kjeldsen Brøgger Lauritsen Hjorth Ravn Bech Ahlefeldt Gyldenstierne Mølgaard Kofoed"),
    "fi_FI": ("Aino Eero Kaarina Jukka Tuulikki Pekka Marjatta Tapio Sirkka Heikki Riikka "
              "Päivi Ilkka Satu Kalevi Liisa Mauno Väinö Ilmari Aapeli Lahja Kyllikki Orvokki Tyyne Urho Vieno Siiri Sulo Reino Helmi Ensio Sanelma Aune Toivo Alpo Eevi Kerttu Oiva Vilho Sylvi Tellervo Unto",
              "Virtanen Mäkinen Nieminen Hämäläinen Järvinen Heikkinen Koskinen Laaksonen "
              "Lehtonen Saarinen Tuominen Rantanen Kettunen Salminen Hyvärinen Kärkkäinen "
              "Väisänen Pesonen Ylönen Pöyhönen Hiltunen Kokkonen Räsänen Tikkanen Haapala Ylikoski Kivelä Peltola Ruotsalainen Kähkönen Huttunen Leppänen Vänskä Törmänen Närhi Ahokas Myllymäki Kuusisto"),
    "is_IS": ("Guðrún Sigurður Sigríður Þórunn Ólafur Kristín Ingibjörg Þorsteinn "
              "Ragnheiður Hallgrímur Bryndís Snorri Jóhanna Bjarni Ásdís Þórdís Hrafnhildur Steingrímur Ragnar Eyjólfur Védís Þorgerður Hjörleifur",
              "Sigurðsson Jónsdóttir Gunnarsson Ólafsdóttir Einarsdóttir Þorsteinsson "
              "Hallgrímsson Magnúsdóttir Björnsson Kristjánsdóttir"),
    "et_EE": ("Kadri Tõnu Triin Margus Ülle Jaanus Merike Priit Ene Rein Kersti Urmas "
              "Pille Tõnis Heino Aili Urve Lembit Maimu Tiit Sirje Jüri Ilmar Leida Endel Evi Kalju Helju Arvo",
              "Tamm Saar Sepp Mägi Kask Kukk Rebane Ilves Pärn Koppel Lepik Kõiv Raudsepp "
              "Vaher Sild Tamme Kivi Lill Põder Sarapuu Kuusk Järv Laur Mölder Ots Pihlak Põldma Rand Tooming Uibo"),
    "lv_LV": ("Ilze Jānis Inese Māris Līga Andris Zane Raimonds Dace Guntis Sarmīte Valdis "
              "Baiba Edgars Ainārs Dzintars Gunta Ināra Laimdota Rihards Mārtiņš Sandis Aiga Velta Indulis Valda",
              "Bērziņš Kalniņa Ozoliņš Liepiņa Krūmiņš Zariņa Vītols Kļaviņa Balodis Siliņa "
              "Eglītis Pētersone Lapiņš Ābele Bērzkalne Dzenis Grīnbergs Jaunzems Kalējs Lācis Plūme Sproģis Vanags Zvaigzne"),
    "lt_LT": ("Rūta Mindaugas Eglė Vytautas Giedrė Darius Aušra Saulius Jurgita Gintaras "
              "Ieva Arūnas Dalia Rimantas",
              "Kazlauskas Jankauskienė Petrauskas Stankevičiūtė Vasiliauskas Žukauskas Butkus "
              "Paulauskaitė Urbonas Kavaliauskas Navickas Ramanauskienė"),
    "ru_RU": ("Yaroslav Lyudmila Vsevolod Zinaida Gennady Valentina Stanislav Larisa "
              "Rostislav Nadezhda Inessa Evdokia Arkady",
              "Rzhevsky Zhdanova Kalashnikov Stepanova Yermolov Golubeva Shcherbakov "
              "Vorontsova Pozharsky Tikhomirova"),
    "uk_UA": ("Oksana Bohdan Taras Halyna Mykola Lesya Ostap Solomiya Yaryna Vasyl",
              "Tereshchenko Shevchuk Bondarenko Kovalchuk Melnychenko Lysenko Davydenko "
              "Pryhodko Hnatyuk Savchuk"),
    "bg_BG": ("Tsvetana Stoyan Radka Hristo Mariyka Todor Velichka Lyubomir",
              "Stoyanova Petkov Dimitrova Hristov Todorova Zhivkov Atanasova Kostadinov"),
    "ka_GE": ("Nino Giorgi Tamar Levan Ketevan Davit Mariam Irakli Natia Zurab",
              "Beridze Kapanadze Gelashvili Lomidze Tsiklauri Javakhishvili Mchedlishvili "
              "Khutsishvili Gogoladze Chkheidze"),
    "hy_AM": ("Anahit Tigran Lusine Arman Siranush Vardan Gayane Hovhannes Narine Ashot",
              "Harutyunyan Grigoryan Sargsyan Hovhannisyan Petrosyan Khachatryan Manukyan "
              "Avetisyan Ghazaryan Mkrtchyan"),
    "ar": ("Yousra Ziad Rawan Bassam Lubna Nizar Hiba Mazen Wissam Ghada Fadi Souad Hicham "
           "Nawal Ayoub",
           "Al-Khatib Abu-Zeid Bou_Saab Chehab Darwish El-Masri Ghanem Jaber Kanaan Mourad "
           "Nassar Qassem Sfeir Tahan Zoghbi Benjelloun Lahlou Al-Hashimi Al-Mutairi Al-Zahrani Al-Qahtani Ben_Youssef Chraibi Tazi Bennani El_Idrissi Haddadin Khoury Maalouf Nahas Sabbagh Tannous"),
    "fa_IR": ("Shirin Dariush Parisa Kourosh Roya Babak Mahsa Arash Nasrin Siamak",
              "Tehrani Rezaei Hosseini Karimi Ghorbani Moradi Jafari Sadeghi Kazemi Farahani "
              "Golshiri"),
    "he_IL": ("Noa Yair Eitan Shira Itai Yael Omer Michal Amit Hadas Gilad",
              "Ben-David Peretz Biton Avraham Mizrahi Shapira Dahan Azoulay Levinson Ben-Ami Ohana Elbaz Halevi Zilberman Ben-Haim Tzur Shalev Golan Harari"),
    "hi_IN": ("Abhishek Anjali Bhavesh Chitra Devendra Gayatri Hemant Indira Jagdish Kavitha "
              "Mahesh Nandini Prakash Radhika Shailesh Tanuja Uday Vaishali Yogesh Pallavi "
              "Senthil Thenmozhi Muthukumar Kalaivani Ilango Saravanan Sourav Moumita Arnab "
              "Sudeshna",
              "Bhattacharya Chaudhary Deshpande Gokhale Hegde Jhunjhunwala Kulkarni Mahajan "
              "Naidu Oberoi Padmanabhan Raghunathan Sengupta Thakur Upadhyay Venkataraman "
              "Wadhwa Zaveri Chandrasekaran Ramaswamy Sivakumar Dasgupta"),
    "ur_PK": ("Ayesha Bilal Sana Faisal Hina Imran Rabia Usman Mehwish Kamran Shahzaib Mahnoor Ammar Iqra Hamza Saad Anum Waqas",
              "Butt Chaudhry Siddiqui Abbasi Mirza Sheikh Khokhar Rana Gondal Bajwa Cheema Janjua Khattak Lodhi Niazi Paracha Qazi Tarar Warraich Durrani"),
    "zh_CN": ("Zhiqiang Xiaoling Jianguo Yuying Haoyu Ruoxi Zihan Shuang Weiming Jiayi "
              "Xinyi Baozhen Guangyu Liqing",
              "Qian Zhou Zheng Feng Chu Jiang Shen Qin Kong Cao Hua Tao Ouyang Sima Zhuge Situ Shangguan Gongsun Huangfu Linghu Dongfang Ximen Yuwen Murong"),
    "ja_JP": ("Haruka Kazuki Mitsuko Noboru Chihiro Ryota Fumiko Shunsuke Kaori Tatsuya "
              "Michiko Yoshiro Ayaka Kenta Sayuri Masaru",
              "Hasegawa Ishikawa Kurosawa Matsuda Nishimura Ogawa Sakamoto Takeda Uchida "
              "Yamaguchi Fujiwara Hayashi Kinoshita Morimoto Nakagawa Okamoto Tsukamoto"),
    "ko_KR": ("Seo-yeon Ha-eun Min-jun Do-yoon Ji-ho Su-bin Ye-jin Tae-hyun Eun-woo "
              "Hye-jin Jae-won Seung-min Bo-ram Ha-neul Seul-gi Da-som Geon-woo Na-rae Yu-na Ye-seul",
              "Baek Seo Shin Kwon Hwang Ahn Song Yoo Hong Jeon Moon Bae Tak Yeom Pyo Gook Bong Eom Byeon Seol Yook Dokgo Namgung Hwangbo Jegal Seonu"),
    "vi_VN": ("Thảo Nhung Khoa Phượng Hiếu Trang Vinh Ngọc Dũng Hạnh Quỳnh Tùng Thùy Hằng Khánh Phúc Tâm Trung Nhật Tường Uyên Xuân Yến",
              "Nguyễn Trần Lê Phạm Huỳnh Võ Đặng Bùi Đỗ Hồ Ngô Dương Khúc Lục Tôn_Thất Quách Lã Âu_Dương Kiều Thái Cù Diệp Mạc Ông"),
    "th_TH": ("Somchai Nattaya Kittipong Siriporn Wiroj Pimchanok Thanawat Ratana Anucha "
              "Kanokwan",
              "Srisuwan Chaiyaporn Thongchai Rattanakorn Phromma Sukprasert Wongsawat "
              "Kaewkanya Boonmee Charoenkul"),
    "id_ID": ("Wahyu Agus Dewi Bambang Rini Hendra Kartika Joko Fitri Budi Intan Wahyuni Sulastri Haryanto Kusnadi Purnomo Retno Sutrisno Endang Darmawan Yulianti Setyawati Gunadi",
              "Santoso Wibowo Kusuma Hidayat Nugroho Setiawan Pratama Saputra Siregar "
              "Simanjuntak Hutapea Sinaga Wijaya Sitompul Nainggolan Panjaitan Harahap Nasution Tambunan Manurung Pardede Sembiring Ginting Tarigan Purba Situmorang Pangaribuan"),
    "fil_PH": ("Rodelio Marites Jonalyn Rommel Maricel Arnel Rowena Dindo Lorna Jericho",
               "Dela_Cruz Macaraeg Bautista Villanueva Mangubat Dimaculangan Pangilinan "
               "Soriano Manalo Tolentino Macapagal Dimagiba Lacsamana Manansala Bumanglag Dumlao Pascua Ilagan Tagle Magbanua Sumulong Buenaventura"),
    "sw_KE": ("Wanjiru Achieng Otieno Njeri Akinyi Kiprop Chebet Wekesa Nyambura Omondi "
              "Zawadi Baraka Tesfaye Meseret Selamawit",
              "Kamau Mwangi Kiprotich Wambui Ochieng Njoroge Mutua Chepkoech Wafula "
              "Gebremedhin Tadesse Bekele Alemu"),
    "yo_NG": ("Oluwadamilare Adebola Temitope Olumide Folasade Ayodele Chukwuemeka Obinna "
              "Chinwe Ifeoma Kelechi Uchenna Adaora Somtochukwu",
              "Oyelaran Akinwande Oladipo Okonjo Nwachukwu Onyekachi Okoro Ogunbiyi Adesanya "
              "Ikechukwu Anyanwu"),
    "zu_ZA": ("Thandeka Sipho Nomvula Bongani Lindiwe Themba Zanele Mandla Nokuthula Sizwe",
              "Dlamini Nkosi Ndlovu Khumalo Mthembu Mahlangu Shabalala Ntuli Cele Mkhize "
              "Sithole Msimang Nxumalo Madlala Gumede Zungu Hlongwane Mabuza Mchunu Buthelezi Sibiya Ngcobo Magubane"),
    "mi_NZ": ("Aroha Tama Mereana Wiremu Huia Rāwiri Ngaio Tamati Hēmi Kiri Mere Pita Rangi Tui Whetu Anaru Hinewai Manaia Ihaia",
              "Ngata Parata Te_Whata Waititi Horomona Pōmare Te_Ao"),
}

# Names in their own script for some locales (used for part of the persons of that locale).
NATIVE = {
    "el_GR": ("Ευάγγελος Παναγιώτα Χαράλαμπος Παρασκευή Σπυρίδων Θεόδωρος Χρυσούλα Αθανάσιος "
              "Σταυρούλα Καλλιόπη Αριστοτέλης Δέσποινα",
              "Παπαθανασίου Καραγιάννης Τριανταφύλλου Χατζηδάκης Μαυρομάτης Κυριακόπουλος "
              "Αναγνώστου Λαμπράκης Οικονομίδης Ζαχαροπούλου"),
    "ru_RU": ("Ярослав Людмила Всеволод Зинаида Геннадий Аркадий Евдокия Инесса",
              "Ржевский Жданова Степанова Воронцова Пожарский Тихомирова"),
    "uk_UA": ("Оксана Богдан Тарас Галина Остап Соломія Ярина",
              "Терещенко Шевчук Бондаренко Мельниченко Гнатюк Савчук"),
    "bg_BG": ("Цветана Стоян Радка Христо Тодор Любомир",
              "Стоянова Петков Димитрова Христов Костадинов"),
}

FAMILY_FIRST = {"vi_VN": 1.0, "hu_HU": 0.5, "zh_CN": 0.5, "ko_KR": 0.3, "ja_JP": 0.2}

# Syllable models for invented names: syllables, given-name endings, surname endings,
# surname prefixes (particles).
SYL_MODELS = {
    "en": ("ash bel bren cal dar el fen gar hal jes kel lan mer nor pel quin ros sel tam vor "
           "wen yar cor brad lin", "a ella yn ley ia ton en", "ton ley worth field wick by "
           "more ham stead ridge ford combe well", ""),
    "ga": ("aod bla cia dar eil fia lio mui nia ora ria sai tai", "án in a e agh",
           "agáin ain ey an ary", "Ó Mac"),
    "de": ("bra hel gun ter wol fri ek ros lind bert al ul din mar ha", "a e hild rud mund "
           "olf ine", "mann er berg hofer meier bach hausen brink kamp feld rath", "von"),
    "fr": ("ber ga lou mar ti ro sé cla vien dou lan mé ri", "ine ette elle ien and ise",
           "ard et eau ier ot in on ac ais", "de Le"),
    "es": ("al ber ca do ga ma ri lu te so ve na", "a o ia io ela ino", "ez ero ales edo "
           "illa ueta ano aga", "de_la de"),
    "it": ("ber co fio gia lo ma ni ro sa te vi", "a o ina etto ella ino", "ini etti ucci "
           "elli one ese ardi", "De Lo"),
    "pt": ("ba ca dé go lu ma ne ri sa ta va", "a o inho ete ilde", "eira ado inho ares "
           "elos", "da dos"),
    "nl": ("bram ger hoo jan kee mee pie roel wou sjo tie aal", "a e je ke ina", "dijk inga "
           "stra ink huis hout man veld", "van van_der de ter"),
    "pl": ("bo gra ja ko li mi ra sta wi zo dzi", "a ek ysław ina ota", "ski ska wicz czyk "
           "ak ek owska ewicz", ""),
    "cs": ("bo dra ja ko mi ra vo zde ště", "a ek slav ka", "ek ák ová íček ný ovský", ""),
    "hu": ("bor cse gyö ke lő ma sza ti zol bar", "a ke ő ta", "i ó ás ényi ai", ""),
    "ro": ("dra mi ra so te vi co lu nea", "a ela ian u", "escu eanu aru oiu", ""),
    "el": ("thi kos la ni pa so sta vra chri ago", "a is os ou i", "opoulos akis idis ou "
           "atos iadis", ""),
    "tr": ("ay bar can der er gül ke nur ser tu yil", "an a e em", "oğlu can er kaya su "
           "türk", ""),
    "sv": ("berg lind sjö ek holm ny dal ås vi", "a ar vi ild", "ström qvist berg lund gren "
           "dahl", ""),
    "no": ("ei hå sig tor vi sol rag kjell", "a e ild ar", "rud stad heim vik haug land", ""),
    "da": ("mo bi hen tor kir fre lo", "e a ild er", "gaard bæk holt strup", ""),
    "fi": ("ka lo mä ne pe ri ta ve hu ja ai", "a i o", "nen la lä io nen", ""),
    "is": ("guð sig þór ól ing hall bryn", "ur a ný dís", "sson sdóttir", ""),
    "et": ("kal ma pe tõ ur sa ka", "i e o", "mägi te pu lo saar", ""),
    "lv": ("il jā ma lī an ze da", "a e is s", "iņš s e a ne", ""),
    "lt": ("rū min eg vy gie da au", "a ė as us", "aitis auskas ienė ytė ūnas", ""),
    "ru": ("ya ro sla va gen lyu zi na", "a iy ya", "ov ova in ina enko sky", ""),
    "ka": ("gi le ke ir na zu", "a i o", "dze shvili ia ava", ""),
    "hy": ("an ti lu ar va ga ho", "a e ik", "yan ian", ""),
    "ar": ("ha ma ra sa ya zi na fa ba", "a een ah", "i oun an", "Al- El-"),
    "fa": ("sha da pa ro ba ma ar", "a in ush", "i zadeh pour", ""),
    "in": ("an ra vi shi ku ma de pra ja", "a esh it ika", "ani kar ker wala nathan", ""),
    "ja": ("ka ki ku ko sa shi su ta chi na ni no ha hi mi mo ya yu yo ri ro", "ko mi ka ro "
           "ta suke", "moto shima da mura kawa yama", ""),
    "ko": ("min ji seo ha eun yeon jun woo hyun su bin", "", "", ""),
    "zh": ("xiao hao jun ling mei qing rui wen yu zhi", "", "", ""),
    "vi": ("an binh chau dinh giang hoa khanh lam ngoc phuong quan son thanh tuyet", "", "",
           ""),
    "th": ("som chai nat pim kit sir won tha", "a on ya", "suwan porn kul sawat", ""),
    "id": ("su har ta ja wi di pra se ba", "a i o", "wan wati ono anto", ""),
    "af": ("olu ade chi nom tha ba ko ife", "a e o ile", "yemi wale nna ezi ebe", ""),
}
LOCALE_MODEL = {
    "en_US": "en", "en_GB": "en", "ga_IE": "ga", "de_DE": "de", "de_AT": "de", "fr_FR": "fr",
    "es_ES": "es", "es_MX": "es", "it_IT": "it", "pt_PT": "pt", "pt_BR": "pt", "nl_NL": "nl",
    "nl_BE": "nl", "pl_PL": "pl", "cs_CZ": "cs", "hu_HU": "hu", "ro_RO": "ro", "el_GR": "el",
    "tr_TR": "tr", "sv_SE": "sv", "nb_NO": "no", "da_DK": "da", "fi_FI": "fi", "is_IS": "is",
    "et_EE": "et", "lv_LV": "lv", "lt_LT": "lt", "ru_RU": "ru", "uk_UA": "ru", "bg_BG": "ru",
    "ka_GE": "ka", "hy_AM": "hy", "ar": "ar", "fa_IR": "fa", "he_IL": "ar", "hi_IN": "in",
    "ur_PK": "in", "zh_CN": "zh", "ja_JP": "ja", "ko_KR": "ko", "vi_VN": "vi", "th_TH": "th",
    "id_ID": "id", "fil_PH": "es", "sw_KE": "af", "yo_NG": "af", "zu_ZA": "af", "mi_NZ": "id",
}
LOCALES = sorted(NAME_LISTS)
PARTICLES = {"van", "der", "den", "de", "la", "le", "du", "des", "von", "zu", "ter", "ten",
             "di", "da", "dos", "das", "del", "lo", "el", "al", "bin", "ibn", "ó", "o", "mac",
             "mc", "ní", "nic", "uí", "mhic", "bou", "abu", "te", "d", "y", "e"}


def fold(s):
    """Lower-case, without diacritics (ß -> ss, ø -> o, ł -> l, ...)."""
    s = s.lower()
    s = s.translate(str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l",
                                   "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}))
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def name_keys(name):
    """The lower-cased forms a word list could hold for one given name or surname."""
    low = name.lower().replace("’", "'")
    keys = {low, fold(low), low.replace("'", ""), fold(low).replace("'", "")}
    for part in re.split(r"[\s\-_]+", low):
        p = part.strip(".")
        if not p or p in PARTICLES:
            continue
        keys.update({p, fold(p), p.replace("'", ""), fold(p).replace("'", "")})
        if "'" in p:
            keys.update(x for x in p.split("'") if len(x) > 1 and x not in PARTICLES)
    return keys


def load_wordlists(root):
    """Every *.txt below the redactor's folder (gazetteer/ included), as one lower-cased set."""
    files, words = [], set()
    if os.path.isdir(root):
        for dp, dns, fns in os.walk(root):
            dns.sort()
            files.extend(os.path.join(dp, f) for f in sorted(fns) if f.lower().endswith(".txt"))
    files.sort()
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                s = line.split("#", 1)[0].strip().lower() if not line.lstrip().startswith("#") \
                    else ""
                if not s:
                    continue
                words.add(s)
                for tok in re.split(r"[\s,;|\t]+", s):
                    tok = tok.strip(".\"()[]{}:")
                    if tok:
                        words.update({tok, fold(tok), tok.replace("'", "")})
    return [os.path.relpath(f, REPO).replace(os.sep, "/") for f in files], words


class NameBank:
    """Per-locale pools of given names and surnames, minus whatever the word lists know."""

    def __init__(self, words):
        self.words = words
        self.excluded = set()
        self.given_excl = self.sur_excl = self.total = 0
        self.invented_rejected = 0
        self.pools = {}
        for loc in LOCALES:
            g, s = NAME_LISTS[loc]
            gl = [self._ok(x.replace("_", " "), "g") for x in g.split()]
            sl = [self._ok(x.replace("_", " "), "s") for x in s.split()]
            native = None
            if loc in NATIVE:
                ng, ns = NATIVE[loc]
                native = ([self._ok(x, "g") for x in ng.split()],
                          [self._ok(x, "s") for x in ns.split()])
                native = ([x for x in native[0] if x], [x for x in native[1] if x])
            self.pools[loc] = ([x for x in gl if x], [x for x in sl if x], native)

    def _ok(self, name, kind):
        self.total += 1
        if name_keys(name) & self.words:
            self.excluded.add(name)
            if kind == "g":
                self.given_excl += 1
            else:
                self.sur_excl += 1
            return None
        return name

    def known(self, name):
        return bool(name_keys(name) & self.words)

    def invent(self, rng, loc, kind, force=False):
        model = SYL_MODELS[LOCALE_MODEL[loc]]
        syl, gend, send, pre = (x.split() for x in model)
        for _ in range(200 if force else 60):
            if kind == "g":
                k = {"ko": 2, "zh": 2, "vi": 1}.get(LOCALE_MODEL[loc], rng.choice([2, 2, 2, 3]))
                parts = [rng.choice(syl) for _ in range(k)]
                if LOCALE_MODEL[loc] == "ko":
                    v = parts[0].capitalize() + "-" + parts[1]
                else:
                    v = "".join(parts)
                    if gend and rng.random() < 0.6:
                        v += rng.choice(gend)
                    v = v.capitalize()
            else:
                if not send:       # ko / zh / vi: one-syllable family names
                    v = rng.choice(syl).capitalize()
                    if not self.known(v):
                        return v
                    self.invented_rejected += 1
                    continue
                if LOCALE_MODEL[loc] == "is":
                    g = self.pick(rng, loc, "g", allow_invent=False) or "Jón"
                    return g.rstrip("ur").rstrip("i") + rng.choice(send)
                v = "".join(rng.choice(syl) for _ in range(rng.choice([1, 2, 2]))) + \
                    rng.choice(send)
                v = v.capitalize()
                if pre and rng.random() < 0.25:
                    p = rng.choice(pre).replace("_", " ")
                    v = p + v if p.endswith("-") else f"{p} {v}"
            if 3 <= len(v) <= 18 and not self.known(v):
                return v
            self.invented_rejected += 1
        if force:       # every invented form is listed somewhere: fall back to a made-up one
            return "Qu" + "".join(rng.choice("aeiou") + rng.choice("lrnvz") for _ in range(2))
        return None

    def pick(self, rng, loc, kind, allow_invent=True, native=False):
        gl, sl, nat = self.pools[loc]
        if native and nat:
            pool = nat[0] if kind == "g" else nat[1]
            if pool:
                return rng.choice(pool)
        pool = gl if kind == "g" else sl
        if allow_invent and (not pool or rng.random() < 0.45):
            v = self.invent(rng, loc, kind)
            if v:
                return v
        return rng.choice(pool) if pool else None


class Person:
    def __init__(self, rng, bank, loc=None):
        self.loc = loc or rng.choice(LOCALES)
        nat = bank.pools[self.loc][2]
        self.native = bool(nat and nat[0] and nat[1]) and rng.random() < 0.3
        self.src = {}
        self.given = self._pick(rng, bank, "g", "g")
        self.middle = self._pick(rng, bank, "g", "m") if rng.random() < 0.5 else None
        self.surname = self._pick(rng, bank, "s", "s")
        self.ff = rng.random() < FAMILY_FIRST.get(self.loc, 0.0)
        if self.loc == "vi_VN" and rng.random() < 0.7:
            self.middle = rng.choice(["Thị", "Văn", "Minh", "Hữu", "Ngọc"])
            self.src["m"] = "list"
        # a Latin alias for e-mail addresses of names in another script
        if self.native:
            self.latin = (bank.pick(rng, self.loc, "g", allow_invent=False) or "alex",
                          bank.pick(rng, self.loc, "s", allow_invent=False) or "demo")
        else:
            self.latin = (self.given, self.surname)

    def _pick(self, rng, bank, kind, slot_):
        gl, sl, nat = bank.pools[self.loc]
        if self.native:
            self.src[slot_] = "list"
            return rng.choice(nat[0] if kind == "g" else nat[1])
        pool = gl if kind == "g" else sl
        if not pool or rng.random() < 0.4:
            v = bank.invent(rng, self.loc, kind)
            if v:
                self.src[slot_] = "inv"
                return v
        self.src[slot_] = "list"
        if pool:
            return rng.choice(pool)
        self.src[slot_] = "inv"
        return bank.invent(rng, self.loc, kind, force=True)

    def src_of(self, part):
        used = {"given": "g", "surname": "s", "surname_cap": "s", "ini": "s", "fmid": "gms",
                "full": "gs" + ("m" if self.ff and self.loc == "vi_VN" else ""),
                "fmi": "gs", "lcf": "gs", "upper": "gs"}[part]
        return "inv" if any(self.src.get(k) == "inv" for k in used) else "list"

    def part(self, p):
        g, s, m = self.given, self.surname, self.middle
        if p == "full":
            return f"{s} {m} {g}" if self.ff and m and self.loc == "vi_VN" else \
                f"{s} {g}" if self.ff else f"{g} {s}"
        if p == "fmi":
            if self.ff:
                return self.part("full")
            return f"{g} {(m or 'R')[0].upper()}. {s}"
        if p == "fmid":
            if self.ff or not m:
                return self.part("full")
            return f"{g} {m} {s}"
        if p == "given":
            return g
        if p == "surname":
            return s
        if p == "surname_cap":
            return s[:1].upper() + s[1:]
        if p == "ini":
            return f"{g[0]}. {s}" if not self.ff else self.part("full")
        if p == "lcf":
            return f"{s}, {g}"
        if p == "upper":
            return self.part("full").upper()
        raise KeyError(p)


# ====================================================================== helpers

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def D(rng, k):
    return "".join(str(rng.randint(0, 9)) for _ in range(k))


def fill(rng, pat):
    out = []
    for ch in pat:
        if ch == "d":
            out.append(str(rng.randint(0, 9)))
        elif ch == "N":
            out.append(str(rng.randint(2, 9)))
        elif ch == "A":
            out.append(rng.choice(UPPER))
        elif ch == "X":
            out.append(rng.choice(UPPER + "0123456789"))
        else:
            out.append(ch)
    return "".join(out)


def safe_lower(s):
    """Lower-case without changing the length in code points (so offsets stay valid)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def ascii_local(s):
    s = fold(s).replace(" ", "").replace("'", "")
    return re.sub(r"[^a-z0-9\-]", "", s)


class Msg:
    """Text built piece by piece, so entity offsets are exact in code points."""

    def __init__(self):
        self.parts, self.ents, self.n = [], [], 0

    def add(self, s):
        self.parts.append(s)
        self.n += len(s)

    def ent(self, typ, value, fmt):
        self.ents.append({"start": self.n, "end": self.n + len(value), "type": typ,
                          "value": value, "format": fmt})
        self.add(value)

    def text(self):
        return "".join(self.parts)

    def extend(self, other, lower=False):
        t = other.text()
        if lower:
            t = safe_lower(t)
        base = self.n
        for e in other.ents:
            e2 = dict(e)
            e2["start"] += base
            e2["end"] += base
            v = t[e["start"]:e["end"]]
            if v != e["value"]:
                e2["value"] = v
                e2["format"] += ":lc"
            self.ents.append(e2)
        self.add(t)


# ====================================================================== phones

PHONES = {
    "DE": ["0Nd ddddddd", "0Ndd dddddd", "015d ddddddd", "017d ddddddd", "+49 Nd ddddddd",
           "+49 (0)Nd ddddddd", "+49 (0) 1Nd dddd ddd", "(0Ndd) dd dd dd", "0049 Nd dddddd",
           "0Nd/ddddddd"],
    "AT": ["+43 (0)1 ddd dd dd", "0664 ddd dd dd", "+43 66N dddddd", "0Nddd ddddd"],
    "CH": ["+41 (0)NN ddd dd dd", "0NN ddd dd dd", "+41 7N ddd dd dd", "0041 NN ddd dd dd"],
    "NL": ["0NN ddd dddd", "0NN-ddddddd", "06-dddddddd", "06 dd dd dd dd",
           "+31 (0)NN ddd dddd", "+31 6 dddd dddd", "0NNN-dddddd"],
    "BE": ["0N ddd dd dd", "04NN dd dd dd", "+32 (0)N ddd dd dd", "+32 4NN dd dd dd"],
    "LU": ["+352 dd dd dd", "+352 6NN ddd ddd"],
    "FR": ["0N dd dd dd dd", "0N.dd.dd.dd.dd", "+33 (0)N dd dd dd dd", "+33 N dd dd dd dd",
           "0033 N dd dd dd dd"],
    "GB": ["0NN dddd dddd", "0NNNN dddddd", "07NNN dddddd", "+44 (0)NN dddd dddd",
           "+44 (0)NNNN dddddd", "+44 7NNN dddddd", "(0NNN) ddd dddd"],
    "IE": ["0N ddd dddd", "08N ddd dddd", "+353 (0)N ddd dddd", "+353 8N ddd dddd"],
    "IT": ["0N dddd dddd", "0NN ddddddd", "3NN ddd dddd", "+39 0N dddd dddd",
           "+39 3NN ddd dddd"],
    "ES": ["9NN ddd ddd", "6NN ddd ddd", "+34 9NN dd dd dd", "+34 6NN ddd ddd"],
    "PT": ["2N ddd dddd", "9N ddd dddd", "+351 2N ddd dddd", "+351 9N ddd dddd"],
    "SE": ["0N-ddd ddd dd", "07N-ddd dd dd", "+46 (0)N ddd ddd dd", "+46 7N ddd dd dd",
           "0NN-dd dd dd"],
    "NO": ["NN dd dd dd", "+47 NN dd dd dd", "+47 9NN dd ddd", "4NN dd ddd"],
    "DK": ["NN dd dd dd", "+45 NN dd dd dd", "+45 NNdd dddd"],
    "FI": ["0N dddd ddd", "04N ddd dddd", "+358 (0)N dddd ddd", "+358 4N ddd dddd"],
    "IS": ["+354 NNN dddd", "NNN dddd", "NNN-dddd"],
    "EE": ["+372 5ddd dddd", "5ddd dddd", "+372 6dd dddd"],
    "LV": ["+371 2ddd dddd", "2ddd dddd", "+371 67dd dddd"],
    "LT": ["+370 6dd ddddd", "8 6dd ddddd", "(8 5) ddd dddd", "+370 5 ddd dddd"],
    "PL": ["NN ddd dd dd", "+48 NN ddd dd dd", "+48 NNd ddd ddd", "NNd-ddd-ddd"],
    "CZ": ["+420 NNd ddd ddd", "NNd ddd ddd"],
    "SK": ["+421 9dd ddd ddd", "09dd ddd ddd"],
    "HU": ["+36 1 ddd dddd", "06 1 ddd dddd", "+36 (30) ddd dddd", "06-30-ddd-dddd",
           "06 20 ddd dddd"],
    "RO": ["07NN ddd ddd", "+40 7NN ddd ddd", "021 ddd dddd", "+40 (0)21 ddd dddd"],
    "BG": ["+359 (0)2 ddd dddd", "08N ddd dddd", "+359 8N ddd dddd"],
    "GR": ["210 ddd dddd", "69N ddd dddd", "+30 210 ddd dddd", "+30 69N ddd dddd",
           "2310 dddddd"],
    "TR": ["0 (5NN) ddd dd dd", "05NN ddd dd dd", "+90 5NN ddd dd dd", "+90 (212) ddd dd dd"],
    "US": ["(NdN) Ndd-dddd", "NdN-Ndd-dddd", "NdN.Ndd.dddd", "+1 NdN Ndd dddd",
           "1 (NdN) Ndd-dddd"],
    "CA": ["(NdN) Ndd-dddd", "NdN-Ndd-dddd", "+1 NdN Ndd dddd"],
    "AU": ["(0N) dddd dddd", "04dd ddd ddd", "+61 (0)N dddd dddd", "+61 4dd ddd ddd"],
    "NZ": ["(0N) ddd dddd", "02N ddd dddd", "+64 (0)N ddd dddd", "+64 2N ddd dddd"],
    "ZA": ["0NN ddd dddd", "+27 (0)NN ddd dddd", "+27 NN ddd dddd"],
    "IN": ["+91 9dddd ddddd", "09dddd ddddd", "0NN-dddd dddd", "+91 (0)NN dddd dddd"],
    "JP": ["03-dddd-dddd", "090-dddd-dddd", "+81 (0)3 dddd dddd", "+81 90 dddd dddd",
           "0NN-ddd-dddd"],
    "KR": ["010-dddd-dddd", "02-ddd-dddd", "+82 (0)10 dddd dddd"],
    "BR": ["(NN) 9dddd-dddd", "(NN) Nddd-dddd", "+55 (NN) 9dddd-dddd", "+55 NN 9dddd dddd"],
    "MX": ["NN dddd dddd", "+52 NN dddd dddd", "(NN) dddd-dddd"],
    "AR": ["+54 9 11 dddd-dddd", "011 dddd-dddd", "(0351) ddd-dddd"],
    "IL": ["05N-ddd-dddd", "+972 5N ddd dddd", "0N-ddd-dddd"],
    "AE": ["+971 (0)5N ddd dddd", "05N ddd dddd"],
}


def phone(rng, cc):
    cc = cc if cc in PHONES else rng.choice(sorted(PHONES))
    i = rng.randrange(len(PHONES[cc]))
    v = fill(rng, PHONES[cc][i])
    kind = "intl" if v.startswith(("+", "00")) else "nat"
    f = f"{cc}:{i}:{kind}"
    if "(0)" in v:
        f += ":trunk0"
    return v, f


# ====================================================================== cards, IBANs

CARD_BRANDS = [("visa", ["4"], [16, 16, 13]), ("mastercard", ["51", "52", "53", "54", "55",
               "2221", "2500", "2720"], [16]), ("amex", ["34", "37"], [15]),
               ("discover", ["6011", "65"], [16]), ("jcb", ["3530", "3566", "3589"], [16]),
               ("maestro", ["6759", "5018", "6304"], [16, 19]), ("diners", ["36", "305"], [14]),
               ("unionpay", ["62"], [16, 19]), ("cartes_bancaires", ["4970"], [16]),
               ("dankort", ["5019"], [16])]


def luhn_digit(body):
    s = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return str((10 - s % 10) % 10)


def card(rng):
    brand, pre, lens = rng.choice(CARD_BRANDS)
    p = rng.choice(pre)
    n = rng.choice(lens)
    body = p + D(rng, n - 1 - len(p))
    num = body + luhn_digit(body)
    style = rng.choice(["plain", "space", "space", "dash", "plain", "space", "dash"] +
                       (["dot"] if n == 16 and brand != "amex" else []))
    if style == "plain":
        return num, f"{brand}{n}:plain"
    if brand == "amex" or n == 14:
        g = [num[:4], num[4:10], num[10:]]
    else:
        g = [num[i:i + 4] for i in range(0, n, 4)]
    sep = {"space": " ", "dash": "-", "dot": "."}[style]
    return sep.join(g), f"{brand}{n}:{style}"


IBAN_SPEC = {
    "AT": "16n", "BE": "12n", "BG": "4a6n8c", "CH": "5n12c", "CY": "8n16c", "CZ": "20n",
    "DE": "18n", "DK": "14n", "EE": "16n", "ES": "20n", "FI": "14n", "FR": "10n11c2n",
    "GB": "4a14n", "GR": "7n16c", "HR": "17n", "HU": "24n", "IE": "4a14n", "IL": "19n",
    "IS": "22n", "IT": "1a10n12c", "LI": "5n12c", "LT": "16n", "LU": "3n13c", "LV": "4a13c",
    "MC": "10n11c2n", "MT": "4a5n18c", "NL": "4a10n", "NO": "11n", "PL": "24n", "PT": "21n",
    "RO": "4a16c", "SA": "2n18c", "SE": "20n", "SI": "15n", "SK": "20n", "TR": "5n1n16c",
    "AE": "3n16n",
}


def bban(rng, spec):
    out = []
    for num, ch in re.findall(r"(\d+)([nac])", spec):
        for _ in range(int(num)):
            if ch == "n":
                out.append(str(rng.randint(0, 9)))
            elif ch == "a":
                out.append(rng.choice(UPPER))
            else:
                out.append(rng.choice(UPPER) if rng.random() < 0.2 else str(rng.randint(0, 9)))
    return "".join(out)


def national_bban(rng, cc, b):
    """Make the national check digits inside the BBAN right where a country has them."""
    if cc == "BE":
        k = int(b[:10]) % 97 or 97
        return f"{b[:10]}{k:02d}"
    if cc == "NO":
        while True:
            s = sum(int(x) * w for x, w in zip(b[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]))
            k = (11 - s % 11) % 11
            if k < 10:
                return f"{b[:10]}{k}"
            b = D(rng, 11)
    if cc == "ES":
        def dc(digits):
            k = 11 - sum(int(x) * w for x, w in zip(digits, [1, 2, 4, 8, 5, 10, 9, 7, 3, 6])) % 11
            return {11: 0, 10: 1}.get(k, k)
        return f"{b[:8]}{dc('00' + b[:8])}{dc(b[10:])}{b[10:]}"
    return b


def iban(rng, cc=None):
    cc = cc if cc in IBAN_SPEC else rng.choice(sorted(IBAN_SPEC))
    b = national_bban(rng, cc, bban(rng, IBAN_SPEC[cc]))
    n = int("".join(str(int(c, 36)) for c in b + cc + "00"))
    v = f"{cc}{98 - n % 97:02d}{b}"
    style = rng.choice(["compact", "grouped", "grouped"])
    if style == "grouped":
        v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    return v, f"{cc}:{style}"


# ====================================================================== national ids

def nid_us_ssn(rng, p, y, m, d):
    while True:
        a, g, s = rng.randint(1, 899), rng.randint(1, 99), rng.randint(1, 9999)
        if a == 666:
            continue
        v = f"{a:03d}-{g:02d}-{s:04d}"
        if v in ("078-05-1120", "219-09-9999", "457-55-5462"):
            continue
        st = rng.random()
        if st < 0.15:
            return v.replace("-", " "), "US:ssn:space"
        if st < 0.25:
            return v.replace("-", ""), "US:ssn:compact"
        return v, "US:ssn:dash"


def nid_gb_nino(rng, p, y, m, d):
    first = [c for c in UPPER if c not in "DFIQUV"]
    second = [c for c in UPPER if c not in "DFIOQUV"]
    while True:
        pre = rng.choice(first) + rng.choice(second)
        if pre not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            break
    dg = D(rng, 6)
    suf = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{pre} {dg[:2]} {dg[2:4]} {dg[4:]} {suf}", "GB:nino:spaced"
    return f"{pre}{dg}{suf}", "GB:nino:compact"


def nid_nl_bsn(rng, p, y, m, d):
    while True:
        body = [rng.randint(0, 9) for _ in range(8)]
        if body[0] == 0 and body[1] == 0:
            continue
        s = sum(x * w for x, w in zip(body, range(9, 1, -1)))
        last = s % 11
        if last < 10:
            v = "".join(map(str, body)) + str(last)
            if rng.random() < 0.2:
                return f"{v[:4]}.{v[4:6]}.{v[6:]}", "NL:bsn:dotted"
            return v, "NL:bsn:compact"


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def nid_es_dni(rng, p, y, m, d):
    if rng.random() < 0.3:
        pre = rng.choice("XYZ")
        num = D(rng, 7)
        L = DNI_LETTERS[int(str("XYZ".index(pre)) + num) % 23]
        if rng.random() < 0.3:
            return f"{pre}-{num}-{L}", "ES:nie:dash"
        return f"{pre}{num}{L}", "ES:nie"
    num = f"{rng.randint(1000000, 99999999):08d}"
    L = DNI_LETTERS[int(num) % 23]
    if rng.random() < 0.25:
        return f"{num}-{L}", "ES:dni:dash"
    return f"{num}{L}", "ES:dni"


CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4,
                   18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))
CF_COMUNI = ["H501", "F205", "L219", "A944", "D612", "F839", "G273", "L736", "A662", "C351",
             "E506", "B157", "G224", "L424"]


def _cf_letters(s):
    s = re.sub(r"[^A-Z]", "", fold(s).upper())
    cons = [c for c in s if c not in "AEIOU"]
    vows = [c for c in s if c in "AEIOU"]
    return cons, vows


def nid_it_cf(rng, p, y, m, d):
    sc, sv = _cf_letters(p.latin[1])
    gc, gv = _cf_letters(p.latin[0])
    sur = "".join(sc + sv + ["X"] * 3)[:3]
    nam = "".join([gc[0], gc[2], gc[3]]) if len(gc) >= 4 else "".join(gc + gv + ["X"] * 3)[:3]
    day = d + (40 if rng.random() < 0.5 else 0)
    body = f"{sur}{nam}{y % 100:02d}{'ABCDEHLMPRST'[m - 1]}{day:02d}{rng.choice(CF_COMUNI)}"
    s = sum(CF_ODD[c] if i % 2 == 0 else (int(c) if c.isdigit() else ord(c) - 65)
            for i, c in enumerate(body))
    v = body + chr(65 + s % 26)
    if rng.random() < 0.1:
        return v.lower(), "IT:cf:lower"
    return v, "IT:cf"


def nid_fr_nir(rng, p, y, m, d):
    dept = rng.choice([x for x in range(1, 96) if x != 20])
    body = f"{rng.choice('12')}{y % 100:02d}{m:02d}{dept:02d}{rng.randint(1, 990):03d}" \
           f"{rng.randint(1, 999):03d}"
    key = 97 - int(body) % 97
    v = f"{body}{key:02d}"
    if rng.random() < 0.6:
        return f"{v[0]} {v[1:3]} {v[3:5]} {v[5:7]} {v[7:10]} {v[10:13]} {v[13:]}", "FR:nir:spaced"
    return v, "FR:nir:compact"


def nid_de_idnr(rng, p, y, m, d):
    while True:
        digits = list(range(10))
        rng.shuffle(digits)
        nine = digits[:9]
        dup = rng.choice(nine)
        ten = nine[:]
        ten.insert(rng.randrange(1, 10), dup)
        if ten[0] == 0:
            continue
        prod = 10
        for x in ten:
            sm = (x + prod) % 10 or 10
            prod = (sm * 2) % 11
        chk = (11 - prod) % 10
        v = "".join(map(str, ten)) + str(chk)
        if rng.random() < 0.4:
            return f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}", "DE:idnr:spaced"
        return v, "DE:idnr:compact"


def nid_pl_pesel(rng, p, y, m, d):
    mm = m + (20 if y >= 2000 else 0)
    body = f"{y % 100:02d}{mm:02d}{d:02d}{D(rng, 4)}"
    w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    c = (10 - sum(int(a) * b for a, b in zip(body, w)) % 10) % 10
    return body + str(c), "PL:pesel"


def nid_se_pnr(rng, p, y, m, d):
    body = f"{y % 100:02d}{m:02d}{d:02d}{D(rng, 3)}"
    v = body + luhn_digit(body)
    if rng.random() < 0.3:
        return f"{y}{m:02d}{d:02d}-{v[6:]}", "SE:pnr:long"
    return f"{v[:6]}-{v[6:]}", "SE:pnr"


def nid_fi_hetu(rng, p, y, m, d):
    z = rng.randint(2, 899)
    n = int(f"{d:02d}{m:02d}{y % 100:02d}{z:03d}")
    q = "0123456789ABCDEFHJKLMNPRSTUVWXY"[n % 31]
    sep = "-" if y < 2000 else "A"
    return f"{d:02d}{m:02d}{y % 100:02d}{sep}{z:03d}{q}", "FI:hetu"


def nid_tr_tckn(rng, p, y, m, d):
    a = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    d10 = ((a[0] + a[2] + a[4] + a[6] + a[8]) * 7 - (a[1] + a[3] + a[5] + a[7])) % 10
    a.append(d10)
    a.append(sum(a) % 10)
    return "".join(map(str, a)), "TR:tckn"


def _ik_check(s):
    w1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1]
    c = sum(int(a) * b for a, b in zip(s, w1)) % 11
    if c == 10:
        w2 = [3, 4, 5, 6, 7, 8, 9, 1, 2, 3]
        c = sum(int(a) * b for a, b in zip(s, w2)) % 11
        if c == 10:
            c = 0
    return str(c)


def nid_ee_ik(rng, p, y, m, d):
    g = rng.choice("34") if y < 2000 else rng.choice("56")
    body = f"{g}{y % 100:02d}{m:02d}{d:02d}{D(rng, 3)}"
    return body + _ik_check(body), "EE:isikukood"


def nid_lt_ak(rng, p, y, m, d):
    v, _ = nid_ee_ik(rng, p, y, m, d)
    return v, "LT:asmens_kodas"


def nid_ro_cnp(rng, p, y, m, d):
    s = rng.choice("12") if y < 2000 else rng.choice("56")
    body = f"{s}{y % 100:02d}{m:02d}{d:02d}{rng.randint(1, 46):02d}{rng.randint(1, 999):03d}"
    c = sum(int(a) * int(b) for a, b in zip(body, "279146358279")) % 11
    return body + ("1" if c == 10 else str(c)), "RO:cnp"


def nid_br_cpf(rng, p, y, m, d):
    while True:
        a = [rng.randint(0, 9) for _ in range(9)]
        if len(set(a)) > 1:
            break
    for k in (10, 11):
        r = sum(x * w for x, w in zip(a, range(k, 1, -1))) % 11
        a.append(0 if r < 2 else 11 - r)
    v = "".join(map(str, a))
    if rng.random() < 0.7:
        return f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}", "BR:cpf:formatted"
    return v, "BR:cpf:compact"


NIDS = {"US": (nid_us_ssn, ["SSN", "Social Security number", "social security no."]),
        "GB": (nid_gb_nino, ["NI number", "National Insurance number", "NINO"]),
        "NL": (nid_nl_bsn, ["BSN", "burgerservicenummer", "citizen service number"]),
        "ES": (nid_es_dni, ["DNI", "DNI/NIE", "NIE", "documento de identidad"]),
        "IT": (nid_it_cf, ["codice fiscale", "C.F.", "tax code"]),
        "FR": (nid_fr_nir, ["numéro de sécurité sociale", "NIR", "n° de sécu"]),
        "DE": (nid_de_idnr, ["Steuer-ID", "Steueridentifikationsnummer", "Steuer-IdNr.",
                             "tax ID"]),
        "PL": (nid_pl_pesel, ["PESEL", "nr PESEL"]),
        "SE": (nid_se_pnr, ["personnummer", "personal identity number"]),
        "FI": (nid_fi_hetu, ["henkilötunnus", "HETU", "personal identity code"]),
        "TR": (nid_tr_tckn, ["T.C. Kimlik No", "TC kimlik numarası", "TCKN"]),
        "EE": (nid_ee_ik, ["isikukood", "personal code"]),
        "LT": (nid_lt_ak, ["asmens kodas", "personal code"]),
        "RO": (nid_ro_cnp, ["CNP", "cod numeric personal"]),
        "BR": (nid_br_cpf, ["CPF", "nº do CPF"])}
NID_MAIN = ["US", "GB", "NL", "ES", "IT", "FR", "DE"]

PASSPORTS = {"US": ["ddddddddd", "Adddddddd"], "GB": ["ddddddddd"], "DE": ["CXXXXXXXX"],
             "FR": ["ddAAddddd"], "NL": ["AAXXXXXXd"], "ES": ["AAAdddddd"],
             "IT": ["AAddddddd"], "PL": ["AAddddddd"], "SE": ["dddddddd"],
             "IE": ["AAddddddd"], "IN": ["Adddddddd"], "CA": ["AAdddddd"],
             "AU": ["Adddddddd"], "CH": ["Adddddddd"], "GR": ["AAddddddd"]}
LICENCES = {"US": ["Adddddddd", "Addd-dddd-dddd", "ddddddddd"], "DE": ["BddXXXXXXdd"],
            "FR": ["dddddddddddd"], "NL": ["dddddddddd"], "ES": ["ddddddddA"],
            "IT": ["AAdddddddA"], "IE": ["ddd-ddd-ddd"], "AU": ["dddddddd"]}


def passport(rng, cc):
    cc = cc if cc in PASSPORTS else rng.choice(sorted(PASSPORTS))
    v = fill(rng, rng.choice(PASSPORTS[cc]))
    if cc == "DE":
        v = "".join(c if c not in "AEIOUBDQS" else rng.choice("CFGHJKLMNPRTVWXYZ")
                    for c in v)
    return v, f"passport:{cc}"


def licence(rng, cc, p, y, m, d):
    if cc == "GB" or (cc not in LICENCES and rng.random() < 0.4):
        s = re.sub(r"[^A-Z]", "", fold(p.latin[1]).upper())[:5].ljust(5, "9")
        mm = m + (50 if rng.random() < 0.5 else 0)
        ini = re.sub(r"[^A-Z]", "", fold(p.latin[0]).upper())[:1]
        ini = (ini + (rng.choice(UPPER) if rng.random() < 0.5 else "9"))
        v = f"{s}{str(y)[2]}{mm:02d}{d:02d}{str(y)[3]}{ini}9{rng.choice(UPPER)}" \
            f"{rng.choice(UPPER)}"
        return v, "licence:GB"
    cc = cc if cc in LICENCES else rng.choice(sorted(LICENCES))
    return fill(rng, rng.choice(LICENCES[cc])), f"licence:{cc}"


# ====================================================================== dates

MONTHS = {
    "en": "January February March April May June July August September October November "
          "December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
          "décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
          "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
          "novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november "
          "december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
          "dezembro",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
          "listopada grudnia",
    "sv": "januari februari mars april maj juni juli augusti september oktober november "
          "december",
    "da": "januar februar marts april maj juni juli august september oktober november "
          "december",
    "no": "januar februar mars april mai juni juli august september oktober november "
          "desember",
    "fi": "tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta "
          "elokuuta syyskuuta lokakuuta marraskuuta joulukuuta",
    "cs": "ledna února března dubna května června července srpna září října listopadu "
          "prosince",
    "el": "Ιανουαρίου Φεβρουαρίου Μαρτίου Απριλίου Μαΐου Ιουνίου Ιουλίου Αυγούστου "
          "Σεπτεμβρίου Οκτωβρίου Νοεμβρίου Δεκεμβρίου",
    "tr": "Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık",
    "hu": "január február március április május június július augusztus szeptember október "
          "november december",
    "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie "
          "noiembrie decembrie",
    "lt": "sausio vasario kovo balandžio gegužės birželio liepos rugpjūčio rugsėjo spalio "
          "lapkričio gruodžio",
    "lv": "janvārī februārī martā aprīlī maijā jūnijā jūlijā augustā septembrī oktobrī "
          "novembrī decembrī",
    "et": "jaanuar veebruar märts aprill mai juuni juuli august september oktoober november "
          "detsember",
}
MONTHS = {k: v.split() for k, v in MONTHS.items()}
WEEKDAYS = {"en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
            "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag".split(),
            "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche".split()}
DOT_LANGS = {"de", "pl", "tr", "ro", "fi", "cs", "et", "lv", "da", "no"}
SLASH_LANGS = {"fr", "es", "it", "pt", "el"}


def ordinal(d):
    return f"{d}{'th' if 11 <= d % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d % 10, 'th')}"


def date_text(rng, lang, y, m, d, cc=None, words=None):
    """A date written the way `lang` writes it; words=True/False forces a style."""
    L = lang if lang in MONTHS else "en"
    M = MONTHS[L][m - 1]
    if words is None:
        words = rng.random() < 0.45
    if not words:
        if L == "en":
            if cc == "US" or (cc is None and rng.random() < 0.3):
                return rng.choice([(f"{m:02d}/{d:02d}/{y}", "mdy"), (f"{m}/{d}/{y}", "mdy_short")])
            return rng.choice([(f"{d:02d}/{m:02d}/{y}", "dmy"), (f"{y}-{m:02d}-{d:02d}", "iso"),
                               (f"{d}.{m}.{y}", "dmy_dot_short")])
        if L in DOT_LANGS:
            return rng.choice([(f"{d:02d}.{m:02d}.{y}", "dmy_dot"), (f"{d}.{m}.{y}", "dmy_dot_short"),
                               (f"{d:02d}-{m:02d}-{y}", "dmy_dash")] if L in ("da", "no") else
                              [(f"{d:02d}.{m:02d}.{y}", "dmy_dot"), (f"{d}.{m}.{y}", "dmy_dot_short")]
                              if L != "cs" else [(f"{d}. {m}. {y}", "cs_spaced"),
                                                 (f"{d:02d}.{m:02d}.{y}", "dmy_dot")])
        if L in SLASH_LANGS:
            return f"{d:02d}/{m:02d}/{y}", "dmy_slash"
        if L == "nl":
            return f"{d:02d}-{m:02d}-{y}", "dmy_dash"
        if L in ("sv", "lt"):
            return f"{y}-{m:02d}-{d:02d}", "iso"
        if L == "hu":
            return f"{y}.{m:02d}.{d:02d}.", "hu_ymd"
        return f"{y}-{m:02d}-{d:02d}", "iso"
    if L == "en":
        return rng.choice([(f"{d} {M} {y}", "d_month_y"), (f"{M} {d}, {y}", "month_d_y"),
                           (f"{ordinal(d)} {M} {y}", "ord_month_y"),
                           (f"{M[:3]} {d}, {y}", "mon_d_y"), (f"{d}-{M[:3]}-{y}", "d_mon_y")])
    if L in ("es", "pt"):
        return f"{d} de {M} de {y}", "d_de_month_de_y"
    if L in ("de", "da", "no", "fi", "cs", "et"):
        return f"{d}. {M} {y}", "d_dot_month_y"
    if L == "hu":
        return f"{y}. {M} {d}.", "hu_words"
    if L == "lt":
        return f"{y} m. {M} {d} d.", "lt_words"
    if L == "lv":
        return f"{y}. gada {d}. {M}", "lv_words"
    return f"{d} {M} {y}", "d_month_y"


def birth(rng):
    y = rng.randint(1936, 2006)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    return y, m, d


def dob(rng, lang, cc=None, date=None, words=None):
    y, m, d = date or birth(rng)
    v, f = date_text(rng, lang, y, m, d, cc, words)
    return v, f"{lang}:{f}"


def other_date(rng, lang, cc=None):
    y = rng.randint(2022, 2026)
    return date_text(rng, lang, y, rng.randint(1, 12), rng.randint(1, 28), cc)[0]


# ====================================================================== addresses

def _pc(rng, pat):
    return fill(rng, pat)


# country: lang, local country name, English name, builder
def _addr_us(rng):
    streets = ["Cottonwood Hollow", "Quarry Ridge", "Old Mill", "Tamarack", "Bluebonnet",
               "Persimmon", "Kingfisher", "Sassafras", "Covered Bridge", "Indian Paintbrush",
               "Buckeye", "Prairie Wind", "Foxglove", "Copper Creek"]
    types = ["Road", "Rd.", "Lane", "Ln", "Drive", "Dr.", "Court", "Trail", "Pike", "Loop",
             "Circle", "Terrace", "Avenue", "St"]
    cities = [("Bozeman", "MT"), ("Duluth", "MN"), ("Asheville", "NC"), ("Flagstaff", "AZ"),
              ("Burlington", "VT"), ("Ithaca", "NY"), ("Lawrence", "KS"), ("Missoula", "MT"),
              ("Bend", "OR"), ("Chattanooga", "TN"), ("Bar Harbor", "ME"), ("Taos", "NM")]
    st = f"{rng.randint(2, 29999)} {rng.choice(['', '', 'N ', 'SW ', 'E '])}" \
         f"{rng.choice(streets)} {rng.choice(types)}"
    unit = rng.choice(["Apt. 722", f"Apt. {rng.randint(1, 40)}{rng.choice(['', 'B'])}",
                       f"Suite {rng.randint(100, 950)}", f"Unit {rng.randint(1, 30)}",
                       f"PO Box {rng.randint(10, 9999)}"])
    c, s = rng.choice(cities)
    z = D(rng, 5) + (f"-{D(rng, 4)}" if rng.random() < 0.2 else "")
    return dict(street=st, unit=unit, city=f"{c}, {s}", pc=z, city_pc=f"{c}, {s} {z}",
                country=("United States", "USA"), pc_first=False)


def _addr_ca(rng):
    st = f"{rng.randint(2, 9999)} {rng.choice(['Spadina', 'Côte-des-Neiges', 'Whyte', 'Gottingen', 'Osborne', 'Kenaston', 'Quinpool'])} " \
         f"{rng.choice(['Avenue', 'Road', 'Street', 'Boulevard', 'Crescent'])}"
    L = "ABCEGHJKLMNPRSTVXY"
    pc = f"{rng.choice(L)}{rng.randint(0, 9)}{rng.choice(L)} {rng.randint(0, 9)}{rng.choice(L)}{rng.randint(0, 9)}"
    c, p = rng.choice([("Kelowna", "BC"), ("Moncton", "NB"), ("Saskatoon", "SK"),
                       ("Kingston", "ON"), ("Sherbrooke", "QC"), ("Lethbridge", "AB")])
    return dict(street=st, unit=f"Suite {rng.randint(100, 900)}", city=f"{c} {p}", pc=pc,
                city_pc=f"{c} {p} {pc}", country=("Canada", "Canada"), pc_first=False)


def _uk_pc(rng):
    area = rng.choice(["HG", "SY", "LA", "TR", "YO", "PE", "NE", "CB", "OX", "EX", "DH", "LL"])
    return f"{area}{rng.randint(1, 29)} {rng.randint(0, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
           f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _addr_gb(rng):
    st = f"{rng.randint(1, 180)} {rng.choice(['Tanners', 'Cobblers', 'Ropewalk', 'Saddlers', 'Gallowgate', 'Bootham', 'Micklegate', 'Fishergate', 'Coppergate'])} " \
         f"{rng.choice(['Lane', 'Row', 'Yard', 'Close', 'Street', 'Wynd', 'Gardens'])}"
    if rng.random() < 0.2:
        st = f"{rng.choice(['Rose', 'Ivy', 'Mill', 'Orchard'])} Cottage, {st}"
    pc = _uk_pc(rng)
    c = rng.choice(["Harrogate", "Shrewsbury", "Kendal", "Truro", "Ludlow", "Whitby",
                    "Stamford", "Hexham", "Ely", "Oxford", "Exeter", "Durham"])
    return dict(street=st, unit=f"Flat {rng.randint(1, 24)}", city=c, pc=pc,
                city_pc=f"{c} {pc}", country=("United Kingdom", "United Kingdom"),
                pc_first=False, pc_line=True)


def _addr_ie(rng):
    st = f"{rng.randint(1, 90)} {rng.choice(['Ballymun', 'Ranelagh', 'Sandymount', 'Clontarf', 'Drumcondra'])} " \
         f"{rng.choice(['Road', 'Avenue', 'Park', 'Terrace'])}"
    c = rng.choice(["Dublin 9", "Dublin 6", "Co. Wicklow", "Kilkenny", "Tralee, Co. Kerry"])
    pc = f"{rng.choice(['D09', 'D06', 'A98', 'R95', 'V92'])} {fill(rng, 'AdXd')}"
    return dict(street=st, unit=f"Apt. {rng.randint(1, 60)}", city=c, pc=pc,
                city_pc=f"{c}, {pc}", country=("Ireland", "Éire"), pc_first=False, pc_line=True)


def _addr_de(rng):
    base = rng.choice(["Lerchenfeld", "Kastanien", "Hafen", "Brunnen", "Uhland", "Lessing",
                       "Schwalben", "Holunder", "Wacholder", "Ginster", "Amsel", "Zeppelin"])
    st = f"{base}{rng.choice(['straße', 'str.', 'weg', 'allee', 'ring', 'stieg'])} " \
         f"{rng.randint(1, 140)}{rng.choice(['', '', 'a', 'c'])}"
    if rng.random() < 0.15:
        st = f"An der {rng.choice(['Alten Mühle', 'Schleuse', 'Bleiche'])} {rng.randint(1, 40)}"
    c, pc = rng.choice([("Göttingen", "37073"), ("Bamberg", "96047"), ("Lüneburg", "21335"),
                        ("Tübingen", "72070"), ("Konstanz", "78462"), ("Passau", "94032"),
                        ("Wismar", "23966"), ("Greifswald", "17489"), ("Celle", "29221"),
                        ("Fulda", "36037")])
    pc2 = rng.choice([pc, pc, f"D-{pc}"])
    return dict(street=st, unit=rng.choice(["Hinterhaus", "3. OG", "Whg. 12", "c/o Etage 2"]),
                city=c, pc=pc2, city_pc=f"{pc2} {c}", country=("Germany", "Deutschland"),
                pc_first=True)


def _addr_at(rng):
    st = f"{rng.choice(['Mariahilfer Straße', 'Kaiserstraße', 'Neubaugasse', 'Getreidegasse', 'Herrengasse', 'Annagasse'])} " \
         f"{rng.randint(1, 120)}/{rng.randint(1, 9)}/{rng.randint(1, 30)}"
    c, pc = rng.choice([("Wien", "1070"), ("Graz", "8010"), ("Linz", "4020"),
                        ("Salzburg", "5020"), ("Innsbruck", "6020"), ("Klagenfurt", "9020")])
    pc2 = rng.choice([pc, f"A-{pc}"])
    return dict(street=st, unit=f"Top {rng.randint(1, 40)}", city=c, pc=pc2,
                city_pc=f"{pc2} {c}", country=("Austria", "Österreich"), pc_first=True)


def _addr_ch(rng):
    k = rng.random()
    if k < 0.6:
        st = f"{rng.choice(['Rosenberg', 'Museum', 'Tellen', 'Schönbühl', 'Rebberg'])}strasse {rng.randint(1, 99)}"
        c, pc = rng.choice([("Winterthur", "8400"), ("St. Gallen", "9000"), ("Chur", "7000"),
                            ("Thun", "3600"), ("Aarau", "5000")])
    elif k < 0.8:
        st = f"Via {rng.choice(['Nassa', 'Pretorio', 'Canova'])} {rng.randint(1, 60)}"
        c, pc = "Lugano", "6900"
    else:
        st = f"Rue de {rng.choice(['Lausanne', 'Romont', 'la Carrière'])} {rng.randint(1, 60)}"
        c, pc = "Fribourg", "1700"
    pc2 = rng.choice([pc, f"CH-{pc}"])
    return dict(street=st, unit=f"Postfach {rng.randint(100, 999)}", city=c, pc=pc2,
                city_pc=f"{pc2} {c}", country=("Switzerland", "Schweiz"), pc_first=True)


def _addr_fr(rng):
    name = rng.choice(["du Président Roosevelt", "des Tanneurs", "de la Visitation",
                       "Sainte-Catherine", "des Carmes", "du Maréchal Foch", "Lamartine",
                       "de la Monnaie", "des Trois Rois", "du Vieux Marché aux Vins"])
    t = rng.choice(["rue", "avenue", "boulevard", "place", "impasse", "quai", "cours", "allée"])
    n = f"{rng.randint(1, 160)}{rng.choice(['', '', '', ' bis', ' ter'])}"
    k = rng.random()
    if k < 0.15:
        st = f"{rng.randint(100, 400)} {n} {t} {name}"       # numbers on both sides
    elif k < 0.3:
        st = f"{n}, {t} {name}"
    else:
        st = f"{n} {t} {name}"
    c, pc = rng.choice([("Rennes", "35000"), ("Angers", "49000"), ("Besançon", "25000"),
                        ("Grenoble", "38000"), ("Dijon", "21000"), ("Reims", "51100"),
                        ("Brest", "29200"), ("Nîmes", "30000"), ("Limoges", "87000"),
                        ("Poitiers", "86000")])
    cedex = rng.random() < 0.1
    cp = f"{pc} {c.upper()} CEDEX {rng.randint(1, 9)}" if cedex else f"{pc} {c}"
    return dict(street=st, unit=rng.choice([f"Bâtiment {rng.choice('ABC')}", f"Appt {rng.randint(1, 80)}",
                                            f"Résidence Les {rng.choice(['Tilleuls', 'Glycines'])}"]),
                city=c, pc=pc, city_pc=cp, country=("France", "France"), pc_first=True)


def _addr_be(rng):
    if rng.random() < 0.5:
        st = f"{rng.choice(['Tiense', 'Bruul', 'Vismarkt', 'Sint-Jakobs', 'Naamse'])}straat " \
             f"{rng.randint(1, 200)} bus {rng.randint(1, 30)}"
        c, pc = rng.choice([("Leuven", "3000"), ("Mechelen", "2800"), ("Brugge", "8000")])
    else:
        st = f"Rue des {rng.choice(['Fripiers', 'Brasseurs', 'Croisiers'])} {rng.randint(1, 120)} " \
             f"boîte {rng.randint(1, 20)}"
        c, pc = rng.choice([("Namur", "5000"), ("Liège", "4000"), ("Mons", "7000")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Belgium", "België"), pc_first=True)


def _addr_lu(rng):
    st = f"{rng.randint(1, 90)}, rue {rng.choice(['de Hollerich', 'du Fossé', 'Notre-Dame', 'de Strassen'])}"
    pc = f"L-{rng.randint(1000, 9999)}"
    c = rng.choice(["Luxembourg", "Esch-sur-Alzette", "Differdange"])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Luxembourg", "Lëtzebuerg"), pc_first=True)


def _addr_nl(rng):
    base = rng.choice(["Brink", "Lange Hezel", "Oudegracht", "Vismarkt", "Burgwal",
                       "Boterstraat", "Zadelstraat", "Bergstraat", "Pieterskerkhof",
                       "Keizersgracht", "Hooigracht", "Turfmarkt"])
    st = f"{base} {rng.randint(1, 480)}{rng.choice(['', '', '-2', 'A', ' bis', '-III', ' hs'])}"
    c = rng.choice(["Deventer", "Amersfoort", "Nijmegen", "Alkmaar", "Delft", "Maastricht",
                    "Leeuwarden", "Tilburg", "Amsterdam", "Zutphen"])
    pc = f"{rng.randint(1000, 9999)} {rng.choice(UPPER)}{rng.choice(UPPER)}"
    pc2 = rng.choice([pc, pc.replace(" ", ""), f"NL-{pc}"])
    return dict(street=st, unit=None, city=c.upper() if rng.random() < 0.2 else c, pc=pc2,
                city_pc=f"{pc2}{rng.choice([' ', '  '])}{c}", country=("Netherlands", "Nederland"),
                pc_first=True)


def _addr_it(rng):
    st = f"{rng.choice(['Via dei Tessitori', 'Via San Vitale', 'Corso Porta Nuova', 'Viale dei Platani', 'Via Sant’Agostino', 'Vicolo del Moro', 'Piazzale delle Erbe', 'Via Fratelli Bandiera'])}" \
         f"{rng.choice([' ', ', '])}{rng.randint(1, 180)}{rng.choice(['', '', '/B', ' int. 5'])}"
    c, pr, pc = rng.choice([("Bergamo", "BG", "24121"), ("Lecce", "LE", "73100"),
                            ("Perugia", "PG", "06121"), ("Trento", "TN", "38122"),
                            ("Parma", "PR", "43121"), ("Cagliari", "CA", "09124"),
                            ("Udine", "UD", "33100"), ("Siena", "SI", "53100")])
    return dict(street=st, unit=f"Scala {rng.choice('ABC')}", city=f"{c} ({pr})", pc=pc,
                city_pc=f"{pc} {c} ({pr})" if rng.random() < 0.6 else f"{pc} {c} {pr}",
                country=("Italy", "Italia"), pc_first=True)


def _addr_es(rng):
    t = rng.choice(["C/", "Calle", "Avda.", "Paseo", "Plaza", "Ronda"])
    st = f"{t} {rng.choice(['de la Merced', 'del Pozo Amargo', 'Ruiz de Alda', 'de los Tintes', 'Fernán González', 'San Francisco', 'de Uría'])}" \
         f", {rng.randint(1, 140)}{rng.choice(['', ', 3º B', ', 2º izda.', ', bajo', ', 5º 1ª'])}"
    c, pc = rng.choice([("Oviedo", "33003"), ("Salamanca", "37002"), ("Cádiz", "11005"),
                        ("Logroño", "26001"), ("Pamplona", "31001"), ("Girona", "17001"),
                        ("Cáceres", "10003"), ("Almería", "04001")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Spain", "España"), pc_first=True)


def _addr_pt(rng):
    st = f"Rua {rng.choice(['do Souto', 'de Cedofeita', 'Miguel Bombarda', 'da Sofia', 'do Raimundo'])}, " \
         f"{rng.randint(1, 400)}{rng.choice(['', ', 2.º Esq.', ', 1.º Dto.', ', r/c'])}"
    c, pc = rng.choice([("Braga", "4700-3dd"), ("Aveiro", "3810-1dd"), ("Évora", "7000-6dd"),
                        ("Faro", "8000-2dd"), ("Setúbal", "2900-0dd")])
    pc = fill(rng, pc)
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Portugal", "Portugal"), pc_first=True)


def _addr_pl(rng):
    st = f"{rng.choice(['ul.', 'ul.', 'al.', 'os.'])} {rng.choice(['Zamojska', 'Chełmińska', 'Grunwaldzka', 'Żeromskiego', 'Kopernika', 'Narutowicza', 'Lwowska'])} " \
         f"{rng.randint(1, 160)}{rng.choice(['', '/' + str(rng.randint(1, 90)), ' m. ' + str(rng.randint(1, 60)), 'A/3'])}"
    c, pc = rng.choice([("Lublin", "20-0dd"), ("Toruń", "87-100"), ("Rzeszów", "35-0dd"),
                        ("Olsztyn", "10-5dd"), ("Białystok", "15-0dd"), ("Opole", "45-0dd")])
    pc = fill(rng, pc)
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Poland", "Polska"), pc_first=True)


def _addr_cz(rng):
    st = f"{rng.choice(['Vinohradská', 'Lidická', 'Masarykova', 'Palackého', 'Husova'])} " \
         f"{rng.randint(100, 2999)}/{rng.randint(1, 90)}"
    c, pc = rng.choice([("Praha 2", "120 00"), ("Brno", "602 00"), ("Olomouc", "779 00"),
                        ("Plzeň", "301 00")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Czech Republic", "Česko"), pc_first=True)


def _addr_hu(rng):
    st = f"{rng.choice(['Váci', 'Király', 'Dob', 'Kazinczy', 'Bartók Béla'])} " \
         f"{rng.choice(['utca', 'út', 'körút'])} {rng.randint(1, 120)}." \
         f"{rng.choice(['', ' II/4.', ' 3. em. 5.'])}"
    c, pc = rng.choice([("Budapest", "10dd"), ("Szeged", "6720"), ("Pécs", "7621"),
                        ("Debrecen", "4025")])
    pc = fill(rng, pc)
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Hungary", "Magyarország"), pc_first=True)


def _addr_ro(rng):
    st = f"Str. {rng.choice(['Memorandumului', 'Avram Iancu', 'Mihai Eminescu', 'Lipscani'])} " \
         f"nr. {rng.randint(1, 90)}{rng.choice(['', ', bl. B4, sc. 2, ap. 17', ', et. 3, ap. 9'])}"
    c, pc = rng.choice([("Cluj-Napoca", "400dd0"), ("Iași", "700dd0"), ("Sibiu", "550dd0"),
                        ("Brașov", "500dd0"), ("Timișoara", "300dd0")])
    pc = fill(rng, pc)
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{c} {pc}",
                country=("Romania", "România"), pc_first=False)


def _addr_bg(rng):
    if rng.random() < 0.5:
        st = f"ул. „{rng.choice(['Граф Игнатиев', 'Шишман', 'Оборище', 'Раковски'])}“ {rng.randint(1, 90)}"
        c = rng.choice(["София", "Пловдив", "Варна"])
    else:
        st = f"ul. {rng.choice(['Graf Ignatiev', 'Shishman', 'Oborishte', 'Rakovski'])} {rng.randint(1, 90)}"
        c = rng.choice(["Sofia", "Plovdiv", "Varna"])
    pc = rng.choice(["1000", "4000", "9000", "1504"])
    return dict(street=st, unit=f"ет. {rng.randint(1, 8)}" if st.startswith("ул") else None,
                city=c, pc=pc, city_pc=f"{pc} {c}", country=("Bulgaria", "България"),
                pc_first=True)


def _addr_gr(rng):
    if rng.random() < 0.6:
        st = f"{rng.choice(['Ερμού', 'Σταδίου', 'Πανεπιστημίου', 'Τσιμισκή', 'Εγνατίας', 'Βασιλίσσης Σοφίας', 'Κολοκοτρώνη', 'Μητροπόλεως'])} " \
             f"{rng.randint(1, 150)}"
        if rng.random() < 0.3:
            st = "Οδός " + st
        c, pc = rng.choice([("Αθήνα", "105 63"), ("Θεσσαλονίκη", "546 22"), ("Πάτρα", "262 21"),
                            ("Ηράκλειο", "712 02"), ("Λάρισα", "412 22"), ("Βόλος", "382 21")])
        country = ("Greece", "Ελλάδα")
    else:
        st = f"{rng.choice(['Ermou', 'Stadiou', 'Tsimiski', 'Egnatias', 'Kolokotroni'])} " \
             f"{rng.randint(1, 150)}"
        c, pc = rng.choice([("Athens", "105 63"), ("Thessaloniki", "546 22"), ("Patras", "262 21"),
                            ("Heraklion", "712 02")])
        country = ("Greece", "Greece")
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}", country=country,
                pc_first=True)


def _addr_tr(rng):
    st = f"{rng.choice(['Caferağa', 'Moda', 'Bostancı', 'Kızılay'])} Mah. " \
         f"{rng.choice(['Güneşli', 'Bahariye', 'Şair Nefi', 'Halitağa'])} Sok. No: {rng.randint(1, 90)} " \
         f"D: {rng.randint(1, 20)}"
    c, pc = rng.choice([("Kadıköy/İstanbul", "34710"), ("Çankaya/Ankara", "06690"),
                        ("Konak/İzmir", "35250")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Turkey", "Türkiye"), pc_first=True)


def _addr_se(rng):
    st = f"{rng.choice(['Kloster', 'Ban', 'Kasern', 'Ny', 'Tull', 'Fiskare', 'Skepps'])}" \
         f"{rng.choice(['gatan', 'vägen', 'gränd'])} {rng.randint(1, 80)}{rng.choice(['', ' B', ' lgh 1102'])}"
    c, pc = rng.choice([("Lund", "222 21"), ("Umeå", "903 26"), ("Västerås", "722 11"),
                        ("Örebro", "702 10"), ("Visby", "621 55"), ("Kiruna", "981 31")])
    pc2 = rng.choice([pc, f"SE-{pc}"])
    return dict(street=st, unit=None, city=c.upper() if rng.random() < 0.3 else c, pc=pc2,
                city_pc=f"{pc2} {c}", country=("Sweden", "Sverige"), pc_first=True)


def _addr_no(rng):
    st = f"{rng.choice(['Øvregaten', 'Kongens gate', 'Strandkaien', 'Munkegata', 'Olav Tryggvasons gate', 'Dronningens gate'])} " \
         f"{rng.randint(1, 70)}{rng.choice(['', ' B', ' C'])}"
    c, pc = rng.choice([("Bergen", "5003"), ("Trondheim", "7011"), ("Tromsø", "9008"),
                        ("Stavanger", "4005"), ("Bodø", "8006"), ("Ålesund", "6002")])
    pc2 = rng.choice([pc, f"N-{pc}", f"NO-{pc}"])
    return dict(street=st, unit=None, city=c.upper() if rng.random() < 0.3 else c, pc=pc2,
                city_pc=f"{pc2} {c}", country=("Norway", "Norge"), pc_first=True)


def _addr_dk(rng):
    st = f"{rng.choice(['Jægergårdsgade', 'Klostergade', 'Skt. Clemens Torv', 'Vesterbrogade', 'Nørre Allé', 'Strandvejen'])} " \
         f"{rng.randint(1, 200)}{rng.choice(['', ', 2. th.', ', 1. tv.', ', st. mf.', ', 4.'])}"
    c, pc = rng.choice([("Aarhus C", "8000"), ("Odense C", "5000"), ("Aalborg", "9000"),
                        ("Roskilde", "4000"), ("Esbjerg", "6700"), ("København Ø", "2100"),
                        ("Frederiksberg C", "1820")])
    pc2 = rng.choice([pc, f"DK-{pc}"])
    return dict(street=st, unit=None, city=c, pc=pc2, city_pc=f"{pc2} {c}",
                country=("Denmark", "Danmark"), pc_first=True)


def _addr_fi(rng):
    st = f"{rng.choice(['Hämeenkatu', 'Aleksanterinkatu', 'Kauppakatu', 'Puutarhakatu', 'Rautatienkatu', 'Pispalan valtatie', 'Isokatu'])} " \
         f"{rng.randint(1, 90)}{rng.choice(['', ' A 5', ' B 12', ' C'])}"
    c, pc = rng.choice([("Tampere", "33100"), ("Turku", "20100"), ("Oulu", "90100"),
                        ("Jyväskylä", "40100"), ("Kuopio", "70100"), ("Espoo", "02100")])
    pc2 = rng.choice([pc, f"FI-{pc}"])
    return dict(street=st, unit=None, city=c.upper() if rng.random() < 0.5 else c, pc=pc2,
                city_pc=f"{pc2} {c.upper() if rng.random() < 0.5 else c}",
                country=("Finland", "Suomi"), pc_first=True)


def _addr_is(rng):
    st = f"{rng.choice(['Laugavegur', 'Skólavörðustígur', 'Hafnarstræti', 'Bankastræti', 'Tryggvagata', 'Hringbraut'])} " \
         f"{rng.randint(1, 120)}"
    c, pc = rng.choice([("Reykjavík", "101"), ("Akureyri", "600"), ("Hafnarfjörður", "220"),
                        ("Kópavogur", "200")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Iceland", "Ísland"), pc_first=True)


def _addr_ee(rng):
    st = f"{rng.choice(['Pikk tn', 'Tartu mnt', 'Rüütli', 'Narva mnt', 'Vene tn', 'Kalamaja tn'])} " \
         f"{rng.randint(1, 90)}{rng.choice(['', '-' + str(rng.randint(1, 40))])}"
    c, pc = rng.choice([("Tallinn", "10133"), ("Tartu", "51004"), ("Pärnu", "80010"),
                        ("Narva", "20308")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Estonia", "Eesti"), pc_first=True)


def _addr_lv(rng):
    st = f"{rng.choice(['Brīvības iela', 'Tērbatas iela', 'Kr. Valdemāra iela', 'Lāčplēša iela', 'Ganību dambis'])} " \
         f"{rng.randint(1, 160)}{rng.choice(['', '-' + str(rng.randint(1, 40)), ' k-2'])}"
    c, pc = rng.choice([("Rīga", "LV-10dd"), ("Daugavpils", "LV-5401"), ("Liepāja", "LV-3401"),
                        ("Jelgava", "LV-3001")])
    pc = fill(rng, pc)
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{c}, {pc}",
                country=("Latvia", "Latvija"), pc_first=False)


def _addr_lt(rng):
    st = f"{rng.choice(['Gedimino pr.', 'Pilies g.', 'Laisvės al.', 'Savanorių pr.', 'Didžioji g.'])} " \
         f"{rng.randint(1, 160)}{rng.choice(['', '-' + str(rng.randint(1, 40))])}"
    c, pc = rng.choice([("Vilnius", "LT-01103"), ("Kaunas", "LT-44240"),
                        ("Klaipėda", "LT-92228"), ("Šiauliai", "LT-76297")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{pc} {c}",
                country=("Lithuania", "Lietuva"), pc_first=True)


def _addr_jp(rng):
    st = f"{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)} " \
         f"{rng.choice(['Jingumae', 'Nishiki', 'Tenjin', 'Sakae', 'Kitahama'])}"
    c, pc = rng.choice([("Shibuya-ku, Tokyo", "150-0001"), ("Nakagyo-ku, Kyoto", "604-8005"),
                        ("Chuo-ku, Osaka", "541-0041"), ("Kita-ku, Sapporo", "060-0808")])
    return dict(street=st, unit=f"Room {rng.randint(101, 1208)}", city=c, pc=pc,
                city_pc=f"{c} {pc}", country=("Japan", "Japan"), pc_first=False)


def _addr_in(rng):
    st = f"{rng.choice(['Flat', 'Door No.', 'Plot'])} {rng.randint(1, 900)}{rng.choice(['', 'B', '/2'])}, " \
         f"{rng.choice(['Kaveri Apartments', 'Sai Krupa', 'Lotus Enclave', 'Shri Ram Nagar'])}, " \
         f"{rng.choice(['Sayyaji Rao Road', 'Residency Road', 'Avinashi Road', 'Civil Lines'])}"
    c, pc = rng.choice([("Mysuru", "570001"), ("Kochi", "682011"), ("Nagpur", "440001"),
                        ("Indore", "452001"), ("Bhubaneswar", "751001"), ("Coimbatore", "641018")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{c} - {pc}",
                country=("India", "India"), pc_first=False)


def _addr_br(rng):
    st = f"{rng.choice(['Rua', 'Av.', 'Travessa'])} {rng.choice(['do Bom Jesus', 'Padre Chagas', 'Dom Pedro II', 'da Aurora', 'Chile'])}, " \
         f"{rng.randint(1, 3000)}{rng.choice(['', ' - Apto 52', ' - Bloco B, Apto 301', ', casa 2'])}"
    c, uf, pc = rng.choice([("Recife", "PE", "500dd-ddd"), ("Salvador", "BA", "400dd-ddd"),
                            ("Florianópolis", "SC", "880dd-ddd"), ("Porto Alegre", "RS", "900dd-ddd"),
                            ("Manaus", "AM", "690dd-ddd")])
    pc = fill(rng, pc)
    return dict(street=st, unit=None, city=f"{c} - {uf}", pc=pc, city_pc=f"{c} - {uf}, {pc}",
                country=("Brazil", "Brasil"), pc_first=False)


def _addr_mx(rng):
    st = f"Calle {rng.choice(['Macedonio Alcalá', 'Morelos', 'Independencia', 'Allende'])} " \
         f"{rng.randint(1, 900)}{rng.choice(['', ' Int. 4', ' Depto. 3B'])}, Col. " \
         f"{rng.choice(['Centro', 'Americana', 'Jalatlaco'])}"
    c, pc = rng.choice([("Oaxaca, Oax.", "68000"), ("Guadalajara, Jal.", "44160"),
                        ("Mérida, Yuc.", "97000"), ("Puebla, Pue.", "72000")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"C.P. {pc} {c}",
                country=("Mexico", "México"), pc_first=True)


def _addr_au(rng):
    st = f"{rng.choice(['', '', str(rng.randint(1, 30)) + '/'])}{rng.randint(1, 300)} " \
         f"{rng.choice(['Wattle', 'Jacaranda', 'Bottlebrush', 'Kookaburra', 'Marine'])} " \
         f"{rng.choice(['Parade', 'Esplanade', 'Crescent', 'Street', 'Rd'])}"
    c, pc = rng.choice([("Fremantle WA", "6160"), ("Newtown NSW", "2042"),
                        ("Toowong QLD", "4066"), ("Glenelg SA", "5045"), ("Sandy Bay TAS", "7005"),
                        ("Brunswick VIC", "3056")])
    return dict(street=st, unit=f"Unit {rng.randint(1, 20)}", city=c, pc=pc,
                city_pc=f"{c} {pc}", country=("Australia", "Australia"), pc_first=False)


def _addr_nz(rng):
    st = f"{rng.randint(1, 300)} {rng.choice(['Ponsonby', 'Cuba', 'Riccarton', 'Karangahape'])} " \
         f"{rng.choice(['Road', 'Street', 'Terrace'])}"
    c, pc = rng.choice([("Auckland", "1011"), ("Wellington", "6011"), ("Christchurch", "8011"),
                        ("Dunedin", "9016")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{c} {pc}",
                country=("New Zealand", "Aotearoa"), pc_first=False)


def _addr_za(rng):
    st = f"{rng.randint(1, 300)} {rng.choice(['Main', 'Jan Smuts', 'Long', 'Florida'])} " \
         f"{rng.choice(['Road', 'Avenue', 'Street'])}, {rng.choice(['Rondebosch', 'Sandton', 'Umhlanga', 'Hatfield'])}"
    c, pc = rng.choice([("Cape Town", "7700"), ("Johannesburg", "2196"), ("Durban", "4319"),
                        ("Pretoria", "0083")])
    return dict(street=st, unit=None, city=c, pc=pc, city_pc=f"{c} {pc}",
                country=("South Africa", "South Africa"), pc_first=False)


ADDR = {"US": _addr_us, "CA": _addr_ca, "GB": _addr_gb, "IE": _addr_ie, "DE": _addr_de,
        "AT": _addr_at, "CH": _addr_ch, "FR": _addr_fr, "BE": _addr_be, "LU": _addr_lu,
        "NL": _addr_nl, "IT": _addr_it, "ES": _addr_es, "PT": _addr_pt, "PL": _addr_pl,
        "CZ": _addr_cz, "HU": _addr_hu, "RO": _addr_ro, "BG": _addr_bg, "GR": _addr_gr,
        "TR": _addr_tr, "SE": _addr_se, "NO": _addr_no, "DK": _addr_dk, "FI": _addr_fi,
        "IS": _addr_is, "EE": _addr_ee, "LV": _addr_lv, "LT": _addr_lt, "JP": _addr_jp,
        "IN": _addr_in, "BR": _addr_br, "MX": _addr_mx, "AU": _addr_au, "NZ": _addr_nz,
        "ZA": _addr_za}

# country -> language, locales of the people who live there
COUNTRIES = {
    "US": ("en", ["en_US", "es_MX", "hi_IN", "ko_KR", "zh_CN", "yo_NG", "he_IL"]),
    "CA": ("en", ["en_US", "fr_FR", "zh_CN", "ur_PK", "fil_PH"]),
    "GB": ("en", ["en_GB", "ga_IE", "hi_IN", "ur_PK", "pl_PL", "yo_NG"]),
    "IE": ("en", ["ga_IE", "en_GB", "pl_PL", "lt_LT", "pt_BR"]),
    "DE": ("de", ["de_DE", "tr_TR", "pl_PL", "ru_RU", "ar", "el_GR"]),
    "AT": ("de", ["de_AT", "de_DE", "hu_HU", "cs_CZ", "bg_BG"]),
    "CH": ("de", ["de_AT", "it_IT", "fr_FR", "pt_PT"]),
    "FR": ("fr", ["fr_FR", "ar", "pt_PT", "es_ES", "sw_KE"]),
    "BE": ("nl", ["nl_BE", "fr_FR", "ar", "tr_TR"]),
    "LU": ("fr", ["fr_FR", "pt_PT", "de_DE"]),
    "NL": ("nl", ["nl_NL", "tr_TR", "ar", "id_ID", "pl_PL"]),
    "IT": ("it", ["it_IT", "ro_RO", "ar", "zh_CN"]),
    "ES": ("es", ["es_ES", "es_MX", "ro_RO", "ar"]),
    "PT": ("pt", ["pt_PT", "pt_BR", "uk_UA"]),
    "PL": ("pl", ["pl_PL", "uk_UA"]),
    "CZ": ("cs", ["cs_CZ", "uk_UA", "vi_VN"]),
    "HU": ("hu", ["hu_HU", "ro_RO"]),
    "RO": ("ro", ["ro_RO", "hu_HU"]),
    "BG": ("en", ["bg_BG", "tr_TR"]),
    "GR": ("el", ["el_GR", "ka_GE"]),
    "TR": ("tr", ["tr_TR", "hy_AM", "fa_IR"]),
    "SE": ("sv", ["sv_SE", "fi_FI", "fa_IR", "ar"]),
    "NO": ("no", ["nb_NO", "sv_SE", "pl_PL"]),
    "DK": ("da", ["da_DK", "tr_TR"]),
    "FI": ("fi", ["fi_FI", "sv_SE", "et_EE", "ru_RU"]),
    "IS": ("en", ["is_IS", "pl_PL"]),
    "EE": ("et", ["et_EE", "ru_RU"]),
    "LV": ("lv", ["lv_LV", "ru_RU"]),
    "LT": ("lt", ["lt_LT", "ru_RU"]),
    "JP": ("en", ["ja_JP"]),
    "IN": ("en", ["hi_IN"]),
    "BR": ("pt", ["pt_BR", "ja_JP", "it_IT"]),
    "MX": ("es", ["es_MX"]),
    "AU": ("en", ["en_GB", "vi_VN", "zh_CN", "el_GR", "mi_NZ"]),
    "NZ": ("en", ["en_GB", "mi_NZ", "fil_PH"]),
    "ZA": ("en", ["zu_ZA", "en_GB", "hi_IN"]),
}
COUNTRY_LIST = sorted(COUNTRIES)


def address(rng, cc, style):
    """Text and parts of an address. style: inline | street | block | sig (country+pc line)."""
    a = ADDR[cc](rng)
    use_unit = a["unit"] and rng.random() < 0.35
    if style == "street":
        v = a["street"] + (f", {a['unit']}" if use_unit else "")
        return v, None, f"{cc}:street"
    if style == "inline":
        v = a["street"] + (f", {a['unit']}" if use_unit else "") + ", " + a["city_pc"]
        country = rng.choice(a["country"]) if rng.random() < 0.3 else None
        return v, country, f"{cc}:inline"
    lines = [a["street"]] + ([a["unit"]] if use_unit else [])
    if style == "sig" and rng.random() < 0.6:
        # city on its own line, then "Country PC"
        lines += [a["city"], f"{rng.choice(a['country'])} {a['pc']}"]
        return "\n".join(lines), None, f"{cc}:block_country_pc"
    if a.get("pc_line") and rng.random() < 0.6:
        lines += [a["city"], a["pc"]]
    else:
        lines.append(a["city_pc"])
    country = rng.choice(a["country"]) if rng.random() < 0.6 else None
    return "\n".join(lines), country, f"{cc}:block"


def address_fields(rng, cc):
    a = ADDR[cc](rng)
    return a


# ====================================================================== e-mail, URL, IP, order

FREE_MAIL = ["posteo.de", "mailbox.org", "seznam.cz", "centrum.cz", "freenet.de", "free.fr",
             "sfr.fr", "tiscali.it", "alice.it", "terra.com.br", "sapo.pt", "interia.pl",
             "o2.pl", "telia.com", "online.no", "hotmail.dk", "luukku.com", "inbox.lv",
             "delfi.lt", "mail.ee", "otenet.gr", "windowslive.com", "gmx.at", "bluewin.ch",
             "planet.nl", "skynet.be", "protonmail.com", "zoho.com", "aol.com", "comcast.net",
             "optusnet.com.au", "xtra.co.nz", "sify.com", "naver.com", "daum.net", "yahoo.co.jp"]
COMPANIES = [
    ("Brightwater Logistics B.V.", "brightwater-logistics.nl"),
    ("Kestrel Dynamics Ltd", "kestreldynamics.co.uk"),
    ("Nordlys Energi AS", "nordlys-energi.no"),
    ("Quantum Harbor Inc.", "quantumharbor.com"),
    ("Silverline Freight GmbH", "silverline-freight.de"),
    ("Acme Corp.", "acme-corp.com"),
    ("Bluefin Analytics", "bluefin-analytics.io"),
    ("Copperleaf Studios", "copperleaf.studio"),
    ("Ironbridge Capital LLP", "ironbridgecap.co.uk"),
    ("Meridian Textiles S.p.A.", "meridiantextiles.it"),
    ("Solaria Renovables S.L.", "solaria-renovables.es"),
    ("Vitrum Optique SAS", "vitrum-optique.fr"),
    ("Polar Bear Coffee Roasters", "polarbearcoffee.com"),
    ("Atlas Opakowania Sp. z o.o.", "atlas-opakowania.pl"),
    ("Revontuli Tours Oy", "revontulitours.fi"),
    ("Helios Pharma A.E.", "heliospharma.gr"),
    ("Dzintars Amber Trade SIA", "amber-trade.lv"),
    ("Fjordline Shipping ApS", "fjordline-shipping.dk"),
    ("Tundra Outdoor AB", "tundraoutdoor.se"),
    ("Cedar & Stone Architects", "cedarandstone.com"),
    ("Lighthouse Legal LLP", "lighthouselegal.co.uk"),
    ("Orchid Hospitality Pvt Ltd", "orchidhospitality.in"),
    ("Zephyr Mobility s.r.o.", "zephyr-mobility.cz"),
    ("Granite Peak Insurance", "granitepeak-ins.com"),
    ("Gintaras Logistika UAB", "gintaras-logistika.lt"),
    ("Kaleva Software Oy", "kaleva-software.fi"),
    ("Lagoa Azul Imobiliária Lda.", "lagoaazul.pt"),
    ("Pampas Vinos S.A.", "pampasvinos.com.ar"),
    ("Maple & Moss Florists", "mapleandmoss.ca"),
    ("Harbourside Dental Care", "harbourside-dental.com.au"),
]
JOBS = ["Senior Account Manager", "Head of Customer Success", "Procurement Officer",
        "Office Manager", "Chief Financial Officer", "Verkaufsleiterin", "Responsable achats",
        "Jefa de proyecto", "Responsabile amministrativo", "Projectleider", "Kierownik działu",
        "Key Account Manager DACH", "Logistics Coordinator", "Practice Manager", "Paralegal",
        "Customer Care Team Lead", "Inköpschef", "Myyntipäällikkö", "Operations Director",
        "Sales Engineer (EMEA)", "Assistant to the Managing Director", "Founder & CEO",
        "Geschäftsführer", "Gérant", "Directora comercial", "Dental Hygienist",
        "Senior Data Analyst", "Lead UX Designer", "Payroll Specialist"]
URL_PATHS = ["", "", "/contact", "/en/support", "/kontakt", "/orders/{n}", "/track?id={n}",
             "/account/profile", "/r/{a}", "/invoice/{n}.pdf", "/fr/aide", "/shop/item-{n}",
             "/booking/{a}", "/help/returns"]


def email_for(rng, p, company_domain=None):
    g, s = ascii_local(p.latin[0]) or "user", ascii_local(p.latin[1]) or "mail"
    shape = rng.choice(["g.s", "gs", "g_s", "ig", "g", "s.g", "gN", "g-s", "i.s"])
    n = str(rng.randint(1, 99))
    local = {"g.s": f"{g}.{s}", "gs": f"{g}{s}", "g_s": f"{g}_{s}", "ig": f"{g[0]}{s}",
             "g": g, "s.g": f"{s}.{g}", "gN": f"{g}{n}", "g-s": f"{g}-{s}",
             "i.s": f"{g[0]}.{s}"}[shape]
    dom = company_domain or rng.choice(FREE_MAIL)
    v = f"{local}@{dom}"
    if rng.random() < 0.05:
        v = v.upper()
        shape += ":upper"
    return v, f"{'org' if company_domain else 'free'}:{shape}"


def url_for(rng, domain=None):
    dom = domain or rng.choice(COMPANIES)[1]
    path = rng.choice(URL_PATHS).format(n=rng.randint(1000, 9999999),
                                        a=fill(rng, "XXXXXXX").lower())
    r = rng.random()
    if r < 0.4:
        return f"https://www.{dom}{path}", "https_www"
    if r < 0.6:
        return f"https://{dom}{path}", "https"
    if r < 0.9:
        return f"www.{dom}{path}", "www"
    return f"http://{dom}{path}", "http"


def ip(rng):
    r = rng.random()
    if r < 0.5:
        return f"{rng.choice([31, 46, 62, 77, 81, 85, 91, 109, 141, 178, 188, 193, 212, 217])}." \
               f"{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}", "v4_public"
    if r < 0.7:
        return rng.choice([f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                           f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"]), \
            "v4_private"
    pre = rng.choice(["2a01:4f8", "2001:16b8", "2a02:810d", "2003:e6", "2600:6c50"])
    if rng.random() < 0.5:      # full form: 8 groups
        tail = ":".join(f"{rng.randint(0, 0xffff):x}" for _ in range(6))
        return f"{pre}:{tail}", "v6_full"
    tail = ":".join(f"{rng.randint(0, 0xffff):x}" for _ in range(rng.randint(1, 4)))
    return f"{pre}::{tail}", "v6_compressed"


def order(rng):
    forms = [("A" * 2 + "-" + "d" * 6, "aa_dash_d6"), ("ddd-ddddddd-ddddddd", "marketplace"),
             ("SOdddddddd", "so_d8"), ("BK-XXXXXX", "bk_x6"), ("dddd/ddddd", "slash"),
             ("#ddddddd", "hash_d7"), ("ORD-dddd-dddd", "ord_d4_d4"), ("AAAdddddd", "aaa_d6"),
             ("XXXXXX", "pnr6"), ("dddddddddd", "digits10"), ("RMA-dddddd", "rma"),
             ("INV-dddd-ddddd", "inv"), ("CS-dddddd-AA", "case")]
    pat, f = rng.choice(forms)
    v = fill(rng, pat)
    if f == "pnr6" and not any(c.isdigit() for c in v):
        v = v[:5] + str(rng.randint(2, 9))
    return v, f


# ====================================================================== negatives

PRODUCTS = ["Galaxy Tab S9", "ThinkPad X1 Carbon", "Kindle Oasis", "AirPods Pro", "Dyson V15",
            "Nespresso Vertuo", "Roomba j7", "Bosch Serie 6", "Miele Complete C3",
            "Garmin Fenix 7", "Sonos Era 100", "Vitamix A3500", "Volvo XC60",
            "Skoda Octavia", "LEGO Technic 42115", "PlayStation 5", "Nintendo Switch OLED",
            "Hugo Boss jacket", "Tommy Hilfiger shirt", "Ralph Lauren polo",
            "Calvin Klein jeans", "pair of Dr. Martens boots", "tub of Ben & Jerry's",
            "bottle of Jack Daniel's", "Louis Vuitton bag", "Marks & Spencer gift card",
            "Philips Hue starter kit", "Fairphone 5", "Kobo Libra 2", "Tesla Model Y"]
BRANDS = ["Zalando", "Lufthansa", "IKEA", "Decathlon", "Spotify", "Vinted",
          "Bolt", "Revolut", "Allegro", "Coolblue", "MediaMarkt", "Ryanair", "Wise", "Klarna",
          "Lidl", "Carrefour", "El Corte Inglés", "Elkjøp", "Verkkokauppa"]
PLACES = ["Florence", "Lisbon", "Lake Como", "Mont Blanc", "Kraków", "Reykjavík",
          "Charlotte", "Victoria", "St. Gallen", "Santiago", "San Diego", "Saint-Malo",
          "Bergen", "Salzburg", "Adelaide", "Alexandria", "Eugene", "Madison", "Lourdes",
          "Tallinn", "Vilnius", "Thessaloniki", "Rotterdam", "Porto", "Sevilla", "Tromsø",
          "Savannah", "Jackson", "Austin", "Darwin"]
DEPTS = ["Returns Department", "Customer Service", "Billing team", "Head Office",
         "Technical Support", "Warranty desk", "Premium Support", "Loyalty team"]
FLIGHTS = ["LH", "SK", "FR", "KL", "AY", "BT", "A3", "TP", "IB", "LX", "OS", "W6", "DY", "U2"]
MODELS = ["SM-S918B", "KD-55X85K", "WF45R6100AW", "XPS 9530", "RTX 4070 Ti", "EOS R8",
          "MX Master 3S", "A2337", "HD 660S", "QN90C", "T480s", "ZX-6R"]
STORMS = ["Storm Agnes", "Storm Ciarán", "Storm Babet", "Hurricane Otis"]


def amount(rng):
    a = rng.randint(3, 4999)
    c = rng.randint(0, 99)
    return rng.choice([f"€{a},{c:02d}", f"{a},{c:02d} €", f"${a}.{c:02d}", f"£{a}.{c:02d}",
                       f"CHF {a}.–", f"{a} kr.", f"{a:,}.{c:02d} USD", f"{a} zł",
                       f"R$ {a},{c:02d}", f"{a} SEK", f"EUR {a}.{c:02d}", f"¥{a * 100:,}"])


def ntime(rng):
    h, mi = rng.randint(7, 21), rng.choice([0, 15, 30, 45, 5, 50])
    return rng.choice([f"{h:02d}:{mi:02d}", f"{h % 12 or 12}:{mi:02d} {'pm' if h >= 12 else 'am'}",
                       f"{h}.{mi:02d}", f"{h:02d}:{mi:02d}–{h + 1:02d}:{mi:02d}",
                       f"{h % 12 or 12}{'pm' if h >= 12 else 'am'}"])


def flight(rng):
    return f"{rng.choice(FLIGHTS)}{rng.choice(['', ' '])}{rng.randint(10, 2999)}"


def version(rng):
    return rng.choice([f"{rng.randint(1, 17)}.{rng.randint(0, 9)}.{rng.randint(0, 30)}",
                       f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}",
                       f"10.0.{rng.randint(19041, 22631)}.{rng.randint(1000, 4000)}",
                       f"build {rng.randint(2022, 2026)}.{rng.randint(1, 12)}.{rng.randint(1, 9)}"])


def weekday(rng, lang="en"):
    return rng.choice(WEEKDAYS.get(lang, WEEKDAYS["en"]))


def month(rng):
    return rng.choice(MONTHS["en"])


def vat(rng, cc):
    return {"DE": lambda: f"USt-IdNr. DE{D(rng, 9)}", "NL": lambda: f"KvK {D(rng, 8)} · BTW NL{D(rng, 9)}B01",
            "GB": lambda: f"Registered in England and Wales No. {D(rng, 8)} · VAT GB {D(rng, 3)} {D(rng, 4)} {D(rng, 2)}",
            "FR": lambda: f"SIRET {D(rng, 3)} {D(rng, 3)} {D(rng, 3)} {D(rng, 5)} · TVA FR{D(rng, 11)}",
            "IT": lambda: f"P.IVA {D(rng, 11)}", "ES": lambda: f"CIF B{D(rng, 8)}",
            "AT": lambda: f"FN {D(rng, 6)}a, UID ATU{D(rng, 8)}",
            "CH": lambda: f"CHE-{D(rng, 3)}.{D(rng, 3)}.{D(rng, 3)} MWST",
            "SE": lambda: f"Org.nr {D(rng, 6)}-{D(rng, 4)}",
            "NO": lambda: f"Org.nr. {D(rng, 3)} {D(rng, 3)} {D(rng, 3)} MVA",
            "DK": lambda: f"CVR {D(rng, 8)}", "FI": lambda: f"Y-tunnus {D(rng, 7)}-{D(rng, 1)}",
            "PL": lambda: f"NIP {D(rng, 3)}-{D(rng, 3)}-{D(rng, 2)}-{D(rng, 2)}, KRS {D(rng, 10)}",
            }.get(cc, lambda: f"Company reg. no. {D(rng, 8)}")()


DISCLAIMERS = [
    "This e-mail and any attachments are confidential and intended solely for the addressee.",
    "Please consider the environment before printing this e-mail.",
    "Office hours: Mon–Fri 09:00–17:30 CET.",
    "Diese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige Adressat "
    "sind, informieren Sie bitte sofort den Absender.",
    "Ce message et ses pièces jointes sont confidentiels.",
    "Our offices are closed from 24 December to 2 January.",
    "Sent from my iPhone",
    "Follow us on LinkedIn and Instagram!",
]


# ====================================================================== template engine

ROLES = {"c", "a", "a2", "x", "y", "z"}
SLOT = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z0-9_]+))?((?::[a-z_0-9]+)*)\}")
TITLES = {"en": ["Mr", "Mr.", "Mrs.", "Ms", "Ms.", "Dr.", "Prof.", "Dr"],
          "de": ["Herr", "Frau", "Dr.", "Herr Dr.", "Frau Prof."],
          "fr": ["M.", "Mme", "Monsieur", "Madame", "Me"],
          "es": ["Sr.", "Sra.", "D.", "Dña."], "it": ["Sig.", "Sig.ra", "Dott.", "Dott.ssa", "Ing."],
          "nl": ["dhr.", "mevr.", "De heer", "Mevrouw", "ir."], "pl": ["Pan", "Pani", "dr"],
          "pt": ["Sr.", "Sra.", "Dr.", "Eng.º"], "sv": ["Dr."], "el": ["κ.", "Dr."],
          "tr": ["Sn.", "Dr."], "cs": ["Ing.", "Mgr.", "pan", "paní"], "hu": ["dr."],
          "ro": ["dl.", "dna."], "fi": ["Dr."], "lt": ["p."], "lv": ["Dr."], "et": ["Dr."],
          "da": ["Dr."], "no": ["Dr."]}


class Ctx:
    def __init__(self, rng, bank, kind, cc, lang=None):
        self.rng, self.bank, self.kind, self.cc = rng, bank, kind, cc
        self.lang = lang or COUNTRIES[cc][0]
        self.cast = {}
        self.company, self.domain = rng.choice(COMPANIES)

    def who(self, role):
        if role not in self.cast:
            locs = COUNTRIES[self.cc][1]
            loc = self.rng.choice(locs) if self.rng.random() < 0.6 else self.rng.choice(LOCALES)
            p = Person(self.rng, self.bank, loc)
            p.bdate = birth(self.rng)
            self.cast[role] = p
        return self.cast[role]


def title(rng, lang):
    return rng.choice(TITLES.get(lang, TITLES["en"]))


def put_person(ctx, m, role, part, cue, where):
    p = ctx.who(role)
    lc = part.endswith("_lc")
    base = part[:-3] if lc else part
    v = p.part(base)
    if lc:
        v = safe_lower(v)
    fmt = f"{'cue' if cue == 'cue' else 'no_cue'}:{where or ctx.kind}:{base}:{p.loc}:{p.src_of(base)}"
    if p.native:
        fmt += ":native"
    if lc:
        fmt += ":lc"
    m.ent("PERSON", v, fmt)


def nid_value(ctx, role, cc=None):
    rng = ctx.rng
    p = ctx.who(role)
    cc = cc or (ctx.cc if ctx.cc in NIDS else rng.choice(NID_MAIN))
    y, mo, d = p.bdate
    v, f = NIDS[cc][0](rng, p, y, mo, d)
    return v, f, cc


def slot(ctx, m, name, sub, args):
    rng = ctx.rng
    a1 = args[0] if args else None
    a2 = args[1] if len(args) > 1 else None
    if name in ROLES:
        put_person(ctx, m, name, sub or "full", a1, a2)
    elif name == "title":
        t = title(rng, ctx.lang)
        m.add(t + " ")
        p = ctx.who(sub)
        m.ent("PERSON", p.part("surname_cap"),
              f"cue:{a1 or ctx.kind}:title_surname:{p.loc}:{p.src_of('surname')}" + (":native" if p.native else ""))
    elif name == "titlefull":
        m.add(title(rng, ctx.lang) + " ")
        put_person(ctx, m, sub, "full", "cue", a1 or ctx.kind)
    elif name == "email":
        if sub:
            v, f = email_for(rng, ctx.who(sub), ctx.domain if a1 == "org" else None)
        else:
            v, f = email_for(rng, Person(rng, ctx.bank), None)
        m.ent("EMAIL_ADDRESS", v, f"{f}:{ctx.kind}")
    elif name == "support":
        v = f"{rng.choice(['support', 'service', 'info', 'orders', 'kundenservice', 'hello'])}@{ctx.domain}"
        m.ent("EMAIL_ADDRESS", v, f"org:role_mailbox:{ctx.kind}")
    elif name == "phone":
        v, f = phone(rng, ctx.cc if rng.random() < 0.8 else rng.choice(sorted(PHONES)))
        m.ent("PHONE_NUMBER", v, f"{f}:{a1 or ctx.kind}")
    elif name == "card":
        v, f = card(rng)
        m.ent("CREDIT_CARD", v, f)
    elif name == "iban":
        v, f = iban(rng, ctx.cc if rng.random() < 0.7 else None)
        m.ent("IBAN_CODE", v, f)
    elif name == "ip":
        v, f = ip(rng)
        m.ent("IP_ADDRESS", v, f"{f}:{ctx.kind}")
    elif name == "url":
        v, f = url_for(rng, ctx.domain if a1 == "own" else None)
        m.ent("URL", v, f"{f}:{ctx.kind}")
    elif name == "order":
        v, f = order(rng)
        m.ent("ORDER_NUMBER", v, f"{f}:{ctx.kind}")
    elif name == "dob":
        p = ctx.who(sub or "c")
        v, f = dob(rng, a1 or ctx.lang, ctx.cc, p.bdate,
                   words=None if a2 is None else a2 == "words")
        m.ent("DATE_OF_BIRTH", v, f"{f}:{ctx.kind}")
    elif name == "nid":
        v, f, cc = nid_value(ctx, sub or "c")
        if a1 == "label":
            m.add(rng.choice(NIDS[cc][1]) + rng.choice([": ", " ", " is ", " - "]))
            f += ":cue"
        else:
            f += ":" + (a1 or "bare")
        m.ent("NATIONAL_ID", v, f"{f}:{ctx.kind}")
    elif name == "passport":
        v, f = passport(rng, ctx.cc if rng.random() < 0.7 else None)
        m.ent("NATIONAL_ID", v, f"{f}:{ctx.kind}")
    elif name == "licence":
        p = ctx.who(sub or "c")
        v, f = licence(rng, ctx.cc, p, *p.bdate)
        m.ent("NATIONAL_ID", v, f"{f}:{ctx.kind}")
    elif name == "addr":
        style = a1 or "inline"
        v, country, f = address(rng, ctx.cc if rng.random() < 0.8 else rng.choice(sorted(ADDR)),
                                style)
        if sub == "lc":
            v = safe_lower(v)
            f += ":lc"
        m.ent("STREET_ADDRESS", v, f"{f}:{ctx.kind}")
        if country and style != "street":
            m.add(("\n" if style == "block" else ", ") + country)
    # ---- negatives (plain text)
    elif name == "company":
        m.add(ctx.company)
    elif name == "company2":
        m.add(rng.choice(COMPANIES)[0])
    elif name == "product":
        m.add(rng.choice(PRODUCTS))
    elif name == "brand":
        m.add(rng.choice(BRANDS))
    elif name == "place":
        m.add(rng.choice(PLACES))
    elif name == "amount":
        m.add(amount(rng))
    elif name == "ndate":
        m.add(other_date(rng, a1 or ctx.lang, ctx.cc))
    elif name == "time":
        m.add(ntime(rng))
    elif name == "flight":
        m.add(flight(rng))
    elif name == "model":
        m.add(rng.choice(MODELS))
    elif name == "version":
        m.add(version(rng))
    elif name == "weekday":
        m.add(weekday(rng, a1 or "en"))
    elif name == "month":
        m.add(month(rng))
    elif name == "dept":
        m.add(rng.choice(DEPTS))
    elif name == "job":
        m.add(rng.choice(JOBS))
    elif name == "storm":
        m.add(rng.choice(STORMS))
    elif name == "n":
        m.add(str(rng.randint(2, 12)))
    elif name == "nnn":
        m.add(str(rng.randint(100, 999)))
    elif name == "year":
        m.add(str(rng.randint(2009, 2025)))
    elif name == "last4":
        m.add(D(rng, 4))
    elif name == "pct":
        m.add(f"{rng.randint(5, 60)}%")
    else:
        raise KeyError(name)


def render(ctx, m, template):
    pos = 0
    for mt in SLOT.finditer(template):
        if mt.start() > pos:
            m.add(template[pos:mt.start()])
        args = [a for a in (mt.group(3) or "").split(":") if a]
        slot(ctx, m, mt.group(1), mt.group(2), args)
        pos = mt.end()
    if pos < len(template):
        m.add(template[pos:])


def sub_msg(ctx, template):
    m = Msg()
    render(ctx, m, template)
    return m


# ====================================================================== chats

CHAT_OPEN = [
    "A|Hi, thanks for contacting {company}. How can I help?",
    "A|Hello! You're chatting with {a.given:cue:chat_intro}. What can I do for you today?",
    "S|You are now connected to {a.given:cue:chat_intro}.",
    "A|Good morning, my name is {a.given:cue:chat_intro}. How may I help?",
    "A|Hi there 👋 How can we help?",
    "A|Welcome to {company} live chat. An agent will be with you shortly.",
    "C|hello?",
]
CHAT_SCENES = [
    ["C|hi, my parcel never arrived", "A|Sorry to hear that! Could I have the order number?",
     "C|{order}", "A|Thanks. And what's your last name?", "C|{c.surname:no:chat_answer}",
     "A|Thank you. I can see it was handed to a neighbour on {ndate:en}."],
    ["A|To verify your identity, what's your full name?", "C|{c.full:no:chat_answer}",
     "A|And your date of birth, please?", "C|{dob.c:en}", "A|Thanks, you're verified."],
    ["A|Could I have your first name?", "C|{c.given:no:chat_answer}",
     "A|What's your last name?", "C|{c.surname:no:chat_answer}",
     "A|Perfect. One moment please."],
    ["C|{x.given:no} is from {company2}, she'll pick up the order on {weekday}",
     "A|No problem, {x.given:no} just needs to bring a photo ID."],
    ["C|I went to a {x.fmi:no} concert in {place} and was charged twice, {amount} each time",
     "A|I'm sorry about that. Can you send me the booking reference?", "C|{order}"],
    ["C|the tracking says it was signed for by {x.full:no}. no idea who that is",
     "A|I'll open a claim with the courier. Which address should it have gone to?",
     "C|{addr:inline}"],
    ["C|{a2.given:no} promised me a callback on {weekday} but nobody called",
     "A|Apologies. {a2.given:no} is off today, but I can help."],
    ["C|{x.given:no} and I share the account. can you add {x.given:no} as a second user?",
     "A|Sure, what's their e-mail address?", "C|{email.x}"],
    ["C|it's a present for {x.given:no}'s graduation on {ndate:en} so it has to arrive before",
     "A|Understood. Express delivery costs {amount}."],
    ["C|someone logged into my account from {ip} at {time}, that wasn't me!",
     "A|I've locked the account. Please confirm the e-mail address on it.", "C|{email.c}"],
    ["A|Please send me the IBAN for the refund.", "C|{iban}",
     "C|account holder is {x.full:cue:holder}"],
    ["A|Which number should the driver call?", "C|{phone:chat_bare}",
     "C|or {phone:chat_bare} after {time}"],
    ["C|my card {card} was declined at {brand} yesterday",
     "A|For your security please don't post full card numbers here. The card ending {last4} "
     "is now blocked."],
    ["C|i moved, the new address is {addr:inline}", "A|Thanks, I've updated it."],
    ["A|For the booking on flight {flight} I need the passport number of each traveller.",
     "C|{passport.c}", "C|and {x.given:no}'s is {passport.x}"],
    ["C|{x.full:no} from your {place} store said I could return it without a receipt",
     "A|That's right, returns are accepted within 30 days."],
    ["C|ok so {x.given_lc:no} ordered it on my account by mistake",
     "A|No worries, I can cancel it. Which item was it?", "C|the {product}"],
    ["C|Last week {x.surname:no} from accounting emailed me about invoice {order}",
     "A|I see it. The invoice was issued on {ndate:en}."],
    ["C|the tickets are for me, {x.given:no}, {y.given:no} and {z.full:no}",
     "A|Great, 4 tickets for {ndate:en} at {time}."],
    ["C|hi {a.given:cue:greeting}, {x.given:no} told me you can fix the invoice address",
     "A|Happy to help. What should it say?", "C|{company2}, {addr:inline}"],
    ["C|Do you ship to {place}?", "A|Yes! Delivery takes 3–5 working days.",
     "C|Mark it as a gift please", "A|Will do."],
    ["C|is the {product} compatible with version {version}?", "A|Yes, from {version} on."],
    ["C|My {product} stopped working after the {month} update",
     "A|Could you tell me the model number on the back?", "C|{model}"],
    ["C|{x.given:no} said you'd refund it by {weekday}", "A|Let me check that for you."],
    ["C|{x.given:no}'s number is {phone:chat_bare} if I don't pick up",
     "A|Noted, thank you."],
    ["A|What name is the booking under?", "C|{c.lcf:no:chat_answer}",
     "A|Found it, the booking for {ndate:en}."],
    ["A|Can I get your surname and first name?",
     "C|it's {c.surname_lc:no:chat_answer}, {c.given_lc:no:chat_answer}"],
    ["C|born {dob.c:en}, if you need it for the check", "A|Thank you, that matches."],
    ["A|To continue I need your national ID or social security number.", "C|{nid.c}"],
    ["C|here's my {nid.c:label}", "A|Thanks, that's all I need."],
    ["C|Grant access to my colleague please, she starts on {weekday}",
     "A|Sure, what's her name and e-mail?", "C|{x.full:no:chat_answer}, {email.x:org}"],
    ["C|Will the courier call first?", "A|Yes, about 30 minutes before. Is {phone:chat_bare} "
     "still the right number?", "C|yes"],
    ["C|we met {x.given:no} at the {place} fair and she gave us a discount code",
     "A|I can apply it. Which order?", "C|{order}"],
    ["C|{x.full_lc:no} is my landlord, the parcel can be left with him",
     "A|I've added a delivery note."],
    ["C|the account is on {x.given:no}'s card but I do all the ordering",
     "A|Then {x.given:no} needs to confirm the change by e-mail."],
    ["C|just checked the site {url}, it still says out of stock",
     "A|It's expected back on {ndate:en}."],
    ["C|I'm in {place} until {weekday}, can it wait at the depot?",
     "A|Yes, we hold parcels for 7 days."],
    ["C|does {storm} affect deliveries to {place}?",
     "A|Some routes are delayed by 1–2 days."],
    ["A|Is the delivery address still {addr:street}?", "C|no, it's {addr:inline} now"],
    ["C|can you send the receipt to {email.c} instead of {email.c}?", "A|Done!"],
]
CHAT_SCENES_L = {
    "de": ("Kundenservice", "Kunde", [
        ["Kunde|Hallo, mein Paket ist nicht angekommen.", "Kundenservice|Das tut mir leid. "
         "Wie lautet Ihr Nachname?", "Kunde|{c.surname:no:chat_answer}",
         "Kundenservice|Danke. Die Sendung wurde am {ndate:de} zugestellt."],
        ["Kunde|{x.given:no} holt die Bestellung am {weekday:de} ab, geht das?",
         "Kundenservice|Ja, {x.given:no} braucht nur einen Ausweis."],
        ["Kunde|Meine neue Adresse ist {addr:inline}", "Kundenservice|Erledigt."],
        ["Kundenservice|Unter welcher Nummer erreichen wir Sie?", "Kunde|{phone:chat_bare}"],
    ]),
    "fr": ("Conseiller", "Client", [
        ["Client|Bonjour, c'est {x.given:no} qui a passé la commande {order}",
         "Conseiller|Très bien, je regarde."],
        ["Conseiller|Quel est votre nom de famille ?", "Client|{c.surname:no:chat_answer}",
         "Conseiller|Merci, votre colis arrive {weekday:fr}."],
        ["Client|Vous pouvez me rappeler au {phone:chat_bare} ?", "Conseiller|Bien sûr."],
    ]),
    "es": ("Soporte", "Cliente", [
        ["Cliente|Hola, {x.given:no} me dijo que el reembolso ya estaba hecho",
         "Soporte|Lo compruebo ahora mismo."],
        ["Soporte|¿Me indica su nombre completo?", "Cliente|{c.full:no:chat_answer}"],
    ]),
    "nl": ("Klantenservice", "Klant", [
        ["Klant|Hoi, {x.full:no} heeft mijn pakket aangenomen maar ik ken die persoon niet",
         "Klantenservice|Vervelend! Ik zoek het uit."],
        ["Klantenservice|Wat is uw achternaam?", "Klant|{c.surname:no:chat_answer}"],
    ]),
}
CHAT_CLOSE = ["C|thanks {a.given:cue:thanks}!", "C|thanks, bye", "A|Is there anything else I can "
              "help you with?", "C|Thank you {a.given:cue:thanks}, have a nice {weekday}",
              "A|Have a great day!", "C|ok cheers", "A|Thanks for chatting with {company}."]


def build_chat(ctx):
    rng = ctx.rng
    m = Msg()
    lang_scene = None
    if ctx.lang in CHAT_SCENES_L and rng.random() < 0.5:
        lang_scene = CHAT_SCENES_L[ctx.lang]
    labels = rng.choice([("Agent", "Customer"), ("Support", "Customer"), ("Agent", "Visitor"),
                         ("Bot", "User"), ("Agent", "Me"), ("Operator", "Client")])
    named_agent = rng.random() < 0.05
    stamps = rng.random() < 0.35
    t = rng.randint(7 * 60, 20 * 60)
    turns = []
    if lang_scene:
        la, lc_, scenes = lang_scene
        for sc in rng.sample(scenes, k=min(len(scenes), rng.randint(1, 2))):
            for tu in sc:
                who, txt = tu.split("|", 1)
                turns.append(("A" if who == la else "C", txt))
        labels = (la, lc_)
    else:
        if rng.random() < 0.7:
            who, txt = rng.choice(CHAT_OPEN).split("|", 1)
            turns.append((who, txt))
        for sc in rng.sample(CHAT_SCENES, k=rng.randint(2, 3)):
            for tu in sc:
                who, txt = tu.split("|", 1)
                turns.append((who, txt))
        if rng.random() < 0.6:
            who, txt = rng.choice(CHAT_CLOSE).split("|", 1)
            turns.append((who, txt))
    lower_c = rng.random() < 0.35
    for i, (who, txt) in enumerate(turns):
        if i:
            m.add("\n")
        if stamps:
            t += rng.randint(0, 3)
            m.add(f"[{t // 60:02d}:{t % 60:02d}] ")
        if who == "S":
            m.add("System: ")
        elif who == "A" and named_agent:
            put_person(ctx, m, "a", "given", "no", "chat_speaker")
            m.add(": ")
        else:
            m.add((labels[0] if who == "A" else labels[1]) + ": ")
        sm = sub_msg(ctx, txt)
        m.extend(sm, lower=(who == "C" and lower_c and rng.random() < 0.8))
    return m


# ====================================================================== signatures / e-mails

SIGNOFF = {
    "en": ["Best regards,", "Kind regards,", "Regards,", "Many thanks,", "Best,", "Cheers,",
           "Warm regards", "Sincerely,", "Thanks and regards,"],
    "de": ["Mit freundlichen Grüßen", "Viele Grüße", "Beste Grüße,", "MfG"],
    "fr": ["Cordialement,", "Bien cordialement,", "Bien à vous,"],
    "es": ["Saludos,", "Un saludo,", "Atentamente,"],
    "it": ["Cordiali saluti,", "Distinti saluti"],
    "nl": ["Met vriendelijke groet,", "Groeten,", "Mvg,"],
    "pl": ["Pozdrawiam,", "Z poważaniem,"],
    "pt": ["Atenciosamente,", "Cumprimentos,"],
    "sv": ["Med vänlig hälsning,", "Hälsningar,"],
    "no": ["Med vennlig hilsen", "Hilsen"],
    "da": ["Med venlig hilsen", "Venlig hilsen"],
    "fi": ["Ystävällisin terveisin", "Terveisin,"],
    "cs": ["S pozdravem,"], "hu": ["Üdvözlettel,"], "ro": ["Cu stimă,"],
    "el": ["Με εκτίμηση,", "Φιλικά,"], "tr": ["Saygılarımla,"], "lt": ["Pagarbiai,"],
    "lv": ["Ar cieņu,"], "et": ["Lugupidamisega,"],
}
GREETING = {"en": ["Hello,", "Dear Sir or Madam,", "Hi team,", "Hi {a.given:cue:greeting},",
                   "Dear {title.a:greeting},", "Good afternoon,", "Hi all,"],
            "de": ["Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo {a.given:cue:greeting},",
                   "Sehr geehrte/r {title.a:greeting},"],
            "fr": ["Bonjour,", "Madame, Monsieur,", "Bonjour {a.given:cue:greeting},"],
            "es": ["Hola:", "Estimados señores:", "Hola {a.given:cue:greeting},"],
            "it": ["Buongiorno,", "Gentile {titlefull.a:greeting},"],
            "nl": ["Beste,", "Geachte heer/mevrouw,", "Hoi {a.given:cue:greeting},"]}
SIG_BODY = [
    "Please find attached the signed contract for the {product} order.",
    "Could you confirm the delivery date? We were told {ndate:en}, but the portal shows {weekday}.",
    "The invoice total of {amount} does not match our purchase order.",
    "{x.given:no} from our warehouse will call you on {weekday} to arrange the pick-up.",
    "Please ask for {x.full:cue:ask_for} at reception when you arrive.",
    "My colleague {x.full:cue:relation} is in copy and will take over while I'm away.",
    "The contact person for the installation is {x.full:cue:contact_person}, {phone:sig_body}.",
    "We met at the {place} trade fair in {month}; I'd like to follow up on the {product}.",
    "Our driver will arrive between {time}.",
    "{x.full:no} has left the company, so please remove her from the mailing list.",
    "Kindly update our billing address to {addr:inline}.",
    "Please refund the overpayment to {iban}.",
    "As discussed with {x.given:no} this morning, we will return {n} units.",
    "The meeting is moved to {weekday} at {time} in our {place} office.",
    "Our reference is {order}; please quote it on all correspondence.",
    "I'm out of office until {ndate:en} with limited access to e-mail.",
    "Version {version} of the app still crashes on the {product}.",
    "Could {x.given:no} send me the updated price list?",
    "Flight {flight} lands at {time}, so I'll be at your office around noon.",
    "Please note our new bank details below.",
    "Thanks for your quick reply.",
]
SIG_BODY_L = {
    "de": ["Anbei die unterschriebene Vollmacht.", "Bitte bestätigen Sie den Liefertermin am "
           "{ndate:de}.", "{x.given:no} aus der Buchhaltung meldet sich am {weekday:de} bei Ihnen.",
           "Die Rechnung über {amount} ist noch offen."],
    "fr": ["Veuillez trouver ci-joint le bon de commande.", "{x.given:no} vous rappellera "
           "{weekday:fr} matin.", "Merci de confirmer la livraison du {ndate:fr}."],
    "es": ["Adjunto la factura de {month}.", "{x.given:no} se pondrá en contacto con ustedes "
           "el lunes."],
    "nl": ["Bijgaand de getekende offerte.", "{x.given:no} belt u morgen terug over de levering."],
    "it": ["In allegato il preventivo firmato.", "{x.given:no} vi contatterà domani."],
}
PHONE_LABELS = ["T: ", "Tel. ", "Phone: ", "M ", "Mobile: ", "Fax: ", "Tel.: ", "Tél. : ",
                "Mob.: ", "Handy: ", "Cell: ", "Direct: ", "P: ", "Office: ", "Tlf. ", "Puh. "]
PHONE_SUFFIX = ["-Office", "-Fax", "-Mobile", " (office)", " (mobile)", " | direct",
                " (WhatsApp)", "-Direct", " (switchboard)"]


def sig_phone(ctx, m):
    rng = ctx.rng
    st = rng.random()
    if st < 0.4:
        m.add(rng.choice(PHONE_LABELS))
        slot(ctx, m, "phone", None, ["sig_label"])
    elif st < 0.7:
        slot(ctx, m, "phone", None, ["sig_suffix"])
        m.add(rng.choice(PHONE_SUFFIX))
    else:
        slot(ctx, m, "phone", None, ["sig_bare"])
        if rng.random() < 0.2:
            ext = f" ext. {rng.randint(10, 999)}"
            e = m.ents[-1]
            e["value"] += ext
            e["end"] += len(ext)
            e["format"] += ":ext"
            m.add(ext)


def build_signature(ctx):
    rng = ctx.rng
    lang = ctx.lang
    m = Msg()
    if rng.random() < 0.3:
        m.add("From: ")
        put_person(ctx, m, "c", rng.choice(["full", "full", "lcf"]), "cue", "mail_header")
        m.add(" <")
        slot(ctx, m, "email", "c", ["org" if rng.random() < 0.5 else "free"])
        m.add(">\nSent: ")
        render(ctx, m, "{weekday}, {ndate:en} {time}")
        m.add("\nTo: ")
        slot(ctx, m, "support", None, [])
        m.add(f"\nSubject: {rng.choice(['Re: delivery', 'Invoice query', 'Order update', 'AW: Rückfrage', 'Complaint', 'Fwd: contract'])}\n\n")
    g = GREETING.get(lang if lang in GREETING and rng.random() < 0.6 else "en")
    render(ctx, m, rng.choice(g) + "\n\n")
    bodies = SIG_BODY_L.get(lang) if lang in SIG_BODY_L and rng.random() < 0.5 else SIG_BODY
    for i, b in enumerate(rng.sample(bodies, k=min(len(bodies), rng.randint(1, 3)))):
        if i:
            m.add(" ")
        render(ctx, m, b)
    m.add("\n\n")
    one_line = rng.random() < 0.15
    has_signoff = rng.random() < 0.8
    if has_signoff:
        so = SIGNOFF.get(lang if lang in SIGNOFF and rng.random() < 0.6 else "en")
        m.add(rng.choice(so) + rng.choice(["\n", "\n", "\n\n"]))
    else:
        m.add(rng.choice(["--\n", "-- \n", "—\n", "___\n", ""]))
    # name line
    has_title = rng.random() < 0.15
    if has_title:
        m.add(title(rng, lang) + " ")
    part = rng.choice(["full", "full", "full", "fmi", "fmid", "upper", "ini"])
    put_person(ctx, m, "c", part, "cue" if (has_signoff or has_title) else "no",
               "signature" if (has_signoff or has_title) else "sigblock")
    if rng.random() < 0.1:
        m.add(rng.choice([", PhD", " MBA", ", MSc", " (she/her)", " (he/him)", ", CPA"]))
    sep = " | " if one_line else "\n"
    if one_line:
        m.add(sep + rng.choice(JOBS) + sep + ctx.company + sep)
        sig_phone(ctx, m)
        if rng.random() < 0.6:
            m.add(sep)
            slot(ctx, m, "url", None, ["own"])
        return m
    if rng.random() < 0.75:
        m.add("\n" + rng.choice(JOBS))
    if rng.random() < 0.85:
        m.add("\n" + ctx.company)
    if rng.random() < 0.7:
        m.add("\n")
        cc = ctx.cc if rng.random() < 0.8 else rng.choice(sorted(ADDR))
        v, country, f = address(rng, cc, rng.choice(["sig", "block", "sig", "inline"]))
        m.ent("STREET_ADDRESS", v, f"{f}:signature")
        if country:
            m.add("\n" + country)
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        m.add("\n")
        sig_phone(ctx, m)
    if rng.random() < 0.75:
        m.add("\n" + rng.choice(["E-mail: ", "Email: ", "", "e: ", "Mail: ", "E: "]))
        slot(ctx, m, "email", "c", ["org" if rng.random() < 0.75 else "free"])
    if rng.random() < 0.55:
        m.add("\n" + rng.choice(["", "", "Web: ", "w: "]))
        slot(ctx, m, "url", None, ["own"])
    if rng.random() < 0.3:
        m.add("\n" + vat(rng, ctx.cc))
    if rng.random() < 0.3:
        m.add("\n\n" + rng.choice(DISCLAIMERS))
    return m


# ====================================================================== web forms

# key order: first last full dob street unit pc city pc_city country phone mobile email
#            passport idno licence iban card order message company gender nationality
FORM_KEYS = {
    "en": "First name|Surname|Full name|Date of birth|Street and number|Apartment / Suite|"
          "Postcode|Town/City|ZIP / City|Country|Phone|Mobile|Email|Passport no|National ID|"
          "Driving licence no.|IBAN|Card number|Order number|Message|Company|Gender|Nationality",
    "de": "Vorname|Nachname|Name|Geburtsdatum|Straße und Hausnummer|Adresszusatz|PLZ|Ort|"
          "PLZ / Ort|Land|Telefon|Handy|E-Mail|Reisepassnummer|Steuer-ID|Führerscheinnummer|"
          "IBAN|Kartennummer|Bestellnummer|Nachricht|Firma|Geschlecht|Staatsangehörigkeit",
    "fr": "Prénom|Nom|Nom complet|Date de naissance|Adresse|Complément d'adresse|Code postal|"
          "Ville|CP / Ville|Pays|Téléphone|Portable|Courriel|N° de passeport|"
          "N° de sécurité sociale|N° de permis de conduire|IBAN|Numéro de carte|N° de commande|"
          "Message|Société|Civilité|Nationalité",
    "es": "Nombre|Apellidos|Nombre completo|Fecha de nacimiento|Dirección|Piso / puerta|"
          "Código postal|Localidad|CP / Localidad|País|Teléfono|Móvil|Correo electrónico|"
          "N.º de pasaporte|DNI/NIE|Permiso de conducir|IBAN|Número de tarjeta|N.º de pedido|"
          "Mensaje|Empresa|Sexo|Nacionalidad",
    "it": "Nome|Cognome|Nome e cognome|Data di nascita|Indirizzo|Interno/Scala|CAP|Città|"
          "CAP / Città|Paese|Telefono|Cellulare|Email|N. passaporto|Codice fiscale|N. patente|"
          "IBAN|Numero carta|Numero ordine|Messaggio|Azienda|Sesso|Cittadinanza",
    "nl": "Voornaam|Achternaam|Volledige naam|Geboortedatum|Straat en huisnummer|Toevoeging|"
          "Postcode|Woonplaats|Postcode / plaats|Land|Telefoon|Mobiel|E-mailadres|"
          "Paspoortnummer|BSN|Rijbewijsnummer|IBAN|Kaartnummer|Bestelnummer|Bericht|Bedrijf|"
          "Geslacht|Nationaliteit",
    "pl": "Imię|Nazwisko|Imię i nazwisko|Data urodzenia|Ulica i numer|Nr lokalu|Kod pocztowy|"
          "Miejscowość|Kod / miejscowość|Kraj|Telefon|Tel. komórkowy|E-mail|Nr paszportu|PESEL|"
          "Nr prawa jazdy|IBAN|Numer karty|Nr zamówienia|Wiadomość|Firma|Płeć|Obywatelstwo",
    "pt": "Nome|Apelido|Nome completo|Data de nascimento|Morada|Andar|Código postal|Localidade|"
          "CP / Localidade|País|Telefone|Telemóvel|E-mail|N.º do passaporte|CPF|"
          "Carta de condução|IBAN|Número do cartão|N.º da encomenda|Mensagem|Empresa|Sexo|"
          "Nacionalidade",
    "sv": "Förnamn|Efternamn|Namn|Födelsedatum|Gatuadress|Lägenhetsnummer|Postnummer|Ort|"
          "Postnr / ort|Land|Telefon|Mobil|E-post|Passnummer|Personnummer|Körkortsnummer|IBAN|"
          "Kortnummer|Ordernummer|Meddelande|Företag|Kön|Medborgarskap",
    "no": "Fornavn|Etternavn|Navn|Fødselsdato|Gateadresse|Leilighet|Postnummer|Poststed|"
          "Postnr. / sted|Land|Telefon|Mobil|E-post|Passnummer|Fødselsnummer|Førerkortnummer|"
          "IBAN|Kortnummer|Ordrenummer|Melding|Firma|Kjønn|Statsborgerskap",
    "da": "Fornavn|Efternavn|Navn|Fødselsdato|Adresse|Etage/dør|Postnr.|By|Postnr. / by|Land|"
          "Telefon|Mobil|E-mail|Pasnummer|CPR-nr.|Kørekortnummer|IBAN|Kortnummer|Ordrenummer|"
          "Besked|Firma|Køn|Statsborgerskab",
    "fi": "Etunimi|Sukunimi|Nimi|Syntymäaika|Katuosoite|Huoneisto|Postinumero|"
          "Postitoimipaikka|Postinro ja -toimipaikka|Maa|Puhelin|Matkapuhelin|Sähköposti|"
          "Passin numero|Henkilötunnus|Ajokortin numero|IBAN|Kortin numero|Tilausnumero|Viesti|"
          "Yritys|Sukupuoli|Kansalaisuus",
    "cs": "Jméno|Příjmení|Celé jméno|Datum narození|Ulice a číslo|Byt|PSČ|Obec|PSČ / obec|Země|"
          "Telefon|Mobil|E-mail|Číslo pasu|Rodné číslo|Číslo řidičského průkazu|IBAN|"
          "Číslo karty|Číslo objednávky|Zpráva|Firma|Pohlaví|Státní občanství",
    "el": "Όνομα|Επώνυμο|Ονοματεπώνυμο|Ημερομηνία γέννησης|Οδός και αριθμός|Όροφος|Τ.Κ.|Πόλη|"
          "Τ.Κ. / Πόλη|Χώρα|Τηλέφωνο|Κινητό|Email|Αριθμός διαβατηρίου|ΑΜΚΑ|"
          "Αριθμός διπλώματος οδήγησης|IBAN|Αριθμός κάρτας|Αριθμός παραγγελίας|Μήνυμα|Εταιρεία|"
          "Φύλο|Υπηκοότητα",
    "tr": "Ad|Soyad|Ad Soyad|Doğum tarihi|Adres|Daire|Posta kodu|İl/İlçe|Posta kodu / İl|Ülke|"
          "Telefon|Cep telefonu|E-posta|Pasaport no|T.C. Kimlik No|Ehliyet no|IBAN|"
          "Kart numarası|Sipariş no|Mesaj|Şirket|Cinsiyet|Uyruk",
    "hu": "Keresztnév|Vezetéknév|Teljes név|Születési dátum|Utca, házszám|Emelet/ajtó|"
          "Irányítószám|Település|Irsz. / település|Ország|Telefon|Mobil|E-mail|Útlevélszám|"
          "Adóazonosító jel|Jogosítvány száma|IBAN|Kártyaszám|Rendelésszám|Üzenet|Cég|Nem|"
          "Állampolgárság",
    "ro": "Prenume|Nume|Nume complet|Data nașterii|Stradă și număr|Bloc/Scară/Ap.|Cod poștal|"
          "Localitate|Cod poștal / localitate|Țară|Telefon|Mobil|E-mail|Nr. pașaport|CNP|"
          "Nr. permis de conducere|IBAN|Număr card|Nr. comandă|Mesaj|Companie|Sex|Cetățenie",
    "lt": "Vardas|Pavardė|Vardas, pavardė|Gimimo data|Gatvė, namo nr.|Buto nr.|Pašto kodas|"
          "Miestas|Pašto kodas / miestas|Šalis|Telefonas|Mobilusis|El. paštas|Paso nr.|"
          "Asmens kodas|Vairuotojo pažymėjimo nr.|IBAN|Kortelės nr.|Užsakymo nr.|Žinutė|Įmonė|"
          "Lytis|Pilietybė",
    "lv": "Vārds|Uzvārds|Vārds, uzvārds|Dzimšanas datums|Iela, mājas nr.|Dzīvokļa nr.|"
          "Pasta indekss|Pilsēta|Indekss / pilsēta|Valsts|Tālrunis|Mobilais|E-pasts|Pases nr.|"
          "Personas kods|Vadītāja apliecības nr.|IBAN|Kartes nr.|Pasūtījuma nr.|Ziņa|Uzņēmums|"
          "Dzimums|Pilsonība",
    "et": "Eesnimi|Perekonnanimi|Nimi|Sünniaeg|Tänav ja maja|Korter|Postiindeks|Linn|"
          "Postiindeks / linn|Riik|Telefon|Mobiil|E-post|Passi number|Isikukood|Juhiloa number|"
          "IBAN|Kaardi number|Tellimuse number|Sõnum|Ettevõte|Sugu|Kodakondsus",
}
FIELDS = ["first", "last", "full", "dob", "street", "unit", "pc", "city", "pc_city", "country",
          "phone", "mobile", "email", "passport", "idno", "licence", "iban", "card", "order",
          "message", "company", "gender", "nationality"]
FORM_KEYS = {k: dict(zip(FIELDS, v.split("|"))) for k, v in FORM_KEYS.items()}
JSON_KEYS = {"first": "first_name", "last": "last_name", "full": "name", "dob": "birth_date",
             "street": "street", "unit": "address2", "pc": "postal_code", "city": "city",
             "pc_city": "zip_city", "country": "country", "phone": "phone", "mobile": "mobile",
             "email": "email", "passport": "passport_no", "idno": "national_id",
             "licence": "licence_no", "iban": "iban", "card": "card_number", "order": "order_id",
             "message": "message", "company": "company", "gender": "gender",
             "nationality": "nationality"}
# which national id a country's form asks for (by the form's language key "idno")
ID_FOR_LANG = {"en": None, "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL",
               "pl": "PL", "pt": "BR", "sv": "SE", "fi": "FI", "tr": "TR", "ro": "RO",
               "lt": "LT", "et": "EE"}
FORM_TITLES = ["New submission: Contact form", "Webformular: Kontaktanfrage",
               "Nouvelle demande via le formulaire de contact", "Rental application",
               "Online check-in", "Warranty claim", "Account opening request",
               "Formulario de reclamación", "Job application", "Insurance claim (draft)",
               "Membership sign-up", "Return request", "Aanmeldformulier", "Zgłoszenie reklamacji"]
FORM_MSGS = [
    "Please call me back on {phone:form_msg} after {time}.",
    "My partner {x.given:cue:relation} will pick it up on {weekday}.",
    "{x.given:no} recommended your company to me.",
    "I ordered the {product} on {ndate:en} and it still hasn't arrived.",
    "Parcel should be left with {x.full:no} next door if I'm out.",
    "The old address was {addr:inline}.",
    "Please send the refund to {iban}.",
    "I need the invoice for order {order} with my company name, {company2}.",
    "Mark the delivery as fragile please.",
    "Booking for {n} people, arriving with flight {flight}.",
    "My driving licence number is {licence.c}.",
    "Please do not call before {time}.",
]
NATIONALITY = ["Dutch", "German", "French", "Polish", "Niederländisch", "française", "española",
               "italiana", "svensk", "Ελληνική", "Türk", "Lietuvos", "American", "Irish"]
GENDERS = ["female", "male", "diverse", "weiblich", "männlich", "F", "M", "Femme", "Homme",
           "mujer", "hombre", "vrouw", "man", "kvinna", "—"]


def build_form(ctx):
    rng = ctx.rng
    lang = ctx.lang if ctx.lang in FORM_KEYS else "en"
    if rng.random() < 0.25:
        lang = rng.choice(sorted(FORM_KEYS))
    keys = FORM_KEYS[lang]
    layout = rng.choice(["kv", "kv", "kv", "kv_pad", "table", "tsv", "json", "eq"])
    a = ADDR[ctx.cc](rng)
    # choose fields
    names = ["first", "last"] if rng.random() < 0.8 else ["full"]
    if rng.random() < 0.25:
        names.reverse()
    rest = ["dob", "street", "pc", "city", "country", "phone", "email"]
    if rng.random() < 0.4:
        rest = [f for f in rest if f not in ("pc", "city")] + ["pc_city"]
    rest = [f for f in rest if rng.random() < 0.75]
    opt = ["unit", "mobile", "passport", "idno", "licence", "iban", "card", "order", "message",
           "company", "gender", "nationality"]
    rest += [f for f in opt if rng.random() < 0.22]
    if lang != "en" and not ID_FOR_LANG.get(lang):
        rest = [f for f in rest if f != "idno"]     # no generator for that country's id
    order_ = [f for f in FIELDS if f in rest]
    if rng.random() < 0.3:
        rng.shuffle(order_)
    fields = names + order_
    m = Msg()
    if rng.random() < 0.7:
        m.add(rng.choice(FORM_TITLES) + "\n" + ("\n" if rng.random() < 0.5 else ""))
    if layout == "json":
        m.add("{")
    elif layout == "table":
        m.add("| Field | Value |\n|---|---|\n")
    width = max(len(keys[f]) for f in fields) + 2
    for i, f in enumerate(fields):
        key = keys[f]
        if layout == "json":
            m.add(("" if i == 0 else ", ") + f'"{JSON_KEYS[f]}": "')
        elif layout == "kv":
            m.add(key + rng.choice([": ", ": ", " : ", ":\t"]) if lang != "fr" else key + " : ")
        elif layout == "kv_pad":
            m.add((key + ":").ljust(width))
        elif layout == "table":
            m.add(f"| {key} | ")
        elif layout == "tsv":
            m.add(key + "\t")
        else:
            m.add(key + " = ")
        form_value(ctx, m, f, a, lang, layout)
        if layout == "json":
            m.add('"')
        elif layout == "table":
            m.add(" |\n")
        else:
            m.add("\n")
    if layout == "json":
        m.add("}\n")
    # submission metadata
    meta = []
    if rng.random() < 0.5:
        meta.append("Submitted: {ndate:en} {time}")
    if rng.random() < 0.4:
        meta.append("IP: {ip}")
    if rng.random() < 0.35:
        meta.append("Page: {url:own}")
    if rng.random() < 0.2:
        meta.append("User agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/"
                    "{version}")
    if rng.random() < 0.2:
        meta.append("Consent: yes (privacy policy {version})")
    for t in meta:
        render(ctx, m, t + "\n")
    return m


def form_value(ctx, m, f, a, lang, layout):
    rng = ctx.rng
    cue = "form_json" if layout == "json" else "form"
    if f == "first":
        put_person(ctx, m, "c", "given" if rng.random() > 0.05 else "given_lc", "cue", cue)
    elif f == "last":
        put_person(ctx, m, "c", rng.choice(["surname"] * 9 + ["upper_sur"]) if False else
                   "surname", "cue", cue)
    elif f == "full":
        put_person(ctx, m, "c", rng.choice(["full", "full", "lcf", "fmid", "upper"]), "cue", cue)
    elif f == "dob":
        slot(ctx, m, "dob", "c", [lang])
    elif f == "street":
        m.ent("STREET_ADDRESS", a["street"], f"{ctx.cc}:form:street")
    elif f == "unit":
        v = a["unit"] or f"{rng.randint(1, 40)}{rng.choice(['', 'A', 'B'])}"
        m.ent("STREET_ADDRESS", v, f"{ctx.cc}:form:unit")
    elif f == "pc":
        m.ent("STREET_ADDRESS", a["pc"], f"{ctx.cc}:form:postcode")
    elif f == "city":
        m.ent("STREET_ADDRESS", a["city"], f"{ctx.cc}:form:city")
    elif f == "pc_city":
        m.ent("STREET_ADDRESS", a["city_pc"], f"{ctx.cc}:form:postcode_city")
    elif f == "country":
        m.add(rng.choice(a["country"]))
    elif f in ("phone", "mobile"):
        slot(ctx, m, "phone", None, ["form"])
    elif f == "email":
        slot(ctx, m, "email", "c", ["free"])
    elif f == "passport":
        slot(ctx, m, "passport", "c", [])
    elif f == "idno":
        cc = ID_FOR_LANG.get(lang) or (ctx.cc if ctx.cc in NIDS else rng.choice(NID_MAIN))
        v, fm, _ = nid_value(ctx, "c", cc)
        m.ent("NATIONAL_ID", v, f"{fm}:cue:form")
    elif f == "licence":
        slot(ctx, m, "licence", "c", [])
    elif f == "iban":
        slot(ctx, m, "iban", None, [])
    elif f == "card":
        slot(ctx, m, "card", None, [])
    elif f == "order":
        slot(ctx, m, "order", None, [])
    elif f == "message":
        sm = sub_msg(ctx, rng.choice(FORM_MSGS))
        m.extend(sm)
    elif f == "company":
        m.add(rng.choice(COMPANIES)[0])
    elif f == "gender":
        m.add(rng.choice(GENDERS))
    elif f == "nationality":
        m.add(rng.choice(NATIONALITY))


# ====================================================================== biographies

BIO_OPEN = {
    "en": ["{c.full:no} lives at {addr:inline}, born {dob.c:en:words}, and works as a {job} at {company}.",
           "{c.full:no} (born {dob.c:en}) is a {job} based in {place}.",
           "Born on {dob.c:en:words} in {place}, {c.full:no} studied law before joining {company}.",
           "{c.fmi:no} was born {dob.c:en:words} and grew up near {place}.",
           "{c.full:no}, {job} at {company}, was born on {dob.c:en}.",
           "{c.full:no} moved to {addr:inline} in {year}."],
    "de": ["{c.full:no} wohnt in der {addr:inline}, geboren am {dob.c:de}, und arbeitet als {job}.",
           "{c.full:no} (geb. {dob.c:de}) lebt seit {year} in {place}."],
    "fr": ["{c.full:no}, né(e) le {dob.c:fr}, demeure au {addr:inline}.",
           "{c.full:no} habite {addr:inline} depuis {year}."],
    "es": ["{c.full:no} nació el {dob.c:es:words} y vive en {addr:inline}."],
    "it": ["{c.full:no}, nato/a il {dob.c:it}, risiede in {addr:inline}."],
    "nl": ["{c.full:no} woont op {addr:inline} en is geboren op {dob.c:nl}."],
    "pl": ["{c.full:no} urodził(a) się {dob.c:pl:words} i mieszka przy {addr:inline}."],
    "sv": ["{c.full:no} är född {dob.c:sv} och bor på {addr:inline}."],
}
BIO_MORE = [
    "{c.surname_cap:no} joined {company} in {year} and leads the {dept}.",
    "{c.given:no} can be reached at {email.c} or {phone:bio}.",
    "Her partner, {x.full:cue:relation}, runs a bakery in {place}.",
    "{c.surname_cap:no} and {x.full:no} founded a small charity in {year}.",
    "In {year} {c.given:no} ran the {place} marathon in 3 hours and {n} minutes.",
    "{c.given:no} speaks four languages and collects {product}s.",
    "Tax records list {c.surname_cap:no} under {nid.c:label}.",
    "{c.surname_cap:no}'s daughter {y.given:cue:relation} studies in {place}.",
    "Every {month}, {c.given:no} volunteers at the {place} food bank.",
    "{c.given:no} was featured in the {year} {company2} annual report.",
    "A friend, {x.given:no}, describes {c.given:no} as \"relentlessly curious\".",
    "The family home on {addr:street} was sold in {year}.",
]


def build_bio(ctx):
    rng = ctx.rng
    lang = ctx.lang if ctx.lang in BIO_OPEN and rng.random() < 0.5 else "en"
    m = Msg()
    render(ctx, m, rng.choice(BIO_OPEN[lang]))
    for t in rng.sample(BIO_MORE, k=rng.randint(1, 3)):
        m.add(" ")
        render(ctx, m, t)
    return m


# ====================================================================== address labels

LABEL_HEAD = {"en": ["Ship to:", "Deliver to:", "Recipient:", "Shipping address:",
                     "Billing address:", "Return to:"],
              "de": ["Lieferadresse:", "Empfänger:", "Rechnungsanschrift:"],
              "fr": ["Destinataire :", "Adresse de livraison :"],
              "es": ["Destinatario:", "Dirección de envío:"], "it": ["Destinatario:"],
              "nl": ["Afleveradres:", "Ontvanger:"], "pl": ["Adresat:"], "sv": ["Mottagare:"],
              "fi": ["Vastaanottaja:"], "el": ["Παραλήπτης:"], "tr": ["Alıcı:"]}


def build_label(ctx):
    rng = ctx.rng
    m = Msg()
    head = rng.random() < 0.7
    lang = ctx.lang if ctx.lang in LABEL_HEAD and rng.random() < 0.6 else "en"
    if rng.random() < 0.3:
        render(ctx, m, rng.choice(["Please update my details.", "Order {order}",
                                   "Parcel {n} of {n}", "Weight: 2.4 kg, {ndate:en}",
                                   "Hi, the label reads:"]) + "\n")
    if head:
        m.add(rng.choice(LABEL_HEAD[lang]) + rng.choice(["\n", " "]))
    if rng.random() < 0.15:
        m.add(title(rng, ctx.lang) + " ")
        put_person(ctx, m, "c", "full", "cue", "label")
    else:
        put_person(ctx, m, "c", rng.choice(["full", "full", "upper", "fmi", "ini"]),
                   "cue" if head else "no", "label" if head else "address_block")
    m.add("\n")
    if rng.random() < 0.15:
        m.add("c/o ")
        put_person(ctx, m, "x", "full", "cue", "care_of")
        m.add("\n")
    if rng.random() < 0.2:
        m.add(ctx.company + "\n")
    v, country, f = address(rng, ctx.cc, "block")
    m.ent("STREET_ADDRESS", v, f"{f}:label")
    if country:
        m.add("\n" + (country.upper() if rng.random() < 0.4 else country))
    if rng.random() < 0.4:
        m.add("\n" + rng.choice(["Tel. ", "☎ ", "Phone: ", ""]))
        slot(ctx, m, "phone", None, ["label"])
    if rng.random() < 0.25:
        m.add("\n" + rng.choice(["Delivery window ", "Deliver after "]))
        render(ctx, m, "{time}")
    return m


# ====================================================================== short messages

MISC = [
    "If the driver can't find the house: {phone:nocue}.",
    "{phone:nocue} (after 6pm)",
    "Missed call from {phone:nocue} – was that you?",
    "Best number is {phone:nocue}, landline {phone:nocue}.",
    "You can WhatsApp {phone:nocue} any time.",
    "Try {phone:nocue} or {phone:nocue}",
    "My {nid.c:label}, as requested.",
    "For the tax form: {nid.c:label}",
    "I entered {nid.c} in the ID field but the form rejects it.",
    "Passport number {passport.c}, expiry {ndate:en}.",
    "My passport no. is {passport.c} and it was issued in {place}.",
    "Driving licence: {licence.c}",
    "driver's license # {licence.c}, issued {ndate:en}",
    "Please charge {card}, exp. 08/{n}.",
    "Card {card} was charged {amount} twice on {ndate:en}.",
    "Refund to {iban} please, not to the card ending {last4}.",
    "My new IBAN: {iban}",
    "Login attempts from {ip} and {ip} were not me.",
    "The router is on {ip}, firmware {version}.",
    "Order {order} still shows 'processing' on {url}.",
    "See {url} – the page for order {order} is empty.",
    "Write to {email.c} or {email.x}, both work.",
    "I'm {c.full:cue:intro}, born {dob.c:en}, customer since {year}.",
    "This is {c.given:cue:intro} again about ticket {order}.",
    "Hi, {c.full:cue:intro} here. I was born on {dob.c:en} and my order is {order}.",
    "Please ask for {x.full:cue:ask_for} when you call {phone:cue}.",
    "Contact person: {x.full:cue:contact_person}, {phone:cue}, {email.x}",
    "{x.given:no} will be home on {weekday}, so deliver then.",
    "Can you tell {x.given:no} her order {order} is ready?",
    "Yesterday {x.full:no} called us about the {product}.",
    "I bought it for {x.given:no} but {x.given:no} already has one.",
    "The invoice says {x.lcf:no}, which is wrong.",
    "Attn: {x.full:cue:attn}, {company2}, {addr:inline}",
    "Mr {x.surname:cue:title} asked me to forward this.",
    "Dear {titlefull.x:greeting}, your appointment is on {ndate:en} at {time}.",
    "Geburtsdatum: {dob.c:de}, Steuer-ID {nid.c:bare}",
    "Numéro de sécurité sociale : {nid.c:bare}",
    "DNI {nid.c:bare}, nacido el {dob.c:es}",
    "Codice fiscale {nid.c:bare}",
    "BSN: {nid.c:bare}, geboortedatum {dob.c:nl}",
    "my SSN is {nid.c:bare} and DOB {dob.c:en}",
    "NI no. {nid.c:bare}",
    "{x.given_lc:no} says hi btw",
    "{x.full:no} and {y.full:no} both signed the lease.",
    "Send it to {addr:inline}, ring twice.",
    "Old address: {addr:inline}. New address: {addr:inline}.",
]
# Each of these overrides the context country, so the id fits the cue words.
MISC_CC = {"Geburtsdatum: {dob.c:de}, Steuer-ID {nid.c:bare}": "DE",
           "Numéro de sécurité sociale : {nid.c:bare}": "FR",
           "DNI {nid.c:bare}, nacido el {dob.c:es}": "ES",
           "Codice fiscale {nid.c:bare}": "IT",
           "BSN: {nid.c:bare}, geboortedatum {dob.c:nl}": "NL",
           "my SSN is {nid.c:bare} and DOB {dob.c:en}": "US",
           "NI no. {nid.c:bare}": "GB"}
NEG = [
    "Flight {flight} to {place} leaves at {time}; boarding closes 20 minutes earlier.",
    "The {product} costs {amount} until {weekday}.",
    "Version {version} fixes the sync bug on the {model}.",
    "Our {place} store is closed on {weekday} for inventory.",
    "Invoice dated {ndate:en}, total {amount}, due in 30 days.",
    "Mark the box as fragile and drop it at any {brand} locker.",
    "Will the {product} be back in stock in {month}?",
    "May I return the {product} I bought in {place}?",
    "Grant us access to the shared folder before {time}.",
    "{company2} has merged with {company2}.",
    "The meeting with {dept} moved to {weekday}, {time}.",
    "{storm} delayed all deliveries to {place} by {n} days.",
    "I paid {amount} for shipping, which is {pct} more than last time.",
    "Order {n} more boxes of the {model} cartridges.",
    "Room {nnn}, check-in from {time}.",
    "Chase the courier please, it's been {n} days.",
    "Hope the {product} arrives before {month}.",
    "Bill the {dept}, not me.",
    "Delivery slot: {weekday} {time}.",
    "I have been a {brand} customer since {year}.",
    "Card ending {last4} expired in {month}.",
    "The {place} office moved; the new reception opens {ndate:en}.",
    "The hotel says check-out is {time} on {weekday}.",
    "Customer Service said the {product} warranty runs until {ndate:en}.",
    "Happy Holidays from all of us at {company2}!",
    "Black Friday deal: {pct} off the {product}.",
    "We visited {place} and {place} in {month}.",
    "Build {version} is now live in {place} and {place}.",
]


def build_misc(ctx):
    rng = ctx.rng
    m = Msg()
    k = rng.randint(1, 3)
    for i, t in enumerate(rng.sample(MISC, k=k)):
        if i:
            m.add(rng.choice([" ", "\n", " Also: ", ". "]))
        if t in MISC_CC:
            save = ctx.cc
            ctx.cc = MISC_CC[t]
            render(ctx, m, t)
            ctx.cc = save
        else:
            render(ctx, m, t)
    if rng.random() < 0.5:
        m.add(" ")
        render(ctx, m, rng.choice(NEG))
    return m


def build_negative(ctx):
    rng = ctx.rng
    m = Msg()
    for i, t in enumerate(rng.sample(NEG, k=rng.randint(1, 4))):
        if i:
            m.add(rng.choice([" ", "\n", " "]))
        render(ctx, m, t)
    return m


# ====================================================================== assembly

KINDS = [("signature", 0.20, build_signature), ("form", 0.17, build_form),
         ("chat", 0.23, build_chat), ("bio", 0.10, build_bio), ("label", 0.09, build_label),
         ("misc", 0.12, build_misc), ("negative", 0.09, build_negative)]


def build(rng, bank, idx):
    r = rng.random()
    acc = 0.0
    for kind, w, fn in KINDS:
        acc += w
        if r < acc:
            break
    cc = rng.choice(COUNTRY_LIST)
    ctx = Ctx(rng, bank, kind, cc)
    m = fn(ctx)
    text = m.text()
    for e in m.ents:
        assert text[e["start"]:e["end"]] == e["value"], (e, text)
    ents = sorted(m.ents, key=lambda e: (e["start"], e["end"]))
    return {"id": f"h2-{idx:05d}", "text": text, "entities": ents,
            "carrier": {"kind": kind, "lang": ctx.lang, "country": cc}}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--out", default="pii_heldout2.jsonl")
    a = ap.parse_args()
    files, words = load_wordlists(REDACT_DIR)
    if not files:
        print(f"note: no word lists under {REDACT_DIR}; no names are excluded",
              file=sys.stderr)
    bank = NameBank(words)
    rng = random.Random(a.seed)
    rows = [build(rng, bank, i + 1) for i in range(a.n)]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    with open(a.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(body)
    counts, kinds, cue = {}, {}, {"cue": 0, "no_cue": 0}
    for r in rows:
        kinds[r["carrier"]["kind"]] = kinds.get(r["carrier"]["kind"], 0) + 1
        for e in r["entities"]:
            counts[e["type"]] = counts.get(e["type"], 0) + 1
            if e["type"] == "PERSON":
                cue[e["format"].split(":", 1)[0]] += 1
    excluded = sorted(bank.excluded)
    types = ["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS",
             "URL", "STREET_ADDRESS", "DATE_OF_BIRTH", "ORDER_NUMBER", "NATIONAL_ID"]
    meta = {"n": a.n, "seed": a.seed, "generator_version": GEN_VERSION,
            "kinds": {k: kinds.get(k, 0) for k, _, _ in KINDS},
            "entity_counts": {t: counts.get(t, 0) for t in types},
            "total_entities": sum(counts.values()),
            "person_cue": cue,
            "clean_messages": sum(1 for r in rows if not r["entities"]),
            "name_filter": {
                "word_list_files": files,
                "word_list_entries": len(words),
                "list_names": bank.total,
                "list_names_excluded": len(excluded),
                "given_excluded": bank.given_excl,
                "surnames_excluded": bank.sur_excl,
                "excluded_sha256": hashlib.sha256("\n".join(excluded).encode()).hexdigest(),
                "invented_rejected": bank.invented_rejected},
            "text_bytes_utf8": sum(len(r["text"].encode()) for r in rows),
            "sha256": hashlib.sha256(body.encode()).hexdigest()}
    with open(a.out + ".meta.json", "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    print(json.dumps(meta, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
