//! Generators of the values a sentence carries: personal data with valid check digits and numbering
//! plans, and the business strings that must survive. Every one is written the ways people write it.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

pub fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().expect("a non-empty list")
}

fn digit(rng: &mut StdRng) -> char {
    char::from(b'0' + rng.random_range(0..10u8))
}

/// `x` → a random digit, everything else as written.
fn fill_digits(rng: &mut StdRng, pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| if c == 'x' { digit(rng) } else { c })
        .collect()
}

pub fn email(rng: &mut StdRng, given: &str, family: &str) -> String {
    let fold = |s: &str| -> String {
        s.chars()
            .flat_map(char::to_lowercase)
            .map(|c| match c {
                'ä' | 'á' | 'à' | 'â' | 'ą' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'ę' => 'e',
                'í' | 'ì' | 'î' => 'i',
                'ó' | 'ò' | 'ô' | 'ö' => 'o',
                'ú' | 'ù' | 'û' | 'ü' => 'u',
                'ł' => 'l',
                'ń' | 'ñ' => 'n',
                'ś' | 'š' => 's',
                'ź' | 'ż' => 'z',
                'ć' | 'ç' => 'c',
                ' ' => '-',
                other => other,
            })
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '\'')
            .collect()
    };
    let (g, f) = (fold(given), fold(family));
    let local = match rng.random_range(0..6) {
        0 => format!("{g}.{f}"),
        1 => format!("{}{f}", &g[..1]),
        2 => format!("{g}_{f}{}", rng.random_range(1..99)),
        3 => format!("{g}+shop@"),
        4 => format!("{g}.o'{f}"),
        _ => g.clone(),
    };
    let local = local.trim_end_matches('@');
    let domain = pick(
        rng,
        &[
            "gmail.com",
            "web.de",
            "gmx.net",
            "orange.fr",
            "libero.it",
            "wp.pl",
            "onet.pl",
            "ziggo.nl",
            "telefonica.es",
            "outlook.com",
            "yahoo.co.uk",
            "mail.example.org",
            "bakery-mueller.de",
        ],
    );
    let address = format!("{local}@{domain}");
    if rng.random_bool(0.1) {
        address.to_uppercase()
    } else {
        address
    }
}

/// Ways people write the phone numbers of a country, `x` a digit; validity is checked by the caller.
pub fn phone_formats(country: &str) -> &'static [&'static str] {
    match country {
        "DE" => &[
            "030 xxxxxxx",
            "0151 xxxxxxxx",
            "089 xxxxxxxx",
            "+49 30 xxxxxxx",
            "0049 151 xxxxxxxx",
            "(030) xxxxxxx",
            "030/xxxxxxx",
            "0171-xxxxxxx",
            "+49 (0)40 xxxxxxx",
            "040 xxx xx xx",
        ],
        "FR" => &[
            "06 xx xx xx xx",
            "01 xx xx xx xx",
            "+33 6 xx xx xx xx",
            "06.xx.xx.xx.xx",
            "0033 1 xx xx xx xx",
            "07xxxxxxxx",
            "04 xx xx xx xx",
        ],
        "ES" => &[
            "6xx xxx xxx",
            "91x xx xx xx",
            "+34 6xx xxx xxx",
            "6xx-xxx-xxx",
            "6xxxxxxxx",
            "0034 93x xxx xxx",
            "7xx xx xx xx",
        ],
        "IT" => &[
            "3xx xxx xxxx",
            "06 xxxx xxxx",
            "02 xxxx xxxx",
            "+39 3xx xxx xxxx",
            "3xx/xxxxxxx",
            "0039 02 xxxxxxx",
            "3xxxxxxxxx",
        ],
        "NL" => &[
            "06-xxxxxxxx",
            "06 xx xx xx xx",
            "020 xxx xxxx",
            "+31 6 xxxxxxxx",
            "010-xxxxxxx",
            "0031 20 xxx xxxx",
            "06xxxxxxxx",
        ],
        "PL" => &[
            "5xx xxx xxx",
            "6xx-xxx-xxx",
            "(22) xxx-xx-xx",
            "+48 5xx xxx xxx",
            "22 xxx xx xx",
            "0048 6xx xxx xxx",
            "7xxxxxxxx",
        ],
        "GB" => &[
            "07xxx xxxxxx",
            "020 xxxx xxxx",
            "+44 7xxx xxxxxx",
            "0161 xxx xxxx",
            "+44 (0)20 xxxx xxxx",
        ],
        "US" => &[
            "(2xx) xxx-xxxx",
            "3xx-xxx-xxxx",
            "+1 4xx xxx xxxx",
            "(6xx) xxx xxxx",
            "7xx.xxx.xxxx",
        ],
        _ => &[],
    }
}

