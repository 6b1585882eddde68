//! Finding videos by what is said in them: each asset's caption cues are indexed by
//! [`Store::index_transcript`] (one `search_entries` row per cue, per track), its name and
//! description by triggers (migration 0021), and [`Store::search_assets`] returns the assets an
//! asset list would show whose name, description or one cue holds every term of a query, best
//! first, with their first matching cues. The SQL is in `search_query.rs`.
//!
//! Terms must all appear in one entry: a cue, the name or the description. Words split across
//! two cues are not found together.

use super::asset_list::{AssetFilter, Bind};
use super::assets::{AssetRow, CreativeAsset};
use super::search_query::search_query;
use super::{run, Conn, Store, StoreResult};
use crate::domain::captions::Cue;
use crate::domain::AssetId;

/// Cues inserted per statement (two values each, well below either backend's bind limit).
const CUES_PER_INSERT: usize = 500;

/// An asset a search found.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    pub asset: CreativeAsset,
    /// Its first cues (by time, at most three) that hold every term; none when only the name or
    /// description matched.
    pub matches: Vec<CueMatch>,
}

/// A cue that matched, as indexed (its plain text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CueMatch {
    pub start_ms: u64,
    pub text: String,
}

/// A row of the search statement: a page's asset and, if any, one of its matching cues.
#[derive(sqlx::FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    asset: AssetRow,
    hit_id: String,
    cue_start_ms: Option<i64>,
    cue_body: Option<String>,
}

impl Store {
    /// Replaces the indexed cues of (`asset`, `track_id`) by the plain text of `cues` (cues
    /// without any text are left out). An asset that no longer exists gets nothing indexed.
    pub async fn index_transcript(
        &self,
        asset: AssetId,
        track_id: &str,
        language: &str,
        cues: &[Cue],
    ) -> StoreResult<()> {
        let entries: Vec<(i64, String)> = cues
            .iter()
            .map(|cue| {
                let start = i64::try_from(cue.start_ms).unwrap_or(i64::MAX);
                (start, cue.plain_text())
            })
            .filter(|(_, text)| !text.is_empty())
            .collect();
        let mut tx = self.begin().await?;
        remove_track(&mut tx.conn(), asset, track_id).await?;
        for chunk in entries.chunks(CUES_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 4 + 2 * i, 5 + 2 * i))
                .collect();
            // The scope tokens as the migration's triggers write them (see migration 0021).
            let sql = format!(
                "INSERT INTO search_entries (asset_id, kind, track_id, language, start_ms, scope, body)
                 SELECT a.id, 'cue', $2, $3, v.column1,
                    'o' || replace(a.owner_id, '-', '')
                        || COALESCE(' c' || replace(a.campaign_id, '-', ''), ''),
                    v.column2
                 FROM creative_assets a, (VALUES {}) AS v WHERE a.id = $1",
                values.join(", ")
            );
            run!(&mut tx.conn(), c => {
                // Statements of every chunk size would crowd the prepared-statement cache.
                let mut query = sqlx::query(&sql)
                    .persistent(false)
                    .bind(asset.to_string())
                    .bind(track_id)
                    .bind(language);
                for (start, text) in chunk {
                    query = query.bind(*start).bind(text.as_str());
                }
                query.execute(&mut **c).await.map(drop)
            })?;
        }
        tx.commit().await
    }

    /// The caption tracks of `asset` whose cues are indexed.
    pub async fn transcript_tracks(&self, asset: AssetId) -> StoreResult<Vec<String>> {
        let rows: Vec<(String,)> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(
            "SELECT DISTINCT track_id FROM search_entries
             WHERE asset_id = $1 AND track_id IS NOT NULL",
        )
        .bind(asset.to_string())
        .fetch_all(&mut **c)
        .await)?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Removes the indexed cues of (`asset`, `track_id`) (its track was deleted).
    pub async fn remove_transcript(&self, asset: AssetId, track_id: &str) -> StoreResult<()> {
        remove_track(&mut self.write().await?.conn(), asset, track_id).await
    }

    /// The assets `filter` would list (the same access rules; its limit and offset page the
    /// hits) whose name, description or one cue holds every term of `q` (see
    /// [`query_terms`](super::search_query::query_terms)), best first: matches in the name count
    /// most, then the description, then cues; ties newest first. A query without terms finds
    /// nothing.
    pub async fn search_assets(
        &self,
        filter: &AssetFilter,
        q: &str,
    ) -> StoreResult<Vec<SearchHit>> {
        let Some((sql, binds)) = search_query(self.backend(), filter, q) else {
            return Ok(Vec::new());
        };
        let rows: Vec<HitRow> = run!(&mut self.read().await?.conn(), c => {
            let mut query = sqlx::query_as(&sql);
            for bind in &binds {
                query = match bind {
                    Bind::Text(text) => query.bind(text.as_str()),
                    Bind::Int(n) => query.bind(*n),
                };
            }
            query.fetch_all(&mut **c).await
        })?;
        let mut hits: Vec<SearchHit> = Vec::new();
        let mut last_id: Option<String> = None;
        for row in rows {
            if last_id.as_deref() != Some(row.hit_id.as_str()) {
                last_id = Some(row.hit_id);
                hits.push(SearchHit {
                    asset: CreativeAsset::try_from(row.asset)?,
                    matches: Vec::new(),
                });
            }
            if let (Some(start), Some(text), Some(hit)) =
                (row.cue_start_ms, row.cue_body, hits.last_mut())
            {
                hit.matches.push(CueMatch {
                    start_ms: u64::try_from(start).unwrap_or_default(),
                    text,
                });
            }
        }
        Ok(hits)
    }
}

/// Deletes the entries of one caption track (SQLite's trigger takes them out of the index).
async fn remove_track(conn: &mut Conn<'_>, asset: AssetId, track_id: &str) -> StoreResult<()> {
    run!(conn, c => sqlx::query("DELETE FROM search_entries WHERE asset_id = $1 AND track_id = $2")
        .bind(asset.to_string())
        .bind(track_id)
        .execute(&mut **c)
        .await
        .map(drop))?;
    Ok(())
}
