//! How the bench sends: a closed loop (each of `concurrency` workers sends its next item once the
//! last is answered) and an open loop (a fixed rate, whatever the answers take).

use std::sync::Arc;
use std::time::{Duration, Instant};

use muxd_testkit::bench::signed;
use tokio::sync::Mutex;

/// Runs `work` over `items` with `concurrency` workers; returns (items/s, sorted latencies).
pub async fn closed_loop<T, F, Fut>(
    items: Vec<T>,
    concurrency: usize,
    work: F,
) -> (f64, Vec<Duration>)
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let total = items.len();
    let queue = Arc::new(Mutex::new(items.into_iter()));
    let work = Arc::new(work);
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (queue, work) = (queue.clone(), work.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let Some(item) = queue.lock().await.next() else {
                    return latencies;
                };
                let t = Instant::now();
                work(item).await;
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    latencies.sort();
    (rate, latencies)
}

/// Sends each of `bodies` as a signed webhook to `endpoint`, `rate` a second (open loop); returns
/// the sorted ack latencies. Every answer must be a 2xx.
pub async fn open_loop(
    http: &reqwest::Client,
    endpoint: &str,
    bodies: Vec<Vec<u8>>,
    rate: f64,
) -> Vec<Duration> {
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sends = Vec::with_capacity(bodies.len());
    for body in bodies {
        ticker.tick().await;
        let request = signed(http, endpoint, body);
        sends.push(tokio::spawn(async move {
            let t = Instant::now();
            let status = request.send().await.unwrap().status();
            assert!(status.is_success(), "{status}");
            t.elapsed()
        }));
    }
    let mut latencies = Vec::with_capacity(sends.len());
    for send in sends {
        latencies.push(send.await.unwrap());
    }
    latencies.sort();
    latencies
}
