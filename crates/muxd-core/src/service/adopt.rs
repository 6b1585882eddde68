//! Adopting an asset made outside muxd (in Mux's dashboard, by another tool): check what was
//! asked (owner, campaign and influencer as uploads check them, name), find the asset on Mux by
//! its id or a playback id, then make its row once however often it is adopted, and bring the
//! row up to date through the lifecycle like any other: first the webhooks Mux sent for the
//! asset before muxd knew it (stored as unmatched), then what the asset read says (the resync
//! path). Every change is recorded in `asset_events`, so the host app hears `asset.created`,
//! then `asset.processing`/`asset.ready` as they happen.

use mux_api::{Asset, MuxError};

use super::campaigns::{self, PlacementError};
use super::sync::{asset_events, Resync};
use super::ServiceError;
use muxd_domain::ids::{ExternalUserId, MAX_EXTERNAL_USER_ID};
use muxd_domain::{details, AssetId, Cause, MatchKeys};
use muxd_store::adoption::NewAdoption;
use muxd_store::CreativeAsset;

/// The longest Mux id accepted (Mux's ids are far shorter).
const MAX_MUX_ID: usize = 255;

/// How the asset to adopt is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MuxRef {
    /// By its Mux asset id.
    Asset(String),
    /// By one of its playback ids.
    Playback(String),
    /// By either: tried as an asset id, then as a playback id (the command line).
    Either(String),
}

/// What to adopt, and where the row goes.
#[derive(Clone, Debug)]
pub struct AdoptRequest {
    pub asset: MuxRef,
    /// The owner's external id (the identity provider's); muxd knows them from then on.
    pub owner: String,
    /// The campaign and influencer, by the host app's ids or muxd's.
    pub campaign: Option<String>,
    pub influencer: Option<String>,
    /// The row's name; by default Mux's `meta.title`, else its `passthrough`, else the asset id.
    pub name: Option<String>,
}

/// The row that tracks the asset, and whether this adoption made it.
#[derive(Clone, Debug)]
pub struct Adopted {
    pub asset: CreativeAsset,
    pub new: bool,
}

/// Why an asset was not adopted.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    /// The request breaks a rule; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// Mux has no such asset or playback id; the message says which.
    #[error("{0}")]
    NotOnMux(String),
    #[error(transparent)]
    Failed(#[from] ServiceError),
}

impl From<muxd_store::StoreError> for AdoptError {
    fn from(error: muxd_store::StoreError) -> Self {
        AdoptError::Failed(error.into())
    }
}

impl From<MuxError> for AdoptError {
    fn from(error: MuxError) -> Self {
        AdoptError::Failed(error.into())
    }
}

/// Adopts assets. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Adoptions {
    pub resync: Resync,
}

impl Adoptions {
    /// Adopts the asset `request` names, or finds the row that already tracks it; `cause` says
    /// who adopted it (recorded with the row's creation).
    pub async fn adopt(
        &self,
        request: &AdoptRequest,
        cause: &Cause,
    ) -> Result<Adopted, AdoptError> {
        let store = &self.resync.store;
        // 1. Check what was asked, before asking Mux anything.
        let reference = checked_ref(&request.asset)?;
        let owner = ExternalUserId::parse(&request.owner).ok_or_else(|| {
            AdoptError::Invalid(format!(
                "ownerId must be an external user id of 1 to {MAX_EXTERNAL_USER_ID} characters"
            ))
        })?;
        let name = match request.name.as_deref() {
            Some(raw) => Some(details::name(raw).map_err(AdoptError::Invalid)?),
            None => None,
        };
        let known = store.user_by_external_id(&owner).await?;
        let place = campaigns::placement(
            store,
            known.as_ref(),
            request.campaign.as_deref(),
            request.influencer.as_deref(),
        )
        .await
        .map_err(refusal)?;
        // 2. The asset on Mux.
        let asset = self.find_on_mux(&reference).await?;
        // 3. Its row: made once, whoever adopts it at the same time.
        let owner = store.ensure_user(&owner).await?;
        let new = NewAdoption {
            id: AssetId::new(),
            owner_id: owner.id,
            campaign_id: place.campaign.map(|c| c.id),
            influencer_id: place.influencer,
            name: name.unwrap_or_else(|| default_name(&asset)),
            mux_asset_id: asset.id.as_str().into(),
        };
        let (row, made) = store.adopt(&new, &tracking_keys(&asset), cause).await?;
        if !made {
            return Ok(Adopted {
                asset: row,
                new: false,
            });
        }
        // 4. What Mux said before muxd knew the asset, in Mux's order and times; then the read.
        let resync = &self.resync;
        resync.ingest.settle(row.id).await?;
        resync.apply_reads(&row, asset_events(&asset)).await?;
        let asset = store.asset(row.id).await?.ok_or_else(|| {
            muxd_store::StoreError::Corrupt(format!("adopted asset {} vanished", row.id))
        })?;
        tracing::info!(asset.id = %asset.id, mux.asset_id = %new.mux_asset_id, "asset adopted");
        Ok(Adopted { asset, new: true })
    }

