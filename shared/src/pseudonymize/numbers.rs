//! Numbers that identify a person: phone numbers, IBANs and national account numbers, payment cards,
//! national ids. Each is checked (numbering plan, check digits) before it counts, and words for order,
//! invoice or article numbers nearby lower the confidence of the ones a business number could look like.

use super::checksums;
use super::pattern::{compact, digits, for_each_candidate, Pattern};
use super::{Category, Context, Finding, Input, Recognizer};
use phonenumber::country::Id;
use regex::Regex;
use std::sync::LazyLock;

/// Words for the numbers a business writes that are not personal (folded prefixes), per language.
pub const BUSINESS_NUMBERS: &[&str] = &[
    // en
    "order",
    "invoice",
    "inv",
    "sku",
    "ean",
    "gtin",
    "isbn",
    "article",
    "item",
    "ref",
    "batch",
    "lot",
    "serial",
    "tracking",
    "parcel",
    "barcode",
    "receipt",
    "ticket",
    "booking",
    "case",
    "po",
    "quote",
    "customer number",
    "product",
    "model",
    "part",
    "version",
    "total",
    "eur",
    "usd",
    "gbp", // de
    "bestell",
    "rechnung",
    "auftrag",
    "artikel",
    "kundennummer",
    "kundennr",
    "vorgang",
    "sendung",
    "paket",
    "charge",
    "seriennummer",
    "beleg",
    "buchung",
    "angebot",
    "produkt",
    "modell",
    "betrag",
    "summe", // fr
    "commande",
    "facture",
    "reference",
    "colis",
    "lot",
    "produit",
    "devis",
    "montant",
    "numero de",
    "recu", // es
    "pedido",
    "factura",
    "albaran",
    "referencia",
    "envio",
    "producto",
    "presupuesto",
    "importe",
    // it
    "ordine",
    "fattura",
    "riferimento",
    "spedizione",
    "prodotto",
    "preventivo",
    "importo",
    "codice articolo",
    "scontrino", // nl
    "bestelling",
    "factuur",
    "artikelnummer",
    "zending",
    "offerte",
    "bedrag",
    "bon",
    // pl
    "zamowien",
    "faktur",
    "numer zamowienia",
    "przesylk",
    "paragon",
    "produkt",
    "oferta",
    "kwota",
    "kod",
];

const PHONE_WORDS: &[&str] = &[
    // The preposition each language dials with ("unter 0171 …", "bel op 06 …", "pod 600 …"): it
    // raises only what already has a phone's shape.
    "on$",
    "unter$",
    "au$",
    "al$",
    "op$",
    "pod$",
    // en
    "tel",
    "phone",
    "call",
    "rang$",
    "mobile",
    "cell",
    "ring",
    "text",
    "sms",
    "whatsapp",
    "fax",
    "reach",
    // de
    "fon",
    "telefon",
    "handy",
    "mobil",
    "anruf",
    "anrief",
    "belde",
    "gebeld",
    "angerufen",
    "rufen",
    "erreich", // fr
    "telephone",
    "portable",
    "appel",
    "joindre", // es
    "telefono",
    "movil",
    "llam",
    "celular", // it
    "cellulare",
    "chiam", // nl
    "telefoon",
    "bel",
    "bellen",
    "mobiel", // pl
    "komork",
    "dzwon",
];

const CARD_WORDS: &[&str] = &[
    "card",
    "visa",
    "mastercard",
    "amex",
    "credit",
    "debit",
    "cvc",
    "cvv",
    "expir",
    "karte",
    "kredit",
    "gultig",
    "ablauf",
    "carte",
    "bancaire",
    "tarjeta",
    "caduc",
    "carta",
    "scadenza",
    "kaart",
    "karta",
    "kart",
    "platnicz",
];

const NUMBER_CONTEXT: Context = Context {
    before: 3,
    after: 1,
    raise: &[],
    raise_by: 0.0,
    lower: BUSINESS_NUMBERS,
    lower_by: 0.45,
};

/// Countries whose national numbers start with a trunk "0" (dropped after the country code).
const TRUNK_ZERO: &[&str] = &[
    "DE", "FR", "NL", "GB", "AT", "BE", "IE", "FI", "SE", "CH", "SI", "HR", "RO", "BG", "SK", "HU",
];

