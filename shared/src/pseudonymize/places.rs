//! Where a person can be found: emails, URLs with a path (`linkedin.com/in/jane-doe`), IP addresses,
//! street addresses in the forms of the seven languages, a postcode with a town, and dates of birth.
//! A bare domain, a postcode alone and an event's date are not personal and stay.

use super::pattern::Pattern;
use super::{Category, Context};
use std::net::Ipv6Addr;

const ADDRESS_WORDS: &[&str] = &[
    "address",
    "lives",
    "live",
    "living",
    "resid",
    "domicil", // en, fr, es, it
    "adresse",
    "anschrift",
    "wohnt",
    "wohnhaft",
    "wohnen", // de
    "habite",
    "demeure", // fr
    "direccion",
    "vive",
    "domicilio", // es
    "indirizzo",
    "abita",
    "residente", // it
    "adres",
    "woont",
    "woonachtig", // nl
    "mieszka",
    "zamieszk",
    "adresem", // pl
];

const BIRTH_WORDS: &[&str] = &[
    // "born" alone: as a prefix it takes Borna, borne
    "born$",
    "birth",
    "dob",
    "date of birth", // en
    "geboren",
    "geb",
    "geburt", // de
    "ne",
    "nee",
    "naissance", // fr
    "nacido",
    "nacida",
    "nacimiento", // es
    "nato$",
    "nata$",
    "nascita", // it
    "geboortedatum",
    "geboren op", // nl
    "urodz",
    "ur", // pl
];

/// A house number: `12`, `12a`, `12 A`, `12/3`, `12-14`.
const HOUSE_NUMBER: &str = r"[0-9]{1,4}(?:\s?[a-zA-Z](?-u:\b))?(?:\s?[/\-]\s?[0-9]{1,4}[a-zA-Z]?)?";
/// A capitalised word of a street or town name.
const NAME: &str = r"\p{Lu}[\p{L}'’.\-]*";
/// What may follow a street: a postcode and a town (`10115 Berlin`, `1012 AB Amsterdam`,
/// `00-950 Warszawa`), or a town and a UK or US postcode.
const TOWN_TAIL: &str = concat!(
    r"(?:,?\s+(?:(?:[0-9]{5}|[0-9]{4}\s?[A-Z]{2}|[0-9]{2}-[0-9]{3}|[0-9]{4})\s+\p{Lu}[\p{L}\-]+(?:[ \-](?:(?:im|am|an|der|sur|de|del|la|le|sul|nad|aan|den)\s)?\p{Lu}[\p{L}\-]+)?",
    r"|\p{Lu}[\p{L}]+(?:\s\p{Lu}[\p{L}]+)?,?\s+(?:[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][A-Z]{2}(?-u:\b)|[A-Z]{2}\s[0-9]{5}(?:-[0-9]{4})?)))?"
);

fn address(name: &'static str, street: &str) -> Pattern {
    Pattern::new(
        name,
        Category::Address,
        &format!("{street}{TOWN_TAIL}"),
        |_| Some(0.85),
        Context::NONE,
    )
}

