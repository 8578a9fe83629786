"""Writes the Faker corpus: sentences of our own per language, their slots filled by Faker's locale
providers (names, phone numbers, addresses, IBANs, cards, national ids, dates, prices), so the
pseudonymizer is measured on values nobody on the team wrote.

    .venv/bin/python shared/tests/pii/faker/generate.py > shared/tests/pii/faker/sentences.json

`make test` runs it again with the pinned Faker and fails when the committed file differs, so the
file is Faker's output and nothing else. The Rust side is `shared/tests/pii/faker.rs`.

Each sentence is a list of parts, `[text, kind]`: kind is null for our own words, a personal
category (kept away from the provider: every letter and digit must be replaced) or a needed one
(reaches the provider untouched). One kind of Faker output is left out: US military addresses
(`USNS …, FPO AE`). Everything else is kept as Faker writes it, extensions of US numbers
(`x9150`) and Faker's numbers outside any real numbering plan included.
"""

import json
import os
import random
import sys
import unicodedata
from datetime import date, datetime, time

import faker
from faker import Faker

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 2026_12_08
PER_TEMPLATE = 40
# A job declares a few people; a tenant keeps many contacts.
DECLARED_PER_LOCALE = 8
CONTACTS_PER_LOCALE = 40

# locale -> (language, the tenant's default_country)
LOCALES = {
    "en_US": ("en", "US"),
    "en_GB": ("en", "GB"),
    "de_DE": ("de", "DE"),
    "fr_FR": ("fr", "FR"),
    "es_ES": ("es", "ES"),
    "it_IT": ("it", "IT"),
    "nl_NL": ("nl", "NL"),
    "pl_PL": ("pl", "PL"),
}

