//! PostgreSQL's floor at the steady phases' rate: what the server's CPU costs per event when each
//! event is the least a durable ack can be, so the steady figures can be read against it:
//! - round trip: `SELECT 1`, nothing written;
//! - one commit: one autocommitted insert of a delivery-sized row (its own table, one unique key).
//!
//! Sent from this process at `rate` events/s (open loop) over a pool like muxd's, with
//! PostgreSQL's CPU read as in the steady phases (`procs::postgres_cpu_secs`).

use std::time::Duration;

use muxd_testkit::procs::{cpu_ms_per_event, postgres_cpu_secs};
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

const SECONDS: f64 = 10.0;
/// About what a stored delivery's payload weighs in the steady phases.
const PAYLOAD: usize = 600;

/// Runs both floors on the database at `url`; prints and returns them.
pub async fn run(url: &str, rate: f64) -> Value {
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect(url)
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_floor (
             id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
             event_id TEXT NOT NULL UNIQUE,
             payload TEXT NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let round_trip = paced(&pool, rate, |_| sqlx::query("SELECT 1")).await;
    let payload = "x".repeat(PAYLOAD);
    let commit = paced(&pool, rate, move |n| {
        sqlx::query("INSERT INTO bench_floor (event_id, payload) VALUES ($1, $2)")
            .bind(format!("floor-{n}-{}", muxd_store::now_ms()))
            .bind(payload.clone())
    })
    .await;
    pool.close().await;
    let ms = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}"));
    println!(
        "  floor at {rate}/s: PostgreSQL {} ms per round trip, {} ms per one-insert commit",
        ms(round_trip),
        ms(commit)
    );
    json!({"round_trip_postgres_cpu_ms": round_trip, "one_commit_postgres_cpu_ms": commit})
}

/// Runs `statement(n)` `rate` times a second for [`SECONDS`]; PostgreSQL's CPU per statement.
async fn paced<F>(pool: &PgPool, rate: f64, statement: F) -> Option<f64>
where
    F: Fn(usize) -> sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments>,
{
    let total = (rate * SECONDS) as usize;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let before = postgres_cpu_secs();
    let mut sent = Vec::with_capacity(total);
    for n in 0..total {
        ticker.tick().await;
        let (pool, query) = (pool.clone(), statement(n));
        sent.push(tokio::spawn(async move {
            query.execute(&pool).await.unwrap();
        }));
    }
    for task in sent {
        task.await.unwrap();
    }
    cpu_ms_per_event(before, postgres_cpu_secs(), total)
}
