//! Names nobody declared: capitalised words that a gazetteer of given and family names of the seven
//! languages (`gazetteer/*.txt`) holds, read with the words around them. A given name followed by
//! capitalised words is a full name; a title ("Frau", "Mme", "Sr.", "Pan") makes the capitalised
//! words after it a name; a family name alone needs context ("customer Nowak said"). Given names that
//! are also ordinary words or places ("Rosa", "Mark", "Florence", "Maja") count only next to a family
//! name or a title.

use super::text::{fold, is_capitalised, names_a_place_after, NAME_PARTICLES, PLACE_PREFIXES};
use super::{Category, Context, Finding, Input, Recognizer};
use std::collections::HashSet;
use std::sync::LazyLock;

fn load(list: &'static str) -> HashSet<String> {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        // A compound family name ("van den Berg") is found by its last word.
        .filter_map(|name| name.split_whitespace().last())
        .map(fold)
        .collect()
}

static GIVEN: LazyLock<HashSet<String>> =
    LazyLock::new(|| load(include_str!("gazetteer/first_names.txt")));
static FAMILY: LazyLock<HashSet<String>> =
    LazyLock::new(|| load(include_str!("gazetteer/family_names.txt")));

/// Given names that are also words or places in one of the seven languages (folded).
const AMBIGUOUS: &[&str] = &[
    // en
    "mark",
    "frank",
    "jack",
    "christian",
    "oscar",
    "jordan",
    "madison",
    "austin",
    "florence",
    "nancy",
    "charlotte",
    "shannon",
    "heather",
    "gloria",
    "poppy",
    "isla",
    "victoria",
    "angel",
    // de
    "kai",
    "till",
    "volker",
    "ella", // fr
    "pierre",
    "olivier",
    "romain",
    "clement",
    "maxime",
    "pascal",
    "madeleine",
    "oceane",
    "margaux",
    "fleur",
    "jade",
    "paris", // es
    "rosa",
    "rosario",
    "alba",
    "aurora",
    "marina",
    "milagros",
    "concepcion",
    "rocio",
    "jesus",
    "salvador",
    "santiago",
    "nina",
    "mia", // it
    "vittoria",
    "margherita",
    "franco",
    "massimo",
    "chiara",
    "gemma",
    "leone",
    "santos",
    "fiore",
    // nl
    "roos",
    "iris",
    "floor",
    "milan",
    "ton",
    "bas",
    "joke",
    "greet", // pl
    "maja",
    "roman",
];

/// Titles before a name, folded ("Frau", "Mme", "Sra", "Pan", …).
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "dame",
    "herr",
    "frau",
    "hr",
    "fr",
    "mme",
    "mlle",
    "monsieur",
    "madame",
    "mademoiselle",
    "sr",
    "sra",
    "srta",
    "senor",
    "senora",
    "senorita",
    "don",
    "dona",
    "sig",
    "sigra",
    "signor",
    "signora",
    "signorina",
    "dott",
    "dottssa",
    "dhr",
    "mevr",
    "mw",
    "mevrouw",
    "meneer",
    "pan",
    "pani",
    "panem",
    "pania",
    "panu",
    "panstwo",
    "ing",
    "mag",
    "m",
];

/// Words that start sentences and phrases, capitalised there, never a given name (folded).
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "in", "on", "at", "our", "my", "your", "this", "that", "for", "with", "from",
    "der", "die", "das", "dem", "den", "des", "ein", "eine", "im", "am", "an", "auf", "mit", "von",
    "zum", "zur", "unser", "unsere", "mein", "meine", "ihr", "ihre", "bei", "nach", "vor", "fur",
    "le", "la", "les", "un", "une", "au", "aux", "du", "des", "notre", "nos", "mon", "ma", "pour",
    "avec", "chez", "el", "los", "las", "una", "al", "del", "nuestro", "nuestra", "mi", "para",
    "con", "en", "il", "lo", "gli", "uno", "nel", "nella", "al", "alla", "nostro", "nostra", "mio",
    "mia", "per", "het", "een", "onze", "ons", "mijn", "bij", "met", "voor", "na", "w", "we", "z",
    "ze", "do", "od", "po", "nasz", "nasza", "moj", "moja", "dla", "przy",
];