fn addresses() -> Vec<Pattern> {
    let n = HOUSE_NUMBER;
    vec![
        // Hauptstraße 5, Berliner Str. 12, Kerkstraat 3, Am Markt 7, Unter den Linden 77
        address(
            "address_de_nl",
            &format!(
                r"(?:(?:{NAME}\s)?{NAME}(?i:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|steig|chaussee|pfad|markt|graben|straat|laan|gracht|plein|kade|singel|dijk|steeg|dreef|hof)|{NAME}\s(?:Straße|Strasse|Str\.|Weg|Gasse|Allee|Platz|Ring|Damm|Ufer|Chaussee|Markt|Steig|Pfad|Graben)|(?:Am|An der|Auf dem|Im|In der|Zum|Zur|Unter den|Hinter dem)\s{NAME})\s+{n}(?-u:\b)"
            ),
        ),
        // 12 rue de la Paix, 3 bis avenue Victor Hugo
        address(
            "address_fr",
            &format!(
                r"(?-u:\b)[0-9]{{1,4}}[a-zA-Z]?(?:\s?(?:bis|ter))?,?\s+(?i:rue|avenue|av\.|boulevard|bd|place|chemin|allée|allee|impasse|quai|route|cours|square|passage)\s+(?:(?:de la|de l'|du|des|de|d'|la|le|les)\s?)?{NAME}(?:\s(?:de la |de |du |des )?{NAME}){{0,3}}"
            ),
        ),
        // Calle Mayor 5, C/ de Alcalá, 23, Avenida de la Constitución nº 12
        address(
            "address_es",
            &format!(
                r"(?-u:\b)(?i:calle|c/|avenida|avda\.|av\.|paseo|plaza|pza\.|camino|carretera|ronda|travesía|glorieta)\s?(?:(?:de la|del|de los|de las|de)\s)?{NAME}(?:\s(?:de la |del |de )?{NAME}){{0,3}},?\s(?:n[º°o]\.?\s?)?{n}(?:,?\s?[0-9]{{1,2}}º\s?[A-Za-z]?)?"
            ),
        ),
        // Via Roma 10, Piazza San Marco 1, Corso Vittorio Emanuele II, 45
        address(
            "address_it",
            &format!(
                r"(?-u:\b)(?:[Vv]ia|[Vv]iale|[Pp]iazza|[Pp]\.zza|[Cc]orso|[Ll]argo|[Vv]icolo|[Ss]trada|[Pp]iazzale)\s(?:(?:del|della|dei|degli|delle|di|dell')\s?)?{NAME}(?:\s(?:del |della |di )?{NAME}){{0,3}},?\s(?:n\.?\s?)?{n}"
            ),
        ),
        // ul. Marszałkowska 10/4, al. Jana Pawła II 23, pl. Zbawiciela 5
        address(
            "address_pl",
            &format!(
                r"(?-u:\b)(?i:ul\.|ulica|ulicy|al\.|aleja|alei|pl\.|plac|os\.|osiedle)\s?{NAME}(?:\s{NAME}){{0,3}}\s{n}(?:\s?m\.\s?[0-9]{{1,4}})?"
            ),
        ),
        // 221B Baker Street, 10 Downing St.
        address(
            "address_en",
            &format!(
                r"(?-u:\b)[0-9]{{1,5}}[A-Za-z]?\s(?:{NAME}\s){{1,3}}(?:Street|St(?-u:\b)\.?|Road|Rd(?-u:\b)\.?|Avenue|Ave(?-u:\b)\.?|Lane|Ln(?-u:\b)\.?|Drive|Dr(?-u:\b)\.?|Close|Way|Court|Ct(?-u:\b)\.?|Place|Pl(?-u:\b)\.?|Square|Terrace|Gardens|Crescent|Boulevard|Blvd(?-u:\b)\.?|Hill|Grove|Row|Mews|Parkway|Circle|Highway)(?-u:\b)"
            ),
        ),
        // A postcode with a town, alone: personal only where the words around say it is an address.
        Pattern::new(
            "postcode_town",
            Category::Address,
            r"(?-u:\b)(?:[0-9]{5}|[0-9]{2}-[0-9]{3}|[0-9]{4}\s?[A-Z]{2})\s\p{Lu}[\p{L}\-]+",
            |_| Some(0.4),
            Context {
                before: 4,
                after: 0,
                raise: ADDRESS_WORDS,
                raise_by: 0.35,
                lower: &[],
                lower_by: 0.0,
            },
        ),
    ]
}

fn ipv4_ok(s: &str) -> Option<f32> {
    let octets: Vec<&str> = s.split('.').collect();
    let ok = octets.len() == 4
        && octets
            .iter()
            .all(|o| o.parse::<u8>().is_ok() && (o.len() == 1 || !o.starts_with('0')));
    ok.then_some(0.75)
}

fn ipv6_ok(s: &str) -> Option<f32> {
    let address = s.split('%').next().unwrap_or(s);
    (address.matches(':').count() >= 2 && address.parse::<Ipv6Addr>().is_ok()).then_some(0.85)
}

