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
//!
//! Nothing is sent while no other instance listens. Each instance's listening connection is
//! named [`LISTENER_NAME`]`<instance>` (PostgreSQL's `application_name`), and an instance with
//! changes to send reads whether another such connection to its database exists, at most once per
//! [`PEERS_FRESH`]. A listener that (re)connects says [`HELLO`]; an instance that hears it knows
//! at once that someone listens, and if it has left changes unsent meanwhile, it tells the
//! newcomer's pages to reload, so a change skipped just before a newcomer was seen is not lost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use tokio::sync::{mpsc, Mutex};

use super::live::{AssetChanged, LiveHub};
use muxd_store::{Db, Store};

/// The notification channel.
pub const CHANNEL: &str = "muxd_live";
/// Changes waiting to be sent; more are dropped (counted in the log).
const OUTBOX: usize = 4096;
/// The line that tells the other instances some changes were dropped.
const RESYNC: &str = "resync";
/// The line a listener sends when it (re)connects.
const HELLO: &str = "hello";
/// The `application_name` of every instance's listening connection, before the instance's name.
pub const LISTENER_NAME: &str = "muxd-live:";
/// How long an answer to "does another instance listen?" holds.
pub const PEERS_FRESH: Duration = Duration::from_secs(1);
/// A notification's payload must stay under PostgreSQL's 8000 bytes.
const MAX_PAYLOAD: usize = 7000;

/// One instance's end of the bridge. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Bridge {
    hub: LiveHub,
    pool: PgPool,
    instance: String,
    outbox: Arc<Mutex<mpsc::Receiver<AssetChanged>>>,
    peers: Arc<Peers>,
}

/// What this instance knows of the others' listeners.
#[derive(Debug, Default)]
struct Peers {
    /// Whether another instance listened when last looked, and when that was.
    seen: std::sync::Mutex<Option<(bool, Instant)>>,
    /// Set when changes were left unsent because nobody else listened.
    skipped: AtomicBool,
}

impl Peers {
    /// What was seen, if seen within [`PEERS_FRESH`].
    fn fresh(&self) -> Option<bool> {
        let seen = *self.seen.lock().expect("peers lock");
        seen.filter(|(_, at)| at.elapsed() < PEERS_FRESH)
            .map(|(others, _)| others)
    }