# Our sentences. Personal slots: {phone} {email} {iban} {card} {id} {dob} {address} {person}
# {title_person} {declared} {known}; needed: {price} {date} {city} {order} {ean} {people}
# {percent} {year}.
TEMPLATES = {
    "en": [
        "Please call {person} on {phone} about order {order} before {date}.",
        "{declared} paid {price} with card {card} and wants the refund sent to {iban}.",
        "{people} {known} ({email}) says the delivery to {city} took until {date}.",
        "Send the invoice {order} to {title_person} at {address}.",
        "{person}, born on {dob}, asked for the loyalty card; {id_word} {id} was given by mistake.",
        "Text {declared} at {phone} when the {price} voucher is back; sales grew {percent} since {year}.",
        "Refunds go to {iban}; {people} {person} lives at {address}.",
        "Date of birth: {dob}. Name: {person}. Phone: {phone}. Email: {email}.",
        "{id_word} {id} belongs to {known}, who rang from {phone} about item {ean}.",
        "Our shop in {city} sold {percent} more in {year}; {people} {title_person} paid {price} by card {card}.",
        "Deliver to {address} and ring {known} first on {phone}.",
        "{declared} moved to {address} on {date}; write to {email}.",
    ],
    "de": [
        "Bitte rufen Sie {person} unter {phone} wegen der Bestellung {order} vor dem {date} an.",
        "{declared} hat {price} mit der Karte {card} bezahlt und möchte die Erstattung auf {iban}.",
        "{people} {known} ({email}) sagt, die Lieferung nach {city} dauerte bis {date}.",
        "Die Rechnung {order} geht an {title_person}, {address}.",
        "{person}, geboren am {dob}, möchte die Kundenkarte; die {id_word} {id} bitte löschen.",
        "Schreiben Sie {declared} unter {phone}, sobald der Gutschein über {price} da ist; Umsatz +{percent} seit {year}.",
        "Erstattungen gehen auf {iban}; {people} {person} wohnt in der {address}.",
        "Geburtsdatum: {dob}. Name: {person}. Telefon: {phone}. E-Mail: {email}.",
        "Die {id_word} {id} gehört {known}, der von {phone} wegen Artikel {ean} anrief.",
        "Unsere Filiale in {city} verkaufte {year} {percent} mehr; {people} {title_person} zahlte {price} mit Karte {card}.",
        "Liefern Sie an {address} und rufen Sie vorher {known} unter {phone} an.",
        "{declared} ist am {date} nach {address} umgezogen; schreiben Sie an {email}.",
    ],
    "fr": [
        "Merci d'appeler {person} au {phone} au sujet de la commande {order} avant le {date}.",
        "{declared} a payé {price} avec la carte {card} et veut le remboursement sur {iban}.",
        "{people} {known} ({email}) dit que la livraison à {city} a duré jusqu'au {date}.",
        "La facture {order} est à envoyer à {title_person}, {address}.",
        "{person}, né le {dob}, demande la carte de fidélité ; le {id_word} {id} a été donné par erreur.",
        "Écrivez à {declared} au {phone} quand le bon de {price} sera prêt ; ventes +{percent} depuis {year}.",
        "Les remboursements vont sur {iban} ; {people} {person} habite au {address}.",
        "Date de naissance : {dob}. Nom : {person}. Téléphone : {phone}. E-mail : {email}.",
        "Le {id_word} {id} appartient à {known}, qui a appelé du {phone} pour l'article {ean}.",
        "Notre boutique de {city} a vendu {percent} de plus en {year} ; {people} {title_person} a payé {price} par carte {card}.",
        "Livrez au {address} et appelez d'abord {known} au {phone}.",
        "{declared} a déménagé au {address} le {date} ; écrivez à {email}.",
    ],
    "es": [
        "Llame a {person} al {phone} por el pedido {order} antes del {date}.",
        "{declared} pagó {price} con la tarjeta {card} y quiere el reembolso en {iban}.",
        "{people} {known} ({email}) dice que el envío a {city} tardó hasta el {date}.",
        "La factura {order} va a {title_person}, {address}.",
        "{person}, nacido el {dob}, pide la tarjeta de cliente; el {id_word} {id} se dio por error.",
        "Escriba a {declared} al {phone} cuando llegue el vale de {price}; ventas +{percent} desde {year}.",
        "Los reembolsos van a {iban}; {people} {person} vive en {address}.",
        "Fecha de nacimiento: {dob}. Nombre: {person}. Teléfono: {phone}. Correo: {email}.",
        "El {id_word} {id} es de {known}, que llamó desde el {phone} por el artículo {ean}.",
        "Nuestra tienda de {city} vendió un {percent} más en {year}; {people} {title_person} pagó {price} con tarjeta {card}.",
        "Entregue en {address} y llame antes a {known} al {phone}.",
        "{declared} se mudó a {address} el {date}; escriba a {email}.",
    ],
    "it": [
        "Chiami {person} al {phone} per l'ordine {order} entro il {date}.",
        "{declared} ha pagato {price} con la carta {card} e vuole il rimborso su {iban}.",
        "{people} {known} ({email}) dice che la consegna a {city} è durata fino al {date}.",
        "La fattura {order} va a {title_person}, {address}.",
        "{person}, nato il {dob}, chiede la carta fedeltà; il {id_word} {id} è stato dato per errore.",
        "Scriva a {declared} al {phone} quando arriva il buono da {price}; vendite +{percent} dal {year}.",
        "I rimborsi vanno su {iban}; {people} {person} abita in {address}.",
        "Data di nascita: {dob}. Nome: {person}. Telefono: {phone}. Email: {email}.",
        "Il {id_word} {id} è di {known}, che ha chiamato dal {phone} per l'articolo {ean}.",
        "Il negozio di {city} ha venduto il {percent} in più nel {year}; {people} {title_person} ha pagato {price} con carta {card}.",
        "Consegnare in {address} e chiamare prima {known} al {phone}.",
        "{declared} si è trasferito in {address} il {date}; scrivere a {email}.",
    ],
    "nl": [
        "Bel {person} op {phone} over bestelling {order} vóór {date}.",
        "{declared} betaalde {price} met kaart {card} en wil het geld terug op {iban}.",
        "{people} {known} ({email}) zegt dat de levering naar {city} tot {date} duurde.",
        "De factuur {order} gaat naar {title_person}, {address}.",
        "{person}, geboren op {dob}, vraagt de klantenkaart; het {id_word} {id} is per ongeluk gegeven.",
        "Stuur {declared} een bericht op {phone} als de bon van {price} er is; omzet +{percent} sinds {year}.",
        "Terugbetalingen gaan naar {iban}; {people} {person} woont op {address}.",
        "Geboortedatum: {dob}. Naam: {person}. Telefoon: {phone}. E-mail: {email}.",
        "Het {id_word} {id} is van {known}, die belde vanaf {phone} over artikel {ean}.",
        "Onze winkel in {city} verkocht {percent} meer in {year}; {people} {title_person} betaalde {price} met kaart {card}.",
        "Lever af op {address} en bel eerst {known} op {phone}.",
        "{declared} is op {date} verhuisd naar {address}; mail naar {email}.",
    ],
    "pl": [
        "Proszę zadzwonić do {person} pod {phone} w sprawie zamówienia {order} przed {date}.",
        "{declared} zapłacił {price} kartą {card} i chce zwrot na {iban}.",
        "{people} {known} ({email}) mówi, że dostawa do miasta {city} trwała do {date}.",
        "Fakturę {order} proszę wysłać do {title_person}, {address}.",
        "{person}, urodzony {dob}, prosi o kartę stałego klienta; numer {id_word} {id} podano przez pomyłkę.",
        "Proszę napisać do {declared} na {phone}, gdy bon na {price} będzie gotowy; sprzedaż +{percent} od {year}.",
        "Zwroty idą na {iban}; {people} {person} mieszka przy {address}.",
        "Data urodzenia: {dob}. Imię i nazwisko: {person}. Telefon: {phone}. E-mail: {email}.",
        "Numer {id_word} {id} należy do {known}, który dzwonił z {phone} w sprawie artykułu {ean}.",
        "Nasz sklep w mieście {city} sprzedał o {percent} więcej w {year}; {people} {title_person} zapłaciła {price} kartą {card}.",
        "Proszę dostarczyć na {address} i najpierw zadzwonić do {known} pod {phone}.",
        "{declared} przeprowadził się {date} na {address}; proszę pisać na {email}.",
    ],
}