    /// The asset `reference` names on Mux, or which id Mux does not know.
    async fn find_on_mux(&self, reference: &MuxRef) -> Result<Asset, AdoptError> {
        let found = match reference {
            MuxRef::Asset(id) => self.asset(id).await?,
            MuxRef::Playback(id) => self.by_playback(id).await?,
            MuxRef::Either(id) => match self.asset(id).await? {
                Some(asset) => Some(asset),
                None => self.by_playback(id).await?,
            },
        };
        found.ok_or_else(|| {
            AdoptError::NotOnMux(match reference {
                MuxRef::Asset(id) => format!("Mux has no asset {id}"),
                MuxRef::Playback(id) => format!("Mux has no asset with playback id {id}"),
                MuxRef::Either(id) => format!("Mux has no asset or playback id {id}"),
            })
        })
    }

    /// Mux's asset `id`, if it has one.
    async fn asset(&self, id: &str) -> Result<Option<Asset>, MuxError> {
        match self.resync.mux.get_asset(id).await {
            Ok(asset) => Ok(Some(asset)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The asset playback id `id` plays, if it is an asset's (not a live stream's).
    async fn by_playback(&self, id: &str) -> Result<Option<Asset>, MuxError> {
        let found = match self.resync.mux.get_playback_id(id).await {
            Ok(found) => found,
            Err(error) if error.is_not_found() => return Ok(None),
            Err(error) => return Err(error),
        };
        match found.object.object_type.as_str() {
            "asset" => self.asset(&found.object.id).await,
            _ => Ok(None),
        }
    }
}

/// `reference` with its id checked (a Mux id: letters, digits, `-` and `_`), or a 400 naming
/// the field.
fn checked_ref(reference: &MuxRef) -> Result<MuxRef, AdoptError> {
    let (field, id) = match reference {
        MuxRef::Asset(id) => ("assetId", id),
        MuxRef::Playback(id) => ("playbackId", id),
        MuxRef::Either(id) => ("the asset or playback id", id),
    };
    let id = id.trim();
    let valid = (1..=MAX_MUX_ID).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(AdoptError::Invalid(format!(
            "{field} must be a Mux id: 1 to {MAX_MUX_ID} letters, digits, - or _"
        )));
    }
    Ok(match reference {
        MuxRef::Asset(_) => MuxRef::Asset(id.to_owned()),
        MuxRef::Playback(_) => MuxRef::Playback(id.to_owned()),
        MuxRef::Either(_) => MuxRef::Either(id.to_owned()),
    })
}

/// A placement refusal in words naming the field.
fn refusal(error: PlacementError) -> AdoptError {
    let message = match error {
        PlacementError::NoCampaign => "campaignId names no campaign the owner may use",
        PlacementError::Archived => "campaignId names an archived campaign",
        PlacementError::NoInfluencer => "influencerId names no influencer of that campaign",
        PlacementError::InfluencerWithoutCampaign => "influencerId needs a campaignId",
        PlacementError::Store(error) => return error.into(),
    };
    AdoptError::Invalid(message.into())
}

/// Mux's `meta.title`, else its `passthrough`, else the asset id: the first that makes a name.
fn default_name(asset: &Asset) -> String {
    let title = asset.meta.as_ref().and_then(|m| m.title.as_deref());
    [title, asset.passthrough.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|text| details::name(text).ok())
        .unwrap_or_else(|| asset.id.clone())
}

/// Every key a row already tracking `asset` may know: its asset id, and the upload and
/// passthrough of an asset muxd's own upload made (whose row may not have learned the asset id
/// yet).
fn tracking_keys(asset: &Asset) -> MatchKeys {
    MatchKeys {
        passthrough: asset
            .passthrough
            .as_deref()
            .and_then(|p| AssetId::parse(p).ok()),
        upload_id: asset.upload_id.as_deref().map(Into::into),
        asset_id: Some(asset.id.as_str().into()),
    }
}