/// Countries whose national numbers (written without `+`) are read for a tenant in `country`: it and
/// its neighbours, the tenant's first (ISO alpha-2). A tenant without a default country gets the
/// countries of the seven languages, the UK and the US. International numbers are read everywhere.
pub fn regions_for(country: Option<&str>) -> Vec<Id> {
    const UNSET: &[&str] = &["DE", "FR", "ES", "IT", "NL", "PL", "GB", "US"];
    let home = country.map(|c| c.trim().to_ascii_uppercase());
    let neighbours: &[&str] = match home.as_deref() {
        None => UNSET,
        Some("DE") => &["AT", "CH", "NL", "BE", "FR", "LU", "PL", "CZ", "DK"],
        Some("AT") => &["DE", "CH", "IT", "SI", "HU", "SK", "CZ"],
        Some("CH") => &["DE", "AT", "FR", "IT", "LI"],
        Some("FR") => &["BE", "LU", "DE", "CH", "IT", "ES", "MC"],
        Some("ES") => &["PT", "FR", "AD"],
        Some("PT") => &["ES"],
        Some("IT") => &["CH", "AT", "FR", "SI", "SM", "MT"],
        Some("NL") => &["BE", "DE"],
        Some("BE") => &["NL", "FR", "DE", "LU"],
        Some("LU") => &["BE", "FR", "DE"],
        Some("PL") => &["DE", "CZ", "SK", "LT"],
        Some("CZ") => &["DE", "PL", "SK", "AT"],
        Some("SK") => &["CZ", "PL", "HU", "AT"],
        Some("HU") => &["AT", "SK", "RO", "HR", "SI"],
        Some("SI") => &["IT", "AT", "HU", "HR"],
        Some("HR") => &["SI", "HU"],
        Some("RO") => &["HU", "BG"],
        Some("BG") => &["RO", "GR"],
        Some("GR") => &["BG", "CY"],
        Some("CY") => &["GR"],
        Some("DK") => &["DE", "SE"],
        Some("SE") => &["DK", "FI", "NO"],
        Some("FI") => &["SE", "EE"],
        Some("EE") => &["LV", "FI"],
        Some("LV") => &["EE", "LT"],
        Some("LT") => &["LV", "PL"],
        Some("MT") => &["IT"],
        // Business across the Atlantic is common enough to read both ways.
        Some("GB") => &["IE", "US"],
        Some("IE") => &["GB"],
        Some("US") => &["CA", "GB"],
        _ => &[],
    };
    let mut regions: Vec<Id> = Vec::new();
    for code in home
        .iter()
        .map(String::as_str)
        .chain(neighbours.iter().copied())
    {
        if let Ok(id) = code.parse::<Id>() {
            if !regions.contains(&id) {
                regions.push(id);
            }
        }
    }
    regions
}

/// Phone numbers: international (`+`, `00`) or national in one of the job's regions, written with
/// spaces, dashes, dots, slashes or a bracketed area code; dates, times, prices and year ranges that
/// look like them are left alone.
pub struct Phone;

static PHONE_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\s?|\(\+?)?[0-9][0-9 \u{a0}().\-/]{4,24}[0-9]").expect("phone candidate")
});
static NOT_A_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:",
        // dates: 05.03.2027, 01/02/2027, 2027-03-05, 5.3.27
        r"[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}\.?",
        // times and opening hours: 09.00-18.30, 9:00 - 17:00
        r"|[0-9]{1,2}[.:][0-9]{2}\s?[-–/]\s?[0-9]{1,2}[.:][0-9]{2}",
        // year ranges: 2026-2027, 1999/2000
        r"|(?:19|20)[0-9]{2}\s?[-–/]\s?(?:19|20)[0-9]{2}",
        r")$"
    ))
    .expect("not a phone")
});

/// Amounts with thousands separators (1.299.000, 12,500,000.50) — also how Spain writes a mobile
/// number (612.345.678): a phone only where the numbering plan holds it and no currency is next to it.
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]{1,3}(?:[.,][0-9]{3})+(?:[.,][0-9]{1,2})?$").expect("amount")
});

/// A currency written next to a number: "612.345.678 €", "EUR 1.299.000", "$1,299,000".
static CURRENCY_NEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s?(?:[€$£¥]|eur|euro|usd|gbp|chf|pln|zł|zl|dollars?|pounds?|francs?)")
        .expect("currency")
});