/// A valid phone number of `country` in one of its written forms.
pub fn phone(rng: &mut StdRng, country: &str) -> String {
    let region: phonenumber::country::Id = country.parse().expect("a known region");
    for _ in 0..10_000 {
        let format = pick(rng, phone_formats(country));
        let candidate = fill_digits(rng, format);
        let parsed = phonenumber::parse(Some(region), candidate.replace("(0)", ""));
        if parsed.is_ok_and(|n| phonenumber::is_valid(&n)) {
            return candidate;
        }
    }
    panic!("no valid number for {country}")
}

/// A valid number of any EU country, written internationally as that country writes it.
pub fn international_phone(rng: &mut StdRng) -> String {
    const EU: &[(&str, u32, usize)] = &[
        ("AT", 43, 10),
        ("BE", 32, 9),
        ("BG", 359, 9),
        ("HR", 385, 9),
        ("CY", 357, 8),
        ("CZ", 420, 9),
        ("DK", 45, 8),
        ("EE", 372, 8),
        ("FI", 358, 9),
        ("GR", 30, 10),
        ("HU", 36, 9),
        ("IE", 353, 9),
        ("LV", 371, 8),
        ("LT", 370, 8),
        ("LU", 352, 9),
        ("MT", 356, 8),
        ("PT", 351, 9),
        ("RO", 40, 9),
        ("SK", 421, 9),
        ("SI", 386, 8),
        ("SE", 46, 9),
    ];
    loop {
        let &(_, code, length) = EU.choose(rng).expect("countries");
        let national: String = (0..length).map(|_| digit(rng)).collect();
        let raw = format!("+{code}{national}");
        if let Ok(number) = phonenumber::parse(None, &raw) {
            if phonenumber::is_valid(&number) {
                let written = number
                    .format()
                    .mode(phonenumber::Mode::International)
                    .to_string();
                return if rng.random_bool(0.3) {
                    written.replacen('+', "00", 1)
                } else {
                    written
                };
            }
        }
    }
}

fn mod97(digits_and_letters: &str) -> u32 {
    digits_and_letters.chars().fold(0u32, |r, c| {
        let v = c.to_digit(36).expect("alphanumeric");
        if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        }
    })
}

/// A valid IBAN of a European country, grouped by four, compact, in lower case or in a bank's grouping.
pub fn iban(rng: &mut StdRng, country: &str) -> String {
    let bban_pattern = match country {
        "DE" => "xxxxxxxxxxxxxxxxxx",
        "FR" => "xxxxxxxxxxxxxxxxxxxxxxx",
        "ES" => "xxxxxxxxxxxxxxxxxxxx",
        "IT" => "Xxxxxxxxxxxxxxxxxxxxxxx",
        "NL" => "XXXXxxxxxxxxxx",
        "PL" => "xxxxxxxxxxxxxxxxxxxxxxxx",
        "GB" => "XXXXxxxxxxxxxxxxxx",
        "AT" => "xxxxxxxxxxxxxxxx",
        "BE" => "xxxxxxxxxxxx",
        "PT" => "xxxxxxxxxxxxxxxxxxxxx",
        "IE" => "XXXXxxxxxxxxxxxxxx",
        "LU" => "xxxxxxxxxxxxxxxx",
        "FI" => "xxxxxxxxxxxxxx",
        "SE" => "xxxxxxxxxxxxxxxxxxxx",
        "DK" => "xxxxxxxxxxxxxx",
        "CZ" => "xxxxxxxxxxxxxxxxxxxx",
        "GR" => "xxxxxxxxxxxxxxxxxxxxxxx",
        "HR" => "xxxxxxxxxxxxxxxxx",
        _ => panic!("no IBAN pattern for {country}"),
    };
    let bban: String = bban_pattern
        .chars()
        .map(|c| match c {
            'x' => digit(rng),
            _ => char::from(b'A' + rng.random_range(0..26u8)),
        })
        .collect();
    let check = 98 - mod97(&format!("{bban}{country}00"));
    let compact = format!("{country}{check:02}{bban}");
    let grouped = |s: &str| {
        s.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match rng.random_range(0..5) {
        0 => compact,
        1 => grouped(&compact).to_lowercase(),
        2 if country == "ES" => format!(
            "{} {} {} {} {}",
            &compact[..4],
            &compact[4..8],
            &compact[8..12],
            &compact[12..14],
            &compact[14..]
        ),
        2 if country == "GB" || country == "IE" => format!(
            "{} {} {} {} {}",
            &compact[..4],
            &compact[4..8],
            &compact[8..14],
            &compact[14..18],
            &compact[18..]
        ),
        3 => grouped(&compact).replace(' ', "-"),
        _ => grouped(&compact),
    }
}

/// A Polish domestic account number (NRB): the IBAN without `PL`, 2 + 6 × 4 digits.
pub fn polish_account(rng: &mut StdRng) -> String {
    let iban = iban(rng, "PL").replace([' ', '-'], "").to_uppercase();
    let d = &iban[2..];
    format!(
        "{} {} {} {} {} {} {}",
        &d[..2],
        &d[2..6],
        &d[6..10],
        &d[10..14],
        &d[14..18],
        &d[18..22],
        &d[22..]
    )
}

fn luhn_complete(rng: &mut StdRng, prefix: &str, length: usize) -> String {
    let mut digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
    while digits.len() < length - 1 {
        digits.push(rng.random_range(0..10));
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).expect("digit"))
        .collect()
}

