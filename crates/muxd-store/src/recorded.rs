//! A verified webhook's record and its change to the row it matched, written together. On
//! PostgreSQL that is one statement ([`transitions`]' `RECORD_AND_CHANGE`): recording the event
//! id, writing the change at the row's version and its history record commit as one, inside
//! the caller's transaction or, for a lone webhook, by themselves, so a lone webhook costs its
//! database two statements (find, write) and no transaction. On SQLite, and for a take (a card's
//! new file, whose change its card follows in further statements), they are written one after
//! another in the caller's transaction.
//!
//! [`transitions`]: super::transitions

use super::apply::{apply_event_to, MAX_APPLY_ATTEMPTS};
use super::assets::{by_id, CreativeAsset};
use super::transitions::{record_and_change, RecordedChange};
use super::webhooks::{self, NewWebhookEvent};
use super::{Conn, StoreError, StoreResult};
use muxd_domain::{lifecycle, Cause, Change, LifecycleEvent, Outcome};

/// What recording a webhook and applying it came to.
#[derive(Debug, PartialEq)]
pub enum Recorded {
    /// The event id was already stored: its delivery was counted, nothing else changed.
    Duplicate,
    /// Recorded as applied; the change it made, if it was news.
    Applied(Option<Box<Change>>),
}

/// Whether applying an event to `current` takes more than one statement, so that the caller must
/// hold a transaction: `current` is a take, whose change its card follows.
pub fn needs_transaction(current: &CreativeAsset) -> bool {
    current.replaces.is_some()
}

/// Records `webhook` as applied to `current` and applies `event` (which happened at `at_ms`) to
/// it. Outside a transaction only when [`needs_transaction`] says no, and on PostgreSQL.
pub async fn record_applied(
    conn: &mut Conn<'_>,
    webhook: &NewWebhookEvent<'_>,
    mut current: CreativeAsset,
    event: &LifecycleEvent,
    at_ms: i64,
    cause: &Cause,
    stream_base: &str,
) -> StoreResult<Recorded> {
    let id = current.id;
    if matches!(conn, Conn::Sqlite(_)) || needs_transaction(&current) {
        if webhooks::insert(conn, webhook, Outcome::Applied, Some(id))
            .await?
            .is_none()
        {
            return Ok(Recorded::Duplicate);
        }
        let change = apply_event_to(conn, current, event, at_ms, cause, stream_base).await?;
        return Ok(Recorded::Applied(change.map(Box::new)));
    }
    for _ in 0..MAX_APPLY_ATTEMPTS {
        let change = lifecycle::apply(&current.facts, event, at_ms)
            .filter(|change| lifecycle::is_news(&current.facts, change));
        let Some(change) = change else {
            return record_only(conn, webhook, Some(id)).await;
        };
        let Conn::Postgres(pg) = conn else {
            unreachable!("SQLite took the path above");
        };
        match record_and_change(pg, webhook, &current, &change, cause, stream_base).await? {
            RecordedChange::Written => return Ok(Recorded::Applied(Some(Box::new(change)))),
            RecordedChange::Duplicate => return Ok(Recorded::Duplicate),
            RecordedChange::Moved => match by_id(conn, id).await? {
                Some(fresh) => current = fresh,
                None => return record_only(conn, webhook, None).await,
            },
        }
    }
    Err(StoreError::Corrupt(format!(
        "asset {id}: gave up after {MAX_APPLY_ATTEMPTS} conflicting concurrent updates"
    )))
}

/// Records `webhook` as applied (to `asset`), changing nothing else.
async fn record_only(
    conn: &mut Conn<'_>,
    webhook: &NewWebhookEvent<'_>,
    asset: Option<muxd_domain::AssetId>,
) -> StoreResult<Recorded> {
    Ok(
        match webhooks::insert(conn, webhook, Outcome::Applied, asset).await? {
            Some(_) => Recorded::Applied(None),
            None => Recorded::Duplicate,
        },
    )
}