/// libphonenumber's patterns are compiled on first use into one shared cache, of 100 by default; the
/// numbering plans of a few countries (Germany, Austria, Sweden…) hold more than that between them, so
/// at that size checks kept recompiling — milliseconds per number. Enlarged once, before the first check.
static PHONE_PATTERNS: LazyLock<()> = LazyLock::new(|| {
    const COMPILED_PATTERNS: usize = 2_000;
    *phonenumber::metadata::DATABASE
        .cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = regex_cache::RegexCache::new(COMPILED_PATTERNS);
});

/// A date with a four-digit year, a clock time or an opening-hours range inside a run of digit groups
/// ("05.03.2027 09.00-18.30", "2027 10.00-19.00"): a phone number can only come before it. (French
/// numbers grouped by two, "06.12.34.56.78", have no four-digit group.)
static HOLDS_A_DATE_OR_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[^0-9])(?:",
        r"[0-9]{1,2}[./][0-9]{1,2}[./](?:19|20)[0-9]{2}",
        r"|(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}",
        r"|[0-9]{1,2}:[0-9]{2}",
        r"|[0-9]{1,2}\.[0-9]{2}\s?[-–]\s?[0-9]{1,2}\.[0-9]{2}",
        r")(?:[^0-9]|$)"
    ))
    .expect("date or time inside")
});

/// An extension written after a number: `x9841`, ` ext. 12`, ` Durchwahl 3`.
static EXTENSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?i:\s?(?:x|ext\.?|extn\.?|durchwahl|poste|interno|wewn\.?)\s?)[0-9]{1,6}(?-u:\b)",
    )
    .expect("extension")
});

/// A trunk zero in brackets after a country code, `+44 (0)20 …`: written, never dialled.
static BRACKETED_TRUNK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(\s?0\s?\)").expect("bracketed trunk zero"));

/// What the numbering plan says of a number that has a phone's shape.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Plan {
    /// A number of its country's plan: it counts alone.
    Valid,
    /// A phone's shape — a country code or a trunk zero, a phone's length and grouping — but a
    /// range the plan does not list (unassigned, fictional, mistyped): it counts only with a word
    /// for calling near, so "Tel. 0897 941953" goes and "Artikel 0897 941953" stays.
    Possible,
}

impl Phone {
    /// The confidence of `candidate` as a phone number of one of `regions`, if it has a phone's
    /// shape, and whether the numbering plan holds it.
    fn score(candidate: &str, regions: &[Id]) -> Option<(f32, Plan)> {
        let count = candidate.bytes().filter(u8::is_ascii_digit).count();
        if !(7..=15).contains(&count)
            || NOT_A_PHONE.is_match(candidate)
            || HOLDS_A_DATE_OR_TIME.is_match(candidate)
        {
            return None;
        }
        if AMOUNT.is_match(candidate) {
            return Self::valid_national(candidate, regions).map(|score| (score, Plan::Valid));
        }
        let unbracketed = candidate.trim_start_matches('(');
        let one_block = candidate.bytes().all(|b| b.is_ascii_digit());
        // Thirteen digits in one block with an EAN's check digit: a barcode, even where it also
        // reads as a number abroad ("0079510186610" is +7 951 …) — a phone only with a word for
        // calling near.
        if one_block && count == 13 && checksums::ean13(&digits(candidate)) {
            return Some((0.4, Plan::Possible));
        }
        let international = unbracketed.starts_with('+') || unbracketed.starts_with("00");
        if international {
            let plus = format!(
                "+{}",
                BRACKETED_TRUNK
                    .replace(unbracketed.trim_start_matches('+'), "")
                    .trim_start_matches("00")
            );
            if let Ok(number) = phonenumber::parse(None, &plus) {
                if phonenumber::is_valid(&number) {
                    return Some((0.95, Plan::Valid));
                }
            }
            // A "+" is written before phone numbers only; "00" also starts order numbers.
            if Self::has_calling_code(&plus) {
                let score = if unbracketed.starts_with('+') {
                    0.55
                } else {
                    0.4
                };
                return Some((score, Plan::Possible));
            }
        }
        // Eleven digits or more in one block, with no "+" or trunk "0": a barcode or a reference,
        // unless a word for calling is near.
        if one_block && count >= 11 && !candidate.starts_with('0') {
            return Some((0.22, Plan::Possible));
        }
        let national_prefix = unbracketed.starts_with('0');
        match Self::valid_national(candidate, regions) {
            Some(score) => Some((score, Plan::Valid)),
            None if national_prefix || candidate.starts_with('(') => Some((0.4, Plan::Possible)),
            None if !one_block => Some((0.3, Plan::Possible)),
            None => Some((0.25, Plan::Possible)),
        }
    }

