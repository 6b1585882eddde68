//! What an owner writes about an asset, its name and description: one rule for creating and for
//! editing, so neither path accepts what the other refuses.

/// Longest name, in characters.
pub const MAX_NAME_CHARS: usize = 255;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4 * MAX_NAME_CHARS;

/// A name, trimmed: 1 to [`MAX_NAME_CHARS`] characters. The error is a sentence for the user.
pub fn name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "name is required, at most {MAX_NAME_CHARS} characters"
        ));
    }
    Ok(name.to_owned())
}

/// A description, trimmed: at most [`MAX_DESCRIPTION_CHARS`] characters; empty clears it.
pub fn description(raw: &str) -> Result<Option<String>, String> {
    let text = raw.trim();
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(format!(
            "description is too long (at most {MAX_DESCRIPTION_CHARS} characters)"
        ));
    }
    Ok(Some(text.to_owned()).filter(|t| !t.is_empty()))
}

/// True for `type/subtype` or `type/*` (lower-case letters, digits and `.+-`).
pub fn is_type_pattern(pattern: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".+-".contains(&b))
    };
    match pattern.split_once('/') {
        Some((kind, "*")) => token(kind),
        Some((kind, sub)) => token(kind) && token(sub),
        None => false,
    }
}

/// Whether MIME type `kind` (any case, parameters ignored) is one of `accepted` (`type/subtype`
/// or `type/*`).
pub fn type_accepted(kind: &str, accepted: &[String]) -> bool {
    let kind = kind
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some((major, _)) = kind.split_once('/') else {
        return false;
    };
    accepted
        .iter()
        .any(|pattern| match pattern.strip_suffix("/*") {
            Some(whole) => whole == major,
            None => *pattern == kind,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_match_exactly_or_by_kind() {
        let accepted = ["video/*".to_owned(), "audio/mpeg".to_owned()];
        for (kind, ok) in [
            ("video/mp4", true),
            ("Video/QuickTime", true),
            ("audio/mpeg; codecs=mp3", true),
            ("audio/wav", false),
            ("image/png", false),
            ("video", false),
        ] {
            assert_eq!(type_accepted(kind, &accepted), ok, "{kind}");
        }
        assert!(is_type_pattern("video/*") && is_type_pattern("video/x-matroska"));
        for bad in ["video", "*/*", "video/", "Video/MP4", "video/mp4,"] {
            assert!(!is_type_pattern(bad), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("  clip  ").unwrap(), "clip");
        assert!(name("   ").is_err());
        assert!(name(&"é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(name(&"é".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn descriptions_are_bounded_and_empty_clears() {
        assert_eq!(description(" hi ").unwrap().as_deref(), Some("hi"));
        assert_eq!(description("  ").unwrap(), None);
        assert!(description(&"x".repeat(MAX_DESCRIPTION_CHARS + 1)).is_err());
    }
}
