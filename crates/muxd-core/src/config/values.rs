//! Settings whose values need more than parsing: http(s) URLs, the URL signing key (both halves,
//! checked to be an RSA key) and browser origins.

use secrecy::SecretString;

use super::reader::Reader;
use super::table::{self, Setting};
use super::SigningKey;
use muxd_domain::playback_token::PlaybackSigner;

/// An http(s) URL setting without its trailing slash; a problem when it is not one.
pub(super) fn http_url(read: &mut Reader<'_>, setting: &Setting) -> String {
    let url = read
        .optional(setting)
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        read.problem(
            setting,
            format!("{url:?} is not an http(s) URL"),
            format!("set {} to {}", setting.name, setting.expected),
        );
    }
    url
}

/// An http(s) URL setting that may be left unset (`None`); a problem when set to anything else.
pub(super) fn optional_http_url(read: &mut Reader<'_>, setting: &Setting) -> Option<String> {
    read.optional(setting)
        .filter(|url| !url.is_empty())
        .map(|_| http_url(read, setting))
}

/// The URL signing key, when both halves are set (checked to be an RSA key); `required` when
/// `serve` plays signed.
pub(super) fn signing_key(read: &mut Reader<'_>, required: bool) -> Option<SigningKey> {
    let id = read.required(&table::MUX_SIGNING_KEY_ID, required);
    let private_key = read.required(&table::MUX_SIGNING_PRIVATE_KEY, required);
    match (id, private_key) {
        (Some(id), Some(private_key)) => match PlaybackSigner::new(&id, &private_key) {
            Ok(_) => Some(SigningKey {
                id,
                private_key: SecretString::from(private_key),
            }),
            Err(problem) => {
                read.problem(
                    &table::MUX_SIGNING_PRIVATE_KEY,
                    problem,
                    table::MUX_SIGNING_PRIVATE_KEY.expected.into(),
                );
                None
            }
        },
        (None, Some(_)) | (Some(_), None) if !required => {
            read.problem(
                &table::MUX_SIGNING_KEY_ID,
                "only one of MUX_SIGNING_KEY_ID and MUX_SIGNING_PRIVATE_KEY is set".into(),
                table::MUX_SIGNING_KEY_ID.expected.into(),
            );
            None
        }
        _ => None,
    }
}

/// True for `http(s)://host[:port]` with nothing after it: what a browser sends as `Origin`.
pub(super) fn is_origin(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty() && !rest.contains(['/', '?', '#', '*', ' '])
}
