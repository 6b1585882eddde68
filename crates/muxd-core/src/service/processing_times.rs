//! Processing-time analytics: how long uploads take to become playable, by stage (the person's
//! upload, Mux's processing, both: `domain::processing`), resolution tier and announced size.
//! Each asset is recorded in the `muxd_processing_seconds` histogram once its move to READY has
//! committed ([`observe`]); the admin API summarises the READY rows of the last days ([`recent`],
//! [`report`]) and names the slower stage, so which step is slow is visible at a glance.

use std::collections::BTreeMap;

use muxd_domain::processing::{tier, Milestones, SizeBand, Stage, METRIC};
use muxd_domain::time::{rfc3339, utc_day};
use muxd_domain::{AssetOrigin, AssetStatus, Change};
use muxd_store::assets::CreativeAsset;
use muxd_store::processing::ProcessedRow;
use muxd_store::{Store, StoreResult};

/// The most rows one report reads, so it costs the same however busy the window was; past it,
/// the window's oldest uploads are left out (the report says how many it read).
pub const CAP: i64 = 50_000;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Records the stages of an asset whose move to READY has just committed. `asset` is the row as
/// read before the change (its creation time and announced size never change), `change` what it
/// became; any other change (a READY row learning more, say) records nothing, and neither does
/// an adopted asset (uploaded before muxd knew of it: its row's creation times nothing).
pub fn observe(asset: &CreativeAsset, change: &Change) {
    let uploaded = asset.origin == AssetOrigin::Upload;
    if !uploaded || change.from == AssetStatus::Ready || change.to != AssetStatus::Ready {
        return;
    }
    let facts = &change.facts;
    let times = Milestones {
        created_at: asset.created_at,
        processing_at: facts.processing_at_ms,
        ready_at: facts.ready_at_ms,
    };
    let tier_label = tier(facts.ready.resolution_tier.as_deref()).to_owned();
    let band = SizeBand::of(asset.file_size).as_str();
    for stage in Stage::ALL {
        if let Some(ms) = times.span_ms(stage) {
            metrics::histogram!(
                METRIC,
                "stage" => stage.as_str(),
                "tier" => tier_label.clone(),
                "size_band" => band
            )
            .record(seconds(ms));
        }
    }
}

/// The report over the uploads that became ready in the `days` days before `now_ms`.
pub async fn recent(store: &Store, days: i64, now_ms: i64) -> StoreResult<ProcessingReport> {
    let since_ms = now_ms - days * DAY_MS;
    let rows = store.ready_since(since_ms, CAP).await?;
    Ok(report(&rows, CAP, since_ms, now_ms))
}

/// What the uploads that became ready since a moment took.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcessingReport {
    /// The window's start (RFC 3339).
    pub since: String,
    /// READY rows read, and the most a report reads (at the cap, the oldest were left out).
    pub sampled: usize,
    pub cap: i64,
    pub overall: Figures,
    /// By resolution tier, then size band.
    pub groups: Vec<Group>,
    /// Every UTC day of the window (and any later day an upload became ready on), oldest first.
    pub daily: Vec<Day>,
}

/// One tier and size band's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub tier: String,
    pub size_band: &'static str,
    pub figures: Figures,
}

/// A group's figures, by stage; a stage no upload of the group knows both ends of is `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// Uploads in the group.
    pub count: usize,
    pub upload: Option<StageFigures>,
    pub processing: Option<StageFigures>,
    pub total: Option<StageFigures>,
    /// Upload or processing, whichever has the larger median (processing on a tie); `None`
    /// unless both are known.
    pub slowest_stage: Option<Stage>,
}

/// One stage's figures, in seconds: nearest-rank percentiles.
#[derive(Clone, Debug, PartialEq)]
pub struct StageFigures {
    /// Uploads whose stage is known.
    pub count: usize,
    pub p50: f64,
    pub p90: f64,
    pub max: f64,
}

/// One UTC day's uploads.
#[derive(Clone, Debug, PartialEq)]
pub struct Day {
    /// `YYYY-MM-DD`, the day the uploads became ready.
    pub day: String,
    pub count: usize,
    /// Median seconds from upload URL to ready (`None` if no upload that day knows both).
    pub total_p50: Option<f64>,
}

/// Summarises `rows`, the READY rows ready since `since_ms` (read with at most `cap`), as of
/// `now_ms`.
pub fn report(rows: &[ProcessedRow], cap: i64, since_ms: i64, now_ms: i64) -> ProcessingReport {
    let mut groups: BTreeMap<(String, SizeBand), Vec<&ProcessedRow>> = BTreeMap::new();
    let mut days: BTreeMap<String, Vec<&ProcessedRow>> = BTreeMap::new();
    // Every day of the window, so a day when nothing became ready shows as one.
    let mut day = since_ms;
    while day < now_ms {
        days.entry(utc_day(day)).or_default();
        day += DAY_MS;
    }
    days.entry(utc_day(now_ms)).or_default();
    for row in rows {
        let key = (
            tier(row.resolution_tier.as_deref()).to_owned(),
            SizeBand::of(row.file_size),
        );
        groups.entry(key).or_default().push(row);
        days.entry(utc_day(row.ready_at)).or_default().push(row);
    }
    let all: Vec<&ProcessedRow> = rows.iter().collect();
    ProcessingReport {
        since: rfc3339(since_ms),
        sampled: rows.len(),
        cap,
        overall: Figures::of(&all),
        groups: groups
            .into_iter()
            .map(|((tier, band), rows)| Group {
                tier,
                size_band: band.as_str(),
                figures: Figures::of(&rows),
            })
            .collect(),
        daily: days
            .into_iter()
            .map(|(day, rows)| Day {
                day,
                count: rows.len(),
                total_p50: StageFigures::of(spans(&rows, Stage::Total)).map(|f| f.p50),
            })
            .collect(),
    }
}

impl Figures {
    fn of(rows: &[&ProcessedRow]) -> Figures {
        let upload = StageFigures::of(spans(rows, Stage::Upload));
        let processing = StageFigures::of(spans(rows, Stage::Processing));
        let slowest_stage = match (&upload, &processing) {
            (Some(upload), Some(processing)) if upload.p50 > processing.p50 => Some(Stage::Upload),
            (Some(_), Some(_)) => Some(Stage::Processing),
            _ => None,
        };
        Figures {
            count: rows.len(),
            upload,
            processing,
            total: StageFigures::of(spans(rows, Stage::Total)),
            slowest_stage,
        }
    }
}

impl StageFigures {
    /// The figures of `spans` (ms), or `None` if there are none.
    fn of(mut spans: Vec<i64>) -> Option<StageFigures> {
        spans.sort_unstable();
        let max = *spans.last()?;
        Some(StageFigures {
            count: spans.len(),
            p50: seconds(nearest_rank(&spans, 50)),
            p90: seconds(nearest_rank(&spans, 90)),
            max: seconds(max),
        })
    }
}

/// The known spans of `stage` among `rows` (ms).
fn spans(rows: &[&ProcessedRow], stage: Stage) -> Vec<i64> {
    rows.iter()
        .filter_map(|row| {
            let times = Milestones {
                created_at: row.created_at,
                processing_at: row.processing_at,
                ready_at: Some(row.ready_at),
            };
            times.span_ms(stage)
        })
        .collect()
}

/// The `percent`th percentile of sorted, non-empty `values` by nearest rank: the smallest value
/// with at least `percent`% of the values at or below it.
fn nearest_rank(values: &[i64], percent: usize) -> i64 {
    let rank = (percent * values.len()).div_ceil(100).max(1);
    values[rank - 1]
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

#[cfg(test)]
mod tests;