# Words for the people a business speaks of, written before a name: they must stay.
PEOPLE = {
    "en": ["The customer", "Our client", "The guest", "Our supplier"],
    "de": ["Die Kundin", "Der Kunde", "Unser Gast", "Die Lieferantin"],
    "fr": ["La cliente", "Le client", "Notre invité", "La fournisseuse"],
    "es": ["La clienta", "El cliente", "Nuestro huésped", "La proveedora"],
    "it": ["La cliente", "Il cliente", "Il nostro ospite", "La fornitrice"],
    "nl": ["De klant", "Onze gast", "De leverancier", "Mevrouw de klant"],
    "pl": ["Klientka", "Nasz klient", "Gość", "Dostawczyni"],
}
TITLES = {
    "en": ["Mr", "Mrs", "Ms", "Dr"],
    "de": ["Herr", "Frau", "Dr."],
    "fr": ["M.", "Mme", "Madame", "Monsieur"],
    "es": ["Sr.", "Sra.", "don", "doña"],
    "it": ["Sig.", "Sig.ra", "dott."],
    "nl": ["meneer", "mevrouw", "dhr.", "mw."],
    "pl": ["Pan", "Pani"],
}
# The word a sentence names a national id with, per locale.
ID_WORDS = {
    "en_US": ["SSN", "Social Security number"],
    "en_GB": ["National Insurance number", "NI number"],
    "de_DE": ["Rentenversicherungsnummer", "SV-Nummer"],
    "fr_FR": ["numéro de sécurité sociale", "NIR"],
    "es_ES": ["DNI", "NIE"],
    "it_IT": ["codice fiscale", "CF"],
    "nl_NL": ["BSN", "burgerservicenummer"],
    "pl_PL": ["PESEL", "ewidencyjny PESEL"],
}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"],
    "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
           "września", "października", "listopada", "grudnia"],
}
MILITARY = ("USNS", "USNV", "USS ", "USCGC", "PSC ", "Unit ", "FPO", "APO", "DPO")


# Fixed ranges: Faker's own ("-1y", an age) count from today, and the corpus must not change with it.
BORN_FROM, BORN_TO = date(1936, 1, 1), date(2008, 12, 31)
EVENTS_FROM, EVENTS_TO = date(2025, 6, 1), date(2027, 12, 31)


def born(fake):
    return fake.date_between_dates(BORN_FROM, BORN_TO)


def national_id(fake, locale):
    if locale == "es_ES":
        return fake.nif() if fake.random.random() < 0.5 else fake.nie()
    if locale == "de_DE":
        return fake.rvnr(birthdate=born(fake))
    return fake.ssn()


def date_written(fake, language, day):
    """A date as people of the language write it, numerically or with the month's name."""
    style = fake.random.randrange(3)
    if style == 0:
        if language == "en":
            return day.strftime("%m/%d/%Y" if fake.random.random() < 0.5 else "%d/%m/%Y")
        return day.strftime("%d.%m.%Y" if language in ("de", "pl") else "%d/%m/%Y")
    if style == 1:
        return day.isoformat()
    month = MONTHS[language][day.month - 1]
    if language == "en":
        return f"{day.day} {month} {day.year}" if fake.random.random() < 0.5 else f"{month} {day.day}, {day.year}"
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def folded(name, language):
    """The name as typed on a keyboard without its letters: German ä → ae, others drop accents."""
    if language == "de":
        for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
            name = name.replace(a, b)
    return "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn")


def written_form(rng, first, last, language):
    """One of the ways a known name is written in a form or a chat."""
    forms = [f"{first} {last}", last, f"{last}, {first}", f"{first} {last}".lower(), folded(f"{first} {last}", language),
             f"{first[0]}. {last}"]
    return rng.choice(forms)


def person_name(fake, language):
    first, last = fake.first_name(), fake.last_name()
    if language == "es" and fake.random.random() < 0.5:
        last = f"{last} {fake.last_name()}"
    return first, last


