//! A thin W3C WebDriver client over `reqwest`: one [`Session`] per browser, [`Element`]s found by
//! CSS, and the few Chromium extensions the tests need (network conditions through the DevTools
//! protocol). Every verb is one HTTP call; a failure panics with WebDriver's own message, except
//! [`Session::try_execute`], whose errors a wait may outlast (a page reloading).

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

/// The key W3C WebDriver names an element reference with.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The WebDriver code of the Tab key.
pub const TAB: &str = "\u{e004}";
/// The WebDriver code of the Enter key.
pub const ENTER: &str = "\u{e007}";

/// What the browser's network does.
#[derive(Debug, Clone, Copy)]
pub enum Network {
    Normal,
    Offline,
    /// Uploads crawl at this many bytes per second, so a test can watch one in progress.
    SlowUpload(u32),
}

/// One browser session: `{driver}/session/{id}`.
pub struct Session {
    http: reqwest::Client,
    url: String,
}

/// An element of the current page.
pub struct Element<'a> {
    session: &'a Session,
    id: String,
}

impl Session {
    /// Opens a session on the driver at `driver` (`http://127.0.0.1:PORT`) with `capabilities`.
    pub async fn open(driver: &str, capabilities: Value) -> Session {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let answer = call(
            &http,
            Method::POST,
            &format!("{driver}/session"),
            Some(json!({"capabilities": {"alwaysMatch": capabilities}})),
        )
        .await
        .unwrap_or_else(|e| panic!("WebDriver could not start a browser: {e}"));
        let id = answer["sessionId"].as_str().expect("a session id");
        Session {
            http,
            url: format!("{driver}/session/{id}"),
        }
    }

    /// The session's URL, for closing it from a destructor.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn command(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let what = format!("{method} {path}");
        self.try_command(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {what}: {e}"))
    }

    async fn try_command(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let body = body.or_else(|| (method == Method::POST).then(|| json!({})));
        call(&self.http, method, &format!("{}{path}", self.url), body).await
    }

    pub async fn navigate(&self, url: &str) {
        self.command(Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn reload(&self) {
        self.command(Method::POST, "/refresh", None).await;
    }

    pub async fn current_url(&self) -> String {
        let url = self.command(Method::GET, "/url", None).await;
        url.as_str().unwrap_or_default().to_owned()
    }

    /// The first element matching `css`; panics if there is none.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let found = self
            .command(
                Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        self.element(&found)
    }

    /// The element the JavaScript expression `js` evaluates to; panics if it is not one.
    pub async fn find_js(&self, js: &str) -> Element<'_> {
        let found = self.execute(&format!("return ({js});"), json!([])).await;
        assert!(
            found.get(ELEMENT_KEY).is_some(),
            "{js} is not an element: {found}"
        );
        self.element(&found)
    }

    /// The element that has the keyboard focus.
    pub async fn active(&self) -> Element<'_> {
        let found = self.command(Method::GET, "/element/active", None).await;
        self.element(&found)
    }

    fn element(&self, reference: &Value) -> Element<'_> {
        Element {
            session: self,
            id: reference[ELEMENT_KEY]
                .as_str()
                .unwrap_or_else(|| panic!("not an element reference: {reference}"))
                .to_owned(),
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns what it returns.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.try_execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Like [`Session::execute`], with WebDriver's error as the error.
    pub async fn try_execute(&self, script: &str, args: Value) -> Result<Value, String> {
        let body = json!({"script": script, "args": args});
        self.try_command(Method::POST, "/execute/sync", Some(body))
            .await
    }

    /// Runs `script` with a callback as its last argument and returns what it passes the callback
    /// (e.g. a promise's outcome).
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        let body = json!({"script": script, "args": args});
        self.try_command(Method::POST, "/execute/async", Some(body))
            .await
            .unwrap_or_else(|e| panic!("async script failed: {e}\n{script}"))
    }

    /// Presses and releases each key of `keys` on whatever has the focus, as a user would.
    pub async fn press(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|key| {
                let key = key.to_string();
                [
                    json!({"type": "keyDown", "value": key}),
                    json!({"type": "keyUp", "value": key}),
                ]
            })
            .collect();
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.command(Method::POST, "/actions", Some(body)).await;
    }

    /// The page as a PNG.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine;
        let encoded = self.command(Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().expect("a base64 screenshot"))
            .expect("valid base64")
    }

    /// Sets the browser's network through the DevTools protocol (`navigator.onLine` and the
    /// `offline`/`online` events follow).
    pub async fn set_network(&self, network: Network) {
        let (offline, upload) = match network {
            Network::Normal => (false, -1),
            Network::Offline => (true, -1),
            Network::SlowUpload(bytes_per_s) => (false, i64::from(bytes_per_s)),
        };
        let params = json!({
            "offline": offline,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": upload,
        });
        self.cdp("Network.emulateNetworkConditions", params).await;
    }

    /// Sends one DevTools protocol command to the current tab.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let body = json!({"cmd": cmd, "params": params});
        self.command(Method::POST, "/goog/cdp/execute", Some(body))
            .await
    }

    /// Opens a new tab, switches to it and returns its handle.
    pub async fn new_tab(&self) -> String {
        let opened = self
            .command(Method::POST, "/window/new", Some(json!({"type": "tab"})))
            .await;
        let handle = opened["handle"]
            .as_str()
            .expect("a window handle")
            .to_owned();
        self.switch_to(&handle).await;
        handle
    }

    /// The current tab's handle.
    pub async fn tab(&self) -> String {
        let handle = self.command(Method::GET, "/window", None).await;
        handle.as_str().expect("a window handle").to_owned()
    }

    pub async fn switch_to(&self, handle: &str) {
        self.command(Method::POST, "/window", Some(json!({"handle": handle})))
            .await;
    }

    /// Closes the current tab (switch to another before the next command).
    pub async fn close_tab(&self) {
        self.command(Method::DELETE, "/window", None).await;
    }

    /// The DevTools events logged since the last call (`goog:loggingPrefs` `performance`), each
    /// `{method, params}`.
    pub async fn devtools_events(&self) -> Vec<Value> {
        let logs = self
            .command(
                Method::POST,
                "/se/log",
                Some(json!({"type": "performance"})),
            )
            .await;
        logs.as_array()
            .expect("a list of log entries")
            .iter()
            .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
            .map(|m| m["message"].clone())
            .collect()
    }

    /// The browser's console messages since the last call.
    pub async fn console(&self) -> Vec<String> {
        let logs = self
            .try_command(Method::POST, "/se/log", Some(json!({"type": "browser"})))
            .await
            .unwrap_or_default();
        logs.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| format!("{} {}", e["level"], e["message"]))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Element<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/element/{}{rest}", self.id)
    }

    pub async fn click(&self) {
        self.session
            .command(Method::POST, &self.path("/click"), None)
            .await;
    }

    /// Types `text` into the element (for `input[type=file]`, an absolute file path picks it).
    pub async fn send_keys(&self, text: &str) {
        self.session
            .command(
                Method::POST,
                &self.path("/value"),
                Some(json!({"text": text})),
            )
            .await;
    }
}

/// One WebDriver call: its `value`, or WebDriver's `error: message`.
async fn call(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let answer: Value = response.json().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(answer["value"].clone())
    } else {
        let value = &answer["value"];
        Err(format!("{}: {}", value["error"], value["message"]))
    }
}
