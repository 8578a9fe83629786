//! What pseudonymisation costs (goals: ≤ 1 ms per sentence, a 10 KB prompt in ≤ 5 ms, on one
//! core, release build), on the labelled corpus of `tests/pii/`: every sentence of the seven languages,
//! the Faker corpus's sentences of eight locales, a 10 KB prompt made of them, and a tenant with
//! 10,000 contacts: building its automaton, and the worker's per-job check (through its
//! `NameCache`) that the names it just read are unchanged.
//!
//! `cargo bench -p confide-shared --bench pseudonymize`

// The bench reads the corpus's sentences, not its labels.
#[allow(dead_code)]
#[path = "../tests/pii/corpus.rs"]
mod corpus;
#[path = "../tests/pii/languages.rs"]
mod languages;
#[path = "../tests/pii/values.rs"]
mod values;

use confide_shared::pseudonymize::{NameCache, NameDictionary, Pseudonymizer, Vault};
use languages::LANGUAGES;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;

fn pseudonymizer(code: &str, known: &[String]) -> Pseudonymizer {
    let language = LANGUAGES.iter().find(|l| l.code == code).expect("language");
    Pseudonymizer::new(
        NameDictionary::new(
            language.declared,
            language
                .contacts
                .iter()
                .map(|c| c.to_string())
                .chain(known.iter().cloned()),
        ),
        Some(language.country),
    )
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// 10,000 made-up contact names from the gazetteers' syllables, as a large tenant has.
fn many_names(n: usize) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(7);
    let syllables = [
        "ka", "lo", "wi", "ber", "an", "ste", "mar", "zu", "ol", "pet", "ri", "sen", "da", "gru",
        "mo", "lin",
    ];
    let word = |rng: &mut StdRng| {
        let mut w: String = (0..rng.random_range(2..4))
            .map(|_| syllables[rng.random_range(0..syllables.len())])
            .collect();
        w[..1].make_ascii_uppercase();
        w
    };
    (0..n)
        .map(|_| format!("{} {}", word(&mut rng), word(&mut rng)))
        .collect()
}

fn report_sentences(title: &str, count: usize, bytes: usize, sorted: &[Duration]) {
    let mean = sorted.iter().sum::<Duration>() / sorted.len() as u32;
    println!(
        "{title} ({count} sentences × {ROUNDS}, mean {} bytes): mean {:.1} µs, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        bytes / sorted.len(),
        micros(mean),
        micros(percentile(sorted, 0.5)),
        micros(percentile(sorted, 0.99)),
        micros(*sorted.last().expect("timings")),
    );
}

/// The Faker corpus's sentences (`tests/pii/faker/`), each with a tenant of its locale: the
/// locale's country, declared people and contacts.
fn faker_sentences() -> Vec<(std::rc::Rc<Pseudonymizer>, String)> {
    use serde_json::Value;
    let corpus: Value = serde_json::from_str(include_str!("../tests/pii/faker/sentences.json"))
        .expect("the Faker corpus reads");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut tenants = std::collections::HashMap::new();
    let sentences = corpus["sentences"].as_array().expect("sentences");
    sentences
        .iter()
        .map(|sentence| {
            let locale = sentence["locale"].as_str().expect("locale").to_owned();
            let tenant = tenants
                .entry(locale.clone())
                .or_insert_with(|| {
                    let people = &corpus["locales"][&locale];
                    std::rc::Rc::new(Pseudonymizer::new(
                        NameDictionary::new(
                            strings(&people["declared"]),
                            strings(&people["contacts"]),
                        ),
                        sentence["country"].as_str(),
                    ))
                })
                .clone();
            let text: String = sentence["parts"]
                .as_array()
                .expect("parts")
                .iter()
                .filter_map(|part| part[0].as_str())
                .collect();
            (tenant, text)
        })
        .collect()
}

