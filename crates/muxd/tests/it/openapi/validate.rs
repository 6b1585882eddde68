//! A JSON Schema check for the subset of OpenAPI 3.1 schemas utoipa emits: `$ref` into
//! `#/components/schemas`, `type` (one or several, `null` included), `properties`, `required`,
//! `additionalProperties`, `items`, `enum`, `oneOf`/`anyOf`/`allOf`, `minimum`/`maximum` and the
//! `uuid` format. A keyword outside the subset is itself an error, so the document cannot grow a
//! construct this check silently ignores. It is stricter than JSON Schema in one way: an object
//! may hold only the fields its schema lists, so a field the code sends but the document does
//! not mention fails too.

use std::collections::BTreeSet;

use serde_json::Value;

/// Keywords that only describe, and constrain nothing.
const ANNOTATIONS: [&str; 5] = ["description", "title", "default", "example", "examples"];
/// Keywords this check enforces.
const ENFORCED: [&str; 14] = [
    "$ref",
    "oneOf",
    "anyOf",
    "allOf",
    "type",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "propertyNames",
    "items",
    "minimum",
    "maximum",
    "format",
];

/// Checks values against the schemas of one OpenAPI document.
pub struct Validator<'a> {
    pub document: &'a Value,
}

impl Validator<'_> {
    /// Every way `value` breaks `schema`, each naming where (`$.data[0].status`).
    pub fn errors(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(schema, value, "$", true, &mut errors);
        errors
    }

    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
                let target = &self.document["components"]["schemas"][name];
                assert!(!target.is_null(), "$ref to a missing schema {name}");
                self.resolve(target)
            }
            None => schema,
        }
    }

    /// `strict`: the object's own fields must all be listed (off inside one `allOf` branch,
    /// whose siblings list the rest).
    fn check(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        strict: bool,
        errors: &mut Vec<String>,
    ) {
        let schema = self.resolve(schema);
        let Some(keywords) = schema.as_object() else {
            return errors.push(format!("{at}: schema is not an object: {schema}"));
        };
        for keyword in keywords.keys() {
            if !ANNOTATIONS.contains(&keyword.as_str()) && !ENFORCED.contains(&keyword.as_str()) {
                errors.push(format!("{at}: unsupported schema keyword {keyword:?}"));
            }
        }
        if let Some(branches) = schema["oneOf"].as_array() {
            let matching = branches
                .iter()
                .filter(|b| self.errors(b, value).is_empty())
                .count();
            if matching != 1 {
                errors.push(format!(
                    "{at}: matches {matching} of oneOf {schema}, not 1: {value}"
                ));
            }
        }
        if let Some(branches) = schema["anyOf"].as_array() {
            if !branches.iter().any(|b| self.errors(b, value).is_empty()) {
                errors.push(format!("{at}: matches none of anyOf: {value}"));
            }
        }
        for branch in schema["allOf"].as_array().into_iter().flatten() {
            self.check(branch, value, at, false, errors);
        }
        if let Some(types) = types(&schema["type"]) {
            if !types.iter().any(|t| has_type(value, t)) {
                return errors.push(format!("{at}: {value} is not of type {types:?}"));
            }
        }
        if let Some(values) = schema["enum"].as_array() {
            if !values.contains(value) {
                errors.push(format!("{at}: {value} is not one of {values:?}"));
            }
        }
        if let (Some(minimum), Some(n)) = (schema["minimum"].as_f64(), value.as_f64()) {
            if n < minimum {
                errors.push(format!("{at}: {n} is below the minimum {minimum}"));
            }
        }
        if let (Some(maximum), Some(n)) = (schema["maximum"].as_f64(), value.as_f64()) {
            if n > maximum {
                errors.push(format!("{at}: {n} is above the maximum {maximum}"));
            }
        }
        if let (Some("uuid"), Some(text)) = (schema["format"].as_str(), value.as_str()) {
            if uuid::Uuid::parse_str(text).is_err() {
                errors.push(format!("{at}: {text:?} is not a uuid"));
            }
        }
        if let Some(items) = value.as_array() {
            if let Some(item) = schema.get("items") {
                for (n, element) in items.iter().enumerate() {
                    self.check(item, element, &format!("{at}[{n}]"), true, errors);
                }
            }
        }
        if let Some(fields) = value.as_object() {
            self.check_object(schema, fields, at, strict, errors);
        }
    }

    fn check_object(
        &self,
        schema: &Value,
        fields: &serde_json::Map<String, Value>,
        at: &str,
        strict: bool,
        errors: &mut Vec<String>,
    ) {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !fields.contains_key(name) {
                errors.push(format!("{at}: the required field {name:?} is missing"));
            }
        }
        let properties = &schema["properties"];
        // A free-form object (`{"type": "object"}`) lists nothing, so holds anything.
        let listed = schema.get("properties").is_some() || schema.get("allOf").is_some();
        let known = self.known_fields(schema);
        for (name, field) in fields {
            let here = format!("{at}.{name}");
            match (properties.get(name), &schema["additionalProperties"]) {
                (Some(property), _) => self.check(property, field, &here, true, errors),
                (None, extra @ Value::Object(_)) => self.check(extra, field, &here, true, errors),
                (None, Value::Bool(false)) => errors.push(format!("{here}: not allowed")),
                (None, _) if strict && listed && !known.contains(name.as_str()) => {
                    errors.push(format!("{here}: the document does not mention this field"))
                }
                (None, _) => {}
            }
        }
    }

    /// The fields a schema lists, its `allOf` branches' included.
    fn known_fields<'s>(&'s self, schema: &'s Value) -> BTreeSet<&'s str> {
        let schema = self.resolve(schema);
        let mut known: BTreeSet<&str> = schema["properties"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.keys().map(String::as_str))
            .collect();
        for branch in schema["allOf"].as_array().into_iter().flatten() {
            known.extend(self.known_fields(branch));
        }
        known
    }
}

fn types(schema_type: &Value) -> Option<Vec<&str>> {
    match schema_type {
        Value::String(one) => Some(vec![one.as_str()]),
        Value::Array(many) => Some(many.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

fn has_type(value: &Value, schema_type: &str) -> bool {
    match schema_type {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("unknown JSON Schema type {other:?}"),
    }
}
