//! The guide's playback-id integrity check: each READY asset's playback id must exist on Mux and
//! point at the row's asset. With repair, a bad or missing one is replaced by the asset's
//! current first playback id through the lifecycle (recorded as the admin's repair), and the
//! change is announced to live pages.

use mux_api::{ErrorKind, MuxClient};

use super::live::{AssetChanged, LiveHub};
use super::ServiceError;
use muxd_domain::{AssetId, AssetStatus, Cause, LifecycleEvent, MuxAssetId, PlaybackId, UserId};
use muxd_store::asset_list::AssetFilter;
use muxd_store::{now_ms, Store};

/// Rows read per page while checking.
const PAGE: i64 = 200;

/// One asset with a problem.
#[derive(Debug, Clone)]
pub struct Problem {
    pub asset_id: AssetId,
    pub mux_asset_id: Option<MuxAssetId>,
    pub playback_id: Option<PlaybackId>,
    pub problem: String,
    pub repaired: bool,
}

/// What a check found.
#[derive(Debug, Clone)]
pub struct Report {
    pub checked: usize,
    pub problems: usize,
    pub report: Vec<Problem>,
}

/// Checks playback ids. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PlaybackCheck {
    pub store: Store,
    pub mux: MuxClient,
    pub live: LiveHub,
    pub stream_base: String,
}

impl PlaybackCheck {
    /// Checks every READY asset; with `repair`, fixes what it can in the name of admin `by`.
    pub async fn verify(&self, repair: Option<&UserId>) -> Result<Report, ServiceError> {
        let mut report = Vec::new();
        let mut checked = 0;
        let mut offset = 0;
        loop {
            let filter = AssetFilter {
                status: Some(AssetStatus::Ready),
                limit: PAGE,
                offset,
                ..Default::default()
            };
            let rows = self.store.list_assets(&filter).await?;
            if rows.is_empty() {
                break;
            }
            offset += PAGE;
            for asset in rows {
                checked += 1;
                let Some(asset_id) = asset.facts.mux_asset_id.clone() else {
                    report.push(Problem {
                        asset_id: asset.id,
                        mux_asset_id: None,
                        playback_id: asset.facts.ready.playback_id.clone(),
                        problem: "READY without a Mux asset id".into(),
                        repaired: false,
                    });
                    continue;
                };
                let Some(problem) = self
                    .problem(&asset_id, asset.facts.ready.playback_id.as_deref())
                    .await?
                else {
                    continue;
                };
                let repaired = match repair {
                    Some(by) => self.repair(asset.id, asset.owner_id, &asset_id, by).await?,
                    None => false,
                };
                report.push(Problem {
                    asset_id: asset.id,
                    mux_asset_id: Some(asset_id),
                    playback_id: asset.facts.ready.playback_id.clone(),
                    problem,
                    repaired,
                });
            }
        }
        Ok(Report {
            checked,
            problems: report.len(),
            report,
        })
    }

    /// What is wrong with `playback_id` for Mux asset `asset_id`, if anything.
    async fn problem(
        &self,
        asset_id: &str,
        playback_id: Option<&str>,
    ) -> Result<Option<String>, ServiceError> {
        let Some(pid) = playback_id else {
            return Ok(Some("no playback id".into()));
        };
        Ok(match self.mux.get_playback_id(pid).await {
            Ok(found) if found.object.id == asset_id => None,
            Ok(found) => Some(format!("playback id points at {} instead", found.object.id)),
            Err(error) if error.is_not_found() => Some("playback id not found on Mux".into()),
            // Mux refuses this id (e.g. malformed): a problem of this asset, not of the run.
            Err(error) if error.kind() == ErrorKind::Permanent => {
                Some(format!("Mux rejects the playback id: {error}"))
            }
            Err(error) => return Err(error.into()),
        })
    }

    /// Gives row `id` the Mux asset's current first playback id. Returns whether it changed.
    async fn repair(
        &self,
        id: AssetId,
        owner: UserId,
        asset_id: &str,
        by: &UserId,
    ) -> Result<bool, ServiceError> {
        let mux_asset = self.mux.get_asset(asset_id).await?;
        let Some(pid) = mux_asset.playback_ids.first() else {
            return Ok(false);
        };
        let event = LifecycleEvent::PlaybackRepaired {
            playback_id: pid.id.as_str().into(),
        };
        let cause = Cause::Repair { by: by.to_string() };
        let change = self
            .store
            .apply(id, &event, now_ms(), &cause, &self.stream_base)
            .await?;
        let Some(change) = change else {
            return Ok(false);
        };
        self.live.publish(AssetChanged {
            asset_id: id,
            owner_id: owner,
            status: change.to,
        });
        Ok(true)
    }
}
