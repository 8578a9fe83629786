//! Street addresses, removed whole. A postcode with its town is the anchor; from it the recognizer
//! walks back over the comma-separated lines before it — a second town line, a flat or suite, a house
//! number on a line of its own — to the street line, and the finding covers everything from the
//! street to the town, so neither the street nor "10115 Berlin" is left for the provider. The street
//! line ends where the sentence's own words begin: "an", "at", "Die Kundin", "Adresse" stay.
//!
//! The forms are those the seven languages write (`Heuserweg 6, 88360 Kassel`, `851, boulevard de
//! Nicolas, 97430 Carlierboeuf`, `Paseo de Bautista Castell 83, Vizcaya, 18287`, `Canale Sommaruga,
//! 891, 86033, Montefalcone Nel Sannio (CB)`, `29 Ball parks, Port Katiehaven, HG5W 4EQ`, `45546 Keith
//! Highway Suite 055, South Grantmouth, AL 57272`). A street written without postcode and town is
//! found by the street patterns in `places.rs`.

use super::text::{floor_char_boundary, fold, is_capitalised};
use super::{Category, Finding, Input, Recognizer};
use regex::Regex;
use std::sync::LazyLock;

/// Words that name a street's kind, folded: a street line may start with one (`rue`, `Calle`,
/// `Canale`, `ul.`) — the odonyms of the seven languages (Spain's INE and Italy's ISTAT lists among
/// them).
const STREET_KINDS: &[&str] = &[
    // en
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "lane",
    "drive",
    "close",
    "way",
    "court",
    "place",
    "square",
    "terrace",
    "crescent",
    "boulevard",
    "blvd",
    "highway", // fr
    "rue",
    "av",
    "bd",
    "chemin",
    "allee",
    "impasse",
    "quai",
    "route",
    "cours",
    "passage",
    "voie",
    "sentier",
    "faubourg",
    "rond-point",
    "parvis",
    "esplanade", // es
    "calle",
    "c/",
    "avenida",
    "avda",
    "paseo",
    "plaza",
    "pza",
    "camino",
    "carretera",
    "ronda",
    "travesia",
    "glorieta",
    "acceso",
    "alameda",
    "bajada",
    "callejon",
    "canada",
    "carrera",
    "cuesta",
    "pasaje",
    "pasadizo",
    "rambla",
    "rotonda",
    "sector",
    "urbanizacion",
    "via",
    "vereda",
    "senda",
    "poligono",
    "partida",
    "ribera",
    "muelle",
    "paraje",
    "barrio",
    "subida", // it
    "viale",
    "piazza",
    "corso",
    "largo",
    "vicolo",
    "strada",
    "piazzale",
    "contrada",
    "borgo",
    "canale",
    "stretto",
    "incrocio",
    "vico",
    "salita",
    "lungomare",
    "traversa",
    "calle", // pl
    "ul",
    "ulica",
    "ulicy",
    "al",
    "aleja",
    "alei",
    "pl",
    "plac",
    "os",
    "osiedle",
    "rondo",
    "skwer",
];

/// German streets named by a preposition (`Am Markt 7`, `An der Alster 5`): a street's kind only
/// when capitalised, else the sentence's "an".
const STREET_PREPOSITIONS: &[&str] = &["am", "an", "auf", "im", "in", "zum", "zur", "unter"];

/// How German and Dutch street names end: `Heuserweg`, `Michadreef`, `Abelpad`.
const STREET_ENDINGS: &[&str] = &[
    "strasse",
    "straße",
    "str.",
    "weg",
    "gasse",
    "allee",
    "platz",
    "ring",
    "damm",
    "ufer",
    "steig",
    "chaussee",
    "pfad",
    "markt",
    "graben",
    "hof",
    "straat",
    "laan",
    "gracht",
    "plein",
    "kade",
    "singel",
    "dijk",
    "steeg",
    "dreef",
    "baan",
    "pad",
    "hof",
    "park",
    "plantsoen",
    "wal",
    "veld",
    "weide",
    "erf",
    "burg",
];