/// A card number of a real issuer range, with an expiry or CVC after it now and then.
pub fn card(rng: &mut StdRng) -> (String, String) {
    let (prefix, length) = *[
        ("4", 16),
        ("51", 16),
        ("55", 16),
        ("2221", 16),
        ("34", 15),
        ("37", 15),
        ("6011", 16),
        ("35", 16),
    ]
    .choose(rng)
    .expect("issuers");
    let number = luhn_complete(rng, prefix, length);
    let written = if length == 15 {
        format!("{} {} {}", &number[..4], &number[4..10], &number[10..])
    } else {
        match rng.random_range(0..3) {
            0 => number.clone(),
            1 => number
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).expect("ascii"))
                .collect::<Vec<_>>()
                .join("-"),
            _ => number
                .as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).expect("ascii"))
                .collect::<Vec<_>>()
                .join(" "),
        }
    };
    let after = match rng.random_range(0..4) {
        0 => format!(
            " {:02}/{}",
            rng.random_range(1..13),
            rng.random_range(26..32)
        ),
        1 => format!(" CVC {}", rng.random_range(100..1000)),
        _ => String::new(),
    };
    (written, after)
}

/// A national id with valid check digits, of the kind used in `country`.
pub fn national_id(rng: &mut StdRng, country: &str) -> String {
    let d = |rng: &mut StdRng, n: usize| -> String { (0..n).map(|_| digit(rng)).collect() };
    match country {
        "US" => loop {
            let area = rng.random_range(1..900);
            if area == 666 {
                continue;
            }
            break format!(
                "{area:03}-{:02}-{:04}",
                rng.random_range(1..100),
                rng.random_range(1..10000)
            );
        },
        "GB" => {
            const FIRST: &[u8] = b"ABCEGHJKLMNOPRSTWXYZ";
            const SECOND: &[u8] = b"ABCEGHJKLMNPRSTWXYZ";
            loop {
                let prefix = format!(
                    "{}{}",
                    char::from(*FIRST.choose(rng).expect("letters")),
                    char::from(*SECOND.choose(rng).expect("letters"))
                );
                if ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(&prefix.as_str()) {
                    continue;
                }
                let digits = d(rng, 6);
                let suffix = char::from(b'A' + rng.random_range(0..4u8));
                break if rng.random_bool(0.5) {
                    format!(
                        "{prefix} {} {} {} {suffix}",
                        &digits[..2],
                        &digits[2..4],
                        &digits[4..]
                    )
                } else {
                    format!("{prefix}{digits}{suffix}")
                };
            }
        }
        "ES" => {
            const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
            if rng.random_bool(0.3) {
                let lead = rng.random_range(0..3u32);
                let n = rng.random_range(0..10_000_000u32);
                let letter = LETTERS[((lead * 10_000_000 + n) % 23) as usize];
                format!(
                    "{}{n:07}{}",
                    ['X', 'Y', 'Z'][lead as usize],
                    char::from(letter)
                )
            } else {
                let n = rng.random_range(10_000_000..100_000_000u32);
                let letter = char::from(LETTERS[(n % 23) as usize]);
                if rng.random_bool(0.3) {
                    format!("{n}-{letter}")
                } else {
                    format!("{n}{letter}")
                }
            }
        }
        "DE" => loop {
            // Ten digits: one digit twice, one missing, the rest once; then the check digit.
            let mut pool: Vec<u8> = (0..10).collect();
            let twice = *pool.choose(rng).expect("digits");
            pool.retain(|&x| x != twice);
            let missing = *pool.choose(rng).expect("digits");
            let mut digits: Vec<u8> = (0..10).filter(|&x| x != missing).collect();
            digits.push(twice);
            use rand::seq::SliceRandom;
            digits.shuffle(rng);
            if digits[0] == 0 {
                continue;
            }
            let mut product: u32 = 10;
            for &x in &digits {
                let mut sum = (u32::from(x) + product) % 10;
                if sum == 0 {
                    sum = 10;
                }
                product = (sum * 2) % 11;
            }
            let check = ((11 - product) % 10) as u8;
            digits.push(check);
            let s: String = digits.iter().map(|x| char::from(b'0' + x)).collect();
            break if rng.random_bool(0.5) {
                format!("{} {} {} {}", &s[..2], &s[2..5], &s[5..8], &s[8..])
            } else {
                s
            };
        },
        "FR" => {
            let body = format!(
                "{}{:02}{:02}{:02}{:03}{:03}",
                rng.random_range(1..3),
                rng.random_range(40..100),
                rng.random_range(1..13),
                rng.random_range(1..96),
                rng.random_range(1..991),
                rng.random_range(1..1000)
            );
            let key = 97 - body.parse::<u64>().expect("digits") % 97;
            if rng.random_bool(0.5) {
                format!(
                    "{} {} {} {} {} {} {key:02}",
                    &body[..1],
                    &body[1..3],
                    &body[3..5],
                    &body[5..7],
                    &body[7..10],
                    &body[10..13]
                )
            } else {
                format!("{body}{key:02}")
            }
        }
        "PL" => {
            let year = rng.random_range(40..100);
            let (yy, mm) = if rng.random_bool(0.3) {
                (rng.random_range(0..10), rng.random_range(1..13) + 20)
            } else {
                (year, rng.random_range(1..13))
            };
            let body = format!("{yy:02}{mm:02}{:02}{}", rng.random_range(1..29), d(rng, 4));
            const WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
            let sum: u32 = body
                .chars()
                .zip(WEIGHTS)
                .map(|(c, w)| c.to_digit(10).expect("digit") * w)
                .sum();
            format!("{body}{}", (10 - sum % 10) % 10)
        }
        "IT" => {
            const ODD: [u32; 36] = [
                1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20,
                11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
            ];
            let letter = |rng: &mut StdRng| char::from(b'A' + rng.random_range(0..26u8));
            let month = *b"ABCDEHLMPRST".choose(rng).expect("months");
            let mut cf: String = (0..6).map(|_| letter(rng)).collect();
            cf.push_str(&format!("{:02}", rng.random_range(40..100)));
            cf.push(char::from(month));
            cf.push_str(&format!("{:02}", rng.random_range(1..72)));
            cf.push(letter(rng));
            cf.push_str(&d(rng, 3));
            let sum: u32 = cf
                .bytes()
                .enumerate()
                .map(|(i, c)| {
                    let index = if c.is_ascii_digit() {
                        (c - b'0') as usize
                    } else {
                        (c - b'A') as usize + 10
                    };
                    if i % 2 == 0 {
                        ODD[index]
                    } else if c.is_ascii_digit() {
                        u32::from(c - b'0')
                    } else {
                        u32::from(c - b'A')
                    }
                })
                .sum();
            cf.push(char::from(b'A' + (sum % 26) as u8));
            cf
        }
        "NL" => loop {
            let body: Vec<i32> = (0..8).map(|_| rng.random_range(0..10)).collect();
            let sum: i32 = body
                .iter()
                .enumerate()
                .map(|(i, &x)| (9 - i as i32) * x)
                .sum();
            let last = sum % 11;
            if last > 9 || body[0] == 0 {
                continue;
            }
            let s: String = body
                .iter()
                .chain(std::iter::once(&last))
                .map(|x| char::from(b'0' + *x as u8))
                .collect();
            break if rng.random_bool(0.3) {
                format!("{}.{}.{}", &s[..4], &s[4..6], &s[6..])
            } else {
                s
            };
        },
        _ => panic!("no national id for {country}"),
    }
}