/// Words near a name that make it one: roles of people, verbs of speaking and writing.
const PEOPLE_WORDS: &[&str] = &[
    // en
    "customer",
    "client",
    "colleague",
    "employee",
    "manager",
    "owner",
    "said",
    "says",
    "wrote",
    "asked",
    "called",
    "emailed",
    "contact",
    "tenant",
    "guest",
    "patient",
    "supplier",
    "mr",
    "ms",
    // de
    "kunde",
    "kundin",
    "kollege",
    "kollegin",
    "mitarbeiter",
    "inhaber",
    "sagte",
    "schrieb",
    "fragte",
    "rief",
    "gast",
    "ansprechpartner", // fr
    "cliente",
    "collegue",
    "employe",
    "gerant",
    "proprietaire",
    "a dit",
    "a ecrit",
    "a appele",
    "invite", // es
    "colega",
    "empleado",
    "empleada",
    "dueno",
    "dijo",
    "escribio",
    "llamo",
    "huesped",
    // it
    "collega",
    "dipendente",
    "titolare",
    "ha detto",
    "ha scritto",
    "ha chiamato",
    "ospite",
    // nl
    "klant",
    "medewerker",
    "eigenaar",
    "zei",
    "schreef",
    "belde",
    "gast", // pl
    "klient",
    "klientka",
    "kolega",
    "pracownik",
    "wlasciciel",
    "powiedzial",
    "napisal",
    "napisala",
    "dzwonil",
    "dzwonila",
];

/// Words that, right before capitalised words, say a person's name follows, whatever the name
/// (folded, in text order): whom one calls or writes to, whose something is, a form's name label, a
/// role. The name need not be in any list — "Bitte rufen Sie Mareike Warmer unter …".
const INTRODUCE_A_NAME: &[&[&str]] = &[
    // en
    &["call"],
    &["ring"],
    &["text"],
    &["email"],
    &["contact"],
    &["ask"],
    &["dear"],
    &["belongs", "to"],
    &["name"],
    &["customer"],
    &["client"],
    &["guest"],
    &["supplier"],
    // de: the polite imperative names its addressee after "Sie"
    &["rufen", "sie"],
    &["schreiben", "sie"],
    &["fragen", "sie"],
    &["kontaktieren", "sie"],
    &["gehort"],
    &["kunde"],
    &["kundin"],
    &["gast"],
    &["lieferantin"],
    &["lieferant"],
    // fr
    &["appeler"],
    &["appelez"],
    &["contacter"],
    &["ecrivez", "a"],
    &["appartient", "a"],
    &["nom"],
    &["client"],
    &["cliente"],
    &["invite"],
    &["fournisseuse"],
    &["fournisseur"],
    // es
    &["llame", "a"],
    &["escriba", "a"],
    &["nombre"],
    &["clienta"],
    &["cliente"],
    &["huesped"],
    &["proveedora"],
    &["proveedor"],
    // it
    &["chiami"],
    &["chiamare"],
    &["scriva", "a"],
    &["scrivere", "a"],
    &["nome"],
    &["ospite"],
    &["fornitrice"],
    &["fornitore"],
    // nl
    &["bel"],
    &["stuur"],
    &["mail"],
    &["naam"],
    &["klant"],
    &["gast"],
    &["leverancier"],
    // pl
    &["zadzwonic", "do"],
    &["napisac", "do"],
    &["nalezy", "do"],
    &["imie", "i", "nazwisko"],
    &["klient"],
    &["klientka"],
    &["gosc"],
    &["dostawczyni"],
    &["dostawca"],
];

/// Words for "born" that, after a comma, say the capitalised words before it are a person:
/// "Mareike Warmer, geboren am …" (folded).
const BORN: &[&str] = &[
    "born", "geboren", "geb", "ne", "nee", "nacido", "nacida", "nato", "nata", "urodzony",
    "urodzona", "ur",
];

/// Prepositions after which a lower-case particle is a name's ("naar van Oosterhout", "to de Vries",
/// "à de La Tour"), folded.
const BEFORE_A_PARTICLE: &[&str] = &[
    "naar", "aan", "met", "voor", "door", "bij", "op", "uit", "to", "at", "with", "for", "from",
    "by", "an", "mit", "fur", "a", "pour", "avec", "par", "con", "per", "para", "da", "do", "z",
    "dla", "od",
];

/// A word of the text: its span and folded form.
struct Word<'a> {
    start: usize,
    end: usize,
    raw: &'a str,
    folded: String,
}