/// A flat, a suite, a floor — written after the street or on a line of their own.
const UNITS: &[&str] = &[
    "suite",
    "apt",
    "apartment",
    "flat",
    "studio",
    "unit",
    "room",
    "floor",
    "piano",
    "appartamento",
    "interno",
    "int",
    "scala",
    "m",
    "lok",
    "bus",
    "app",
    "etage",
    "batiment",
    "bat",
    "escalera",
    "esc",
    "puerta",
    "pta",
    "piso",
    "planta",
    "stock",
    "og",
    "whg",
    "wohnung",
    "bis",
    "ter",
];

/// Small words inside a street's or a town's name (`Paseo de Bautista`, `Neunburg vorm Wald`).
const CONNECTORS: &[&str] = &[
    "de", "del", "de la", "la", "le", "les", "des", "du", "d'", "l'", "di", "della", "dei",
    "degli", "delle", "dell'", "van", "der", "den", "het", "von", "vom", "vorm", "am", "an", "im",
    "ob", "bei", "sur", "sous", "en", "sul", "nel", "aan", "nad", "pod", "upon", "on", "y", "i",
];

/// Capitalised words that are the sentence's, not the street's: articles, people and address words.
const NOT_A_STREET: &[&str] = &[
    "die",
    "der",
    "das",
    "den",
    "dem",
    "the",
    "la",
    "le",
    "les",
    "el",
    "los",
    "il",
    "lo",
    "de",
    "het",
    "een",
    "adresse",
    "anschrift",
    "lieferadresse",
    "address",
    "adres",
    "direccion",
    "indirizzo",
    "adresem",
    "kundin",
    "kunde",
    "kunden",
    "gast",
    "client",
    "cliente",
    "clienta",
    "customer",
    "guest",
    "klant",
    "klient",
    "klientka",
    "frau",
    "herr",
    "mr",
    "mrs",
    "ms",
    "dr",
    "mme",
    "madame",
    "monsieur",
    "sr",
    "sra",
    "sig",
    "pan",
    "pani",
    "meneer",
    "mevrouw",
    "liefern",
    "lever",
    "deliver",
    "entregue",
    "livrez",
    "consegnare",
    "senden",
    "send",
    "bitte",
    "please",
];

/// The postcode kinds an anchor starts from.
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u:\b)(?:",
        r"(?P<digits>[0-9]{5}|[0-9]{4}\s?[A-Z]{2}|[0-9]{2}-[0-9]{3})",
        r"|(?P<uk>[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2})",
        r"|(?P<us>[A-Z]{2}\s[0-9]{5}(?:-[0-9]{4})?)",
        r")(?-u:\b)"
    ))
    .expect("postcode")
});

/// A town after its postcode: capitalised words, a connector between them, a province in brackets.
static TOWN_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    let word = r"(?:'s-|'t\s)?(?:[0-9]e\s)?\p{Lu}[\p{L}'’\-]*";
    let connector = r"(?:am|an|an der|im|vorm|vor der|ob|bei|sur|sous|en|de|la|le|di|del|nel|sul|aan|den|aan den|aan de|bij|op|onder|nad|pod|upon)";
    Regex::new(&format!(
        r"^,?\s+{word}(?:[ \-](?:{connector}\s)?{word}){{0,3}}(?:\s\([A-Z]{{2}}\))?"
    ))
    .expect("town after")
});

/// A town before its postcode (`Vizcaya, 18287`, `South Grantmouth, AL 57272`, `Fisherside, G3H 8TJ`).
static TOWN_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Lu}[\p{L}'’\-]*(?:\s(?:de |del |de la |di |la )?\p{Lu}[\p{L}'’\-]*){0,3},?\s+$")
        .expect("town before")
});

/// A house number: `12`, `12a`, `81X`, `12/3`, `70-34`, `00` as Faker writes it.
static HOUSE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:n[º°o]\.?\s?)?[0-9]{1,5}[a-zA-Z]?(?:[/\-][0-9]{1,4}[a-zA-Z]?)?$")
        .expect("house number")
});