def address(fake, locale):
    while True:
        written = fake.address()
        if not any(m in written for m in MILITARY):
            return written.replace("\n", ", ")


def sentences_for(locale):
    language, country = LOCALES[locale]
    fake = Faker(locale)
    fake.seed_instance(SEED + sorted(LOCALES).index(locale))
    # Providers that draw a birth date themselves (pl_PL's PESEL) ask for a date up to now.
    for generator in fake.factories:
        generator.date_time = lambda *_, g=generator, **__: g.date_time_between_dates(
            datetime.combine(BORN_FROM, time()), datetime.combine(BORN_TO, time()))
        generator.date_object = lambda *_, g=generator, **__: g.date_between_dates(BORN_FROM, BORN_TO)
    rng = random.Random(SEED + sorted(LOCALES).index(locale))
    # A few of Faker's providers (es_ES nif) draw from the module's generator, not the instance's.
    random.seed(SEED + sorted(LOCALES).index(locale))
    declared = [person_name(fake, language) for _ in range(DECLARED_PER_LOCALE)]
    known = [person_name(fake, language) for _ in range(CONTACTS_PER_LOCALE)]
    out = []
    for template in TEMPLATES[language]:
        for _ in range(PER_TEMPLATE):
            parts = []
            rest = template
            while "{" in rest:
                before, _, after = rest.partition("{")
                slot, _, rest = after.partition("}")
                if before:
                    parts.append([before, None])
                parts.extend(fill(slot, fake, rng, locale, language, declared, known))
            if rest:
                parts.append([rest, None])
            out.append({"locale": locale, "language": language, "country": country, "parts": parts})
    return out, declared, known


def fill(slot, fake, rng, locale, language, declared, known):
    if slot == "phone":
        return [[fake.phone_number(), "phone"]]
    if slot == "email":
        return [[fake.email(), "email"]]
    if slot == "iban":
        iban = fake.iban()
        if rng.random() < 0.5:
            iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return [[iban, "iban"]]
    if slot == "card":
        return [[fake.credit_card_number(), "card"]]
    if slot == "id":
        return [[national_id(fake, locale), "national_id"]]
    if slot == "id_word":
        return [[rng.choice(ID_WORDS[locale]), None]]
    if slot == "dob":
        return [[date_written(fake, language, born(fake)), "birth_date"]]
    if slot == "address":
        return [[address(fake, locale), "address"]]
    if slot == "person":
        first, last = person_name(fake, language)
        return [[f"{first} {last}", "undeclared_name"]]
    if slot == "title_person":
        first, last = person_name(fake, language)
        return [[rng.choice(TITLES[language]) + " ", None], [f"{first} {last}", "undeclared_name"]]
    if slot == "declared":
        first, last = rng.choice(declared)
        return [[written_form(rng, first, last, language), "declared_name"]]
    if slot == "known":
        first, last = rng.choice(known)
        return [[written_form(rng, first, last, language), "known_name"]]
    if slot == "price":
        return [[fake.pricetag(), "price"]]
    if slot == "date":
        return [[date_written(fake, language, fake.date_between_dates(EVENTS_FROM, EVENTS_TO)), "event_date"]]
    if slot == "city":
        return [[fake.city(), "city"]]
    if slot == "order":
        return [[fake.bothify(rng.choice(["#####", "ORD-#####", "A-####-##", "2026/####"])), "order_number"]]
    if slot == "ean":
        return [[fake.ean13(), "barcode"]]
    if slot == "people":
        return [[rng.choice(PEOPLE[language]), "people_word"]]
    if slot == "percent":
        return [[f"{fake.random_int(1, 60)} %" if language != "en" else f"{fake.random_int(1, 60)}%", "percentage"]]
    if slot == "year":
        return [[str(fake.random_int(2015, 2026)), "year"]]
    raise ValueError(f"unknown slot {slot}")


def main():
    # Some of Faker's providers pick from sets, whose order follows Python's per-process string
    # hashing: fixed here, or the same seed writes a different corpus on every run.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    corpus = {"faker": faker.VERSION, "seed": SEED, "locales": {}, "sentences": []}
    for locale in LOCALES:
        sentences, declared, known = sentences_for(locale)
        corpus["locales"][locale] = {
            "declared": [f"{f} {l}" for f, l in declared],
            "contacts": [f"{f} {l}" for f, l in known],
        }
        corpus["sentences"].extend(sentences)
    # One sentence a line, so a change of Faker's output reads as a diff.
    sentences = corpus.pop("sentences")
    head = json.dumps(corpus, ensure_ascii=False)
    sys.stdout.write(head[:-1] + ', "sentences": [\n')
    sys.stdout.write(",\n".join(json.dumps(s, ensure_ascii=False) for s in sentences))
    sys.stdout.write("\n]}\n")


if __name__ == "__main__":
    main()
