//! Managing the host app's endpoints: every field is checked before anything is stored (URL and
//! its address, secret, event filter, description), and a refusal is a sentence naming the field.

use super::{guard, signing, Outbound};
use crate::service::Refusal;
use muxd_domain::outbound::{EventType, MAX_FILTER};
use muxd_store::endpoints::{Endpoint, EndpointEdit};

/// The longest description accepted.
const MAX_DESCRIPTION: usize = 500;

/// What an admin sends to create or change an endpoint; `None` keeps (or, creating, defaults) a
/// field.
#[derive(Clone, Debug, Default)]
pub struct EndpointInput {
    pub url: Option<String>,
    pub secret: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    pub disabled: Option<bool>,
}

impl Outbound {
    /// Creates an endpoint (a secret is made when none is given).
    pub async fn create_endpoint(&self, input: EndpointInput) -> Result<Endpoint, Refusal> {
        let url = input
            .url
            .as_deref()
            .ok_or_else(|| Refusal::Invalid("url is required".into()))?;
        let edit = self.checked(&input).await?;
        let secret = input.secret.unwrap_or_else(signing::new_secret);
        let endpoint = self
            .store
            .insert_endpoint(
                url,
                &secret,
                &edit.event_types.unwrap_or_default(),
                edit.description.flatten().as_deref(),
            )
            .await?;
        self.hear_changes();
        Ok(endpoint)
    }

    /// Changes endpoint `id`.
    pub async fn update_endpoint(
        &self,
        id: &str,
        input: EndpointInput,
    ) -> Result<Endpoint, Refusal> {
        let edit = self.checked(&input).await?;
        let endpoint = self
            .store
            .update_endpoint(id, &edit)
            .await?
            .ok_or(Refusal::NotFound)?;
        if !endpoint.disabled {
            self.hear_changes();
        }
        Ok(endpoint)
    }

    /// Checks every given field of `input`.
    async fn checked(&self, input: &EndpointInput) -> Result<EndpointEdit, Refusal> {
        let invalid = Refusal::Invalid;
        if let Some(url) = &input.url {
            guard::check_url(
                url,
                self.settings.allow_private,
                "MUXD_WEBHOOK_ALLOW_PRIVATE_URLS",
            )
            .await
            .map_err(invalid)?;
        }
        if let Some(secret) = &input.secret {
            signing::check_secret(secret).map_err(invalid)?;
        }
        let event_types = input
            .event_types
            .as_deref()
            .map(event_filter)
            .transpose()
            .map_err(invalid)?;
        if let Some(description) = &input.description {
            if description.chars().count() > MAX_DESCRIPTION {
                return Err(invalid(format!(
                    "description is longer than {MAX_DESCRIPTION} characters"
                )));
            }
        }
        Ok(EndpointEdit {
            url: input.url.clone(),
            secret: input.secret.clone(),
            event_types,
            description: input
                .description
                .clone()
                .map(|d| Some(d.trim().to_owned()).filter(|d| !d.is_empty())),
            disabled: input.disabled,
        })
    }
}

/// An endpoint's event filter: known names only, each once, at most [`MAX_FILTER`].
fn event_filter(names: &[String]) -> Result<Vec<String>, String> {
    if names.len() > MAX_FILTER {
        return Err(format!(
            "eventTypes names {} types; at most {MAX_FILTER} are allowed (there are {})",
            names.len(),
            EventType::ALL.len()
        ));
    }
    let mut kept: Vec<String> = Vec::new();
    for name in names {
        if EventType::parse(name).is_none() {
            let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            return Err(format!(
                "eventTypes: {name:?} is not an event muxd sends (it sends {})",
                known.join(", ")
            ));
        }
        if !kept.contains(name) {
            kept.push(name.clone());
        }
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_keep_known_names_once() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            event_filter(&names(&["asset.ready", "asset.ready", "asset.errored"])),
            Ok(names(&["asset.ready", "asset.errored"]))
        );
        assert!(event_filter(&names(&["asset.redy"]))
            .unwrap_err()
            .contains("\"asset.redy\""));
        let many = names(&["asset.ready"; 17]);
        assert!(event_filter(&many).unwrap_err().contains("at most 16"));
    }
}