/// Where an address found by a street pattern really starts: past the sentence's own capitalised
/// words a pattern's leading name word may have taken ("Adresse Hauptstraße 5" → "Hauptstraße 5").
pub fn past_sentence_words(text: &str, start: usize, end: usize) -> usize {
    let mut at = start;
    for word in words(text, start, end) {
        if word.is(NOT_A_STREET) && !word.is_street_kind() {
            at = word.start + word.text.len();
            at += text[at..end].len() - text[at..end].trim_start().len();
        } else {
            break;
        }
    }
    at
}

pub struct WholeAddress;

/// A word of a segment and where it is in the text.
#[derive(Clone, Copy)]
struct Word<'a> {
    start: usize,
    text: &'a str,
}

impl Word<'_> {
    fn folded(&self) -> String {
        fold(self.text.trim_end_matches(['.', ',']))
    }
    fn is_number(&self) -> bool {
        HOUSE_NUMBER.is_match(self.text.trim_end_matches(','))
    }
    fn is(&self, list: &[&str]) -> bool {
        list.contains(&self.folded().as_str())
    }
    fn is_street_kind(&self) -> bool {
        self.is(STREET_KINDS) || (is_capitalised(self.text) && self.is(STREET_PREPOSITIONS))
    }
    fn ends_like_a_street(&self) -> bool {
        let folded = self.folded();
        is_capitalised(self.text) && STREET_ENDINGS.iter().any(|e| folded.ends_with(&fold(e)))
    }
    fn is_name_word(&self) -> bool {
        is_capitalised(self.text)
            && !self.is(NOT_A_STREET)
            && self.text.chars().any(char::is_alphabetic)
    }
}

fn words(text: &str, start: usize, end: usize) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut at = start;
    for piece in text[start..end].split_inclusive(char::is_whitespace) {
        let trimmed = piece.trim_end();
        if !trimmed.is_empty() {
            out.push(Word {
                start: at,
                text: trimmed,
            });
        }
        at += piece.len();
    }
    out
}

/// Where the segment ending at `end` begins: after the nearest comma, semicolon, colon, bracket or
/// line break before it, and no more than a street line's length back (at a word's start).
fn segment_start(text: &str, end: usize) -> usize {
    const LONGEST_LINE: usize = 120;
    let window = floor_char_boundary(text, end.saturating_sub(LONGEST_LINE));
    match text[window..end].rfind([',', ';', ':', '(', ')', '\n']) {
        Some(at) => window + at + 1,
        None if window == 0 => 0,
        None => text[window..end]
            .find(char::is_whitespace)
            .map_or(end, |at| window + at),
    }
}

/// What a segment before the anchor holds.
enum Line {
    /// The street, from this offset: the walk ends here.
    Street(usize),
    /// A house number alone (`891,` in Italian, `851,` in French): the street is the next segment.
    Number(usize),
    /// A town, a district or a second line (`Port Katiehaven`, `Holloway glen`).
    Other(usize),
}

/// Reads the segment `[start, end)` right to left.
fn read_line(text: &str, start: usize, end: usize, number_after: bool) -> Option<Line> {
    let all = words(text, start, end);
    if all.is_empty() {
        return None;
    }
    // Flats and suites at the end (`Suite 055`, `Apt. 83`, `Piano 3`) belong to the address.
    let mut i = all.len();
    while i >= 2 && all[i - 1].is_number() && all[i - 2].is(UNITS) {
        i -= 2;
    }
    let units_from = (i < all.len()).then(|| all[i].start);
    let line = &all[..i];
    if line.len() == 1 && line[0].is_number() {
        return Some(Line::Number(line[0].start));
    }
    if let Some(last) = line.last() {
        // Name first, number last: "Heuserweg 6", "Paseo de Bautista Castell 83"; or, with the
        // number on the next line, "Canale Sommaruga".
        let (name_end, numbered) = if last.is_number() {
            (line.len() - 1, true)
        } else {
            (line.len(), number_after)
        };
        if numbered {
            if let Some(from) = name_before(line, name_end) {
                return Some(Line::Street(from));
            }
        }
        // Number first: "29 Ball parks", "45546 Keith Highway": capitalised words after the number,
        // the street's kind last in any case.
        if let Some(n) = line.iter().rposition(Word::is_number) {
            let after = &line[n + 1..];
            let kind_last = |w: &Word<'_>| {
                w.is_street_kind() || w.text.chars().all(|c| c.is_alphabetic() || c == '.')
            };
            if let Some((last, names)) = after.split_last() {
                if names.len() < 5
                    && names.iter().all(Word::is_name_word)
                    && (last.is_name_word() || (!names.is_empty() && kind_last(last)))
                {
                    return Some(Line::Street(line[n].start));
                }
            }
        }
        // A street's kind first, no number: "boulevard Juliette Caron".
        if let Some(k) = line.iter().rposition(Word::is_street_kind) {
            let after = &line[k + 1..];
            if !after.is_empty()
                && after.len() <= 5
                && after.iter().all(|w| w.is_name_word() || w.is(CONNECTORS))
            {
                return Some(Line::Street(line[k].start));
            }
        }
    }
    // A flat or studio line alone ("Studio 2"), the street on the line after it.
    if let Some(from) = units_from {
        if line.is_empty() || !line.last().is_some_and(Word::is_name_word) {
            return Some(Line::Street(from));
        }
    }
    // A town or district line: capitalised, no digits, a few words.
    let other = all.len() <= 4
        && all[0].is_name_word()
        && all
            .iter()
            .all(|w| !w.text.chars().any(|c| c.is_ascii_digit()));
    other.then(|| Line::Other(all[0].start))
}

