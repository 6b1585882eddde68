//! The statements PostgreSQL ran in a phase, per event, from `pg_stat_statements` when the server
//! loads it (`shared_preload_libraries`); otherwise the profile is left out and the bench says
//! so once. Counted for the bench's database only.

use serde_json::{json, Value};
use sqlx::{Connection as _, PgConnection};

/// A connection to the bench's database that can read `pg_stat_statements`, if the server
/// loads it.
pub struct Statements(PgConnection);

impl Statements {
    pub async fn connect(url: &str) -> Option<Statements> {
        let mut conn = PgConnection::connect(url).await.ok()?;
        let created = sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .execute(&mut conn)
            .await;
        let readable = sqlx::query("SELECT 1 FROM pg_stat_statements LIMIT 1")
            .execute(&mut conn)
            .await;
        if created.is_err() || readable.is_err() {
            println!("  (no statement profile: PostgreSQL does not load pg_stat_statements)");
            return None;
        }
        Some(Statements(conn))
    }

    /// Forgets what was counted so far.
    pub async fn reset(&mut self) {
        sqlx::query("SELECT pg_stat_statements_reset()")
            .execute(&mut self.0)
            .await
            .unwrap();
    }

    /// The statements run on this database since the last reset, most called first, each with
    /// its calls and execution time per event; and every statement's calls per event in all.
    pub async fn per_event(&mut self, events: usize) -> Value {
        let rows: Vec<(i64, f64, String)> = sqlx::query_as(
            "SELECT calls, total_exec_time, query FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND query NOT LIKE '%pg_stat_statements%'
             ORDER BY calls DESC",
        )
        .fetch_all(&mut self.0)
        .await
        .unwrap();
        let n = events as f64;
        let total: i64 = rows.iter().map(|(calls, _, _)| calls).sum();
        let statements: Vec<Value> = rows
            .iter()
            .take(20)
            .map(|(calls, ms, query)| {
                let query: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
                json!({
                    "calls_per_event": *calls as f64 / n,
                    "exec_ms_per_event": ms / n,
                    "query": query.chars().take(120).collect::<String>(),
                })
            })
            .collect();
        json!({"calls_per_event": total as f64 / n, "top": statements})
    }
}

/// Prints a profile made by [`Statements::per_event`], counted per `unit` ("event", "second").
pub fn print(profile: &Value, unit: &str) {
    println!(
        "    statements per {unit}: {:.2}",
        profile["calls_per_event"].as_f64().unwrap_or(f64::NAN)
    );
    for statement in profile["top"].as_array().into_iter().flatten().take(12) {
        println!(
            "    {:6.3} calls {:7.4} ms  {}",
            statement["calls_per_event"].as_f64().unwrap_or(f64::NAN),
            statement["exec_ms_per_event"].as_f64().unwrap_or(f64::NAN),
            statement["query"].as_str().unwrap_or("")
        );
    }
}