pub fn ip(rng: &mut StdRng) -> String {
    if rng.random_bool(0.7) {
        format!(
            "{}.{}.{}.{}",
            rng.random_range(1..224),
            rng.random_range(0..256),
            rng.random_range(0..256),
            rng.random_range(1..255)
        )
    } else {
        let groups: Vec<String> = (0..8)
            .map(|_| format!("{:x}", rng.random_range(0..0x10000u32)))
            .collect();
        if rng.random_bool(0.5) {
            format!("2001:db8:{}::{}", groups[2], groups[7])
        } else {
            format!("2a02:{}", groups[1..].join(":"))
        }
    }
}

/// An EAN-13 with its check digit.
pub fn ean13(rng: &mut StdRng) -> String {
    let prefix = pick(
        rng,
        &[
            "400", "401", "300", "340", "840", "800", "590", "871", "500", "761",
        ],
    );
    let mut digits: Vec<u32> = prefix.chars().filter_map(|c| c.to_digit(10)).collect();
    while digits.len() < 12 {
        digits.push(rng.random_range(0..10));
    }
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 0 { d } else { d * 3 })
        .sum();
    digits.push((10 - sum % 10) % 10);
    digits
        .iter()
        .map(|d| char::from_digit(*d, 10).expect("digit"))
        .collect()
}

