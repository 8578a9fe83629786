//! Text helpers shared by the recognizers: accent- and case-folding that keeps a map back to the
//! original offsets, and the words around a match.

/// A character lower-cased and stripped of its accent (`É` → `e`, `ł` → `l`, `ß` stays), so that
/// "Wiśniewska", "WISNIEWSKA" and "Wisniewska" compare equal. One char in, one char out: offsets map
/// back to the original text.
pub fn fold_char(c: char) -> char {
    let lower = if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    };
    match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' | 'ā' | 'ă' => 'a',
        'æ' => 'a',
        'ç' | 'ć' | 'č' | 'ĉ' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' | 'ē' | 'ė' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' | 'ō' => 'o',
        'œ' => 'o',
        'ř' | 'ŕ' => 'r',
        'ś' | 'š' | 'ș' | 'ş' => 's',
        'ť' | 'ț' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' | 'ū' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        '’' | 'ʼ' | '`' | '´' => '\'',
        other => other,
    }
}

/// Particles of family names, folded ("van den Berg", "de Kok", "d'Angelo"): part of a name, never a
/// name on their own.
pub const NAME_PARTICLES: &[&str] = &[
    "von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos", "das",
    "zu", "ten", "ter", "het", "d'",
];

/// Words before a town's name, folded: "in Zaragoza", "nach Jacques", "w mieście León" — a single
/// name right after one is a place, not a person ("to", "à", "a", "do" also introduce people, so
/// they are not here, nor is Dutch "naar": "stuur naar Nora").
pub const PLACE_PREPOSITIONS: &[&str] = &[
    "in", "near", "nach", "aus", "en", "desde", "hacia", "uit", "w", "we", "miasta", "miescie",
    "miasto",
];

/// Words that start a place's name before a given name: "North Daniel", "Lake Paul", "Port John".
pub const PLACE_PREFIXES: &[&str] = &[
    "north", "south", "east", "west", "lake", "port", "mount", "mt", "fort", "new", "upper",
    "lower", "great", "little", "bad", "nord", "sud", "ost", "oost", "noord", "zuid", "torre",
    "villa", "monte", "castel", "borgo", "puerto", "puebla",
    // a saint: "San Marco", "Sankt Martin", "Saint Sylvie" — a place or a feast
    "san", "santa", "santo", "sant", "saint", "sainte", "st", "ste", "sankt", "sint", "swiety",
    "swietego", "swietej", "sao",
];

/// Month names of the seven languages, folded: "abril" in "1 de abril de 2027" is a month, whoever is
/// called Abril.
pub const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "januar",
    "februar",
    "marz",
    "mai",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "gennaio",
    "febbraio",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "settembre",
    "ottobre",
    "dicembre",
    "januari",
    "februari",
    "maart",
    "mei",
    "augustus",
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "wrzesnia",
    "pazdziernika",
    "listopada",
    "grudnia",
];

/// How the parts of a town's compound name are joined: "Marin-les-Bains", "Georges-sur-Chauvet",
/// "Frankfurt-am-Main" — a name part there is the town's.
const PLACE_JOINS: &[&str] = &[
    "-sur-", "-sous-", "-les-", "-lès-", "-le-", "-la-", "-en-", "-de-", "-du-", "-des-", "-aux-",
    "-am-", "-an-", "-im-", "-bei-", "-di-",
];

/// Whether the word at `[start, end)` is part of a town's compound name.
pub fn in_place_compound(text: &str, start: usize, end: usize) -> bool {
    let before = &text[..start];
    let after = &text[end..];
    PLACE_JOINS
        .iter()
        .any(|join| after.starts_with(join) || before.ends_with(join))
}

/// Nouns for a place of business or a delivery, folded prefixes: "the delivery to Girona", "notre
/// boutique de Jacques", "la tienda de León" name a town with prepositions that elsewhere introduce a
/// person.
const PLACE_NOUNS: &[&str] = &[
    "delivery",
    "shop",
    "store",
    "office",
    "branch",
    "lieferung",
    "filiale",
    "laden",
    "geschaft",
    "livraison",
    "boutique",
    "magasin",
    "bureau",
    "agence",
    "envio",
    "entrega",
    "tienda",
    "oficina",
    "sucursal",
    "consegna",
    "negozio",
    "ufficio",
    "filiale",
    "levering",
    "winkel",
    "kantoor",
    "vestiging",
    "dostaw",
    "sklep",
    "biuro",
    "oddzial",
];

/// Prepositions that follow a place noun before the town's name.
const PLACE_NOUN_PREPOSITIONS: &[&str] = &[
    "to", "in", "at", "nach", "a", "de", "d", "en", "di", "naar", "do", "w",
];

/// Whether the words right before `at` say a place's name follows: a preposition of place
/// ("in Zaragoza"), a place noun and its preposition ("la tienda de León").
pub fn names_a_place_after(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    if before.len() == at || !before.ends_with(|c: char| c.is_alphabetic() || c == '\'') {
        return false;
    }
    let words = words_before(text, at, 2);
    match words.as_slice() {
        [preposition, ..] if PLACE_PREPOSITIONS.contains(&preposition.as_str()) => true,
        [preposition, noun] => {
            PLACE_NOUN_PREPOSITIONS.contains(&preposition.as_str())
                && PLACE_NOUNS.iter().any(|p| noun.starts_with(p))
        }
        _ => false,
    }
}

/// Whether the word right before `at` starts a place's name ("Lake", "Port", "North").
pub fn after_place_prefix(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    before.len() < at
        && before.ends_with(|c: char| c.is_alphabetic())
        && words_before(text, at, 1)
            .first()
            .is_some_and(|w| PLACE_PREFIXES.contains(&w.as_str()))
        && is_capitalised(before.rsplit(char::is_whitespace).next().unwrap_or(""))
}

/// `s` folded with [`fold_char`].
pub fn fold(s: &str) -> String {
    s.chars().map(fold_char).collect()
}

/// A folded copy of a text with, for each of its bytes, the offset of the original byte it came from.
pub struct Folded {
    pub text: String,
    origin: Vec<usize>,
}

impl Folded {
    pub fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len() + 1);
        for (at, c) in original.char_indices() {
            let folded = fold_char(c);
            for _ in 0..folded.len_utf8() {
                origin.push(at);
            }
            text.push(folded);
        }
        origin.push(original.len());
        Self { text, origin }
    }

    /// The original offset of folded offset `at` (a char boundary of the folded text).
    pub fn original(&self, at: usize) -> usize {
        self.origin[at]
    }
}

pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether `at` starts a word: the char before it is not a letter or digit.
pub fn starts_word(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !is_word_char(c))
}

/// Up to `n` folded words ending before `at`, nearest first.
pub fn words_before(text: &str, at: usize, n: usize) -> Vec<String> {
    let start = floor_char_boundary(text, at.saturating_sub(16 * n));
    let mut words: Vec<String> = text[start..at]
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect();
    // The first piece may be a word cut in half by the window: drop it unless the window is the text.
    if start > 0 && !words.is_empty() && !starts_word(text, start) {
        words.remove(0);
    }
    words.reverse();
    words.truncate(n);
    words
}

/// Up to `n` folded words starting after `at`, nearest first.
pub fn words_after(text: &str, at: usize, n: usize) -> Vec<String> {
    let end = ceil_char_boundary(text, (at + 16 * n).min(text.len()));
    text[at..end]
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .map(fold)
        .take(n)
        .collect()
}

pub fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub fn ceil_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Whether the word starts with an upper-case letter (`Anna`, `ANNA`, `Łukasz`).
pub fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_offsets_back_to_the_original() {
        let original = "Zofia Wiśniewska, Łódź";
        let folded = Folded::new(original);
        assert_eq!(folded.text, "zofia wisniewska, lodz");
        let at = folded.text.find("lodz").unwrap();
        assert_eq!(&original[folded.original(at)..], "Łódź");
        assert_eq!(folded.original(folded.text.len()), original.len());
    }

    #[test]
    fn words_around_a_position_are_folded_and_nearest_first() {
        let text = "Mein Geburtsdatum ist der 05.03.1984, danach Café";
        let at = text.find("05").unwrap();
        assert_eq!(words_before(text, at, 3), ["der", "ist", "geburtsdatum"]);
        assert_eq!(words_after(text, at + 10, 2), ["danach", "cafe"]);
    }
}