    /// The confidence of `candidate` as a national number one of `regions`' plan holds.
    fn valid_national(candidate: &str, regions: &[Id]) -> Option<f32> {
        let national_prefix = candidate.trim_start_matches('(').starts_with('0');
        // Only countries whose numbers can start this way: with a trunk "0" (or Italy's 0 area
        // codes), or without one. Each parse costs tens of microseconds.
        let fits = |region: &Id| {
            let code: &str = region.as_ref();
            // Italy's area codes start with 0 and its mobiles with 3; Lithuania moved from 8 to 0.
            if ["IT", "LT"].contains(&code) {
                return true;
            }
            TRUNK_ZERO.contains(&code) == national_prefix
        };
        regions.iter().filter(|r| fits(r)).find_map(|&region| {
            let number = phonenumber::parse(Some(region), candidate).ok()?;
            // The calling code must be the region's (a Canadian number read in the US, or a Jersey
            // one in the UK, shares it); the parser never moves a national number to another code.
            let region_code = phonenumber::metadata::DATABASE
                .by_id(region.as_ref())
                .map(|m| m.country_code());
            let own = region_code == Some(number.code().value());
            (own && phonenumber::is_valid(&number)).then_some(if national_prefix {
                0.7
            } else {
                0.6
            })
        })
    }

    /// Whether `plus` (`+…`, digits only after it) starts with a country calling code and has a
    /// national number of a plausible length after it.
    fn has_calling_code(plus: &str) -> bool {
        let digits: String = plus.chars().filter(char::is_ascii_digit).collect();
        (1..=3).any(|k| {
            digits.len() > k + 5
                && digits.len() - k <= 12
                && digits[..k].parse::<u16>().is_ok_and(|code| {
                    phonenumber::metadata::DATABASE
                        .by_code(&code)
                        .is_some_and(|regions| !regions.is_empty())
                })
        })
    }
}

impl Recognizer for Phone {
    fn name(&self) -> &'static str {
        "phone_number"
    }

    fn context(&self) -> &Context {
        // Five words before: "call Anna Maria Nowak on …".
        const PHONE: Context = Context {
            before: 5,
            after: 1,
            raise: PHONE_WORDS,
            raise_by: 0.3,
            lower: BUSINESS_NUMBERS,
            lower_by: 0.45,
        };
        &PHONE
    }

    fn find(&self, input: &Input<'_>, found: &mut Vec<Finding>) {
        LazyLock::force(&PHONE_PATTERNS);
        let text = input.text;
        // A number glued to letters or to a decimal part is something else (A-12345, DE89…, 12.5).
        // So is a group in the middle of a longer run of groups ("DE00 1234 5678 9012 …").
        let glued_before = |start: usize| {
            let mut before = text[..start].chars().rev();
            match before.next() {
                Some(c) if c.is_alphanumeric() || c == '-' || c == '/' || c == '.' => true,
                Some(c) if c.is_whitespace() => before.next().is_some_and(|c| c.is_ascii_digit()),
                _ => false,
            }
        };
        let glued_after = |end: usize| {
            text[end..].starts_with(|c: char| c.is_alphanumeric())
                || (text[end..].starts_with(['.', ',', ':'])
                    && text[end + 1..].starts_with(|c: char| c.is_ascii_digit()))
        };
        let spans = for_each_candidate(&PHONE_CANDIDATE, text, |start, candidate| {
            if glued_before(start) || input.is_claimed(start) {
                return None;
            }
            let candidate = HOLDS_A_DATE_OR_TIME
                .find(candidate)
                .map_or(candidate, |date| &candidate[..date.start()]);
            // The longest run of whole groups the numbering plan holds: "612 345 678 2 times" →
            // the first three groups; failing that, the longest of a phone's shape.
            let mut possible = None;
            let mut end = candidate.len();
            loop {
                let piece = candidate[..end].trim_end_matches(|c: char| !c.is_ascii_digit());
                let extension = EXTENSION
                    .find(&text[start + piece.len()..])
                    .map_or(0, |m| m.end());
                let length = piece.len() + extension;
                let before = text[..start].trim_end();
                let priced = AMOUNT.is_match(piece)
                    && (CURRENCY_NEAR.is_match(&text[start + piece.len()..])
                        || before.ends_with(['€', '$', '£'])
                        || before
                            .get(before.len().saturating_sub(3)..)
                            .is_some_and(|w| w.eq_ignore_ascii_case("eur")));
                if !glued_after(start + length) && !priced {
                    match Self::score(piece, input.regions) {
                        Some((score, Plan::Valid)) => return Some((length, score)),
                        Some((score, Plan::Possible)) if possible.is_none() => {
                            possible = Some((length, score));
                        }
                        _ => {}
                    }
                }
                let cut = piece.rfind(|c: char| !c.is_ascii_digit()).unwrap_or(0);
                if cut == 0 {
                    return possible;
                }
                end = cut;
            }
        });
        for (start, end, score) in spans {
            found.push(Finding {
                start,
                end,
                category: Category::Phone,
                score,
                recognizer: self.name(),
            });
        }
    }
}

