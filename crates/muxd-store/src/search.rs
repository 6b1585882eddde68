//! Finding videos by what is said in them: each caption track's transcript is indexed by
//! [`Store::index_transcript`] (one `search_entries` row per track, with its cues), an asset's
//! name and description by triggers (migrations 0021, 0022), and [`Store::search_assets`] returns
//! the assets an asset list would show whose name, description or one transcript holds every
//! term of a query, best first, with the cues that say the most of its terms. The SQL is in
//! `search_query.rs`.

use std::collections::HashSet;

use super::asset_list::AssetFilter;
use super::assets::{AssetRow, CreativeAsset};
use super::search_query::{query_terms, search_query, words, CUES_PER_HIT};
use super::{run, Conn, Store, StoreError, StoreResult};
use muxd_domain::captions::Cue;
use muxd_domain::AssetId;

/// An asset a search found.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    pub asset: CreativeAsset,
    /// The cues of its matching transcripts that hold the most of the query's terms (at most
    /// [`CUES_PER_HIT`], earliest first); none when only the name or description matched.
    pub matches: Vec<CueMatch>,
}

/// A cue that matched, as indexed (its plain text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CueMatch {
    pub start_ms: u64,
    pub text: String,
}

/// A row of the search statement: a page's asset and, if any, one of its matching transcripts'
/// cues (JSON, as [`Store::index_transcript`] keeps them).
#[derive(sqlx::FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    asset: AssetRow,
    hit_id: String,
    transcript_cues: Option<String>,
}

/// A transcript's cues as kept in `search_entries.cues`: `[start_ms, text]` pairs.
type KeptCues = Vec<(i64, String)>;

impl Store {
    /// Replaces the indexed transcript of (`asset`, `track_id`) by the plain text of `cues`
    /// (cues without any text are left out; a track with none has nothing indexed). An asset
    /// that no longer exists gets nothing indexed.
    pub async fn index_transcript(
        &self,
        asset: AssetId,
        track_id: &str,
        language: &str,
        cues: &[Cue],
    ) -> StoreResult<()> {
        let kept: KeptCues = cues
            .iter()
            .map(|cue| {
                let start = i64::try_from(cue.start_ms).unwrap_or(i64::MAX);
                (start, cue.plain_text())
            })
            .filter(|(_, text)| !text.is_empty())
            .collect();
        let body: Vec<&str> = kept.iter().map(|(_, text)| text.as_str()).collect();
        let body = body.join("\n");
        let kept = serde_json::to_string(&kept).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin().await?;
        remove_track(&mut tx.conn(), asset, track_id).await?;
        if !body.is_empty() {
            // The scope tokens as the migration's triggers write them (see migration 0021).
            run!(&mut tx.conn(), c => sqlx::query(
                "INSERT INTO search_entries (asset_id, kind, track_id, language, cues, scope, body)
                 SELECT a.id, 'transcript', $2, $3, $4,
                    'o' || replace(a.owner_id, '-', '')
                        || COALESCE(' c' || replace(a.campaign_id, '-', ''), ''),
                    $5
                 FROM creative_assets a WHERE a.id = $1",
            )
            .bind(asset.to_string())
            .bind(track_id)
            .bind(language)
            .bind(&kept)
            .bind(&body)
            .execute(&mut **c)
            .await
            .map(drop))?;
        }
        tx.commit().await
    }

    /// The caption tracks of `asset` whose transcripts are indexed.
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

    /// Removes the indexed transcript of (`asset`, `track_id`) (its track was deleted).
    pub async fn remove_transcript(&self, asset: AssetId, track_id: &str) -> StoreResult<()> {
        remove_track(&mut self.write().await?.conn(), asset, track_id).await
    }

