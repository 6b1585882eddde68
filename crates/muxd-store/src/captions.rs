//! Caption files owners supplied (`caption_files`), kept until Mux has made a track of them or
//! they expire, and the rows whose text tracks changed since the captions job last looked
//! (`creative_assets.captions_due`, set in the same write as the change, see `transitions.rs`).

use super::assets::CreativeAsset;
use super::{run, Store, StoreResult};
use muxd_domain::AssetId;

/// A supplied caption file, as WebVTT.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CaptionFile {
    /// The unguessable token in its URL.
    pub id: String,
    pub asset_id: String,
    pub language: String,
    pub name: String,
    pub body: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// The track Mux made of it, once Mux accepted the URL.
    pub mux_track_id: Option<String>,
    /// The track of the same language it replaces once it is ready.
    pub replaces_track_id: Option<String>,
}

const FILE_COLUMNS: &str =
    "id, asset_id, language, name, body, created_at, expires_at, mux_track_id, replaces_track_id";

impl Store {
    /// Keeps a supplied caption file.
    pub async fn insert_caption_file(&self, file: &CaptionFile) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "INSERT INTO caption_files (id, asset_id, language, name, body, created_at,
                expires_at, mux_track_id, replaces_track_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&file.id)
        .bind(&file.asset_id)
        .bind(&file.language)
        .bind(&file.name)
        .bind(&file.body)
        .bind(file.created_at)
        .bind(file.expires_at)
        .bind(file.mux_track_id.as_deref())
        .bind(file.replaces_track_id.as_deref())
        .execute(&mut **c)
        .await
        .map(drop))
        .map_err(Into::into)
    }

    /// Records the track Mux made of file `id`.
    pub async fn set_caption_track(&self, id: &str, track_id: &str) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE caption_files SET mux_track_id = $1 WHERE id = $2",
        )
        .bind(track_id)
        .bind(id)
        .execute(&mut **c)
        .await
        .map(drop))
        .map_err(Into::into)
    }

    /// Forgets file `id`.
    pub async fn delete_caption_file(&self, id: &str) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query("DELETE FROM caption_files WHERE id = $1")
            .bind(id)
            .execute(&mut **c)
            .await
            .map(drop))
        .map_err(Into::into)
    }

    /// File `id`, if it has not expired by `now` (unix ms).
    pub async fn caption_file(&self, id: &str, now: i64) -> StoreResult<Option<CaptionFile>> {
        let sql =
            format!("SELECT {FILE_COLUMNS} FROM caption_files WHERE id = $1 AND expires_at > $2");
        run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(id)
            .bind(now)
            .fetch_optional(&mut **c)
            .await)
        .map_err(Into::into)
    }

    /// The files supplied for `asset` that Mux has made a track of.
    pub async fn caption_files_of(&self, asset: AssetId) -> StoreResult<Vec<CaptionFile>> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM caption_files
             WHERE asset_id = $1 AND mux_track_id IS NOT NULL ORDER BY created_at"
        );
        run!(&mut self.read().await?.conn(), c => sqlx::query_as(&sql)
            .bind(asset.to_string())
            .fetch_all(&mut **c)
            .await)
        .map_err(Into::into)
    }

    /// Forgets files that expired by `now`; how many.
    pub async fn prune_caption_files(&self, now: i64) -> StoreResult<u64> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "DELETE FROM caption_files WHERE expires_at <= $1",
        )
        .bind(now)
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))
        .map_err(Into::into)
    }

    /// Up to `limit` rows whose text tracks changed since the captions job last looked, and
    /// whose next look (`captions_check_at`) is due by `now`, oldest change first.
    pub async fn captions_due(&self, now: i64, limit: i64) -> StoreResult<Vec<CreativeAsset>> {
        self.rows_where(
            "WHERE captions_due AND (captions_check_at IS NULL OR captions_check_at <= $1)
             ORDER BY updated_at",
            now,
            limit,
        )
        .await
    }

    /// The captions job has done what row `asset` at `version` asked: clear its mark, unless a
    /// change came since (it bumped the version, and the mark stays for the next look). With
    /// `look_again_at`, a track is still on its way: keep the mark, and look again then.
    pub async fn captions_done(
        &self,
        asset: AssetId,
        version: i64,
        look_again_at: Option<i64>,
    ) -> StoreResult<()> {
        run!(&mut self.write().await?.conn(), c => sqlx::query(
            "UPDATE creative_assets SET captions_due = $1, captions_check_at = $2
             WHERE id = $3 AND version = $4",
        )
        .bind(look_again_at.is_some())
        .bind(look_again_at)
        .bind(asset.to_string())
        .bind(version)
        .execute(&mut **c)
        .await
        .map(drop))
        .map_err(Into::into)
    }
}