/// IBANs in any case and grouping, cut to their country's length; and Polish NRB account numbers
/// (an IBAN without its `PL`).
pub struct Iban;

static IBAN_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[a-zA-Z]{2}[ \-]?[0-9]{2}(?:[ \-]?[a-zA-Z0-9]){11,32}")
        .expect("iban candidate")
});

impl Recognizer for Iban {
    fn name(&self) -> &'static str {
        "iban"
    }

    fn find(&self, input: &Input<'_>, found: &mut Vec<Finding>) {
        let spans = for_each_candidate(&IBAN_CANDIDATE, input.text, |_, candidate| {
            let country = candidate[..2].to_ascii_uppercase();
            let length = checksums::iban_length(&country)?;
            let mut taken = 0;
            let mut end = 0;
            for (i, c) in candidate.char_indices() {
                if c.is_ascii_alphanumeric() {
                    taken += 1;
                    if taken == length {
                        end = i + 1;
                        break;
                    }
                }
            }
            let whole_word = !candidate[end..].starts_with(|c: char| c.is_ascii_alphanumeric());
            (end > 0 && whole_word && checksums::iban(&compact(&candidate[..end])))
                .then_some((end, 1.0))
        });
        for (start, end, score) in spans {
            // The candidate may stop inside a word ("DE89…00and"): the next char must not continue it.
            if input.text[end..].starts_with(|c: char| c.is_alphanumeric()) {
                continue;
            }
            found.push(Finding {
                start,
                end,
                category: Category::Iban,
                score,
                recognizer: self.name(),
            });
        }
    }
}

/// Payment cards: 12–19 digits in groups, the issuer's prefix and length, Luhn. An expiry or CVC
/// written after the number is not part of it.
pub struct Card;

static CARD_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[0-9]{2,19}(?:[ \-][0-9]{1,6}){0,6}(?-u:\b)").expect("card candidate")
});

/// How likely a Luhn-valid number with an issuer's prefix and length is a card.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Issued {
    /// What issuers hand out today: 16 digits for Visa and Mastercard, 15 for Amex, …
    Current,
    /// Lengths still in wallets but also those of other numbers — Visa's 13 digits (an EAN-13's
    /// length), Maestro's 12 to 15, JCB's 15-digit 1800 and 2131 — so a card only with a card word
    /// near.
    Legacy,
}

impl Card {
    /// Whether an issuer uses this prefix with this many digits, and how commonly.
    fn issued(d: &[u8]) -> Option<Issued> {
        use Issued::{Current, Legacy};
        let n = d.len();
        let prefix = |k: usize| d[..k].iter().fold(0u32, |p, &x| p * 10 + u32::from(x));
        let current = |ok: bool| ok.then_some(Current);
        match d[0] {
            4 if n == 13 => Some(Legacy),
            4 => current(n == 16 || n == 19),
            2 if n == 15 && prefix(4) == 2131 => Some(Legacy),
            2 => current((2221..=2720).contains(&prefix(4)) && n == 16),
            1 if n == 15 && prefix(4) == 1800 => Some(Legacy),
            5 => match prefix(2) {
                51..=55 => current(n == 16),
                50 | 56..=59 if n >= 16 => Some(Current),
                50 | 56..=59 if n >= 12 => Some(Legacy),
                _ => None,
            },
            3 => match prefix(2) {
                34 | 37 => current(n == 15),
                35 => current((16..=19).contains(&n)),
                36 | 38 | 39 | 30 => current((14..=19).contains(&n)),
                _ => None,
            },
            6 if n >= 16 => Some(Current),
            // Maestro's 6304, 6390, 6759 and 676x also come with 12 to 15 digits.
            6 if n >= 12 && matches!(prefix(4), 6304 | 6390 | 6759 | 6761..=6763) => Some(Legacy),
            _ => None,
        }
    }
}

