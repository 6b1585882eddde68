//! Reading assets as their owners and admins ask: a page of a list, a search by what is said,
//! one asset (an owner's own, not deleted, never a take), and the user or campaign a list names.
//! Something the caller may not see is [`Refusal::NotFound`], like something that does not exist.

use super::processing_times::{self, ProcessingReport};
use super::Refusal;
use muxd_domain::{AssetId, AssetStatus, UserId};
use muxd_store::asset_list::AssetFilter;
use muxd_store::assets::CreativeAsset;
use muxd_store::{Campaign, SearchHit, Store, StoreResult, User};

/// The longest search accepted, in characters.
const MAX_QUERY: usize = 200;

/// Asset reads. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AssetReads {
    pub store: Store,
}

impl AssetReads {
    /// The page of assets `filter` chooses.
    pub async fn list(&self, filter: &AssetFilter) -> StoreResult<Vec<CreativeAsset>> {
        self.store.list_assets(filter).await
    }

    /// The assets `filter` chooses that match `q`, best first, each with where its words are said.
    pub async fn search(&self, filter: &AssetFilter, q: &str) -> Result<Vec<SearchHit>, Refusal> {
        if q.trim().is_empty() || q.chars().count() > MAX_QUERY {
            return Err(Refusal::Invalid(format!(
                "q must be 1 to {MAX_QUERY} characters of words to find"
            )));
        }
        Ok(self.store.search_assets(filter, q).await?)
    }

    /// Asset `id`, whoever owns it, deleted or not (admins).
    pub async fn any(&self, id: AssetId) -> Result<CreativeAsset, Refusal> {
        self.store.asset(id).await?.ok_or(Refusal::NotFound)
    }

    /// `user`'s own, not-deleted asset `id` (a take, an asset's new file on its way, is part of
    /// its asset, never one of its own).
    pub async fn owned(&self, user: &User, id: AssetId) -> Result<CreativeAsset, Refusal> {
        match self.store.asset(id).await? {
            Some(asset)
                if asset.owner_id == user.id
                    && asset.facts.status != AssetStatus::Deleted
                    && asset.replaces.is_none() =>
            {
                Ok(asset)
            }
            _ => Err(Refusal::NotFound),
        }
    }

    /// The user the host app knows as `external_id`.
    pub async fn user(&self, external_id: &str) -> Result<UserId, Refusal> {
        let user = self.store.user_by_external_id(external_id).await?;
        user.map(|user| user.id).ok_or(Refusal::NotFound)
    }

    /// `user`'s assets changed after `since_ms` (a live stream resuming).
    pub async fn changed_since(
        &self,
        user: UserId,
        since_ms: i64,
    ) -> StoreResult<Vec<CreativeAsset>> {
        self.store.assets_changed_since(user, since_ms).await
    }

    /// How long uploads of the last `days` took to become playable (admins).
    pub async fn processing_times(&self, days: i64, now_ms: i64) -> StoreResult<ProcessingReport> {
        processing_times::recent(&self.store, days, now_ms).await
    }

    /// The campaign `reference` names: the host app's id or muxd's.
    pub async fn campaign(&self, reference: &str) -> StoreResult<Option<Campaign>> {
        self.store.campaign_by_ref(reference).await
    }
}
