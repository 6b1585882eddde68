//! Group commit: verified deliveries that arrive together are stored and applied in ONE
//! transaction, and each is answered only after that transaction commits. A lane takes whatever
//! is queued when it is free (up to [`MAX_BATCH`]), so an idle service adds no wait and a busy one
//! pays one commit (one fsync) for many events.
//!
//! Each event's work is the same as alone (dedupe insert, find its row, apply, record), in
//! arrival order within its lane, so a later event in a batch sees what an earlier one wrote. If
//! anything in a batch fails, the batch is rolled back and its events are retried one by one, each
//! in a transaction of its own: a poisoned event never fails its neighbours, and it is kept as
//! `failed` with its reason (unless the database is unavailable: then it is a 503 and Mux retries).
//!
//! Events are spread over lanes by the row they name (passthrough, else upload id, else asset
//! id), so one row's events keep their order and two lanes never wait on each other's row locks.
//! SQLite has one writer, so one lane; PostgreSQL gets [`POSTGRES_LANES`], to use both of the
//! server's cores while a lane waits on the network. Lanes are tasks on the service's runtime.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tracing::Instrument as _;

use super::super::live::LiveHub;
use super::apply::{
    apply_to_row, find, needs_transaction, note_change, outcome_of, publish_committed, Changed,
};
use super::delivery::{Applied, Delivery};
use crate::config::Backend;
use muxd_domain::Cause;
use muxd_store::recorded::{self, Recorded};
use muxd_store::webhooks;
use muxd_store::{Conn, Outcome, Store, StoreError};

/// Most events in one transaction.
pub const MAX_BATCH: usize = 64;
/// Lanes on PostgreSQL.
pub const POSTGRES_LANES: usize = 2;
/// Deliveries waiting per lane before a sender waits for room.
const QUEUE: usize = 1024;

/// A delivery and where its answer goes.
struct Job {
    delivery: Delivery,
    reply: oneshot::Sender<Result<Applied, StoreError>>,
}

/// The lanes' senders; cheap to clone. The lanes end when every clone is dropped.
#[derive(Clone, Debug)]
pub struct GroupCommit {
    lanes: Arc<[mpsc::Sender<Job>]>,
}

impl GroupCommit {
    /// Starts the lanes as tasks on the caller's runtime (call it inside one). They once had a
    /// thread and runtime each; measured with `webhook_ingest` (steady 300 events/s, two
    /// alternating runs each), that cost muxd about a fifth more CPU per event, two thread
    /// hand-offs per delivery, and bought no throughput at saturation.
    pub fn start(store: Store, live: LiveHub, stream_base: String) -> Self {
        let count = match store.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => POSTGRES_LANES,
        };
        let writer = Arc::new(Writer {
            store,
            live,
            stream_base,
        });
        let lanes = (0..count)
            .map(|_| {
                let (sender, receiver) = mpsc::channel(QUEUE);
                tokio::spawn(run_lane(receiver, writer.clone()));
                sender
            })
            .collect();
        Self { lanes }
    }

    /// Stores and applies `delivery`; returns once its transaction committed.
    pub async fn submit(&self, delivery: Delivery) -> Result<Applied, StoreError> {
        let lane = &self.lanes[delivery.lane(self.lanes.len())];
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::Database(sqlx::Error::PoolClosed);
        lane.send(Job { delivery, reply })
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

/// Takes whatever is queued (at least one job, at most [`MAX_BATCH`]) and commits it, until every
/// sender is gone.
async fn run_lane(mut receiver: mpsc::Receiver<Job>, writer: Arc<Writer>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        writer.commit(std::mem::take(&mut batch)).await;
    }
}

/// What a lane writes with.
struct Writer {
    store: Store,
    live: LiveHub,
    stream_base: String,
}

