//! How much personal data the pseudonymizer keeps away from GenAI providers, and how much of what an
//! analysis needs it damages, measured on a labelled corpus of seven languages.
//!
//! Recall: a personal value counts as kept away only if every letter and digit of it is inside a
//! finding. Over-redaction: a needed string (price, event date, order number, …) counts as damaged if
//! any finding touches it. Sentences with a finding outside every personal value are counted too.
//! `PII_SHOW=1 cargo test -p confide-shared --test pii -- --nocapture` prints every miss.

mod corpus;
mod coverage;
mod faker;
mod languages;
mod values;

use confide_shared::pseudonymize::{Finding, NameDictionary, Pseudonymizer, Vault};
use corpus::{Kind, Needed, Personal, Sample};
use languages::{Language, LANGUAGES};
use std::collections::BTreeMap;

/// The goals pseudonymisation is held to on our own corpus (the Faker corpus has the issue's, in
/// `faker.rs`): structured data 99.5 %, every other category 99 %, names nobody declared 95 %.
const STRUCTURED_RECALL: f64 = 0.995;
const RECALL: f64 = 0.99;
const UNDECLARED_NAME_RECALL: f64 = 0.95;
const OVER_REDACTION: f64 = 0.01;

fn pseudonymizer(language: &Language) -> Pseudonymizer {
    Pseudonymizer::new(
        NameDictionary::new(language.declared, language.contacts),
        Some(language.country),
    )
}

fn covered(text: &str, start: usize, end: usize, findings: &[Finding]) -> bool {
    text[start..end]
        .char_indices()
        .filter(|(_, c)| c.is_alphanumeric())
        .all(|(i, _)| {
            let at = start + i;
            findings.iter().any(|f| f.start <= at && at < f.end)
        })
}

fn touched(start: usize, end: usize, findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.start < end && start < f.end)
}

#[derive(Default, Clone, Copy)]
struct Tally {
    hits: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += usize::from(hit);
    }

    fn rate(self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.hits as f64 / self.total as f64
        }
    }
}

