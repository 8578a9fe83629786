//! The names a job knows: those it declares (the profile's people, a form's person fields) and the
//! tenant's dictionary of its contacts' and members' names. Each name is cut into its parts, and
//! every part is found in any written form — alone, in another order, without accents, in another
//! case, with a Polish or German case ending ("Kowalskiego", "Annę", "Müllers") — by one
//! Aho–Corasick automaton over the folded text.

use super::text::{self, Folded, NAME_PARTICLES};
use super::{Category, Finding, Input, Recognizer};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

/// Endings a name takes in the seven languages (folded): possessives, Polish and German cases.
const ENDINGS: &[&str] = &[
    "", "s", "'s", "'", "a", "e", "i", "y", "o", "u", "m", "ie", "ii", "iej", "ej", "ego", "emu",
    "im", "em", "iem", "om", "owi", "owie", "ach", "ami", "ow", "ze", "owa", "owej", "owie",
];

/// Words that join two people's names in one declared entry ("Anna und Jan").
const CONJUNCTIONS: &[&str] = &["and", "und", "et"];

/// How a pattern came in: declared names match in any case; dictionary names only where written
/// with a capital or next to another name, so a contact called "Rose" does not take every rose.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Declared,
    Known,
}

/// The names one job looks for.
pub struct NameDictionary {
    automaton: Option<AhoCorasick>,
    sources: Vec<Source>,
}

impl std::fmt::Debug for NameDictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NameDictionary({} forms)", self.sources.len())
    }
}

/// The forms a name part is looked for by: the part itself, spelt as German writes it without
/// umlauts where it has one ("Müller" as "Mueller", "Strauß" as "Strauss"), and, where it ends in a
/// vowel (or in Polish "-ek"), the stem of each, which the endings complete.
fn forms(part: &str) -> Vec<String> {
    let mut all = spelt_forms(part);
    if let Some(ascii) = german_ascii(part) {
        all.extend(spelt_forms(&ascii));
    }
    all
}

/// A German name written in ASCII the German way, if it has anything to write so.
fn german_ascii(part: &str) -> Option<String> {
    if !part.contains(['ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü', 'ß', 'ẞ']) {
        return None;
    }
    let mut ascii = String::with_capacity(part.len() + 4);
    for c in part.chars() {
        match c {
            'ä' | 'Ä' => ascii.push_str("ae"),
            'ö' | 'Ö' => ascii.push_str("oe"),
            'ü' | 'Ü' => ascii.push_str("ue"),
            'ß' | 'ẞ' => ascii.push_str("ss"),
            other => ascii.push(other),
        }
    }
    Some(ascii)
}

fn spelt_forms(part: &str) -> Vec<String> {
    let folded = text::fold(part);
    let mut forms = vec![folded.clone()];
    let chars: Vec<char> = folded.chars().collect();
    let n = chars.len();
    // Only "-a" names (Anna → Annę, Kowalska → Kowalskiej) and "-i" names (Kowalski → Kowalskiego)
    // decline by their stem; a stem of "Cole" would take "Cola".
    if n >= 4 && (chars[n - 1] == 'a' || chars[n - 1] == 'i') {
        forms.push(chars[..n - 1].iter().collect());
    }
    if n >= 5 && folded.ends_with("ek") {
        forms.push(format!("{}k", &folded[..folded.len() - 2]));
    }
    forms
}

/// The parts of a full name worth looking for: three letters or more, no particles or conjunctions.
fn parts(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .map(|p| p.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|p| {
            p.chars().count() >= 3
                && p.chars()
                    .all(|c| c.is_alphabetic() || c == '\'' || c == '’')
                && !NAME_PARTICLES.contains(&text::fold(p).as_str())
                && !CONJUNCTIONS.contains(&text::fold(p).as_str())
        })
}

/// Every form of every part of a full name, and of its family name with the particles before it
/// ("de kok" of "Wouter de Kok"), so that the particle goes with the name.
fn name_forms(name: &str) -> Vec<String> {
    let mut all: Vec<String> = parts(name).flat_map(forms).collect();
    let words: Vec<String> = name.split_whitespace().map(text::fold).collect();
    for (i, word) in words.iter().enumerate() {
        let after_particles = i > 0 && NAME_PARTICLES.contains(&words[i - 1].as_str());
        if after_particles && !NAME_PARTICLES.contains(&word.as_str()) {
            let first = (0..i)
                .rev()
                .take_while(|&j| NAME_PARTICLES.contains(&words[j].as_str()))
                .last()
                .unwrap_or(i);
            let particles = words[first..i].join(" ");
            all.extend(forms(word).into_iter().map(|f| format!("{particles} {f}")));
        }
    }
    all
}