impl Recognizer for Card {
    fn name(&self) -> &'static str {
        "credit_card"
    }

    fn context(&self) -> &Context {
        const CARD: Context = Context {
            before: 3,
            after: 2,
            raise: CARD_WORDS,
            raise_by: 0.3,
            lower: BUSINESS_NUMBERS,
            lower_by: 0.45,
        };
        &CARD
    }

    fn find(&self, input: &Input<'_>, found: &mut Vec<Finding>) {
        let spans = for_each_candidate(&CARD_CANDIDATE, input.text, |_, candidate| {
            // Group ends: the number may be the first k groups of the candidate.
            let mut ends: Vec<usize> = candidate
                .match_indices([' ', '-'])
                .map(|(i, _)| i)
                .collect();
            ends.push(candidate.len());
            let grouped = ends.len() > 1;
            ends.iter().rev().find_map(|&end| {
                let d = digits(&candidate[..end]);
                if !(12..=19).contains(&d.len()) || !checksums::luhn(&d) {
                    return None;
                }
                let score = match Self::issued(&d)? {
                    Issued::Current if grouped => 0.9,
                    Issued::Current => 0.7,
                    // Raised past the threshold by a card word only.
                    Issued::Legacy => 0.35,
                };
                Some((end, score))
            })
        });
        for (start, end, score) in spans {
            found.push(Finding {
                start,
                end,
                category: Category::Card,
                score,
                recognizer: self.name(),
            });
        }
    }
}

fn valid_if(ok: bool, score: f32) -> Option<f32> {
    ok.then_some(score)
}

/// Context of an id: its own names raise it, business-number words lower it.
const fn id_context(raise: &'static [&'static str]) -> Context {
    Context {
        before: 4,
        after: 1,
        raise,
        raise_by: 0.35,
        lower: BUSINESS_NUMBERS,
        lower_by: 0.45,
    }
}

