//! A scripted in-test Mux for what the emulator does not produce (e.g. `Retry-After` as an HTTP
//! date): each request pops the next canned response; the last one repeats.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use tokio::time::Instant;

pub type Canned = (StatusCode, Vec<(&'static str, String)>, &'static str);

pub struct Fake {
    pub base_url: String,
    pub seen: Arc<Mutex<Vec<Instant>>>,
}

pub async fn start(script: Vec<Canned>) -> Fake {
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen_in_handler = seen.clone();
    let app = Router::new().fallback(move || {
        let script = script.clone();
        let seen = seen_in_handler.clone();
        async move {
            seen.lock().unwrap().push(Instant::now());
            let mut script = script.lock().unwrap();
            let (status, headers, body) = if script.len() > 1 {
                script.pop_front().unwrap()
            } else {
                script[0].clone()
            };
            let mut map = HeaderMap::new();
            map.insert("content-type", "application/json".parse().unwrap());
            for (name, value) in headers {
                map.insert(name, value.parse().unwrap());
            }
            (status, map, body).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Fake { base_url, seen }
}
