//! What one anonymous webhook request can cost before authentication
//! (`cargo bench -p muxd --bench signature`): the CPU time of `signature::verify` for the
//! attack the chaos run found (a 340 KB header of 5,000 `v1=` values with a 1 MiB body) and for
//! the costliest header still accepted for checking (8 `v1` values, 1 MiB body, two secrets
//! configured during rotation). Reports the median and worst of `RUNS` calls. Target: < 5 ms.

use std::time::{Duration, Instant};

use muxd_domain::signature::{self, MAX_V1};

const RUNS: usize = 50;

fn measure(label: &str, header: &str, body: &[u8], secrets: &[&str]) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let result = signature::verify(Some(header), body, secrets, 10, 300);
            assert!(result.is_err());
            started.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{label}: median {:.3} ms, worst {:.3} ms ({} header bytes, {} body bytes)",
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS - 1].as_secs_f64() * 1000.0,
        header.len(),
        body.len()
    );
}

fn main() {
    let body = vec![b'x'; 1 << 20];
    let candidate = "ab".repeat(32);
    let mut attack = String::from("t=10");
    for _ in 0..5_000 {
        attack.push_str(&format!(",v1={candidate}"));
    }
    measure("5,000 v1 values (refused)", &attack, &body, &["old", "new"]);
    let mut most = String::from("t=10");
    for _ in 0..MAX_V1 {
        most.push_str(&format!(",v1={candidate}"));
    }
    measure(
        "8 v1 values, 2 secrets (checked)",
        &most,
        &body,
        &["old", "new"],
    );
}
