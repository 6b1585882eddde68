//! The plain text of cue text: tags dropped, entities decoded, whitespace collapsed.

/// Entities decoded by [`plain`]; others stay as written. `&nbsp;` becomes a plain space (the
/// plain text is for reading and searching), the invisible direction marks disappear.
const ENTITIES: &[(&str, &str)] = &[
    ("&amp;", "&"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", "\""),
    ("&apos;", "'"),
    ("&nbsp;", " "),
    ("&lrm;", ""),
    ("&rlm;", ""),
];

/// `text` without tags (`<…>`; a `<` with no `>` after it is kept), entities decoded, every run
/// of whitespace one space, trimmed.
pub(super) fn plain(text: &str) -> String {
    let mut untagged = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        untagged.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                untagged.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    untagged.push_str(rest);
    let decoded = decode(&untagged);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes [`ENTITIES`] in one pass (so `&amp;lt;` is `&lt;`, not `<`).
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match ENTITIES.iter().find(|(name, _)| rest.starts_with(name)) {
            Some((name, value)) => {
                out.push_str(value);
                rest = &rest[name.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