#[derive(Default)]
struct Measurement {
    recall: BTreeMap<(Personal, &'static str), Tally>,
    damage: BTreeMap<(Needed, &'static str), Tally>,
    stray: BTreeMap<&'static str, Tally>,
}

fn show(sample: &Sample, what: &str, start: usize, end: usize, findings: &[Finding]) {
    // PII_SHOW=1 prints every miss, PII_SHOW=de_DE only those of one column.
    let wanted = std::env::var("PII_SHOW").ok();
    if wanted
        .as_deref()
        .is_some_and(|w| w != "1" && w != sample.group)
    {
        return;
    }
    if std::env::var_os("PII_SHOW").is_some() {
        let found: Vec<String> = findings
            .iter()
            .map(|f| format!("{}:{:?}", f.recognizer, &sample.text[f.start..f.end]))
            .collect();
        println!(
            "[{}] {what} {:?} in {:?}\n    found {found:?}",
            sample.group,
            &sample.text[start..end],
            sample.text
        );
    }
}

/// Each sample read by the pseudonymizer of its group (a tenant of that language or locale).
fn measure(samples: &[Sample], pseudonymizers: &BTreeMap<&str, Pseudonymizer>) -> Measurement {
    let mut m = Measurement::default();
    for sample in samples {
        let code = sample.group;
        let findings = pseudonymizers[code].analyze(&sample.text);
        for span in &sample.spans {
            match span.kind {
                Kind::Personal(p) => {
                    let hit = covered(&sample.text, span.start, span.end, &findings);
                    if !hit {
                        show(
                            sample,
                            &format!("missed {p:?}"),
                            span.start,
                            span.end,
                            &findings,
                        );
                    }
                    m.recall.entry((p, code)).or_default().add(hit);
                }
                Kind::Needed(n) => {
                    let hit = touched(span.start, span.end, &findings);
                    if hit {
                        show(
                            sample,
                            &format!("damaged {n:?}"),
                            span.start,
                            span.end,
                            &findings,
                        );
                    }
                    m.damage.entry((n, code)).or_default().add(hit);
                }
            }
        }
        let personal: Vec<_> = sample
            .spans
            .iter()
            .filter(|s| matches!(s.kind, Kind::Personal(_)))
            .collect();
        let stray = findings
            .iter()
            .find(|f| !personal.iter().any(|s| f.start < s.end && s.start < f.end));
        if let Some(f) = stray {
            show(sample, "stray finding", f.start, f.end, &findings);
        }
        m.stray.entry(code).or_default().add(stray.is_some());
    }
    m
}

fn table<K: Copy + Ord + std::fmt::Debug>(
    title: &str,
    codes: &[&str],
    rows: &BTreeMap<(K, &'static str), Tally>,
) -> BTreeMap<K, Tally> {
    println!("\n{title}");
    println!(
        "| {:<16} | {} | all (n) |",
        "category",
        codes
            .iter()
            .map(|c| format!("{c:>6}"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("|{}", "---|".repeat(codes.len() + 2));
    let mut totals: BTreeMap<K, Tally> = BTreeMap::new();
    for (&(k, _), t) in rows {
        let total = totals.entry(k).or_default();
        total.hits += t.hits;
        total.total += t.total;
    }
    for (k, total) in &totals {
        let cells: Vec<String> = codes
            .iter()
            .map(|c| {
                rows.get(&(*k, *c)).map_or("     –".to_owned(), |t| {
                    format!("{:>5.1}%", 100.0 * t.rate())
                })
            })
            .collect();
        println!(
            "| {:<16} | {} | {:.1}% ({}) |",
            format!("{k:?}"),
            cells.join(" | "),
            100.0 * total.rate(),
            total.total
        );
    }
    totals
}

/// The goals a measurement is held to, category by category.
struct Goals {
    recall: fn(Personal) -> f64,
    over_redaction: f64,
}

/// Prints the tables and returns what falls short of the goals.
fn report(m: &Measurement, codes: &[&str], goals: &Goals) -> Vec<String> {
    let recall = table("Kept away from the provider (recall)", codes, &m.recall);
    let damage = table("Damaged (over-redaction)", codes, &m.damage);
    let stray: Tally = m.stray.values().fold(Tally::default(), |mut a, t| {
        a.hits += t.hits;
        a.total += t.total;
        a
    });
    println!(
        "\nSentences with a finding outside every personal value: {:.2}% of {}",
        100.0 * stray.rate(),
        stray.total
    );
    let mut failures = Vec::new();
    for (category, tally) in &recall {
        let goal = (goals.recall)(*category);
        if tally.rate() < goal {
            failures.push(format!(
                "{category:?}: recall {:.2}% < {:.1}%",
                100.0 * tally.rate(),
                100.0 * goal
            ));
        }
    }
    for (category, tally) in &damage {
        if tally.rate() > goals.over_redaction {
            failures.push(format!(
                "{category:?}: over-redaction {:.2}% > {:.1}%",
                100.0 * tally.rate(),
                100.0 * goals.over_redaction
            ));
        }
    }
    if stray.rate() > goals.over_redaction {
        failures.push(format!(
            "{:.2}% of sentences have a finding outside every personal value",
            100.0 * stray.rate()
        ));
    }
    failures
}

#[test]
fn personal_data_is_kept_away_and_what_the_analysis_needs_survives() {
    let samples = corpus::corpus();
    assert!(
        samples.len() > 3000,
        "the corpus has {} sentences",
        samples.len()
    );
    let pseudonymizers = LANGUAGES
        .iter()
        .map(|l| (l.code, pseudonymizer(l)))
        .collect();
    let codes: Vec<&str> = LANGUAGES.iter().map(|l| l.code).collect();
    let m = measure(&samples, &pseudonymizers);
    let goals = Goals {
        recall: |category| match category {
            Personal::Email | Personal::Phone | Personal::Iban | Personal::Card => {
                STRUCTURED_RECALL
            }
            Personal::UndeclaredName => UNDECLARED_NAME_RECALL,
            _ => RECALL,
        },
        over_redaction: OVER_REDACTION,
    };
    let failures = report(&m, &codes, &goals);
    assert!(
        failures.is_empty(),
        "below the goals:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_sentence_is_restored_exactly() {
    let samples = corpus::corpus();
    for language in LANGUAGES {
        let mut vault = Vault::new(pseudonymizer(language));
        for sample in samples.iter().filter(|s| s.group == language.code) {
            let redacted = vault.redact(&sample.text);
            assert_eq!(vault.restore(&redacted), sample.text);
        }
    }
}

#[test]
fn the_corpus_is_the_same_on_every_run() {
    let first: Vec<String> = corpus::corpus().into_iter().map(|s| s.text).collect();
    let second: Vec<String> = corpus::corpus().into_iter().map(|s| s.text).collect();
    assert_eq!(first, second);
}