/// National ids with check digits (Presidio's `*_nif`, `*_ssn`, … recognizers).
fn national_ids() -> Vec<Pattern> {
    vec![
        Pattern::new(
            "us_ssn",
            Category::NationalId,
            r"(?-u:\b)[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}(?-u:\b)",
            |s| valid_if(checksums::ssn(&digits(s)), 0.6),
            id_context(&[
                "ssn",
                "social security",
                "social",
                "security",
                "tin",
                "taxpayer",
            ]),
        ),
        Pattern::new(
            "uk_nino",
            Category::NationalId,
            // Also "AB 123456 C". A NINO HMRC would never issue (a ZZ prefix, a suffix past D)
            // still counts where "National Insurance" names it: what someone gave as theirs.
            r"(?i)(?-u:\b)[a-z]{2} ?(?:[0-9]{2} ?[0-9]{2} ?[0-9]{2}|[0-9]{6}) ?[a-z](?-u:\b)",
            |s| {
                Some(if checksums::nino(&compact(s)) {
                    0.85
                } else {
                    0.3
                })
            },
            id_context(&["nino", "national insurance", "insurance", "ni"]),
        ),
        Pattern::new(
            "es_nif",
            Category::NationalId,
            // Also with thousands dots, as Spanish often writes it: "12.345.678-Z", "X-1.234.567-L".
            r"(?i)(?-u:\b)(?:[xyz][- .]?)?(?:[0-9]{7,8}|[0-9]{1,2}\.[0-9]{3}\.[0-9]{3})[- ]?[a-z](?-u:\b)",
            |s| valid_if(checksums::dni_or_nie(&compact(s)), 0.9),
            id_context(&["dni", "nie", "nif", "documento", "identidad"]),
        ),
        Pattern::new(
            "de_tax_id",
            Category::NationalId,
            r"(?-u:\b)[0-9]{2} ?[0-9]{3} ?[0-9]{3} ?[0-9]{3}(?-u:\b)",
            |s| valid_if(checksums::steuer_id(&digits(s)), 0.55),
            id_context(&[
                "steuer",
                "idnr",
                "identifikationsnummer",
                "tin",
                "tax",
                "steuernummer",
            ]),
        ),
        // Rentenversicherungsnummer: area, birth date, the surname's initial, serial, check digit.
        Pattern::new(
            "de_pension_number",
            Category::NationalId,
            r"(?i)(?-u:\b)[0-9]{2} ?[0-9]{6} ?[a-z] ?[0-9]{3}(?-u:\b)",
            |s| valid_if(checksums::rentenversicherungsnummer(&compact(s)), 0.85),
            id_context(&[
                "rentenversicherung",
                "versicherungsnummer",
                "sozialversicherung",
                "sv-nummer",
                "rvnr",
            ]),
        ),
        Pattern::new(
            "fr_nir",
            Category::NationalId,
            r"(?i)(?-u:\b)[12] ?[0-9]{2} ?[0-9]{2} ?(?:[0-9]{2}|2[ab]) ?[0-9]{3} ?[0-9]{3} ?[0-9]{2}(?-u:\b)",
            |s| valid_if(checksums::nir(&compact(s)), 0.9),
            id_context(&["securite sociale", "secu", "nir", "insee", "vitale"]),
        ),
        Pattern::new(
            "pl_pesel",
            Category::NationalId,
            r"(?-u:\b)[0-9]{11}(?-u:\b)",
            |s| valid_if(checksums::pesel(&digits(s)), 0.6),
            id_context(&["pesel"]),
        ),
        Pattern::new(
            "it_fiscal_code",
            Category::NationalId,
            r"(?i)(?-u:\b)[a-z]{6}[0-9lmnpqrstuv]{2}[abcdehlmprst][0-9lmnpqrstuv]{2}[a-z][0-9lmnpqrstuv]{3}[a-z](?-u:\b)",
            |s| valid_if(checksums::codice_fiscale(s), 0.95),
            id_context(&["codice fiscale", "codice", "fiscale", "cf"]),
        ),
        Pattern::new(
            "nl_bsn",
            Category::NationalId,
            // 1234.56.782, 123456782, and the 3-3-3 grouping people write it in: 123 456 782.
            r"(?-u:\b)(?:[0-9]{4}[. ]?[0-9]{2}[. ]?[0-9]{3}|[0-9]{3}[. ][0-9]{3}[. ][0-9]{3})(?-u:\b)",
            |s| valid_if(checksums::bsn(&digits(s)), 0.55),
            id_context(&["bsn", "burgerservice", "sofi"]),
        ),
    ]
}

/// Polish NRB: 26 digits in the customary 2 + 6×4 grouping, an IBAN once `PL` is put in front.
fn polish_account() -> Pattern {
    Pattern::new(
        "pl_nrb",
        Category::Iban,
        r"(?-u:\b)[0-9]{2} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4}(?-u:\b)",
        |s| {
            let d = compact(s);
            valid_if(checksums::iban(&format!("PL{d}")), 0.9)
        },
        NUMBER_CONTEXT,
    )
}