/// Where the street's name begins when it ends before `line[end]`: back over capitalised words and
/// connectors, at most four name words, stopping at a street's kind (which starts it) or at the
/// sentence's own words.
fn name_before(line: &[Word<'_>], end: usize) -> Option<usize> {
    let mut from = None;
    let mut kind = None;
    let mut names = 0;
    for w in line[..end].iter().rev() {
        let streetlike = w.is_street_kind() || w.ends_like_a_street();
        if (w.is_name_word() || streetlike) && names < 5 {
            from = Some(w.start);
            names += 1;
            if streetlike {
                // The leftmost kind starts the street: in "Cañada Ámbar Barrio 52" Barrio is a name.
                kind = Some(w.start);
            }
        } else if !(w.is(CONNECTORS) && from.is_some()) {
            break;
        }
    }
    kind.or(from.filter(|_| names <= 4))
}

impl WholeAddress {
    /// The anchor around a postcode match: its start and end with the town.
    fn anchor(text: &str, m: &regex::Captures<'_>) -> Option<(usize, usize)> {
        let whole = m.get(0)?;
        let after = TOWN_AFTER.find(&text[whole.end()..]);
        // A town is a few words: reading only the last of what comes before keeps a long prompt's
        // many numbers from each searching the whole text before them.
        let window = floor_char_boundary(text, whole.start().saturating_sub(80));
        let before = TOWN_BEFORE
            .find(&text[window..whole.start()])
            .map(|b| (window + b.start(), window + b.end()));
        if m.name("digits").is_some() {
            if let Some(town) = after {
                return Some((whole.start(), whole.end() + town.end()));
            }
            // Spanish and Italian write the town first: "Vizcaya, 18287".
            return before
                .filter(|&(start, _)| text[start..whole.start()].contains(','))
                .map(|(start, _)| (start, whole.end()));
        }
        if m.name("us").is_some() {
            return before.map(|(start, _)| (start, whole.end()));
        }
        Some((
            before.map_or(whole.start(), |(start, _)| start),
            whole.end(),
        ))
    }

    /// Where the address that ends in the anchor starting at `anchor` begins, if a street line
    /// comes before it.
    fn street_before(text: &str, anchor: usize) -> Option<usize> {
        let mut end = anchor;
        let mut others = 0;
        let mut number: Option<usize> = None;
        loop {
            let trimmed = text[..end].trim_end();
            let after_comma = trimmed.ends_with(',');
            let seg_end = trimmed.trim_end_matches(',').len();
            let seg_start = segment_start(text, seg_end);
            if seg_start >= seg_end {
                return None;
            }
            match read_line(text, seg_start, seg_end, number.is_some())? {
                Line::Street(from) => {
                    // French writes the number on its own before the street: "851, boulevard …".
                    let before = text[..from].trim_end();
                    if before.ends_with(',') {
                        let at = segment_start(text, before.len() - 1);
                        if let Some(last) = words(text, at, before.len() - 1).last() {
                            if last.is_number() {
                                return Some(last.start);
                            }
                        }
                    }
                    return Some(from);
                }
                Line::Number(from) if number.is_none() && after_comma => {
                    number = Some(from);
                    end = from;
                }
                Line::Other(from) if others < 2 && after_comma && number.is_none() => {
                    others += 1;
                    end = from;
                }
                _ => return None,
            }
        }
    }
}

impl Recognizer for WholeAddress {
    fn name(&self) -> &'static str {
        "whole_address"
    }

    fn find(&self, input: &Input<'_>, found: &mut Vec<Finding>) {
        let text = input.text;
        let mut after = 0;
        for m in POSTCODE.captures_iter(text) {
            let Some((anchor, end)) = Self::anchor(text, &m) else {
                continue;
            };
            if anchor < after {
                continue;
            }
            if let Some(start) = Self::street_before(text, anchor) {
                found.push(Finding {
                    start,
                    end,
                    category: Category::Address,
                    score: 0.9,
                    recognizer: self.name(),
                });
                after = end;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::found_by;
    use super::*;

    fn address(text: &str) -> Vec<String> {
        found_by(&WholeAddress, text, None)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    #[test]
    fn an_address_is_found_from_its_street_to_its_town_in_each_language() {
        for (sentence, whole) in [
            ("Liefern Sie an Drewesgasse 6213, 50307 Neunburg vorm Wald und rufen Sie an.", "Drewesgasse 6213, 50307 Neunburg vorm Wald"),
            ("Die Kundin Heuserweg 6, 88360 Kassel zahlt.", "Heuserweg 6, 88360 Kassel"),
            ("habite au 851, boulevard de Nicolas, 97430 Carlierboeuf.", "851, boulevard de Nicolas, 97430 Carlierboeuf"),
            ("à Madame Lucas Leconte, boulevard Juliette Caron, 33971 Berger-la-Forêt.", "boulevard Juliette Caron, 33971 Berger-la-Forêt"),
            ("va a doña José Mari Leal, Paseo de Bautista Castell 83, Vizcaya, 18287.", "Paseo de Bautista Castell 83, Vizcaya, 18287"),
            ("va a don Yéssica Bustamante, Plaza Édgar Goicoechea 89 Apt. 83 , Cáceres, 48515.", "Plaza Édgar Goicoechea 89 Apt. 83 , Cáceres, 48515"),
            ("va a Sig. Silvia Civaschi, Canale Sommaruga, 891, 86033, Montefalcone Nel Sannio (CB).", "Canale Sommaruga, 891, 86033, Montefalcone Nel Sannio (CB)"),
            ("gaat naar dhr. Evelien de Haas, Michadreef 060, 8167QL, Zoelen.", "Michadreef 060, 8167QL, Zoelen"),
            ("na aleja Zakątek 24/13, 99-507 Nowy Dwór Mazowiecki i najpierw", "aleja Zakątek 24/13, 99-507 Nowy Dwór Mazowiecki"),
            ("to Ms Josh Smith at Studio 2, Holloway glen, Fisherside, G3H 8TJ.", "Studio 2, Holloway glen, Fisherside, G3H 8TJ"),
            ("to Dr Roger O'Neill at 29 Ball parks, Port Katiehaven, HG5W 4EQ.", "29 Ball parks, Port Katiehaven, HG5W 4EQ"),
            ("to Ms Cody Norris at 45546 Keith Highway Suite 055, South Grantmouth, AL 57272.", "45546 Keith Highway Suite 055, South Grantmouth, AL 57272"),
        ] {
            assert_eq!(address(sentence), [whole], "{sentence}");
        }
    }

    #[test]
    fn a_postcode_and_town_without_a_street_or_with_words_before_it_is_no_whole_address() {
        for sentence in [
            "Unsere Filiale in 10115 Berlin hat geöffnet.",
            "We sold 12345 units, Manchester, AL 57272 was the test.",
            "Die Bestellung 12345 Kunden, 10115 Berlin",
        ] {
            assert!(
                address(sentence).is_empty(),
                "{sentence}: {:?}",
                address(sentence)
            );
        }
    }
}
