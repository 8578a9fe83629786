//! The labelled corpus: each language's sentences with their slots filled by fixed-seed generators,
//! and the span and kind of every value put in.

use crate::languages::{Language, LANGUAGES};
use crate::values::{self, pick};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Personal data that must not reach the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Personal {
    Email,
    Phone,
    Iban,
    Card,
    NationalId,
    IpAddress,
    BirthDate,
    Address,
    DeclaredName,
    KnownName,
    UndeclaredName,
}

/// Strings the analysis needs, which must reach the provider unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Needed {
    Price,
    EventDate,
    OpeningHours,
    OrderNumber,
    Sku,
    Barcode,
    Percentage,
    Year,
    Postcode,
    Domain,
    /// A town named as a place of business, not as someone's address.
    City,
    /// "Die Kundin", "the customer": who is meant, not their name.
    PeopleWord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Personal(Personal),
    Needed(Needed),
}

#[derive(Debug, Clone)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
}

pub struct Sample {
    /// The column it is counted in: a language code here, a Faker locale in `faker.rs`.
    pub group: &'static str,
    pub text: String,
    pub spans: Vec<Span>,
}

/// Sentences per template and language.
const PER_TEMPLATE: usize = 40;

pub fn corpus() -> Vec<Sample> {
    let mut samples = Vec::new();
    for (i, language) in LANGUAGES.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(11_000 + i as u64);
        for template in language.templates {
            for _ in 0..PER_TEMPLATE {
                samples.push(fill(language, template, &mut rng));
            }
        }
    }
    samples
}

fn fill(language: &'static Language, template: &str, rng: &mut StdRng) -> Sample {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("closed slot");
        let slot = &rest[open + 1..close];
        let (value, kind, after) = value(language, slot, rng);
        // A title before a name is not the name: "Frau" stays, "Oberhuber" goes.
        let (before, value) = match value.split_once('\u{1}') {
            Some((title, name)) => (format!("{title} "), name.to_owned()),
            None => (String::new(), value),
        };
        text.push_str(&before);
        let start = text.len();
        text.push_str(&value);
        spans.push(Span {
            start,
            end: text.len(),
            kind,
        });
        text.push_str(&after);
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    Sample {
        group: language.code,
        text,
        spans,
    }
}

/// The value of a slot, its kind, and text that follows it without being part of it (a card's expiry).
fn value(language: &Language, slot: &str, rng: &mut StdRng) -> (String, Kind, String) {
    use Needed as N;
    use Personal as P;
    let personal = |v: String, p: Personal| (v, Kind::Personal(p), String::new());
    let needed = |v: String, n: Needed| (v, Kind::Needed(n), String::new());
    match slot {
        "email" => {
            let (g, f) = (pick(rng, language.given), pick(rng, language.family));
            personal(values::email(rng, g, f), P::Email)
        }
        "phone" => {
            let country = if language.code == "en" && rng.random_bool(0.5) {
                "US"
            } else {
                language.country
            };
            personal(values::phone(rng, country), P::Phone)
        }
        "intl_phone" => {
            let v = if rng.random_bool(0.5) {
                values::international_phone(rng)
            } else {
                values::phone(rng, language.country)
            };
            personal(v, P::Phone)
        }
        "iban" => {
            let country = if rng.random_bool(0.5) {
                language.country
            } else {
                pick(
                    rng,
                    &[
                        "DE", "FR", "ES", "IT", "NL", "PL", "GB", "AT", "BE", "PT", "IE", "LU",
                        "FI", "SE", "DK", "CZ", "GR", "HR",
                    ],
                )
            };
            personal(values::iban(rng, country), P::Iban)
        }
        "account" => personal(values::polish_account(rng), P::Iban),
        "card" => {
            let (number, after) = values::card(rng);
            (number, Kind::Personal(P::Card), after)
        }
        "id" => {
            let country = if language.code == "en" {
                if rng.random_bool(0.5) {
                    "US"
                } else {
                    "GB"
                }
            } else {
                language.country
            };
            personal(values::national_id(rng, country), P::NationalId)
        }
        "ip" => personal(values::ip(rng), P::IpAddress),
        "dob" => personal(date(language, rng, 1940..2006), P::BirthDate),
        "address" => personal(address(language, rng), P::Address),
        "declared" => personal(
            name_form(language, pick(rng, language.declared), rng),
            P::DeclaredName,
        ),
        "known" => personal(
            name_form(language, pick(rng, language.contacts), rng),
            P::KnownName,
        ),
        "person" => personal(undeclared(language, rng), P::UndeclaredName),
        "family" => personal(pick(rng, language.family).to_owned(), P::UndeclaredName),
        "price" => needed(price(language, rng), N::Price),
        "date" => needed(date(language, rng, 2026..2029), N::EventDate),
        "hours" => needed(hours(rng), N::OpeningHours),
        "order" => needed(values::order_number(rng), N::OrderNumber),
        "sku" => needed(values::sku(rng), N::Sku),
        "ean" => needed(values::ean13(rng), N::Barcode),
        "percent" => needed(values::percent(rng), N::Percentage),
        "year" => needed(values::year(rng), N::Year),
        "postcode" => needed(postcode(language, rng), N::Postcode),
        "domain" => needed(values::domain(rng), N::Domain),
        other => panic!("unknown slot {other}"),
    }
}