/// Letters with inner apostrophes or hyphens ("O'Brien", "Anne-Marie"); a trailing dot is kept
/// outside the word but noted, for titles and initials ("Dr.", "J.").
fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !c.is_alphabetic() {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, n)) = chars.peek() {
            let joins = (n == '\'' || n == '’' || n == '-')
                && text[i + n.len_utf8()..].starts_with(char::is_alphabetic);
            if n.is_alphabetic() || joins {
                end = i + n.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let raw = &text[start..end];
        out.push(Word {
            start,
            end,
            raw,
            folded: fold(raw),
        });
    }
    out
}

pub struct GazetteerNames;

const NAME: &str = "name_gazetteer";

impl GazetteerNames {
    fn given(word: &Word<'_>) -> bool {
        is_capitalised(word.raw)
            && word.raw.chars().count() >= 2
            && (GIVEN.contains(&word.folded) || word.folded.split('-').all(|p| GIVEN.contains(p)))
    }

    fn family(word: &Word<'_>) -> bool {
        is_capitalised(word.raw) && FAMILY.contains(&word.folded)
    }

    fn name_like(word: &Word<'_>) -> bool {
        is_capitalised(word.raw) && word.raw.chars().count() >= 2
    }

    /// "Kundin", "Gość", "customer": a word for who someone is, which starts no name.
    fn people_word(word: &Word<'_>) -> bool {
        PEOPLE_WORDS.contains(&word.folded.as_str())
            || INTRODUCE_A_NAME
                .iter()
                .any(|phrase| phrase.len() == 1 && phrase[0] == word.folded)
    }

    /// When word `i` is a title ("Frau", "Mme", "Sig.ra", "mevrouw", "dr"), the index of the word
    /// after it (and after a title's ending such as the "ra" of "Sig.ra").
    fn after_title(&self, text: &str, words: &[Word<'_>], i: usize) -> Option<usize> {
        let word = &words[i];
        let dot_after = text[word.end..].starts_with('.');
        let needs_dot =
            word.folded.len() <= 2 && !["mr", "ms", "dr"].contains(&word.folded.as_str());
        let is_title = TITLES.contains(&word.folded.as_str())
            && (!needs_dot || dot_after)
            && (word.folded != "m" || is_capitalised(word.raw));
        if !is_title {
            return None;
        }
        let mut next = i + 1;
        let mut end = word.end;
        if let Some(ending) = words.get(next).filter(|n| {
            dot_after && n.start == word.end + 1 && !is_capitalised(n.raw) && n.raw.len() <= 3
        }) {
            end = ending.end;
            next += 1;
        }
        let follower = words.get(next)?;
        text[end..follower.start]
            .trim_start_matches('.')
            .trim()
            .is_empty()
            .then_some(next)
    }
}

impl Recognizer for GazetteerNames {
    fn name(&self) -> &'static str {
        NAME
    }

    fn context(&self) -> &Context {
        const PEOPLE: Context = Context {
            before: 3,
            after: 2,
            raise: PEOPLE_WORDS,
            raise_by: 0.3,
            lower: &[],
            lower_by: 0.0,
        };
        &PEOPLE
    }

