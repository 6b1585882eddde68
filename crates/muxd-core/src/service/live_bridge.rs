//! Live changes across instances on PostgreSQL: every change an instance publishes is also sent
//! with `NOTIFY` on [`CHANNEL`], and every instance `LISTEN`s and hands the other instances'
//! changes to its own pages. So a page connected to one instance sees what another applied.
//! SQLite is one instance, so it needs none of this.
//!
//! Changes queued together go in one notification (PostgreSQL delivers it at commit, in order);
//! each names its instance, so an instance skips its own. Live updates are a hurry, not the
//! record: if the database is unreachable the queue drops what does not fit, and the next
//! notification that gets through tells the other instances to have their pages reload (as a
//! lost listener connection does), so no page silently misses a change.

use std::sync::Arc;

use anyhow::Context;
use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::{mpsc, Mutex};

use super::live::{AssetChanged, LiveHub};
use muxd_store::{Db, Store};

/// The notification channel.
pub const CHANNEL: &str = "muxd_live";
/// Changes waiting to be sent; more are dropped (counted in the log).
const OUTBOX: usize = 4096;
/// The line that tells the other instances some changes were dropped.
const RESYNC: &str = "resync";
/// A notification's payload must stay under PostgreSQL's 8000 bytes.
const MAX_PAYLOAD: usize = 7000;

/// One instance's end of the bridge. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Bridge {
    hub: LiveHub,
    pool: PgPool,
    instance: String,
    outbox: Arc<Mutex<mpsc::Receiver<AssetChanged>>>,
}

impl Bridge {
    /// Connects `hub` to the other instances when `store` is PostgreSQL (`None` on SQLite). Call
    /// before anything publishes.
    pub fn attach(hub: &LiveHub, store: &Store, instance: &str) -> Option<Bridge> {
        let Db::Postgres(pool) = store.db() else {
            return None;
        };
        let (sender, receiver) = mpsc::channel(OUTBOX);
        hub.forward_to(sender);
        Some(Bridge {
            hub: hub.clone(),
            pool: pool.clone(),
            instance: instance.to_owned(),
            outbox: Arc::new(Mutex::new(receiver)),
        })
    }

    /// Sends this instance's changes as notifications until the hub is dropped or a send fails.
    pub async fn forward(&self) -> anyhow::Result<()> {
        let mut outbox = self.outbox.lock().await;
        let mut changes = Vec::new();
        while outbox.recv_many(&mut changes, 256).await > 0 {
            let mut sent = payloads(&self.instance, &changes);
            // Changes after these were dropped: the other instances' pages must reload.
            let resync = self.hub.take_forward_drops();
            if resync {
                sent.push(format!("{}\n{RESYNC}", self.instance));
            }
            for payload in sent {
                let notified = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(&payload)
                    .execute(&self.pool)
                    .await;
                if let Err(error) = notified {
                    // These changes are lost to the others too: they must still be told.
                    self.hub.note_forward_drop();
                    return Err(error).context("sending live changes to the other instances");
                }
            }
            changes.clear();
        }
        Ok(())
    }

    /// Hands the other instances' changes to this instance's pages until the connection fails.
    pub async fn listen(&self) -> anyhow::Result<()> {
        let mut listener = PgListener::connect_with(&self.pool)
            .await
            .context("connecting the live listener")?;
        listener
            .listen(CHANNEL)
            .await
            .context("listening for live changes")?;
        loop {
            let notification = listener
                .try_recv()
                .await
                .context("receiving live changes")?;
            let Some(notification) = notification else {
                // The connection was lost and is re-established on the next call; changes in
                // between are missed, so pages are told to reload.
                self.hub.resync_all();
                continue;
            };
            let (changes, resync) = parse(&self.instance, notification.payload());
            for change in changes {
                self.hub.deliver_remote(change);
            }
            if resync {
                self.hub.resync_all();
            }
        }
    }
}

/// `changes` as notification payloads: the instance on the first line, then one change per line
/// (`asset owner STATUS`), each payload under [`MAX_PAYLOAD`].
fn payloads(instance: &str, changes: &[AssetChanged]) -> Vec<String> {
    let mut payloads = Vec::new();
    let mut payload = String::new();
    for change in changes {
        let line = format!(
            "{} {} {}",
            change.asset_id,
            change.owner_id,
            change.status.as_str()
        );
        if !payload.is_empty() && payload.len() + line.len() + 1 > MAX_PAYLOAD {
            payloads.push(std::mem::take(&mut payload));
        }
        if payload.is_empty() {
            payload.push_str(instance);
        }
        payload.push('\n');
        payload.push_str(&line);
    }
    if !payload.is_empty() {
        payloads.push(payload);
    }
    payloads
}

/// The changes in another instance's payload (none if it is this instance's own, or unreadable),
/// and whether it says some were dropped.
fn parse(instance: &str, payload: &str) -> (Vec<AssetChanged>, bool) {
    let mut lines = payload.lines();
    if lines.next().is_none_or(|from| from == instance) {
        return (Vec::new(), false);
    }
    let lines: Vec<&str> = lines.collect();
    let resync = lines.contains(&RESYNC);
    let changes = lines
        .into_iter()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            Some(AssetChanged {
                asset_id: parts.next()?.parse().ok()?,
                owner_id: parts.next()?.parse().ok()?,
                status: parts.next()?.parse().ok()?,
            })
        })
        .collect();
    (changes, resync)
}

#[cfg(test)]
mod tests {
    use super::*;
    use muxd_domain::{AssetId, AssetStatus, UserId};

    fn change(n: usize) -> AssetChanged {
        AssetChanged {
            asset_id: AssetId::new(),
            owner_id: UserId::new(),
            status: AssetStatus::ALL[n % AssetStatus::ALL.len()],
        }
    }

    #[test]
    fn changes_round_trip_between_instances_and_an_instance_skips_its_own() {
        let changes: Vec<_> = (0..500).map(change).collect();
        let sent = payloads("muxd-a", &changes);
        assert!(sent.len() > 1, "500 changes do not fit one notification");
        assert!(sent.iter().all(|p| p.len() <= MAX_PAYLOAD));
        let received: Vec<_> = sent.iter().flat_map(|p| parse("muxd-b", p).0).collect();
        assert_eq!(received, changes);
        assert!(sent.iter().all(|p| parse("muxd-a", p).0.is_empty()));
        assert!(
            sent.iter().all(|p| !parse("muxd-b", p).1),
            "no resync asked"
        );
        assert!(parse("muxd-b", "").0.is_empty());
        assert!(parse("muxd-b", "muxd-a\nnot a change").0.is_empty());
    }

    #[test]
    fn dropped_changes_tell_the_other_instances_to_resync() {
        let notice = format!("muxd-a\n{RESYNC}");
        assert_eq!(parse("muxd-b", &notice), (Vec::new(), true));
        assert_eq!(parse("muxd-a", &notice), (Vec::new(), false), "not its own");
    }
}
