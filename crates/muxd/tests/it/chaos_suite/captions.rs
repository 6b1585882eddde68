//! Captions in the chaos suite: every upload asks for generated captions (`MUXD_CAPTIONS=en`), so
//! each asset's text-track webhooks ride the same faults as its other events (dropped,
//! duplicated, reordered, delayed, with muxd killed between them). Once the run converges, each
//! READY row's text tracks must be Mux's: the same track ids, each with Mux's status.

use std::collections::BTreeSet;

use muxd_store::{Db, Store};
use serde_json::Value;

use super::invariants::{Check, Truth};

/// A READY row's Mux asset and its text tracks as muxd stored them.
#[derive(sqlx::FromRow)]
struct Tracked {
    id: String,
    asset_id: Option<String>,
    text_tracks: Option<String>,
}

/// The (id, status) of each track that is not deleted, as muxd's JSON or Mux's asset lists them.
fn tracks(list: &Value, type_filter: bool) -> BTreeSet<(String, String)> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|t| !type_filter || t["type"] == "text")
        .filter(|t| t["status"] != "deleted")
        .map(|t| {
            let text = |k: &str| t[k].as_str().unwrap_or_default().to_owned();
            (text("id"), text("status"))
        })
        .collect()
}

/// Why each READY row's captions differ from Mux's, if they do.
pub async fn mismatches(store: &Store, truth: &Truth) -> Vec<String> {
    const SQL: &str = "SELECT id, mux_asset_id AS asset_id, text_tracks FROM creative_assets \
                       WHERE mux_processing_status = 'READY' AND replaces IS NULL";
    let rows: Vec<Tracked> = match store.db() {
        Db::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
    }
    .expect("chaos suite reads muxd's database");
    let mut wrong = Vec::new();
    for row in rows {
        let Some(asset) = row.asset_id.as_ref().and_then(|a| truth.assets.get(a)) else {
            continue;
        };
        let ours: Value = row.text_tracks.as_deref().map_or(Value::Null, |json| {
            serde_json::from_str(json).unwrap_or(Value::Null)
        });
        let (ours, mux) = (tracks(&ours, false), tracks(&asset["tracks"], true));
        if ours != mux {
            wrong.push(format!(
                "row {}: captions {ours:?}, Mux has {mux:?}",
                row.id
            ));
        }
    }
    wrong
}

/// The invariant: every READY row's captions are Mux's.
pub async fn check(store: &Store, truth: &Truth) -> Check {
    let mut check = Check::new("every READY row's captions are Mux's");
    let wrong = mismatches(store, truth).await;
    check.checks += truth.assets.len();
    check.violations.extend(wrong);
    check
}
