//! Writing lifecycle changes to `creative_assets` with optimistic concurrency (`apply.rs` decides
//! them and calls [`write_change`]): every update checks and bumps `version`, so concurrent
//! writers, in one process or many, never lose each other's changes; every applied change is
//! recorded in `asset_events`, in the same statement or transaction, with the event type the host
//! app's endpoints will hear (the outbox, see `store::outbox`).

use super::assets::{playback_url, CreativeAsset};
use super::marks::outbound_mark;
use super::rows::parse;
use super::webhooks::NewWebhookEvent;
use super::{now_ms, run, Conn, Store, StoreError, StoreResult};
use muxd_domain::event::ErrorSource;
use muxd_domain::outbound::EventType;
use muxd_domain::tracks::TextTrack;
use muxd_domain::{AssetFacts, AssetId, AssetStatus, Cause, Change, PlaybackPolicy};
use sqlx::PgConnection;

/// The row update of a change: `facts` over the row read at `version`, if nobody changed it
/// since ($1–$22). A change the captions job must see marks the row (`captions_due`,
/// [`marks_captions`]). A macro so both statements below are written from one text.
macro_rules! update_sql {
    () => {
        "UPDATE creative_assets SET mux_processing_status = $1, mux_asset_id = $2,
            url = $3, playback_id = $4, playback_policy = $5, error_type = $6,
            error_message = $7, error_source = $8, duration_s = $9, aspect_ratio = $10,
            resolution_tier = $11, ready_at = $12, last_event_at = $13, decided_at = $14,
            processing_at = $15, stuck_since = NULL, poll_started_at = NULL, next_poll_at = NULL,
            poll_failures = 0, version = version + 1, updated_at = $16, warnings = $19,
            mp4_ready = $20, text_tracks = $21, captions_due = (captions_due OR $22)
         WHERE id = $17 AND version = $18"
    };
}

/// SQLite: the update alone, then [`RECORD`].
const UPDATE: &str = update_sql!();