fn date(language: &Language, rng: &mut StdRng, years: std::ops::Range<u32>) -> String {
    let (d, m, y) = (
        rng.random_range(1..29),
        rng.random_range(1..13usize),
        rng.random_range(years),
    );
    let month = language.months[m - 1];
    match rng.random_range(0..5) {
        0 => format!("{d:02}.{m:02}.{y}"),
        1 => format!("{d:02}/{m:02}/{y}"),
        2 => format!("{y}-{m:02}-{d:02}"),
        _ => match language.code {
            "en" if rng.random_bool(0.5) => format!("{month} {d}, {y}"),
            "de" => format!("{d}. {month} {y}"),
            "es" => format!("{d} de {month} de {y}"),
            _ => format!("{d} {month} {y}"),
        },
    }
}

fn hours(rng: &mut StdRng) -> String {
    let (open, close) = (rng.random_range(6..11), rng.random_range(16..22));
    let (om, cm) = (pick(rng, &["00", "30"]), pick(rng, &["00", "30"]));
    match rng.random_range(0..4) {
        0 => format!("{open:02}.{om}-{close}.{cm}"),
        1 => format!("{open}:{om}–{close}:{cm}"),
        2 => format!("{open:02}:{om} - {close}:{cm}"),
        _ => format!("{open}h-{close}h"),
    }
}

fn price(language: &Language, rng: &mut StdRng) -> String {
    let (whole, cents) = (rng.random_range(1..5000), rng.random_range(0..100));
    let thousands = |n: u32, sep: &str| {
        if n >= 1000 {
            format!("{}{sep}{:03}", n / 1000, n % 1000)
        } else {
            n.to_string()
        }
    };
    match (language.code, rng.random_range(0..3)) {
        ("en", 0) => format!("£{}.{cents:02}", thousands(whole, ",")),
        ("en", _) => format!("${}.{cents:02}", thousands(whole, ",")),
        ("pl", _) => format!("{},{cents:02} zł", thousands(whole, " ")),
        (_, 0) => format!("€{},{cents:02}", thousands(whole, ".")),
        (_, 1) => format!("{},{cents:02} €", thousands(whole, ".")),
        _ => format!("{},{cents:02} EUR", whole),
    }
}

fn postcode(language: &Language, rng: &mut StdRng) -> String {
    match language.code {
        "en" if rng.random_bool(0.5) => pick(
            rng,
            &["SW1A 1AA", "M1 1AE", "LS1 4AP", "BS1 5TR", "EH1 1YZ"],
        )
        .to_owned(),
        "en" => format!("{:05}", rng.random_range(10_000..99_999)),
        "nl" => format!(
            "{} {}",
            rng.random_range(1000..9999),
            pick(rng, &["AB", "CD", "XK", "GH"])
        ),
        "pl" => format!(
            "{:02}-{:03}",
            rng.random_range(0..99),
            rng.random_range(0..999)
        ),
        _ => format!("{:05}", rng.random_range(1_000..99_999)),
    }
}

