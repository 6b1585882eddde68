//! The JSON of the processing-times report, made from the report `service::processing_times`
//! computes.

use serde::Serialize;
use utoipa::ToSchema;

use muxd_core::service::processing_times as report;
use muxd_domain::processing::Stage;

/// What the uploads that became ready since a moment took.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
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
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub tier: String,
    pub size_band: &'static str,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A group's figures, by stage; a stage no upload of the group knows both ends of is `None`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct StageFigures {
    /// Uploads whose stage is known.
    pub count: usize,
    pub p50: f64,
    pub p90: f64,
    pub max: f64,
}

/// One UTC day's uploads.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    /// `YYYY-MM-DD`, the day the uploads became ready.
    pub day: String,
    pub count: usize,
    /// Median seconds from upload URL to ready (`None` if no upload that day knows both).
    pub total_p50: Option<f64>,
}

impl From<report::ProcessingReport> for ProcessingReport {
    fn from(r: report::ProcessingReport) -> Self {
        ProcessingReport {
            since: r.since,
            sampled: r.sampled,
            cap: r.cap,
            overall: r.overall.into(),
            groups: r.groups.into_iter().map(Group::from).collect(),
            daily: r.daily.into_iter().map(Day::from).collect(),
        }
    }
}

impl From<report::Group> for Group {
    fn from(g: report::Group) -> Self {
        Group {
            tier: g.tier,
            size_band: g.size_band,
            figures: g.figures.into(),
        }
    }
}

impl From<report::Figures> for Figures {
    fn from(f: report::Figures) -> Self {
        Figures {
            count: f.count,
            upload: f.upload.map(StageFigures::from),
            processing: f.processing.map(StageFigures::from),
            total: f.total.map(StageFigures::from),
            slowest_stage: f.slowest_stage,
        }
    }
}

impl From<report::StageFigures> for StageFigures {
    fn from(f: report::StageFigures) -> Self {
        StageFigures {
            count: f.count,
            p50: f.p50,
            p90: f.p90,
            max: f.max,
        }
    }
}

impl From<report::Day> for Day {
    fn from(d: report::Day) -> Self {
        Day {
            day: d.day,
            count: d.count,
            total_p50: d.total_p50,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_serialises_in_the_api_s_camel_case() {
        let stage = |p50| report::StageFigures {
            count: 1,
            p50,
            p90: p50,
            max: p50,
        };
        let figures = report::Figures {
            count: 1,
            upload: Some(stage(10.0)),
            processing: Some(stage(100.0)),
            total: Some(stage(110.0)),
            slowest_stage: Some(Stage::Processing),
        };
        let computed = report::ProcessingReport {
            since: "2023-11-15T00:00:00Z".into(),
            sampled: 1,
            cap: 5_000,
            overall: figures.clone(),
            groups: vec![report::Group {
                tier: "720p".into(),
                size_band: "lt_10mb",
                figures,
            }],
            daily: vec![report::Day {
                day: "2023-11-15".into(),
                count: 1,
                total_p50: Some(110.0),
            }],
        };
        let json = serde_json::to_value(ProcessingReport::from(computed)).unwrap();
        assert_eq!(json["sampled"], 1);
        assert_eq!(json["cap"], 5_000);
        assert_eq!(json["overall"]["slowestStage"], "processing");
        assert_eq!(json["groups"][0]["sizeBand"], "lt_10mb");
        assert_eq!(json["groups"][0]["tier"], "720p");
        assert_eq!(json["groups"][0]["processing"]["p50"], 100.0);
        assert_eq!(json["daily"][0]["totalP50"], 110.0);
        assert_eq!(json["since"], "2023-11-15T00:00:00Z");
    }
}