impl NameDictionary {
    pub fn empty() -> Self {
        Self {
            automaton: None,
            sources: Vec::new(),
        }
    }

    /// `declared`: names this job was given as people's; `known`: the tenant's dictionary.
    pub fn new<D, K>(declared: D, known: K) -> Self
    where
        D: IntoIterator,
        D::Item: AsRef<str>,
        K: IntoIterator,
        K::Item: AsRef<str>,
    {
        let mut by_form: HashMap<String, Source> = HashMap::new();
        for name in declared {
            for form in name_forms(name.as_ref()) {
                by_form.insert(form, Source::Declared);
            }
        }
        for name in known {
            for form in name_forms(name.as_ref()) {
                by_form.entry(form).or_insert(Source::Known);
            }
        }
        if by_form.is_empty() {
            return Self::empty();
        }
        let (patterns, sources): (Vec<String>, Vec<Source>) = by_form.into_iter().unzip();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("name patterns are plain strings");
        Self {
            automaton: Some(automaton),
            sources,
        }
    }

    /// Spans of the folded text that are a name part with an allowed ending, whole words only.
    fn matches(&self, folded: &Folded) -> Vec<(usize, usize, Source)> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let text = folded.text.as_str();
        let mut out = Vec::new();
        for m in automaton.find_iter(text) {
            if !text::starts_word(text, m.start()) {
                continue;
            }
            let rest = &text[m.end()..];
            let word_end = m.end()
                + rest
                    .char_indices()
                    .find(|&(i, c)| {
                        !(c.is_alphabetic()
                            || (c == '\''
                                && rest[i + 1..].starts_with(|n: char| n.is_alphabetic())))
                    })
                    .map_or(rest.len(), |(i, _)| i);
            let ending = &text[m.end()..word_end];
            if ENDINGS.contains(&ending) {
                out.push((m.start(), word_end, self.sources[m.pattern().as_usize()]));
            }
        }
        out
    }
}

impl Recognizer for NameDictionary {
    fn name(&self) -> &'static str {
        "name_dictionary"
    }

    fn find(&self, input: &Input<'_>, found: &mut Vec<Finding>) {
        let spans: Vec<(usize, usize, Source)> = self
            .matches(input.folded)
            .into_iter()
            .map(|(s, e, source)| (input.folded.original(s), input.folded.original(e), source))
            .collect();
        let adjacent = |a: usize, b: usize| {
            let between = &input.text[a..b];
            !between.is_empty() && between.chars().all(char::is_whitespace)
        };
        for (i, &(start, end, source)) in spans.iter().enumerate() {
            let next_to_name = (i > 0 && adjacent(spans[i - 1].1, start))
                || spans.get(i + 1).is_some_and(|n| adjacent(end, n.0));
            let written = &input.text[start..end];
            // "van Dagsburg" is written as a name: its particle is lower case, its name is not.
            let written_as_name = written
                .split_whitespace()
                .find(|w| !NAME_PARTICLES.contains(&text::fold(w).as_str()))
                .is_some_and(text::is_capitalised);
            let one_word = !written.contains(char::is_whitespace);
            let alone = one_word && !next_to_name;
            // "Lake Paul", "Saint Sylvie", "Marin-les-Bains" are towns, whoever is called Paul.
            let in_a_town_name = alone
                && (text::after_place_prefix(input.text, start)
                    || text::in_place_compound(input.text, start, end)
                    || starts_a_place(input.text, start, end));
            // A contact called Zaragoza is not meant by "our shop in Zaragoza" (a declared name
            // is: the job said it is a person's).
            let a_place = in_a_town_name || (alone && text::names_a_place_after(input.text, start));
            // Declared names count in any case, but alone in lower case a short one is a word
            // ("idą" is not Ida), and so is one next to a number ("25 juli 2027").
            let lower_case_word = alone
                && !written_as_name
                && (written.chars().count() <= 3
                    || next_to_a_number(input.text, start, end)
                    || text::MONTHS.contains(&text::fold(written).as_str()));
            let declared = source == Source::Declared && !lower_case_word && !in_a_town_name;
            if declared || (written_as_name || next_to_name) && !a_place {
                found.push(Finding {
                    start,
                    end,
                    category: Category::Person,
                    score: 0.95,
                    recognizer: self.name(),
                });
            }
        }
    }
}

/// Whether the name at `[start, end)` is a place's first word before a capitalised one: "West" of
/// "West Brianna", whoever is called West.
fn starts_a_place(text: &str, start: usize, end: usize) -> bool {
    text::PLACE_PREFIXES.contains(&text::fold(&text[start..end]).as_str())
        && text[end..]
            .strip_prefix(' ')
            .is_some_and(text::is_capitalised)
}

