//! Check digits of the numbers the recognizers accept: a number that fails its check is left alone.
//! Every function takes the number's digits and letters only (separators removed).

/// Luhn (ISO/IEC 7812): payment cards.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// EAN-13 (GTIN-13) check digit: digits weighted 1 3 1 3 … from the left, the last making the sum a
/// multiple of ten.
pub fn ean13(digits: &[u8]) -> bool {
    digits.len() == 13
        && digits
            .iter()
            .enumerate()
            .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 3 })
            .sum::<u32>()
            .is_multiple_of(10)
}

/// Length of the IBANs of a country (ISO 13616 registry), `None` for a country without IBANs.
pub fn iban_length(country: &str) -> Option<usize> {
    let length = match country {
        "NO" => 15,
        "BE" => 16,
        "DK" | "FI" | "FO" | "GL" | "NL" => 18,
        "MK" | "SI" => 19,
        "AT" | "BA" | "EE" | "KZ" | "LT" | "LU" | "XK" => 20,
        "CH" | "HR" | "LI" | "LV" => 21,
        "BG" | "BH" | "CR" | "DE" | "GB" | "GE" | "IE" | "ME" | "RS" | "VA" => 22,
        "GI" | "IL" | "TL" | "AE" | "IQ" => 23,
        "AD" | "CZ" | "ES" | "MD" | "PK" | "RO" | "SA" | "SE" | "SK" | "TN" | "VG" => 24,
        "PT" | "ST" | "LY" => 25,
        "IR" | "IS" | "TR" => 26,
        "FR" | "GR" | "IT" | "MC" | "MR" | "SM" | "BI" => 27,
        "AL" | "AZ" | "BY" | "CY" | "DO" | "GT" | "HU" | "LB" | "PL" | "SV" => 28,
        "BR" | "EG" | "PS" | "QA" | "UA" => 29,
        "JO" | "KW" | "MU" => 30,
        "MT" | "SC" => 31,
        "LC" => 32,
        "RU" => 33,
        _ => return None,
    };
    Some(length)
}

