//! `GET /api/docs`: the API document rendered for people by muxd itself, from the same JSON
//! `/api/openapi.json` serves: each operation grouped by tag (method, path, summary, who may
//! call it, parameters, body, responses) and each schema's fields. Plain HTML and a stylesheet
//! from `/static`; no script, nothing inline, so it passes a strict Content-Security-Policy.

use askama::Template;
use axum::response::Html;
use axum::Extension;
use serde_json::{Map, Value};

use super::words::{kind, plain, prose, Kind, Prose};
use super::ApiDocument;
use crate::ApiError;

/// The methods a path item may hold, in the order the page lists them.
const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

struct TagView {
    name: String,
    description: Prose,
    operations: Vec<OperationView>,
}

struct OperationView {
    anchor: String,
    method: String,
    path: String,
    summary: Prose,
    description: Prose,
    security: String,
    params: Vec<FieldView>,
    body: Vec<ContentView>,
    body_note: Prose,
    responses: Vec<ResponseView>,
}

/// A parameter or a schema's property.
struct FieldView {
    name: String,
    place: String,
    required: bool,
    kind: Kind,
    description: Prose,
}

struct ContentView {
    media_type: String,
    kind: Kind,
}

struct ResponseView {
    status: String,
    description: Prose,
    content: Vec<ContentView>,
    headers: String,
}

struct SchemaView {
    name: String,
    description: Prose,
    summary: Kind,
    /// The schemas whose fields it has too (a flattened struct).
    includes: Vec<Kind>,
    fields: Vec<FieldView>,
}

struct SchemeView {
    name: String,
    description: Prose,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    title: String,
    version: String,
    openapi: String,
    description: Prose,
    schemes: Vec<SchemeView>,
    tags: Vec<TagView>,
    schemas: Vec<SchemaView>,
}

/// The page.
pub async fn docs(Extension(document): Extension<ApiDocument>) -> Result<Html<String>, ApiError> {
    page(&document.json)
        .render()
        .map(Html)
        .map_err(|error| ApiError::Internal(error.into()))
}

fn page(document: &Value) -> DocsPage {
    let str_at = |value: &Value, key: &str| value[key].as_str().unwrap_or_default().to_owned();
    let info = &document["info"];
    let mut tags: Vec<TagView> = entries(&document["tags"])
        .map(|tag| TagView {
            name: str_at(tag, "name"),
            description: prose(tag["description"].as_str()),
            operations: Vec::new(),
        })
        .collect();
    for (path, item) in object(&document["paths"]) {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let tag = operation["tags"][0].as_str().unwrap_or_default();
            let view = operation_view(method, path, operation);
            match tags.iter_mut().find(|t| t.name == tag) {
                Some(known) => known.operations.push(view),
                None => tags.push(TagView {
                    name: tag.to_owned(),
                    description: Vec::new(),
                    operations: vec![view],
                }),
            }
        }
    }
    let components = &document["components"];
    DocsPage {
        title: str_at(info, "title"),
        version: str_at(info, "version"),
        openapi: str_at(document, "openapi"),
        description: prose(info["description"].as_str()),
        schemes: object(&components["securitySchemes"])
            .map(|(name, scheme)| SchemeView {
                name: name.clone(),
                description: prose(scheme["description"].as_str()),
            })
            .collect(),
        tags,
        schemas: object(&components["schemas"])
            .map(|(name, schema)| schema_view(name, schema))
            .collect(),
    }
}

fn operation_view(method: &str, path: &str, operation: &Value) -> OperationView {
    let params = entries(&operation["parameters"])
        .map(|p| FieldView {
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            place: p["in"].as_str().unwrap_or_default().to_owned(),
            required: p["required"].as_bool().unwrap_or(false),
            kind: kind(&p["schema"]),
            description: prose(described(p)),
        })
        .collect();
    let body = &operation["requestBody"];
    let body_note = match (body.is_object(), body["required"].as_bool()) {
        (false, _) => String::new(),
        (true, Some(true)) => "Required. ".to_owned(),
        (true, _) => "Optional. ".to_owned(),
    } + body["description"].as_str().unwrap_or_default();
    let responses = object(&operation["responses"])
        .map(|(status, response)| ResponseView {
            status: status.clone(),
            description: prose(response["description"].as_str()),
            content: contents(&response["content"]),
            headers: object(&response["headers"])
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    OperationView {
        anchor: format!("{method}-{path}").replace(['/', '{', '}'], "-"),
        method: method.to_uppercase(),
        path: path.to_owned(),
        summary: prose(operation["summary"].as_str()),
        description: prose(operation["description"].as_str()),
        security: security(&operation["security"]),
        params,
        body: contents(&body["content"]),
        body_note: prose(Some(&body_note)),
        responses,
    }
}

/// Who may call: the schemes of the operation's requirements, with the roles they need.
fn security(requirements: &Value) -> String {
    let mut ways = Vec::new();
    let mut roles = Vec::new();
    for requirement in entries(requirements) {
        for (scheme, scopes) in object(requirement) {
            ways.push(scheme.clone());
            roles.extend(entries(scopes).filter_map(Value::as_str).map(str::to_owned));
        }
    }
    roles.dedup();
    match (ways.is_empty(), roles.is_empty()) {
        (true, _) => "anyone".to_owned(),
        (false, true) => ways.join(" or "),
        (false, false) => format!("{}, with the role {}", ways.join(" or "), roles.join(", ")),
    }
}

fn contents(content: &Value) -> Vec<ContentView> {
    object(content)
        .map(|(media_type, content)| ContentView {
            media_type: media_type.clone(),
            kind: kind(&content["schema"]),
        })
        .collect()
}

fn schema_view(name: &str, schema: &Value) -> SchemaView {
    let mut fields = Vec::new();
    let mut includes = Vec::new();
    // A flattened struct is an `allOf` of a reference and the struct's own fields.
    for part in std::iter::once(schema).chain(entries(&schema["allOf"])) {
        if part.get("$ref").is_some() {
            includes.push(kind(part));
        }
        let required: Vec<&str> = entries(&part["required"])
            .filter_map(Value::as_str)
            .collect();
        fields.extend(
            object(&part["properties"]).map(|(field, property)| FieldView {
                name: field.clone(),
                place: String::new(),
                required: required.contains(&field.as_str()),
                kind: kind(property),
                description: prose(described(property)),
            }),
        );
    }
    SchemaView {
        name: name.to_owned(),
        description: prose(schema["description"].as_str()),
        summary: match fields.is_empty() {
            true => kind(schema),
            false => plain("object"),
        },
        includes,
        fields,
    }
}

/// A property's description; a nullable reference keeps it beside the reference, in `oneOf`.
fn described(property: &Value) -> Option<&str> {
    property["description"]
        .as_str()
        .or_else(|| entries(&property["oneOf"]).find_map(|b| b["description"].as_str()))
}

fn object(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flat_map(Map::iter)
}

fn entries(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}