/// The checked numbers; [`Phone`] runs after them (see [`super::RECOGNIZERS`]).
pub fn recognizers() -> Vec<Box<dyn Recognizer>> {
    let mut all: Vec<Box<dyn Recognizer>> = vec![Box::new(Iban), Box::new(Card)];
    all.push(Box::new(polish_account()));
    all.extend(
        national_ids()
            .into_iter()
            .map(|p| Box::new(p) as Box<dyn Recognizer>),
    );
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(recognizer: &dyn Recognizer, text: &str, country: &str) -> Vec<String> {
        super::super::found_by(recognizer, text, Some(country))
            .into_iter()
            .map(|(number, _)| number)
            .collect()
    }

    fn national_id(name: &str) -> Pattern {
        national_ids()
            .into_iter()
            .find(|p| p.name() == name)
            .expect("a national id pattern")
    }

    #[test]
    fn spanish_dni_and_nie_are_found_in_their_written_forms() {
        let nif = national_id("es_nif");
        for (text, id) in [
            ("DNI 12345678Z del cliente", "12345678Z"),
            ("con DNI 12.345.678-Z y", "12.345.678-Z"),
            ("NIE X-1234567-L", "X-1234567-L"),
            ("NIE X.1.234.567-L", "X.1.234.567-L"),
        ] {
            assert_eq!(find(&nif, text, "ES"), [id], "{text}");
        }
        assert!(
            find(&nif, "DNI 12.345.678-A", "ES").is_empty(),
            "wrong letter"
        );
    }

    #[test]
    fn a_dutch_bsn_is_found_in_every_grouping() {
        let bsn = national_id("nl_bsn");
        for (text, id) in [
            ("BSN 111222333.", "111222333"),
            ("BSN: 1112.22.333", "1112.22.333"),
            ("bsn 111 222 333 graag", "111 222 333"),
            ("bsn 111.222.333 graag", "111.222.333"),
        ] {
            assert_eq!(find(&bsn, text, "NL"), [id], "{text}");
        }
        assert!(
            find(&bsn, "BSN 111 222 334", "NL").is_empty(),
            "fails the 11-check"
        );
    }

    #[test]
    fn national_phone_formats_without_a_prefix_are_found() {
        for (text, country, number) in [
            ("Llámame al 612 345 678 mañana", "ES", "612 345 678"),
            ("cell 347 123 4567 ok", "IT", "347 123 4567"),
            ("tel. (22) 123-45-67", "PL", "(22) 123-45-67"),
            ("call (212) 555-2368 now", "US", "(212) 555-2368"),
            ("Ruf an: 030 1234567", "DE", "030 1234567"),
            ("Tel 030 1234567 09.00-18.00", "DE", "030 1234567"),
        ] {
            assert_eq!(find(&Phone, text, country), [number], "{text}");
        }
    }

    #[test]
    fn dates_times_and_amounts_are_not_phone_numbers() {
        for text in [
            "Markttag 05.03.2027 09.00-18.30 mit Musik",
            "Markt 2026-07-12 10:30–16:30, 5. November 2027 10.00-19.00",
            "am 05.03.2027 um 9:30 0151",
            "am 05.03.2027 geöffnet",
            "le 01/02/2027",
            "geöffnet 09.00-18.30",
            "Preis 1.299.000",
            "Total: 612.345.678 €",
            "cuesta 612.345.678 euros",
            "Saison 2026-2027",
        ] {
            assert!(find(&Phone, text, "DE").is_empty(), "{text}");
        }
    }

    #[test]
    fn ibans_in_any_case_and_grouping_stop_at_their_length() {
        assert_eq!(
            find(&Iban, "iban de89 3704 0044 0532 0130 00 please", "DE"),
            ["de89 3704 0044 0532 0130 00"]
        );
        assert_eq!(
            find(&Iban, "ES91 2100 0418 4502 0005 1332.", "ES"),
            ["ES91 2100 0418 4502 0005 1332"]
        );
    }

    #[test]
    fn a_card_keeps_its_expiry_outside_and_barcodes_are_not_cards() {
        assert_eq!(
            find(&Card, "Visa 4111 1111 1111 1111 12/27", "DE"),
            ["4111 1111 1111 1111"]
        );
        assert!(find(&Card, "EAN 4006381333931", "DE").is_empty());
    }

    fn analyzed(text: &str) -> Vec<(String, Category)> {
        let tenant = super::super::Pseudonymizer::new(
            super::super::NameDictionary::new(&[] as &[&str], &[] as &[&str]),
            Some("GB"),
        );
        tenant
            .analyze(text)
            .into_iter()
            .map(|f| (text[f.start..f.end].to_owned(), f.category))
            .collect()
    }

    #[test]
    fn legacy_card_lengths_count_only_next_to_a_card_word() {
        // Visa's test number of 13 digits, a Maestro of 12, a JCB of 15 with 2131: Luhn-valid all.
        for number in ["4222222222222", "501800000009", "213100000000001"] {
            assert!(checksums::luhn(&digits(number)), "{number}");
            assert_eq!(
                analyzed(&format!("paid with card {number} yesterday")),
                [(number.to_owned(), Category::Card)]
            );
            assert!(
                analyzed(&format!("item {number} is back in stock"))
                    .iter()
                    .all(|(_, c)| *c != Category::Card),
                "{number}"
            );
        }
    }
}
