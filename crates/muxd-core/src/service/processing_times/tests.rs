//! The report over hand-made rows: nearest-rank percentiles per stage, the slower stage named,
//! unknown and negative stages skipped, groups by tier and size band, and the daily trend with
//! its empty days.

use super::*;

/// Midnight UTC, 2023-11-15 (unix ms).
const DAY0: i64 = 1_700_006_400_000;
const S: i64 = 1_000;

/// A row created at `created_s`, with Mux having the file at `processing_s` and ready at
/// `ready_s` (seconds after [`DAY0`]).
fn row(
    created_s: i64,
    processing_s: Option<i64>,
    ready_s: i64,
    tier: Option<&str>,
    bytes: Option<i64>,
) -> ProcessedRow {
    ProcessedRow {
        created_at: DAY0 + created_s * S,
        processing_at: processing_s.map(|p| DAY0 + p * S),
        ready_at: DAY0 + ready_s * S,
        resolution_tier: tier.map(str::to_owned),
        file_size: bytes,
    }
}

fn figures(count: usize, p50: f64, p90: f64, max: f64) -> Option<StageFigures> {
    Some(StageFigures {
        count,
        p50,
        p90,
        max,
    })
}

#[test]
fn nearest_rank_takes_the_smallest_value_with_enough_at_or_below_it() {
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(nearest_rank(&ten, 50), 5);
    assert_eq!(nearest_rank(&ten, 90), 9);
    assert_eq!(nearest_rank(&[7], 50), 7);
    assert_eq!(nearest_rank(&[7], 90), 7);
    assert_eq!(nearest_rank(&[1, 2], 50), 1);
    assert_eq!(nearest_rank(&[1, 2], 90), 2);
}

#[test]
fn a_group_has_percentiles_per_stage_and_names_the_slower_stage() {
    let rows = [
        row(0, Some(10), 110, Some("720p"), Some(5_000_000)),
        row(0, Some(20), 220, Some("720p"), Some(5_000_000)),
        row(0, Some(30), 330, Some("720p"), Some(5_000_000)),
    ];
    let report = report(&rows, CAP, DAY0, DAY0 + 3_600 * S);
    let expected = Figures {
        count: 3,
        upload: figures(3, 20.0, 30.0, 30.0),
        processing: figures(3, 200.0, 300.0, 300.0),
        total: figures(3, 220.0, 330.0, 330.0),
        slowest_stage: Some(Stage::Processing),
    };
    assert_eq!(report.overall, expected);
    assert_eq!(
        report.groups,
        [Group {
            tier: "720p".into(),
            size_band: "lt_10mb",
            figures: expected,
        }]
    );
    assert_eq!((report.sampled, report.cap), (3, CAP));
}

#[test]
fn unknown_and_negative_stages_are_skipped_and_groups_split_by_tier_and_band() {
    let rows = [
        // Before processing times were recorded: no creation stamp, tier or size.
        row(0, None, 100, None, None),
        // Mux's clock behind muxd's by more than the upload took.
        row(50, Some(40), 640, Some("1080p"), Some(2_000_000_000)),
        // A slow upload.
        row(0, Some(900), 960, Some("1080p"), Some(2_000_000_000)),
    ];
    let report = report(&rows, CAP, DAY0, DAY0 + 3_600 * S);
    let keys: Vec<(&str, &str, usize)> = report
        .groups
        .iter()
        .map(|g| (g.tier.as_str(), g.size_band, g.figures.count))
        .collect();
    assert_eq!(keys, [("1080p", "gte_1gb", 2), ("unknown", "unknown", 1)]);
    let old = &report.groups[1].figures;
    assert_eq!((&old.upload, &old.processing), (&None, &None));
    assert_eq!(old.total, figures(1, 100.0, 100.0, 100.0));
    assert_eq!(old.slowest_stage, None);
    let big = &report.groups[0].figures;
    assert_eq!(big.upload, figures(1, 900.0, 900.0, 900.0));
    assert_eq!(big.processing, figures(2, 60.0, 600.0, 600.0));
    assert_eq!(big.slowest_stage, Some(Stage::Upload));
    assert_eq!(report.overall.count, 3);
}

#[test]
fn the_daily_trend_has_every_day_of_the_window() {
    const DAY_S: i64 = 24 * 3_600;
    let rows = [
        row(0, Some(40), 100, Some("720p"), None),
        row(
            2 * DAY_S,
            Some(2 * DAY_S + 10),
            2 * DAY_S + 70,
            Some("720p"),
            None,
        ),
        row(
            2 * DAY_S,
            Some(2 * DAY_S + 10),
            2 * DAY_S + 50,
            Some("720p"),
            None,
        ),
    ];
    let now = DAY0 + (2 * DAY_S + 3_600) * S;
    let report = report(&rows, CAP, DAY0, now);
    let daily: Vec<(&str, usize, Option<f64>)> = report
        .daily
        .iter()
        .map(|d| (d.day.as_str(), d.count, d.total_p50))
        .collect();
    assert_eq!(
        daily,
        [
            ("2023-11-15", 1, Some(100.0)),
            ("2023-11-16", 0, None),
            ("2023-11-17", 2, Some(50.0)),
        ]
    );
}