/// The `asset_events` row of a change ($1–$7), with the event type to send the host app.
pub(super) const RECORD: &str = concat!(
    "INSERT INTO asset_events (asset_id, from_status, to_status, cause, cause_ref, at, outbound)
    VALUES ($1, $2, $3, $4, $5, $6, ",
    outbound_mark!("$7"),
    ")"
);

/// PostgreSQL: the update and its record as one statement (one round trip, one plan); the record
/// is inserted only if the update found the row at its version ($23–$28 as $2–$7 of [`RECORD`]).
const UPDATE_AND_RECORD: &str = concat!(
    "WITH updated AS (",
    update_sql!(),
    " RETURNING id)
    INSERT INTO asset_events (asset_id, from_status, to_status, cause, cause_ref, at, outbound)
    SELECT id, $23, $24, $25, $26, $27, ",
    outbound_mark!("$28"),
    " FROM updated"
);

/// Binds a change's row update ($1–$22 of [`UPDATE`]) to `$query`.
macro_rules! bind_update {
    ($query:expr, $current:expr, $facts:expr, $url:expr, $now:expr) => {{
        let (current, facts) = ($current, $facts);
        let error = facts.error.as_ref();
        $query
            .bind(facts.status.as_str())
            .bind(facts.mux_asset_id.as_deref())
            .bind($url)
            .bind(facts.ready.playback_id.as_deref())
            .bind(facts.ready.playback_policy.map(PlaybackPolicy::as_str))
            .bind(error.map(|e| e.kind.as_str()))
            .bind(error.map(|e| e.message.as_str()))
            .bind(error.map(|e| match e.source {
                ErrorSource::Upload => "upload",
                ErrorSource::Asset => "asset",
                ErrorSource::Muxd => "muxd",
            }))
            .bind(facts.ready.duration_s)
            .bind(facts.ready.aspect_ratio.as_deref())
            .bind(facts.ready.resolution_tier.as_deref())
            .bind(facts.ready_at_ms)
            .bind(facts.last_event_at_ms)
            .bind(facts.decided_at_ms)
            .bind(facts.processing_at_ms)
            .bind($now)
            .bind(current.id.to_string())
            .bind(current.version)
            .bind(
                Some(&facts.warnings)
                    .filter(|w| !w.is_empty())
                    .map(|w| serde_json::Value::from(w.clone()).to_string()),
            )
            .bind(facts.ready.mp4_ready)
            .bind(tracks_json(&facts.tracks))
            .bind(marks_captions(current, facts))
    }};
}

/// Whether a change asks the captions job to look at the row: its text tracks changed, or it
/// became READY with tracks or with captions asked for. The job leaves a row that is not READY
/// alone, so a track it heard of before (or whose every webhook was lost) is looked after only
/// from the READY change on.
fn marks_captions(current: &CreativeAsset, facts: &AssetFacts) -> bool {
    let became_ready =
        facts.status == AssetStatus::Ready && current.facts.status != AssetStatus::Ready;
    let asked = current
        .encoding
        .as_ref()
        .and_then(|e| e.captions.language())
        .is_some();
    facts.tracks != current.facts.tracks || (became_ready && (asked || !facts.tracks.is_empty()))
}

/// What a record says caused it: the cause's reference, then the text tracks the change touched
/// (` tracks=ID,ID`), which the outbox reads back to tell the host app which captions changed.
fn reference(cause: &Cause, before: &[TextTrack], after: &[TextTrack]) -> String {
    let mut reference = cause.reference();
    let touched: Vec<&str> = after
        .iter()
        .filter(|track| !before.contains(track))
        .map(|track| track.id.as_str())
        .collect();
    if !touched.is_empty() {
        reference.push_str(TRACKS_MARK);
        reference.push_str(&touched.join(","));
    }
    reference
}

/// Where a record's reference lists the text tracks its change touched.
pub(super) const TRACKS_MARK: &str = " tracks=";

/// The text tracks a record's reference says its change touched.
pub(super) fn touched_tracks(reference: &str) -> Vec<String> {
    reference
        .rsplit_once(TRACKS_MARK)
        .map(|(_, ids)| ids.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The `text_tracks` column: a JSON array, NULL when there is none.
pub(super) fn tracks_json(tracks: &[TextTrack]) -> Option<String> {
    (!tracks.is_empty()).then(|| serde_json::to_string(tracks).unwrap_or_default())
}

/// Binds a change's record (from, to, cause, reference, time, event type: $2–$7 of [`RECORD`])
/// to `$query`. The host app hears nothing of a take (a card's new file on its way): its card
/// speaks for it.
macro_rules! bind_record {
    ($query:expr, $current:expr, $change:expr, $cause:expr, $now:expr) => {
        $query
            .bind($change.from.as_str())
            .bind($change.to.as_str())
            .bind($cause.kind())
            .bind(reference(
                $cause,
                &$current.facts.tracks,
                &$change.facts.tracks,
            ))
            .bind($now)
            .bind(
                $current
                    .replaces
                    .is_none()
                    .then(|| EventType::of_change($change).as_str()),
            )
    };
}

/// Writes `change` over `current` if nobody changed the row since it was read, and records it
/// in `asset_events`. Returns whether it was written.
pub(super) async fn write_change(
    conn: &mut Conn<'_>,
    current: &CreativeAsset,
    change: &Change,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<bool> {
    let facts = &change.facts;
    let url = change_url(current, change, stream_base);
    let now = now_ms();
    match conn {
        Conn::Postgres(c) => {
            let update = bind_update!(sqlx::query(UPDATE_AND_RECORD), current, facts, url, now);
            let done = bind_record!(update, current, change, cause, now)
                .execute(&mut **c)
                .await?;
            Ok(done.rows_affected() == 1)
        }
        Conn::Sqlite(c) => {
            let done = bind_update!(sqlx::query(UPDATE), current, facts, url, now)
                .execute(&mut **c)
                .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            let record = sqlx::query(RECORD).bind(current.id.to_string());
            bind_record!(record, current, change, cause, now)
                .execute(&mut **c)
                .await?;
            Ok(true)
        }
    }
}

/// PostgreSQL: a verified webhook's record and the change it makes as ONE statement (one round
/// trip, committed by itself outside a transaction). The change ($1–$28 of
/// [`UPDATE_AND_RECORD`]) is written only if the event id ($29) is new and the row is still at
/// its version; the webhook ($29–$35, applied, so without match keys) is recorded as applied only if the change was written; a
/// delivery of an event already stored is counted instead. Returns the recorded webhook's id
/// and whether the event was already stored: neither means the row moved on (re-read, retry).
const RECORD_AND_CHANGE: &str = concat!(
    "WITH seen AS (SELECT id FROM webhook_events WHERE event_id = $29),
    updated AS (",
    update_sql!(),
    " AND NOT EXISTS (SELECT 1 FROM seen) RETURNING id),
    history AS (INSERT INTO asset_events (asset_id, from_status, to_status, cause, cause_ref, at, outbound)
        SELECT id, $23, $24, $25, $26, $27, ",
    outbound_mark!("$28"),
    " FROM updated),
    recorded AS (INSERT INTO webhook_events (event_id, event_type, object_type, object_id,
            mux_created_at, received_at, outcome, payload, asset_id)
        SELECT $29, $30, $31, $32, $33, $34, 'applied', $35, id FROM updated
        ON CONFLICT (event_id) DO NOTHING RETURNING id),
    counted AS (UPDATE webhook_events SET deliveries = deliveries + 1
        WHERE id IN (SELECT id FROM seen) RETURNING id)
    SELECT (SELECT id FROM recorded), EXISTS (SELECT 1 FROM counted)"
);

/// What writing a webhook's record with its change came to (PostgreSQL).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum RecordedChange {
    /// Recorded and written.
    Written,
    /// The event was already stored: only its delivery was counted.
    Duplicate,
    /// The row moved on since it was read: nothing was written.
    Moved,
}

/// Writes `change` over `current` and records `webhook` as applied to it, in one statement
/// ([`RECORD_AND_CHANGE`]); PostgreSQL only (SQLite writes them one after another in its
/// transaction, where the row cannot move).
pub(super) async fn record_and_change(
    conn: &mut PgConnection,
    webhook: &NewWebhookEvent<'_>,
    current: &CreativeAsset,
    change: &Change,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<RecordedChange> {
    let facts = &change.facts;
    let url = change_url(current, change, stream_base);
    let now = now_ms();
    let update = bind_update!(sqlx::query_as(RECORD_AND_CHANGE), current, facts, url, now);
    let (recorded, duplicate): (Option<i64>, bool) =
        bind_record!(update, current, change, cause, now)
            .bind(webhook.event_id)
            .bind(webhook.event_type)
            .bind(webhook.object_type)
            .bind(webhook.object_id)
            .bind(webhook.mux_created_at)
            .bind(webhook.received_at)
            .bind(webhook.payload)
            .fetch_one(conn)
            .await?;
    Ok(match (recorded, duplicate) {
        (Some(_), _) => RecordedChange::Written,
        (None, true) => RecordedChange::Duplicate,
        (None, false) => RecordedChange::Moved,
    })
}

/// The playback URL a row has after `change`.
fn change_url(current: &CreativeAsset, change: &Change, stream_base: &str) -> Option<String> {
    let facts = &change.facts;
    facts
        .ready
        .playback_id
        .as_deref()
        .filter(|_| facts.status == AssetStatus::Ready)
        .map(|pid| playback_url(stream_base, pid))
        .or_else(|| current.url.clone())
}

/// One recorded change of an asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetEvent {
    pub id: i64,
    pub asset_id: AssetId,
    pub from_status: AssetStatus,
    pub to_status: AssetStatus,
    pub cause: String,
    pub cause_ref: String,
    pub at: i64,
}
/// An `asset_events` row as stored.
#[derive(sqlx::FromRow)]
struct AssetEventRow {
    id: i64,
    asset_id: String,
    from_status: String,
    to_status: String,
    cause: String,
    cause_ref: String,
    at: i64,
}

impl TryFrom<AssetEventRow> for AssetEvent {
    type Error = StoreError;

    fn try_from(row: AssetEventRow) -> StoreResult<AssetEvent> {
        Ok(AssetEvent {
            id: row.id,
            asset_id: parse("asset_id", &row.asset_id)?,
            from_status: parse("from_status", &row.from_status)?,
            to_status: parse("to_status", &row.to_status)?,
            cause: row.cause,
            cause_ref: row.cause_ref,
            at: row.at,
        })
    }
}

impl Store {
    /// The recorded changes of one asset, oldest first.
    pub async fn asset_events(&self, id: AssetId) -> StoreResult<Vec<AssetEvent>> {
        let rows: Vec<AssetEventRow> = run!(&mut self.read().await?.conn(), c => sqlx::query_as(
            "SELECT id, asset_id, from_status, to_status, cause, cause_ref, at
             FROM asset_events WHERE asset_id = $1 ORDER BY id",
        )
        .bind(id.to_string())
        .fetch_all(&mut **c)
        .await)?;
        rows.into_iter().map(AssetEvent::try_from).collect()
    }
}
