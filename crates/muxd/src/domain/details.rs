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

#[cfg(test)]
mod tests {
    use super::*;

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
