//! The API page's words for what the document says in JSON: a schema in a few words with the
//! component it names ([`kind`]), and description text split at its `code` spans ([`prose`]).

use serde_json::Value;

/// Text with `code` spans, as descriptions write them.
pub type Prose = Vec<Span>;

pub struct Span {
    pub code: bool,
    pub text: String,
}

/// A schema named in a line: its words, and the component to link to, if any.
pub struct Kind {
    pub text: String,
    pub link: String,
}

/// A schema in a few words (`array of AssetView`, `string or null`), linking the component it
/// names.
pub fn kind(schema: &Value) -> Kind {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return Kind {
            text: name.to_owned(),
            link: name.to_owned(),
        };
    }
    for (key, joint) in [("oneOf", " or "), ("anyOf", " or "), ("allOf", " and ")] {
        if let Some(parts) = schema[key].as_array() {
            let mut kinds: Vec<Kind> = parts.iter().map(kind).collect();
            // `AssetView or null` reads better than `null or AssetView`.
            kinds.sort_by_key(|k| k.text == "null");
            return Kind {
                text: kinds
                    .iter()
                    .map(|k| k.text.as_str())
                    .collect::<Vec<_>>()
                    .join(joint),
                link: kinds
                    .into_iter()
                    .map(|k| k.link)
                    .find(|l| !l.is_empty())
                    .unwrap_or_default(),
            };
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().map(Value::to_string).collect();
        return plain(&format!("one of {}", values.join(", ")));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => return plain("any JSON"),
    };
    let mut link = String::new();
    let words: Vec<String> = types
        .into_iter()
        .map(|t| {
            let inner = match t {
                "array" => Some(("array of", kind(&schema["items"]))),
                "object" if schema["additionalProperties"].is_object() => {
                    Some(("map of", kind(&schema["additionalProperties"])))
                }
                _ => None,
            };
            match (inner, schema["format"].as_str()) {
                (Some((words, inner)), _) => {
                    link = inner.link;
                    format!("{words} {}", inner.text)
                }
                (None, Some(format)) if t == "string" => format!("string ({format})"),
                (None, _) => t.to_owned(),
            }
        })
        .collect();
    Kind {
        text: words.join(" or "),
        link,
    }
}

pub fn plain(text: &str) -> Kind {
    Kind {
        text: text.to_owned(),
        link: String::new(),
    }
}

/// Splits text at backticks into plain and code spans.
pub fn prose(text: Option<&str>) -> Prose {
    text.unwrap_or_default()
        .split('`')
        .enumerate()
        .filter(|(_, text)| !text.is_empty())
        .map(|(n, text)| Span {
            code: n % 2 == 1,
            text: text.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_read_as_words_and_link_the_schema_they_name() {
        let text = |schema: Value| kind(&schema).text;
        assert_eq!(text(json!({"type": ["string", "null"]})), "string or null");
        assert_eq!(
            text(json!({"type": "string", "format": "uuid"})),
            "string (uuid)"
        );
        let list =
            kind(&json!({"type": "array", "items": {"$ref": "#/components/schemas/AssetView"}}));
        assert_eq!(
            (list.text.as_str(), list.link.as_str()),
            ("array of AssetView", "AssetView")
        );
        let nullable =
            kind(&json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ErrorView"}]}));
        assert_eq!(
            (nullable.text.as_str(), nullable.link.as_str()),
            ("ErrorView or null", "ErrorView")
        );
        assert_eq!(text(json!({"enum": ["a", "b"]})), r#"one of "a", "b""#);
        assert_eq!(text(json!({})), "any JSON");
    }

    #[test]
    fn prose_marks_code_spans() {
        let spans = prose(Some("send `Authorization` now"));
        let parts: Vec<_> = spans.iter().map(|s| (s.code, s.text.as_str())).collect();
        assert_eq!(
            parts,
            [(false, "send "), (true, "Authorization"), (false, " now")]
        );
    }
}