pub fn order_number(rng: &mut StdRng) -> String {
    match rng.random_range(0..6) {
        0 => format!("{:07}", rng.random_range(1..99_999)),
        1 => format!(
            "INV-{}-{:06}",
            rng.random_range(2024..2028),
            rng.random_range(1..999_999)
        ),
        2 => format!("#{}", rng.random_range(100_000..999_999)),
        3 => format!("R-{:06}", rng.random_range(1..99_999)),
        4 => format!("{}", rng.random_range(100_000_000..999_999_999u32)),
        _ => format!("{:010}", rng.random_range(1..9_999_999u32)),
    }
}

pub fn sku(rng: &mut StdRng) -> String {
    match rng.random_range(0..4) {
        0 => format!(
            "SKU-{}-{}",
            rng.random_range(10000..99999),
            pick(rng, &["A", "B", "XL", "M"])
        ),
        1 => format!(
            "ART-{:04}-{}",
            rng.random_range(1..9999),
            pick(rng, &["BL", "RD", "S", "L"])
        ),
        2 => format!(
            "{}-{}",
            rng.random_range(1000..9999),
            rng.random_range(10..99)
        ),
        _ => format!("P{}", rng.random_range(10000..999_999)),
    }
}

pub fn percent(rng: &mut StdRng) -> String {
    match rng.random_range(0..4) {
        0 => format!("{} %", rng.random_range(1..100)),
        1 => format!("{},{} %", rng.random_range(0..100), rng.random_range(0..10)),
        2 => format!("{}.{}%", rng.random_range(0..100), rng.random_range(0..10)),
        _ => format!("-{}%", rng.random_range(1..60)),
    }
}

pub fn year(rng: &mut StdRng) -> String {
    match rng.random_range(0..3) {
        0 => format!("{}", rng.random_range(1950..2030)),
        1 => format!(
            "{}–{}",
            rng.random_range(1990..2020),
            rng.random_range(2020..2030)
        ),
        _ => format!(
            "{}-{}",
            rng.random_range(2000..2026),
            rng.random_range(2026..2031)
        ),
    }
}

pub fn domain(rng: &mut StdRng) -> String {
    let name = pick(
        rng,
        &[
            "baeckerei-mueller",
            "boulangerie-paris",
            "panaderia-sol",
            "forno-roma",
            "bakkerij-jansen",
            "piekarnia-krakow",
            "corner-bakery",
            "shop",
            "caffe-centrale",
            "fietsenwinkel",
        ],
    );
    let tld = pick(
        rng,
        &["de", "fr", "es", "it", "nl", "pl", "co.uk", "com", "eu"],
    );
    match rng.random_range(0..3) {
        0 => format!("{name}.{tld}"),
        1 => format!("www.{name}.{tld}"),
        _ => format!("https://{name}.{tld}"),
    }
}