/// Any date: numeric (05.03.1984, 1984-03-05) or with a month's name in one of the seven languages.
fn date_pattern() -> String {
    const MONTHS: &str = concat!(
        "jan(?:uary|uar|vier|uari)?|feb(?:ruary|ruar|ruari)?|mar(?:ch|s|zo|et|ca)?|märz|maart|",
        "apr(?:il|ile)?|avril|abril|kwietnia|may|mai|mayo|maggio|mei|maja|jun(?:e|i|io|e)?|juin|junio|giugno|czerwca|",
        "jul(?:y|i|io)?|juillet|julio|luglio|lipca|aug(?:ust|ustus)?|août|aout|agosto|sierpnia|",
        "sep(?:t|tember|tembre|tiembre)?|settembre|września|wrzesnia|oct(?:ober|obre|ubre)?|okt(?:ober)?|ottobre|października|pazdziernika|",
        "nov(?:ember|embre|iembre)?|novembre|listopada|dec(?:ember|embre)?|dez(?:ember)?|déc(?:embre)?|dic(?:iembre|embre)?|grudnia|",
        "ene(?:ro)?|febrero|gen(?:naio)?|fév(?:rier)?|fev(?:rier)?|febbraio|stycznia|lutego|lug|ago|ott"
    );
    format!(
        concat!(
            r"(?i)(?-u:\b)(?:[0-9]{{1,2}}[./\-][0-9]{{1,2}}[./\-](?:19|20)?[0-9]{{2}}",
            r"|(?:19|20)[0-9]{{2}}-[0-9]{{2}}-[0-9]{{2}}",
            r"|[0-9]{{1,2}}(?:st|nd|rd|th|er|º|\.)?\s(?:de\s)?(?:{m})\.?(?:\s(?:de\s)?|,?\s)(?:19|20)[0-9]{{2}}",
            r"|(?:{m})\.?\s[0-9]{{1,2}}(?:st|nd|rd|th)?,?\s(?:19|20)[0-9]{{2}})(?-u:\b)"
        ),
        m = MONTHS
    )
}

pub fn recognizers() -> Vec<Box<dyn super::Recognizer>> {
    let mut all: Vec<Pattern> = vec![
        Pattern::new(
            "email",
            Category::Email,
            r"[\p{L}\p{N}_%+\-][\p{L}\p{N}._%+'’\-]*@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)*\.\p{L}{2,}",
            |_| Some(1.0),
            Context::NONE,
        ),
        // A bare domain names a business; a path often names a person.
        Pattern::new(
            "url_with_path",
            Category::Url,
            r#"(?i)(?-u:\b)(?:https?://)?(?:[a-z0-9\-]+\.)+[a-z]{2,}(?::[0-9]+)?/[^\s<>"'\])]*[^\s<>"'\]).,;:!?/]"#,
            |_| Some(0.7),
            Context::NONE,
        ),
        Pattern::new(
            "ip_address",
            Category::IpAddress,
            r"(?-u:\b)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?-u:\b)",
            ipv4_ok,
            Context {
                before: 3,
                after: 0,
                raise: &["ip", "address", "adresse", "server", "host"],
                raise_by: 0.2,
                lower: &["version", "v"],
                lower_by: 0.4,
            },
        ),
        Pattern::new(
            "ipv6_address",
            Category::IpAddress,
            r"(?i)(?:(?-u:\b)[0-9a-f]{1,4}|:)(?::[0-9a-f]{0,4}){2,7}(?:%[a-z0-9]+)?",
            ipv6_ok,
            Context::NONE,
        ),
        // A date is personal where a word for "born" is near it; an event's date stays.
        Pattern::new(
            "date_of_birth",
            Category::BirthDate,
            &date_pattern(),
            |_| Some(0.15),
            Context {
                before: 6,
                after: 2,
                raise: BIRTH_WORDS,
                raise_by: 0.6,
                lower: &[],
                lower_by: 0.0,
            },
        ),
    ];
    all.extend(addresses());
    all.into_iter()
        .map(|p| Box::new(p) as Box<dyn super::Recognizer>)
        .collect()
}