fn address(language: &Language, rng: &mut StdRng) -> String {
    let street = pick(rng, language.streets);
    let town = pick(rng, language.towns);
    let number = match rng.random_range(0..4) {
        0 => format!("{}a", rng.random_range(1..200)),
        1 if language.code == "pl" => {
            format!("{}/{}", rng.random_range(1..200), rng.random_range(1..80))
        }
        _ => rng.random_range(1..300).to_string(),
    };
    let with_town = rng.random_bool(0.5);
    match language.code {
        "en" => {
            let base = format!("{number} {street}");
            if with_town {
                format!(
                    "{base}, {town} {}",
                    pick(rng, &["NW1 6XE", "M2 5DB", "LS1 4AP", "BS1 5TR"])
                )
            } else {
                base
            }
        }
        "fr" => {
            let base = format!("{number} {street}");
            if with_town {
                format!("{base}, {:05} {town}", rng.random_range(1000..96000))
            } else {
                base
            }
        }
        code => {
            let base = if code == "es" && rng.random_bool(0.3) {
                format!("{street}, {number}")
            } else {
                format!("{street} {number}")
            };
            if !with_town {
                return base;
            }
            let postcode = match code {
                "nl" => format!(
                    "{} {}",
                    rng.random_range(1000..9999),
                    pick(rng, &["AB", "EK", "LN"])
                ),
                "pl" => format!(
                    "{:02}-{:03}",
                    rng.random_range(0..99),
                    rng.random_range(0..999)
                ),
                _ => format!("{:05}", rng.random_range(1000..99999)),
            };
            format!("{base}, {postcode} {town}")
        }
    }
}

fn strip_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ą' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'ę' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ł' => 'l',
            'ń' | 'ñ' => 'n',
            'ś' => 's',
            'ź' | 'ż' => 'z',
            'ć' | 'ç' => 'c',
            'É' => 'E',
            'Ł' => 'L',
            'Ś' => 'S',
            'Ż' | 'Ź' => 'Z',
            other => other,
        })
        .collect()
}

/// A Polish case form of a name part (genitive, dative, instrumental).
fn polish_case(part: &str, rng: &mut StdRng) -> String {
    let pick_end = |rng: &mut StdRng, ends: &[&str]| pick(rng, ends).to_owned();
    if let Some(stem) = part
        .strip_suffix("ski")
        .or_else(|| part.strip_suffix("cki"))
    {
        let kind = &part[stem.len()..stem.len() + 1];
        format!("{stem}{kind}k{}", pick_end(rng, &["iego", "iemu", "im"]))
    } else if let Some(stem) = part
        .strip_suffix("ska")
        .or_else(|| part.strip_suffix("cka"))
    {
        let kind = &part[stem.len()..stem.len() + 1];
        format!("{stem}{kind}k{}", pick_end(rng, &["iej", "ą"]))
    } else if let Some(stem) = part.strip_suffix("ia") {
        format!("{stem}i{}", pick_end(rng, &["i", "ę", "ą"]))
    } else if let Some(stem) = part.strip_suffix('a') {
        format!("{stem}{}", pick_end(rng, &["y", "ę", "ą"]))
    } else if let Some(stem) = part.strip_suffix("ek") {
        format!("{stem}k{}", pick_end(rng, &["a", "owi", "iem"]))
    } else {
        format!("{part}{}", pick_end(rng, &["a", "owi", "em"]))
    }
}

/// A known or declared name in one of the ways people write it.
fn name_form(language: &Language, full: &str, rng: &mut StdRng) -> String {
    let (given, family) = full.split_once(' ').expect("given and family name");
    match rng.random_range(0..8) {
        0 => full.to_owned(),
        1 => family.to_owned(),
        2 => given.to_owned(),
        3 => format!("{family}, {given}"),
        4 => strip_accents(full),
        5 => format!("{given}  {family}"),
        _ => match language.code {
            "pl" => format!("{} {}", polish_case(given, rng), polish_case(family, rng)),
            "de" => format!("{given} {family}s"),
            "en" => format!("{family}'s"),
            _ => full.to_uppercase(),
        },
    }
}

/// A name nobody declared: given and family, title and family, given alone, family first, initial.
fn undeclared(language: &Language, rng: &mut StdRng) -> String {
    let (given, family) = (pick(rng, language.given), pick(rng, language.family));
    match rng.random_range(0..20) {
        0..=9 => format!("{given} {family}"),
        // The title is marked off so that the span is the name alone.
        10..=13 => format!("{}\u{1}{family}", pick(rng, language.titles)),
        14..=16 => given.to_owned(),
        17..=18 => format!("{family}, {given}"),
        _ => format!(
            "{}. {family}",
            &given[..given.chars().next().map_or(1, char::len_utf8)]
        ),
    }
}