fn main() {
    let samples = corpus::corpus();
    let pseudonymizers: Vec<(&str, Pseudonymizer)> = LANGUAGES
        .iter()
        .map(|l| (l.code, pseudonymizer(l.code, &[])))
        .collect();
    let for_language = |code: &str| {
        &pseudonymizers
            .iter()
            .find(|(c, _)| *c == code)
            .expect("code")
            .1
    };
    // Warm the shared recognizers (compiled once per process).
    for sample in samples.iter().take(50) {
        for_language(sample.group).analyze(&sample.text);
    }

    let mut per_sentence = Vec::with_capacity(samples.len() * ROUNDS);
    let mut bytes = 0;
    for _ in 0..ROUNDS {
        for sample in &samples {
            let p = for_language(sample.group);
            let start = Instant::now();
            std::hint::black_box(p.analyze(&sample.text));
            per_sentence.push(start.elapsed());
            bytes += sample.text.len();
        }
    }
    if std::env::var_os("PII_BENCH_SLOWEST").is_some() {
        let mut slow: Vec<(Duration, &str)> = samples
            .iter()
            .map(|s| {
                let start = Instant::now();
                for_language(s.group).analyze(&s.text);
                (start.elapsed(), s.text.as_str())
            })
            .collect();
        slow.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (d, text) in slow.iter().take(12) {
            println!("{:>8.1} µs  {text}", micros(*d));
        }
    }
    per_sentence.sort();
    report_sentences("per sentence", samples.len(), bytes, &per_sentence);
    let faker = faker_sentences();
    let mut faker_times = Vec::with_capacity(faker.len() * ROUNDS);
    let mut faker_bytes = 0;
    for _ in 0..ROUNDS {
        for (tenant, text) in &faker {
            let start = Instant::now();
            std::hint::black_box(tenant.analyze(text));
            faker_times.push(start.elapsed());
            faker_bytes += text.len();
        }
    }
    faker_times.sort();
    report_sentences("per Faker sentence", faker.len(), faker_bytes, &faker_times);
    per_sentence.extend(faker_times);
    per_sentence.sort();

    let mut prompt = String::new();
    for sample in samples.iter().filter(|s| s.group == "de") {
        if prompt.len() >= 10 * 1024 {
            break;
        }
        prompt.push_str(&sample.text);
        prompt.push('\n');
    }
    let mut prompt_times: Vec<Duration> = (0..100)
        .map(|_| {
            let mut vault = Vault::new(pseudonymizer("de", &[]));
            let start = Instant::now();
            std::hint::black_box(vault.redact(&prompt));
            start.elapsed()
        })
        .collect();
    prompt_times.sort();
    println!(
        "10 KB prompt ({} bytes, redacted into placeholders): p50 {:.2} ms, max {:.2} ms",
        prompt.len(),
        micros(percentile(&prompt_times, 0.5)) / 1000.0,
        micros(*prompt_times.last().expect("timings")) / 1000.0
    );

    let names = many_names(10_000);
    let mut builds: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(pseudonymizer("de", &names));
            start.elapsed()
        })
        .collect();
    builds.sort();
    let cache = NameCache::default();
    cache.dictionary("tenant", &names);
    let start = Instant::now();
    for _ in 0..100 {
        std::hint::black_box(cache.dictionary("tenant", &names));
    }
    let cache_hit = start.elapsed() / 100;
    let large = pseudonymizer("de", &names);
    let start = Instant::now();
    for _ in 0..100 {
        std::hint::black_box(large.analyze(&prompt));
    }
    let large_prompt = start.elapsed() / 100;
    println!(
        "tenant with 10,000 contacts: dictionary build p50 {:.2} ms (max {:.2} ms, once per change); per job, cache check {:.3} ms; 10 KB prompt with it {:.2} ms",
        micros(percentile(&builds, 0.5)) / 1000.0,
        micros(*builds.last().expect("timings")) / 1000.0,
        micros(cache_hit) / 1000.0,
        micros(large_prompt) / 1000.0
    );

    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_owned)
        })
        .unwrap_or_default();
    println!(
        "peak memory of the whole bench: {}",
        peak.trim_start_matches("VmHWM:").trim()
    );
    let sentence_ok = percentile(&per_sentence, 0.99) <= Duration::from_millis(1);
    let prompt_ok = percentile(&prompt_times, 0.5) <= Duration::from_millis(5);
    println!(
        "goals: ≤ 1 ms per sentence (p99) {}; 10 KB ≤ 5 ms {}",
        if sentence_ok { "met" } else { "MISSED" },
        if prompt_ok { "met" } else { "MISSED" }
    );
}
