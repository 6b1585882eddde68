//! The delivery client and proxy settings: it must connect to the endpoint itself. Proxy
//! variables are read from the environment when a client is built, so the check runs in a child
//! process (this test binary again, running only this test) with them set, leaving this
//! process's environment alone.

use std::process::Command;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Set in the child process, which does the actual check.
const PROBE: &str = "MUXD_OUTBOUND_PROXY_PROBE";
const TEST: &str = "service::outbound::tests::deliveries_ignore_proxy_settings";

#[tokio::test]
async fn deliveries_ignore_proxy_settings() {
    if std::env::var_os(PROBE).is_some() {
        return probe().await;
    }
    // A proxy that would see any connection the client sends its way.
    let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let output = Command::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(PROBE, "1")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("HTTP_PROXY", &proxy_url)
        .env("http_proxy", &proxy_url)
        .env("HTTPS_PROXY", &proxy_url)
        .env("https_proxy", &proxy_url)
        .env("ALL_PROXY", &proxy_url)
        .env("all_proxy", &proxy_url)
        .output()
        .unwrap();
    let connected = tokio::time::timeout(Duration::from_millis(100), proxy.accept())
        .await
        .is_ok();
    assert!(
        output.status.success(),
        "the probe failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "the probe did not run: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(!connected, "the delivery client connected to the proxy");
}

/// In the child: a delivery to a local receiver reaches it directly.
async fn probe() {
    let receiver = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", receiver.local_addr().unwrap());
    let served = tokio::spawn(async move {
        let (mut socket, _) = receiver.accept().await.unwrap();
        let mut request = vec![0; 4096];
        let n = socket.read(&mut request).await.unwrap();
        socket
            .write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        String::from_utf8_lossy(&request[..n]).into_owned()
    });
    let client = super::client(true).unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), client.post(&url).body("{}").send())
        .await
        .expect("the delivery was answered in time (not stuck at a proxy)")
        .expect("the delivery reached the receiver");
    assert_eq!(answer.status(), 204);
    let request = served.await.unwrap();
    assert!(request.starts_with("POST /hook "), "{request}");
}
