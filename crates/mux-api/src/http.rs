//! One HTTP exchange with Mux and nothing more: build the request (Basic auth, JSON body), send
//! it, classify a failure, unwrap the `{"data": …}` envelope. No retries, no breaker: that is
//! the layer's job. Public so benchmarks can measure the bare client against the full stack.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;

use crate::classify;
use crate::config::{ClientConfig, ConfigError};
use crate::error::MuxError;
use crate::types::Data;

/// A request that can be sent again for each attempt (the body is serialized once).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Path after the base URL, starting with `/`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Bytes>,
    /// The most bytes of answer taken; a longer one is a permanent error.
    pub max_answer_bytes: Option<usize>,
}

impl Request {
    pub fn new(method: Method, path: String) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
            max_answer_bytes: None,
        }
    }

    /// A `GET` of a file Mux serves outside its API (e.g. a text track on the stream host): the
    /// whole URL, sent without the API's credentials, its answer cut off at `max_bytes`.
    pub fn file(url: String, max_bytes: usize) -> Self {
        Self {
            max_answer_bytes: Some(max_bytes),
            ..Self::new(Method::GET, url)
        }
    }

    /// True for a request of a whole URL ([`Request::file`]), not a path of the API.
    fn is_file(&self) -> bool {
        self.path.starts_with("https://") || self.path.starts_with("http://")
    }

    /// Adds a JSON body.
    pub fn json(mut self, body: &impl serde::Serialize) -> Result<Self, MuxError> {
        let bytes = serde_json::to_vec(body).map_err(|e| MuxError::InvalidRequest {
            message: e.to_string(),
        })?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Adds a query parameter when it has a value.
    pub fn param(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
        self
    }
}

/// The bare HTTP client: base URL, credentials, connection pool.
#[derive(Clone)]
pub struct Transport {
    http: reqwest::Client,
    base_url: String,
    authorization: HeaderValue,
    trace_headers: Option<fn(&mut HeaderMap)>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Builds the client from a validated config. The Basic credentials are encoded once and
    /// marked sensitive (never printed by `Debug`, kept out of HTTP/2 header compression).
    pub fn new(config: &ClientConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("muxd-mux-api/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        let credentials = format!(
            "{}:{}",
            config.token_id,
            config.token_secret.expose_secret()
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
        let mut authorization = HeaderValue::from_str(&format!("Basic {encoded}"))
            .expect("base64 text is always a valid header value");
        authorization.set_sensitive(true);
        Ok(Self {
            http,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            authorization,
            trace_headers: config.trace_headers,
        })
    }

    /// The underlying reqwest client (shared with the alert hook).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends one request that must be answered within `timeout` (else [`MuxError::Timeout`]);
    /// a 2xx gives the body, anything else a classified error.
    pub async fn send(
        &self,
        request: &Request,
        timeout: Duration,
    ) -> Result<(u16, Bytes), MuxError> {
        let mut builder = if request.is_file() {
            self.http
                .request(request.method.clone(), &request.path)
                .timeout(timeout)
        } else {
            self.http
                .request(
                    request.method.clone(),
                    format!("{}{}", self.base_url, request.path),
                )
                .timeout(timeout)
                .header(AUTHORIZATION, self.authorization.clone())
        };
        if let Some(write) = self.trace_headers {
            let mut headers = HeaderMap::new();
            write(&mut headers);
            builder = builder.headers(headers);
        }
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| classify::from_transport(&e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = match request.max_answer_bytes {
            None => response
                .bytes()
                .await
                .map_err(|e| classify::from_transport(&e))?,
            Some(max) => {
                let mut body = Vec::new();
                while let Some(chunk) = response
                    .chunk()
                    .await
                    .map_err(|e| classify::from_transport(&e))?
                {
                    if body.len() + chunk.len() > max {
                        return Err(MuxError::InvalidRequest {
                            message: format!("the answer is larger than {max} bytes"),
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Bytes::from(body)
            }
        };
        if (200..300).contains(&status) {
            Ok((status, body))
        } else {
            Err(classify::from_status(
                status,
                retry_after.as_deref(),
                &body,
                SystemTime::now(),
            ))
        }
    }

    /// Sends and unwraps `{"data": T}`.
    pub async fn fetch<T: DeserializeOwned>(
        &self,
        request: &Request,
        timeout: Duration,
    ) -> Result<T, MuxError> {
        let (status, body) = self.send(request, timeout).await?;
        decode_data(status, &body)
    }
}

/// A body of the form `{"data": T}` (single resources).
pub fn decode_data<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, MuxError> {
    decode_whole::<Data<T>>(status, body).map(|envelope| envelope.data)
}

/// A body that is `T` as a whole (lists: `{"data": […], "next_cursor": …}`).
pub fn decode_whole<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, MuxError> {
    serde_json::from_slice(body).map_err(|e| MuxError::Decode {
        status,
        message: e.to_string(),
    })
}

/// A success whose body we do not need (204 on delete).
pub fn decode_nothing(_status: u16, _body: &[u8]) -> Result<(), MuxError> {
    Ok(())
}