    fn saw(&self, others: bool) {
        *self.seen.lock().expect("peers lock") = Some((others, Instant::now()));
    }
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
            peers: Arc::default(),
        })
    }

    /// Sends this instance's changes as notifications until the hub is dropped or a send fails;
    /// while no other instance listens, sends nothing.
    pub async fn forward(&self) -> anyhow::Result<()> {
        let mut outbox = self.outbox.lock().await;
        let mut changes = Vec::new();
        while outbox.recv_many(&mut changes, 256).await > 0 {
            // Changes after these were dropped: the other instances' pages must reload.
            let resync = self.hub.take_forward_drops();
            let others = match self.others_listen().await {
                Ok(others) => others,
                Err(error) => {
                    self.hub.note_forward_drop();
                    return Err(error).context("looking for other instances' listeners");
                }
            };
            if !others {
                self.peers.skipped.store(true, Ordering::Relaxed);
                changes.clear();
                continue;
            }
            let mut sent = payloads(&self.instance, &changes);
            if resync {
                sent.push(format!("{}\n{RESYNC}", self.instance));
            }
            for payload in sent {
                if let Err(error) = self.notify(&payload).await {
                    // These changes are lost to the others too: they must still be told.
                    self.hub.note_forward_drop();
                    return Err(error).context("sending live changes to the other instances");
                }
            }
            changes.clear();
        }
        Ok(())
    }

    /// Whether changes were left unsent because no other instance listened, since the last
    /// newcomer was told to reload its pages for them.
    pub fn left_unsent(&self) -> bool {
        self.peers.skipped.load(Ordering::Relaxed)
    }

    /// Whether another instance's listener is connected (as seen within [`PEERS_FRESH`]).
    async fn others_listen(&self) -> Result<bool, sqlx::Error> {
        if let Some(others) = self.peers.fresh() {
            return Ok(others);
        }
        let others = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                 WHERE datname = current_database()
                   AND starts_with(application_name, $1) AND application_name <> $2)",
        )
        .bind(LISTENER_NAME)
        .bind(self.listener_name())
        .fetch_one(&self.pool)
        .await?;
        self.peers.saw(others);
        Ok(others)
    }

    async fn notify(&self, payload: &str) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&self.pool)
            .await
            .map(drop)
    }

    /// This instance's listening connection's `application_name`.
    fn listener_name(&self) -> String {
        format!("{LISTENER_NAME}{}", self.instance)
    }

    /// Hands the other instances' changes to this instance's pages until the connection fails.
    pub async fn listen(&self) -> anyhow::Result<()> {
        // A pool of its own, so the listening connection carries the listener's name, also
        // when the listener reconnects.
        let options = (*self.pool.connect_options())
            .clone()
            .application_name(&self.listener_name());
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(options);
        let mut listener = PgListener::connect_with(&pool)
            .await
            .context("connecting the live listener")?;
        listener
            .listen(CHANNEL)
            .await
            .context("listening for live changes")?;
        self.say_hello().await?;
        loop {
            let notification = listener
                .try_recv()
                .await
                .context("receiving live changes")?;
            let Some(notification) = notification else {
                // The connection was lost and is listening again; changes in between are
                // missed, so pages are told to reload.
                self.hub.resync_all();
                self.say_hello().await?;
                continue;
            };
            let heard = parse(&self.instance, notification.payload());
            for change in heard.changes {
                self.hub.deliver_remote(change);
            }
            if heard.resync {
                self.hub.resync_all();
            }
            if heard.hello {
                self.peers.saw(true);
                if self.peers.skipped.swap(false, Ordering::Relaxed) {
                    self.notify(&format!("{}\n{RESYNC}", self.instance))
                        .await
                        .context("telling a new listener's pages to reload")?;
                }
            }
        }
    }

    /// Tells the other instances this one listens.
    async fn say_hello(&self) -> anyhow::Result<()> {
        self.notify(&format!("{}\n{HELLO}", self.instance))
            .await
            .context("announcing the live listener")
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

/// What another instance's notification says.
#[derive(Debug, Default, PartialEq)]
struct Heard {
    changes: Vec<AssetChanged>,
    /// Some of its changes were dropped: pages must reload.
    resync: bool,
    /// Its listener just (re)connected.
    hello: bool,
}

/// What another instance's payload says (nothing if it is this instance's own, or unreadable).
fn parse(instance: &str, payload: &str) -> Heard {
    let mut lines = payload.lines();
    if lines.next().is_none_or(|from| from == instance) {
        return Heard::default();
    }
    let lines: Vec<&str> = lines.collect();
    let changes = lines
        .iter()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            Some(AssetChanged {
                asset_id: parts.next()?.parse().ok()?,
                owner_id: parts.next()?.parse().ok()?,
                status: parts.next()?.parse().ok()?,
            })
        })
        .collect();
    Heard {
        changes,
        resync: lines.contains(&RESYNC),
        hello: lines.contains(&HELLO),
    }
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
        let received: Vec<_> = sent
            .iter()
            .flat_map(|p| parse("muxd-b", p).changes)
            .collect();
        assert_eq!(received, changes);
        assert!(sent.iter().all(|p| parse("muxd-a", p) == Heard::default()));
        assert!(
            sent.iter().all(|p| {
                let heard = parse("muxd-b", p);
                !heard.resync && !heard.hello
            }),
            "no resync asked, no hello said"
        );
        assert_eq!(parse("muxd-b", ""), Heard::default());
        assert_eq!(parse("muxd-b", "muxd-a\nnot a change"), Heard::default());
    }

    #[test]
    fn dropped_changes_tell_the_other_instances_to_resync() {
        let notice = format!("muxd-a\n{RESYNC}");
        let resync = Heard {
            resync: true,
            ..Heard::default()
        };
        assert_eq!(parse("muxd-b", &notice), resync);
        assert_eq!(parse("muxd-a", &notice), Heard::default(), "not its own");
    }

    #[test]
    fn a_listener_that_connects_says_hello_to_the_others_only() {
        let hello = format!("muxd-a\n{HELLO}");
        assert!(parse("muxd-b", &hello).hello);
        assert_eq!(parse("muxd-a", &hello), Heard::default(), "not its own");
    }
}