/// ISO 7064 MOD 97-10 over an IBAN in upper case without spaces.
pub fn iban(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    if bytes.len() < 15 || iban_length(&compact[..2]) != Some(bytes.len()) {
        return false;
    }
    let mut remainder: u32 = 0;
    for &b in bytes[4..].iter().chain(&bytes[..4]) {
        let value = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

/// Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter).
pub fn dni_or_nie(compact: &str) -> bool {
    const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let upper = compact.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    if bytes.len() != 9 {
        return false;
    }
    let lead = match bytes[0] {
        b'X' => b'0',
        b'Y' => b'1',
        b'Z' => b'2',
        d @ b'0'..=b'9' => d,
        _ => return false,
    };
    let mut number: u32 = u32::from(lead - b'0');
    for &b in &bytes[1..8] {
        if !b.is_ascii_digit() {
            return false;
        }
        number = number * 10 + u32::from(b - b'0');
    }
    LETTERS[(number % 23) as usize] == bytes[8]
}

/// German tax id (Steuerliche Identifikationsnummer): 11 digits, no leading 0, ISO 7064 MOD 11,10,
/// and in the first ten digits one digit appears two or three times and at most one is missing.
pub fn steuer_id(digits: &[u8]) -> bool {
    if digits.len() != 11 || digits[0] == 0 {
        return false;
    }
    let mut counts = [0u8; 10];
    for &d in &digits[..10] {
        counts[d as usize] += 1;
    }
    let repeated = counts.iter().filter(|&&c| c > 1).count();
    let max = counts.iter().copied().max().unwrap_or(0);
    if repeated != 1 || max > 3 {
        return false;
    }
    let mut product: u32 = 10;
    for &d in &digits[..10] {
        let mut sum = (u32::from(d) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = (11 - product) % 10;
    check == u32::from(digits[10])
}

/// French social security number (NIR): 13 characters (Corsica's 2A/2B read as 19/18) and a
/// two-digit key, 97 − (number mod 97).
pub fn nir(compact: &str) -> bool {
    if compact.len() != 15 {
        return false;
    }
    let upper = compact.to_ascii_uppercase();
    let body = upper[..13].replace("2A", "19").replace("2B", "18");
    let (Ok(number), Ok(key)) = (body.parse::<u64>(), upper[13..].parse::<u64>()) else {
        return false;
    };
    matches!(upper.as_bytes()[0], b'1' | b'2') && 97 - number % 97 == key
}

/// Polish PESEL: 11 digits, weighted check digit, and a real birth date (the month carries the century).
pub fn pesel(digits: &[u8]) -> bool {
    if digits.len() != 11 {
        return false;
    }
    const WEIGHTS: [u32; 10] = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
    let sum: u32 = digits[..10]
        .iter()
        .zip(WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    if (10 - sum % 10) % 10 != u32::from(digits[10]) {
        return false;
    }
    let month = u32::from(digits[2]) * 10 + u32::from(digits[3]);
    let day = u32::from(digits[4]) * 10 + u32::from(digits[5]);
    (1..=12).contains(&(month % 20)) && (1..=31).contains(&day)
}

/// Dutch citizen service number (BSN): 9 digits passing the "elfproef" (9a+8b+…+2h−i ≡ 0 mod 11).
pub fn bsn(digits: &[u8]) -> bool {
    if digits.len() != 9 || digits.iter().all(|&d| d == 0) {
        return false;
    }
    let sum: i32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let weight = if i == 8 { -1 } else { 9 - i as i32 };
            weight * i32::from(d)
        })
        .sum();
    sum % 11 == 0
}

/// US social security number: 3-2-4 digits, with area, group and serial in their valid ranges.
pub fn ssn(digits: &[u8]) -> bool {
    if digits.len() != 9 {
        return false;
    }
    let area = u32::from(digits[0]) * 100 + u32::from(digits[1]) * 10 + u32::from(digits[2]);
    let group = u32::from(digits[3]) * 10 + u32::from(digits[4]);
    let serial = digits[5..].iter().fold(0u32, |n, &d| n * 10 + u32::from(d));
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// UK National Insurance number: two letters (not every pair is issued), six digits, a letter A–D.
pub fn nino(compact: &str) -> bool {
    let upper = compact.to_ascii_uppercase();
    let b = upper.as_bytes();
    if b.len() != 9 {
        return false;
    }
    let first_ok = b[0].is_ascii_uppercase() && !b"DFIQUV".contains(&b[0]);
    let second_ok = b[1].is_ascii_uppercase() && !b"DFIQUVO".contains(&b[1]);
    let prefix_ok = !["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(&&upper[..2]);
    first_ok
        && second_ok
        && prefix_ok
        && b[2..8].iter().all(u8::is_ascii_digit)
        && (b'A'..=b'D').contains(&b[8])
}

/// German Rentenversicherungsnummer, `65170839J003`: two digits of the issuing office, the birth date
/// (DDMMYY, the day raised by 50 for a second number), the surname's initial, a serial and a check
/// digit — the initial read as its two-digit place in the alphabet, the twelve digits weighted
/// 2 1 2 5 7 1 2 1 2 1 2 1, the sum of the products' digit sums mod 10.
pub fn rentenversicherungsnummer(compact: &str) -> bool {
    let upper = compact.to_ascii_uppercase();
    let b = upper.as_bytes();
    if b.len() != 12 || !b[8].is_ascii_uppercase() {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> { upper.get(range)?.parse().ok() };
    let (Some(day), Some(month)) = (number(2..4), number(4..6)) else {
        return false;
    };
    let day = if day > 50 { day - 50 } else { day };
    if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        return false;
    }
    let letter = u32::from(b[8] - b'A' + 1);
    let mut twelve: Vec<u32> = Vec::with_capacity(12);
    for (i, &c) in b.iter().enumerate() {
        match i {
            8 => twelve.extend([letter / 10, letter % 10]),
            11 => {}
            _ if c.is_ascii_digit() => twelve.push(u32::from(c - b'0')),
            _ => return false,
        }
    }
    const WEIGHTS: [u32; 12] = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1];
    let digit_sum = |n: u32| n / 10 + n % 10;
    let sum: u32 = twelve
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| digit_sum(d * w))
        .sum();
    b[11].is_ascii_digit() && sum % 10 == u32::from(b[11] - b'0')
}

/// Italian codice fiscale: 16 characters, the last a check letter over odd and even positions.
/// Digits replaced by letters (omocodia) are accepted.
pub fn codice_fiscale(compact: &str) -> bool {
    const ODD: [u32; 36] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0–9
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23, // A–Z
    ];
    let upper = compact.to_ascii_uppercase();
    let b = upper.as_bytes();
    if b.len() != 16 || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let index = |c: u8| -> usize {
        if c.is_ascii_digit() {
            (c - b'0') as usize
        } else {
            (c - b'A') as usize + 10
        }
    };
    let even_value = |c: u8| -> u32 {
        if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A')
        }
    };
    let mut sum = 0;
    for (i, &c) in b[..15].iter().enumerate() {
        sum += if i % 2 == 0 {
            ODD[index(c)]
        } else {
            even_value(c)
        };
    }
    b[15] == b'A' + (sum % 26) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect()
    }

    #[test]
    fn published_examples_pass_and_one_changed_digit_fails() {
        assert!(luhn(&digits("4111111111111111")));
        assert!(!luhn(&digits("4111111111111112")));
        assert!(iban("DE89370400440532013000"));
        assert!(iban("GB82WEST12345698765432"));
        assert!(!iban("DE89370400440532013001"));
        assert!(!iban("DE8937040044053201300"), "wrong length for DE");
        assert!(dni_or_nie("12345678Z"));
        assert!(dni_or_nie("X1234567L"));
        assert!(!dni_or_nie("12345678A"));
        assert!(steuer_id(&digits("86095742719")));
        assert!(!steuer_id(&digits("86095742718")));
        assert!(nir("255081416802538"));
        assert!(!nir("255081416802539"));
        assert!(pesel(&digits("44051401359")));
        assert!(!pesel(&digits("44051401358")));
        assert!(bsn(&digits("111222333")));
        assert!(!bsn(&digits("111222334")));
        assert!(ssn(&digits("536-90-4399")));
        assert!(!ssn(&digits("666-90-4399")));
        assert!(nino("AB123456C"));
        assert!(!nino("GB123456C"));
        assert!(ean13(&digits("4006381333931")));
        assert!(!ean13(&digits("4006381333932")));
        assert!(rentenversicherungsnummer("65170839J003"));
        assert!(!rentenversicherungsnummer("65170839J004"));
        assert!(!rentenversicherungsnummer("65173839J003"), "no 38th day");
        assert!(codice_fiscale("RSSMRA85T10A562S"));
        assert!(!codice_fiscale("RSSMRA85T10A562T"));
    }
}