    /// The assets `filter` would list (the same access rules; its limit and offset page the
    /// hits) whose name, description or one transcript holds every term of `q` (see
    /// [`query_terms`](super::search_query::query_terms)), best first: matches in the name count
    /// most, then the description, then transcripts; ties newest first. A query without terms
    /// finds nothing.
    pub async fn search_assets(
        &self,
        filter: &AssetFilter,
        q: &str,
    ) -> StoreResult<Vec<SearchHit>> {
        let Some((sql, binds)) = search_query(self.backend(), filter, q) else {
            return Ok(Vec::new());
        };
        let rows: Vec<HitRow> = self.fetch_bound(&sql, &binds).await?;
        let terms = query_terms(q);
        let mut hits: Vec<SearchHit> = Vec::new();
        let mut said: KeptCues = Vec::new();
        let mut last_id: Option<String> = None;
        for row in rows {
            if last_id.as_deref() != Some(row.hit_id.as_str()) {
                if let Some(hit) = hits.last_mut() {
                    hit.matches = matching_cues(&terms, std::mem::take(&mut said));
                }
                last_id = Some(row.hit_id);
                hits.push(SearchHit {
                    asset: CreativeAsset::try_from(row.asset)?,
                    matches: Vec::new(),
                });
            }
            if let Some(json) = row.transcript_cues {
                let cues: KeptCues = serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("search_entries.cues: {e}")))?;
                said.extend(cues);
            }
        }
        if let Some(hit) = hits.last_mut() {
            hit.matches = matching_cues(&terms, said);
        }
        Ok(hits)
    }
}

/// The cues of `cues` that hold the most of `terms` (each cue's [`words`], all of them, however
/// long the cue), at most [`CUES_PER_HIT`] of them, earliest first: the
/// cues that say the whole query when there are any, else those that say most of it (a phrase
/// split across two cues shows both).
fn matching_cues(terms: &[String], cues: KeptCues) -> Vec<CueMatch> {
    let held = |text: &str| {
        let said: HashSet<String> = words(text).collect();
        terms.iter().filter(|term| said.contains(*term)).count()
    };
    let scored: Vec<(usize, i64, String)> = cues
        .into_iter()
        .map(|(start, text)| (held(&text), start, text))
        .collect();
    let most = scored.iter().map(|(n, ..)| *n).max().unwrap_or(0);
    let mut best: Vec<(i64, String)> = scored
        .into_iter()
        .filter(|(n, ..)| most > 0 && *n == most)
        .map(|(_, start, text)| (start, text))
        .collect();
    best.sort();
    best.into_iter()
        .take(CUES_PER_HIT)
        .map(|(start, text)| CueMatch {
            start_ms: u64::try_from(start).unwrap_or_default(),
            text,
        })
        .collect()
}

/// Deletes the transcript of one caption track (SQLite's trigger takes it out of the index).
async fn remove_track(conn: &mut Conn<'_>, asset: AssetId, track_id: &str) -> StoreResult<()> {
    run!(conn, c => sqlx::query("DELETE FROM search_entries WHERE asset_id = $1 AND track_id = $2")
        .bind(asset.to_string())
        .bind(track_id)
        .execute(&mut **c)
        .await
        .map(drop))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(texts: &[&str]) -> KeptCues {
        (0..)
            .zip(texts)
            .map(|(n, t)| (n * 1000, (*t).into()))
            .collect()
    }

    fn starts(matches: &[CueMatch]) -> Vec<u64> {
        matches.iter().map(|m| m.start_ms).collect()
    }

    #[test]
    fn cues_that_say_the_whole_query_come_first() {
        let terms = query_terms("Quick brown");
        let cues = said(&[
            "quick fox",
            "A QUICK, brown fox",
            "brown",
            "quick brown again",
        ]);
        let matches = matching_cues(&terms, cues);
        assert_eq!(starts(&matches), vec![1000, 3000]);
        assert_eq!(matches[0].text, "A QUICK, brown fox");
    }

    #[test]
    fn a_phrase_split_across_cues_shows_both_halves() {
        let terms = query_terms("summer sale");
        let cues = said(&["welcome", "our summer", "sale starts now"]);
        assert_eq!(starts(&matching_cues(&terms, cues)), vec![1000, 2000]);
    }

    #[test]
    fn at_most_three_earliest_and_none_without_a_term() {
        let terms = query_terms("go");
        let cues = said(&["go", "ago", "go go", "let's go", "go!"]);
        assert_eq!(starts(&matching_cues(&terms, cues)), vec![0, 2000, 3000]);
        let cues = said(&["nothing", "here"]);
        assert!(matching_cues(&terms, cues).is_empty());
        assert!(matching_cues(&[], said(&["go"])).is_empty());
    }

    #[test]
    fn every_word_of_a_long_cue_counts() {
        let long = "one two three four five six seven eight nine ten eleven twelve thirteen go";
        let terms = query_terms("go");
        assert_eq!(
            starts(&matching_cues(&terms, said(&["stop", long]))),
            vec![1000]
        );
    }
}