impl Writer {
    /// Commits `batch` in one transaction, or (if anything fails) each job alone; answers every
    /// job.
    async fn commit(&self, mut batch: Vec<Job>) {
        if batch.len() == 1 {
            let job = batch.remove(0);
            let result = self.one(&job.delivery).await;
            let _ = job.reply.send(result);
            return;
        }
        let deliveries: Vec<&Delivery> = batch.iter().map(|job| &job.delivery).collect();
        match self.together(&deliveries).await {
            Ok(results) => {
                for (job, applied) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(Ok(applied));
                }
            }
            Err(error) => {
                tracing::debug!(error = %error.detail(), events = batch.len(), "batch failed; applying its events one by one");
                for job in batch {
                    let result = self.one(&job.delivery).await;
                    let _ = job.reply.send(result);
                }
            }
        }
    }

    /// One delivery by itself: outside a transaction when its work is one write (PostgreSQL),
    /// else in a transaction of its own; kept as `failed` if that fails.
    async fn one(&self, delivery: &Delivery) -> Result<Applied, StoreError> {
        let alone = match self.store.backend() {
            Backend::Postgres => self.alone(delivery).await,
            Backend::Sqlite => Ok(None),
        };
        let applied = match alone {
            Ok(Some(applied)) => Ok(applied),
            Ok(None) => self
                .together(&[delivery])
                .await
                .map(|mut applied| applied.remove(0)),
            Err(error) => Err(error),
        };
        match applied {
            Ok(applied) => Ok(applied),
            Err(error) => self.failed(delivery, error).await,
        }
    }

    /// A delivery's work outside a transaction, each statement committing by itself (its find,
    /// then its one write), published at once; `None` (nothing written) if it needs a
    /// transaction. Traced as a `db.apply` span under the delivery's.
    async fn alone(&self, delivery: &Delivery) -> Result<Option<Applied>, StoreError> {
        let span = tracing::info_span!(
            parent: &delivery.span,
            "db.apply",
            db.system = self.store.backend().system_name(),
        );
        async {
            let mut changed = Changed::new();
            let mut conn = self.store.write().await?;
            let applied = self
                .apply(&mut conn.conn(), delivery, &mut changed, true)
                .await?;
            publish_committed(&self.live, &changed);
            Ok(applied)
        }
        .instrument(span)
        .await
    }

    /// Every delivery in one transaction, published once it commits. Traced as one `db.commit`
    /// span under the first delivery's span (linked to the others'), and a `db.apply` span under
    /// each delivery's own.
    async fn together(&self, deliveries: &[&Delivery]) -> Result<Vec<Applied>, StoreError> {
        let span = tracing::info_span!(
            parent: &deliveries[0].span,
            "db.commit",
            db.system = self.store.backend().system_name(),
            events = deliveries.len(),
        );
        for delivery in &deliveries[1..] {
            span.follows_from(&delivery.span);
        }
        async {
            let mut changed = Changed::new();
            let mut tx = self.store.begin().await?;
            let mut results = Vec::with_capacity(deliveries.len());
            for delivery in deliveries {
                let apply = tracing::info_span!(
                    parent: &delivery.span,
                    "db.apply",
                    db.system = self.store.backend().system_name(),
                );
                let applied = self
                    .apply(&mut tx.conn(), delivery, &mut changed, false)
                    .instrument(apply)
                    .await?
                    .expect("in a transaction, every delivery is applied");
                results.push(applied);
            }
            tx.commit().await?;
            publish_committed(&self.live, &changed);
            Ok(results)
        }
        .instrument(span)
        .await
    }

    /// The answer for a delivery whose own transaction failed with `error`: a 503 if the database
    /// is unavailable (Mux retries), else the event is kept as `failed`.
    async fn failed(&self, delivery: &Delivery, error: StoreError) -> Result<Applied, StoreError> {
        if error.is_unavailable() {
            return Err(error);
        }
        let outcome = self.store_failed(delivery, &error).await?;
        Ok((outcome, None, None))
    }

    /// One delivery's work: find its row, then record it (deduplicated) and apply it. In the
    /// caller's transaction, or `alone` outside one, where `None` means it needs one (the row
    /// learns its upload id, or is a take: more than one write).
    async fn apply(
        &self,
        conn: &mut Conn<'_>,
        delivery: &Delivery,
        changed: &mut Changed,
        alone: bool,
    ) -> Result<Option<Applied>, StoreError> {
        let record = delivery.record();
        let meaning = &delivery.meaning;
        let duplicate = (Outcome::Duplicate, None, None);
        let asset = find(conn, meaning).await?;
        let outcome = outcome_of(meaning, asset.as_ref());
        let Some(asset) = asset else {
            let inserted = webhooks::insert(conn, &record, outcome, None).await?;
            return Ok(Some(inserted.map_or(duplicate, |_| (outcome, None, None))));
        };
        let cause = Cause::Webhook {
            event_id: delivery.event_id.clone(),
            event_type: delivery.event_type.clone(),
        };
        let at_ms = delivery.mux_created_at.unwrap_or(delivery.received_at);
        if needs_transaction(&asset, meaning) {
            if alone {
                return Ok(None);
            }
            if webhooks::insert(conn, &record, outcome, Some(asset.id))
                .await?
                .is_none()
            {
                return Ok(Some(duplicate));
            }
            let learned = apply_to_row(
                conn,
                &asset,
                meaning,
                at_ms,
                &cause,
                &self.stream_base,
                changed,
            )
            .await?;
            return Ok(Some((outcome, Some(asset.id), learned)));
        }
        let recorded = match &meaning.event {
            Some(event) => {
                recorded::record_applied(
                    conn,
                    &record,
                    asset.clone(),
                    event,
                    at_ms,
                    &cause,
                    &self.stream_base,
                )
                .await?
            }
            None => match webhooks::insert(conn, &record, outcome, Some(asset.id)).await? {
                Some(_) => Recorded::Applied(None),
                None => Recorded::Duplicate,
            },
        };
        let Recorded::Applied(change) = recorded else {
            return Ok(Some(duplicate));
        };
        let mut keys = asset.match_keys();
        let learned = change.is_some_and(|change| note_change(&asset, *change, &mut keys, changed));
        Ok(Some((outcome, Some(asset.id), learned.then_some(keys))))
    }

    /// Keeps a verified event whose apply failed, as `failed` with the reason (or finds it was a
    /// duplicate after all), in a transaction of its own.
    async fn store_failed(
        &self,
        delivery: &Delivery,
        error: &StoreError,
    ) -> Result<Outcome, StoreError> {
        let reason = error.detail();
        tracing::error!(event.id = delivery.event_id, error = %reason, "webhook could not be applied; stored as failed");
        let mut tx = self.store.begin().await?;
        let record = delivery.record();
        let id = webhooks::insert(&mut tx.conn(), &record, Outcome::Failed, None).await?;
        let outcome = match id {
            Some(id) => {
                let keys = &delivery.meaning.keys;
                webhooks::set_outcome(
                    &mut tx.conn(),
                    id,
                    Outcome::Failed,
                    None,
                    Some(&reason),
                    keys,
                )
                .await?;
                Outcome::Failed
            }
            None => Outcome::Duplicate,
        };
        tx.commit().await?;
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests;