    fn find(&self, input: &Input<'_>, found: &mut Vec<Finding>) {
        let text = input.text;
        let words = words(text);
        let only_space = |a: &Word<'_>, b: &Word<'_>| {
            let between = &text[a.end..b.start];
            !between.is_empty() && between.chars().all(char::is_whitespace)
        };
        // The capitalised words (with particles between them) that follow word `i` in one run.
        let run_after = |i: usize| -> usize {
            let mut last = i;
            let mut j = i + 1;
            while j < words.len() && only_space(&words[j - 1], &words[j]) && j - i <= 3 {
                if Self::name_like(&words[j]) {
                    last = j;
                } else if !NAME_PARTICLES.contains(&words[j].folded.as_str()) {
                    break;
                }
                j += 1;
            }
            last
        };
        let mut push = |first: usize, last: usize, score: f32| {
            found.push(Finding {
                start: words[first].start,
                end: words[last].end,
                category: Category::Person,
                score,
                recognizer: NAME,
            });
        };
        // The first of the particles right before word `i` ("van den" of "van den Berg"), or `i`.
        // Lower-case particles after a lower-case word are the sentence's prepositions ("is van
        // Cornelisse", "il negozio di Serra") — except after a preposition, which no second one
        // follows ("naar van Oosterhout").
        let particles_before = |i: usize| -> usize {
            let mut first = i;
            while first > 0
                && NAME_PARTICLES.contains(&words[first - 1].folded.as_str())
                && only_space(&words[first - 1], &words[first])
            {
                first -= 1;
            }
            let preposition = first < i
                && first > 0
                && !is_capitalised(words[first].raw)
                && !is_capitalised(words[first - 1].raw)
                && !BEFORE_A_PARTICLE.contains(&words[first - 1].folded.as_str());
            if preposition {
                i
            } else {
                first
            }
        };
        // Whether the words right before word `i` (nothing but spaces and a colon between) are a
        // phrase that introduces a name.
        // French elides before a vowel: "d'appeler" is "appeler".
        let unelided: Vec<&str> = words
            .iter()
            .map(|w| {
                w.folded
                    .split_once('\'')
                    .filter(|(article, _)| article.len() <= 2)
                    .map_or(w.folded.as_str(), |(_, word)| word)
            })
            .collect();
        let introduced = |i: usize| -> bool {
            i > 0
                && INTRODUCE_A_NAME.iter().any(|phrase| {
                    i >= phrase.len()
                        && phrase.last() == Some(&unelided[i - 1])
                        && phrase.iter().enumerate().all(|(k, cue)| {
                            let at = i - phrase.len() + k;
                            unelided[at] == *cue
                                && text[words[at].end..words[at + 1].start]
                                    .chars()
                                    .all(|c| c.is_whitespace() || c == ':')
                        })
                })
        };
        let mut i = 0;
        while i < words.len() {
            let word = &words[i];
            // "rufen Sie Mareike Warmer", "Name: Ise Ponci": two to four capitalised words after a
            // phrase that introduces a person.
            if Self::name_like(word) && !FUNCTION_WORDS.contains(&word.folded.as_str()) {
                let last = run_after(i);
                let born_after = words.get(last + 1).is_some_and(|next| {
                    text[words[last].end..next.start].trim() == ","
                        && BORN.contains(&next.folded.as_str())
                });
                // "Geertje, geboren op …": one word is enough before a comma and "born".
                if (last > i && introduced(i)) || born_after {
                    push(i, last, 0.8);
                    i = last + 1;
                    continue;
                }
            }
            if let Some(first) = self.after_title(text, &words, i) {
                let mut name = first;
                while words
                    .get(name)
                    .is_some_and(|w| NAME_PARTICLES.contains(&w.folded.as_str()))
                {
                    name += 1;
                }
                if words.get(name).is_some_and(Self::name_like) {
                    let last = run_after(name);
                    // "M. Smit" may be Monsieur Smit or Marit Smit: the initial goes with the name.
                    let start = if word.folded.len() == 1 { i } else { first };
                    push(start, last, 0.9);
                    i = last + 1;
                    continue;
                }
            }
            // "San Marco", "Sankt Martin", "Santa Rosa": a saint, a place or a feast, not a person.
            // So are "North Daniel", "Lake Paul".
            let saint = i > 0
                && PLACE_PREFIXES.contains(&words[i - 1].folded.as_str())
                && only_space(&words[i - 1], word);
            if Self::given(word) && !saint {
                let ambiguous = AMBIGUOUS.contains(&word.folded.as_str());
                let last = run_after(i);
                if last > i && (!ambiguous || words[i + 1..=last].iter().any(Self::family)) {
                    push(i, last, 0.85);
                    i = last + 1;
                    continue;
                }
                if !ambiguous && !names_a_place_after(text, word.start) {
                    // "Terpstra, Mila": a family name no list holds, before the given name.
                    let family_first = i > 0
                        && Self::name_like(&words[i - 1])
                        && text[words[i - 1].end..word.start].trim() == ",";
                    let start = if family_first {
                        particles_before(i - 1)
                    } else {
                        i
                    };
                    push(start, i, 0.6);
                    i += 1;
                    continue;
                }
            }
            // "Yannick Moreau", "Marit van den Berg": a given name no list holds, before a family name.
            let mut family_at = i + 1;
            while words.get(family_at).is_some_and(|w| {
                NAME_PARTICLES.contains(&w.folded.as_str()) && only_space(&words[family_at - 1], w)
            }) {
                family_at += 1;
            }
            let family_next = words
                .get(family_at)
                .is_some_and(|w| Self::family(w) && only_space(&words[family_at - 1], w));
            let function_word = FUNCTION_WORDS.contains(&word.folded.as_str())
                || PLACE_PREFIXES.contains(&word.folded.as_str())
                || Self::people_word(word);
            // Not after "the delivery to", "il negozio di": "Ponzano Romano" is a town there.
            if Self::name_like(word)
                && !Self::family(word)
                && !function_word
                && family_next
                && !names_a_place_after(text, word.start)
            {
                let last = run_after(family_at).max(family_at);
                push(i, last, 0.7);
                i = last + 1;
                continue;
            }
            // "P. Pstrągowski": an initial before a capitalised word.
            let initial = word.raw.chars().count() == 1
                && is_capitalised(word.raw)
                && words
                    .get(i + 1)
                    .is_some_and(|n| text[word.end..n.start].trim() == "." && Self::name_like(n));
            if initial {
                let last = run_after(i + 1).max(i + 1);
                push(i, last, 0.75);
                i = last + 1;
                continue;
            }
            if Self::family(word) && !PLACE_PREFIXES.contains(&word.folded.as_str()) {
                // "Nowak Anna", "Nowak, Anna": family name first.
                let then_given = words.get(i + 1).filter(|n| {
                    let between = text[word.end..n.start].trim();
                    (between.is_empty() || between == ",") && Self::given(n)
                });
                let first = particles_before(i);
                if then_given.is_some() {
                    push(first, i + 1, 0.8);
                    i += 2;
                    continue;
                }
                // "Krawczyk, Wawrzyniec": a listed family name, a comma, a capitalised word.
                let then_name = words
                    .get(i + 1)
                    .filter(|n| text[word.end..n.start].trim() == "," && Self::name_like(n));
                if then_name.is_some() {
                    push(first, i + 1, 0.7);
                    i += 2;
                    continue;
                }
                // "J. Nowak": an initial before it.
                let initial = i > 0
                    && words[i - 1].raw.chars().count() == 1
                    && is_capitalised(words[i - 1].raw)
                    && text[words[i - 1].end..word.start].trim() == ".";
                if initial {
                    push(i - 1, i, 0.8);
                } else {
                    push(first, i, 0.45);
                }
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(text: &str) -> Vec<(String, f32)> {
        super::super::found_by(&GazetteerNames, text, None)
    }

    fn names(text: &str) -> Vec<String> {
        names_in(text)
            .into_iter()
            .filter(|(_, s)| *s >= super::super::THRESHOLD)
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn full_names_titles_and_initials_are_names() {
        assert_eq!(
            names("Yesterday Agnieszka Zdebska-Wrzos called"),
            ["Agnieszka Zdebska-Wrzos"]
        );
        assert_eq!(names("Bitte Frau Oberhuber anrufen"), ["Oberhuber"]);
        assert_eq!(names("Grazie, Sig. Esposito"), ["Esposito"]);
        assert_eq!(names("Signed J. Nowak"), ["J. Nowak"]);
        assert_eq!(names("Nowak, Anna pays late"), ["Nowak, Anna"]);
        assert_eq!(names("Jan van der Berg kam"), ["Jan van der Berg"]);
    }

    #[test]
    fn capitalised_words_after_a_phrase_that_introduces_a_person_are_a_name() {
        assert_eq!(
            names("Bitte rufen Sie Mareike Warmer unter 0171 an"),
            ["Mareike Warmer"]
        );
        assert_eq!(names("Naam: Ise Ponci. Telefoon"), ["Ise Ponci"]);
        assert_eq!(
            names("zadzwonić do Ernest Cieniuch pod"),
            ["Ernest Cieniuch"]
        );
        assert_eq!(
            names("Merci d'appeler Marthe Marques au"),
            ["Marthe Marques"]
        );
        assert_eq!(
            names("Irmengard Preiß, geboren am 30.11.1979, möchte"),
            ["Irmengard Preiß"]
        );
        // A place after the same words is not introduced as a person.
        assert!(names("Deliver to New Fakeville before noon").is_empty());
        assert!(names("Bitte rufen Sie an, Die Kundin wartet").is_empty());
    }

    #[test]
    fn ordinary_words_that_are_names_need_a_family_name_or_a_title() {
        assert!(names("Rosa Pantone is our colour").is_empty());
        assert_eq!(names("Rosa García pidió"), ["Rosa García"]);
        assert!(names("Florence is lovely in May").is_empty());
        assert!(
            names("Der Koch und der Bauer").is_empty(),
            "family names alone need context"
        );
    }
}