/// Whether a number stands right before or after `[start, end)`, one space between.
fn next_to_a_number(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end_matches(' ');
    let after = text[end..].trim_start_matches(' ');
    (before.len() < start && before.ends_with(|c: char| c.is_ascii_digit()))
        || (after.len() < text.len() - end && after.starts_with(|c: char| c.is_ascii_digit()))
}

/// Tenants' dictionaries, built once and reused while their names stay the same: the automaton of a
/// 10,000-name tenant takes milliseconds to build, the check that the names are unchanged far less.
#[derive(Default)]
pub struct NameCache {
    built: Mutex<HashMap<String, (u64, Arc<NameDictionary>)>>,
}

/// Beyond this many tenants a worker starts its cache afresh.
const CACHED_TENANTS: usize = 64;

impl NameCache {
    /// The dictionary of `names` (a tenant's, as just read), built now only if they changed.
    pub fn dictionary(&self, tenant: &str, names: &[String]) -> Arc<NameDictionary> {
        let mut hasher = DefaultHasher::new();
        names.hash(&mut hasher);
        let fingerprint = hasher.finish();
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((f, dictionary)) = built.get(tenant) {
            if *f == fingerprint {
                return Arc::clone(dictionary);
            }
        }
        let dictionary = Arc::new(NameDictionary::new(Vec::<String>::new(), names));
        if built.len() >= CACHED_TENANTS {
            built.clear();
        }
        built.insert(tenant.to_owned(), (fingerprint, Arc::clone(&dictionary)));
        dictionary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dictionary: &NameDictionary, text: &str) -> Vec<String> {
        super::super::found_by(dictionary, text, None)
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    #[test]
    fn a_known_name_is_found_in_every_written_form() {
        let dictionary = NameDictionary::new(
            Vec::<String>::new(),
            ["Zofia Wiśniewska", "Jan Kowalski", "Sean O'Brien"],
        );
        for (text, expected) in [
            ("Wiśniewska called", vec!["Wiśniewska"]),
            ("Zofia  Wisniewska", vec!["Zofia", "Wisniewska"]),
            ("Kowalski, Jan wrote", vec!["Kowalski", "Jan"]),
            ("od Kowalskiego i Zofii", vec!["Kowalskiego", "Zofii"]),
            ("O'Brien's shop", vec!["O'Brien's"]),
            ("jan kowalski", vec!["jan", "kowalski"]),
        ] {
            assert_eq!(names_in(&dictionary, text), expected, "{text}");
        }
    }

    #[test]
    fn known_names_need_a_capital_alone_and_never_match_inside_words() {
        let dictionary = NameDictionary::new(Vec::<String>::new(), ["Rose Marketing", "Marek"]);
        assert!(names_in(&dictionary, "a rose in the garden").is_empty());
        assert!(names_in(&dictionary, "Supermarket prices").is_empty());
        assert_eq!(names_in(&dictionary, "Ask Marka"), ["Marka"]);
    }

    #[test]
    fn german_names_are_found_written_without_umlauts() {
        let dictionary =
            NameDictionary::new(["Jürgen Müller", "Käthe Strauß"], Vec::<String>::new());
        for (text, expected) in [
            ("Herr Mueller und Juergen", vec!["Mueller", "Juergen"]),
            ("von Kaethe Strauss", vec!["Kaethe", "Strauss"]),
            ("Muellers Laden", vec!["Muellers"]),
            ("Müller and Muller", vec!["Müller", "Muller"]),
        ] {
            assert_eq!(names_in(&dictionary, text), expected, "{text}");
        }
    }

    #[test]
    fn declared_names_match_in_any_case() {
        let dictionary = NameDictionary::new(["Jane Doe"], Vec::<String>::new());
        assert_eq!(names_in(&dictionary, "ask jane"), ["jane"]);
    }

    #[test]
    fn the_cache_rebuilds_only_when_the_names_change() {
        let cache = NameCache::default();
        let names = vec!["Anna Nowak".to_owned()];
        let first = cache.dictionary("t1", &names);
        assert!(Arc::ptr_eq(&first, &cache.dictionary("t1", &names)));
        let changed = vec!["Anna Nowak".to_owned(), "Jan Kowalski".to_owned()];
        let second = cache.dictionary("t1", &changed);
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(names_in(&second, "Kowalski came"), ["Kowalski"]);
        assert!(
            !Arc::ptr_eq(&second, &cache.dictionary("t2", &changed)),
            "per tenant"
        );
    }
}
