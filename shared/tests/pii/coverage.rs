//! Breadth beyond the sentences: the national phone formats of every EU country (and the UK and the
//! US), read by a tenant at home and by one next door, and IBANs of every country of the IBAN registry.

use confide_shared::pseudonymize::{Category, NameDictionary, Pseudonymizer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn pseudonymizer(country: &str) -> Pseudonymizer {
    Pseudonymizer::new(
        NameDictionary::new(Vec::<String>::new(), Vec::<String>::new()),
        Some(country),
    )
}

/// A valid number of `region` near the metadata's example, written as the country writes it nationally.
fn national_number(rng: &mut StdRng, region: &str) -> String {
    let id: phonenumber::country::Id = region.parse().expect("region");
    let metadata = phonenumber::metadata::DATABASE
        .by_id(region)
        .expect("metadata");
    let descriptors = metadata.descriptors();
    let examples: Vec<&str> = [descriptors.mobile(), descriptors.fixed_line()]
        .into_iter()
        .flatten()
        .filter_map(|d| d.example())
        .collect();
    for _ in 0..10_000 {
        let example = examples[rng.random_range(0..examples.len())];
        let keep = example.len().saturating_sub(4);
        let digits: String = example[..keep]
            .chars()
            .chain((keep..example.len()).map(|_| char::from(b'0' + rng.random_range(0..10u8))))
            .collect();
        let number = match phonenumber::parse(Some(id), &digits) {
            Ok(n) if phonenumber::is_valid(&n) => n,
            _ => continue,
        };
        let national = number
            .format()
            .mode(phonenumber::Mode::National)
            .to_string();
        return match rng.random_range(0..3) {
            0 => national.replace(' ', ""),
            1 => national.replace(' ', "-"),
            _ => national,
        };
    }
    panic!("no valid number near the examples of {region}")
}

#[test]
fn national_numbers_of_every_eu_country_are_found_at_home_and_next_door() {
    // (home, a neighbour whose tenants also read it)
    const PAIRS: &[(&str, &str)] = &[
        ("AT", "DE"),
        ("BE", "NL"),
        ("BG", "RO"),
        ("HR", "SI"),
        ("CY", "GR"),
        ("CZ", "SK"),
        ("DK", "SE"),
        ("EE", "FI"),
        ("FI", "SE"),
        ("FR", "BE"),
        ("DE", "AT"),
        ("GR", "BG"),
        ("HU", "AT"),
        ("IE", "GB"),
        ("IT", "AT"),
        ("LV", "LT"),
        ("LT", "LV"),
        ("LU", "BE"),
        ("MT", "IT"),
        ("NL", "BE"),
        ("PL", "DE"),
        ("PT", "ES"),
        ("RO", "HU"),
        ("SK", "CZ"),
        ("SI", "IT"),
        ("ES", "PT"),
        ("SE", "DK"),
        ("GB", "IE"),
        ("US", "GB"),
    ];
    let mut rng = StdRng::seed_from_u64(11_027);
    let mut misses = Vec::new();
    let mut total = 0;
    for (home, next_door) in PAIRS {
        for tenant in [home, next_door] {
            let reader = pseudonymizer(tenant);
            for _ in 0..20 {
                let number = national_number(&mut rng, home);
                let text = format!("Tel.: {number}, bitte zurückrufen.");
                let start = text.find(&number).expect("number in text");
                let found = reader.analyze(&text).iter().any(|f| {
                    f.category == Category::Phone
                        && f.start <= start
                        && start + number.len() <= f.end
                });
                total += 1;
                if !found {
                    misses.push(format!("{home} number {number} read in {tenant}"));
                }
            }
        }
    }
    let recall = 1.0 - misses.len() as f64 / total as f64;
    println!(
        "national numbers of {} countries: {:.2}% of {total}",
        PAIRS.len(),
        100.0 * recall
    );
    assert!(
        recall >= 0.99,
        "recall {recall:.4}; missed:\n{}",
        misses.join("\n")
    );
}

#[test]
fn ibans_of_every_registry_country_are_found_in_any_case_and_grouping() {
    // The SWIFT IBAN registry: country and length.
    const REGISTRY: &[(&str, usize)] = &[
        ("AD", 24),
        ("AE", 23),
        ("AL", 28),
        ("AT", 20),
        ("AZ", 28),
        ("BA", 20),
        ("BE", 16),
        ("BG", 22),
        ("BH", 22),
        ("BI", 27),
        ("BR", 29),
        ("BY", 28),
        ("CH", 21),
        ("CR", 22),
        ("CY", 28),
        ("CZ", 24),
        ("DE", 22),
        ("DK", 18),
        ("DO", 28),
        ("EE", 20),
        ("EG", 29),
        ("ES", 24),
        ("FI", 18),
        ("FO", 18),
        ("FR", 27),
        ("GB", 22),
        ("GE", 22),
        ("GI", 23),
        ("GL", 18),
        ("GR", 27),
        ("GT", 28),
        ("HR", 21),
        ("HU", 28),
        ("IE", 22),
        ("IL", 23),
        ("IQ", 23),
        ("IS", 26),
        ("IT", 27),
        ("JO", 30),
        ("KW", 30),
        ("KZ", 20),
        ("LB", 28),
        ("LC", 32),
        ("LI", 21),
        ("LT", 20),
        ("LU", 20),
        ("LV", 21),
        ("LY", 25),
        ("MC", 27),
        ("MD", 24),
        ("ME", 22),
        ("MK", 19),
        ("MR", 27),
        ("MT", 31),
        ("MU", 30),
        ("NL", 18),
        ("NO", 15),
        ("PK", 24),
        ("PL", 28),
        ("PS", 29),
        ("PT", 25),
        ("QA", 29),
        ("RO", 24),
        ("RS", 22),
        ("SA", 24),
        ("SC", 31),
        ("SE", 24),
        ("SI", 19),
        ("SK", 24),
        ("SM", 27),
        ("ST", 25),
        ("SV", 28),
        ("TL", 23),
        ("TN", 24),
        ("TR", 26),
        ("UA", 29),
        ("VA", 22),
        ("VG", 24),
        ("XK", 20),
    ];
    let mut rng = StdRng::seed_from_u64(11_013);
    let reader = pseudonymizer("DE");
    let mut misses = Vec::new();
    for &(country, length) in REGISTRY {
        for variant in 0..4 {
            let bban: String = (0..length - 4)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            let remainder = format!("{bban}{country}00").chars().fold(0u32, |r, c| {
                let v = c.to_digit(36).expect("alphanumeric");
                if v >= 10 {
                    (r * 100 + v) % 97
                } else {
                    (r * 10 + v) % 97
                }
            });
            let compact = format!("{country}{:02}{bban}", 98 - remainder);
            let grouped: Vec<String> = compact
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            let written = match variant {
                0 => compact.clone(),
                1 => grouped.join(" "),
                2 => grouped.join(" ").to_lowercase(),
                _ => grouped.join("-"),
            };
            let text = format!("Bitte auf {written} überweisen.");
            let start = text.find(&written).expect("iban in text");
            let found = reader.analyze(&text).iter().any(|f| {
                f.category == Category::Iban && f.start == start && f.end == start + written.len()
            });
            if !found {
                misses.push(written);
            }
        }
    }
    assert!(misses.is_empty(), "IBANs missed:\n{}", misses.join("\n"));
}
