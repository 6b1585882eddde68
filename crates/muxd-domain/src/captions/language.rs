//! Language codes of caption tracks, BCP 47-ish: a primary language of 2 or 3 letters, then
//! optionally a script (4 letters) and a region (2 letters or 3 digits), in that order, joined
//! by `-` (`en`, `pt-BR`, `zh-Hant-TW`, `es-419`). Extensions, variants and private use are not
//! accepted: Mux's tracks name languages this way (docs/mux-facts.md §10).

/// The languages Mux can generate captions in.
pub const GENERATED_LANGUAGES: &[&str] = &[
    "en", "es", "it", "pt", "de", "fr", "pl", "ru", "nl", "ca", "tr", "sv", "uk", "no", "fi", "sk",
    "el", "cs", "hr", "da", "ro", "bg",
];

/// The canonical form of `code` (`EN-us` → `en-US`, `zh-hant` → `zh-Hant`), or what is wrong
/// with it.
pub fn parse_language(code: &str) -> Result<String, String> {
    if code.is_empty() {
        return Err("the language code is empty".into());
    }
    if code.contains('_') {
        return Err(format!(
            "\"{code}\": subtags are joined by \"-\" (pt-BR), not \"_\""
        ));
    }
    let mut subtags = code.split('-');
    let primary = subtags.next().unwrap_or_default();
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(format!(
            "\"{primary}\" is not a language: a code starts with 2 or 3 letters (en, pt-BR)"
        ));
    }
    let mut canonical = primary.to_ascii_lowercase();
    let (mut script, mut region) = (false, false);
    for subtag in subtags {
        let letters = subtag.bytes().all(|b| b.is_ascii_alphabetic());
        let digits = subtag.bytes().all(|b| b.is_ascii_digit());
        let form = match subtag.len() {
            4 if letters => Subtag::Script,
            2 if letters => Subtag::Region,
            3 if digits => Subtag::Region,
            _ => {
                return Err(format!(
                    "\"{subtag}\" in \"{code}\" is neither a script (4 letters) nor a region (2 letters or 3 digits)"
                ))
            }
        };
        match form {
            Subtag::Script if script || region => {
                return Err(format!(
                    "\"{subtag}\" in \"{code}\": a script comes once, before the region"
                ))
            }
            Subtag::Region if region => {
                return Err(format!("\"{subtag}\" in \"{code}\": only one region"))
            }
            Subtag::Script => {
                script = true;
                canonical.push('-');
                canonical.push_str(&subtag[..1].to_ascii_uppercase());
                canonical.push_str(&subtag[1..].to_ascii_lowercase());
            }
            Subtag::Region => {
                region = true;
                canonical.push('-');
                canonical.push_str(&subtag.to_ascii_uppercase());
            }
        }
    }
    Ok(canonical)
}

/// What a subtag after the primary language is.
enum Subtag {
    Script,
    Region,
}
