//! What Mux sends: rows as muxd's create writes them (waiting for their upload, with its id), and
//! each row's four events (`video.upload.created`, `video.upload.asset_created`,
//! `video.asset.created`, `video.asset.ready`), either in Mux's order or, as Mux may deliver them,
//! in a random order per row with a share of exact duplicates delivered again later.

use muxd_domain::AssetId;
use muxd_domain::ExternalUserId;
use muxd_store::{Role, Store};
use muxd_testkit::bench::{self, upload_path_event};
use rand::rngs::StdRng;
use rand::seq::SliceRandom as _;
use rand::Rng as _;

/// Events in one row's path.
pub const STEPS: usize = 4;

/// A row and its direct upload's id.
pub struct Row {
    pub id: AssetId,
    pub upload: String,
}

/// The external id of bench owner `n`.
pub fn owner(n: usize) -> String {
    format!("user_ingest_{n}")
}

/// `count` new rows, dealt round-robin to owners `0..owners`; upload ids are `{tag}{n}`.
pub async fn rows(store: &Store, tag: &str, count: usize, owners: usize) -> Vec<Row> {
    let mut users = Vec::with_capacity(owners);
    for n in 0..owners {
        users.push(
            store
                .upsert_user(&ExternalUserId::parse(&owner(n)).unwrap(), Role::User)
                .await
                .unwrap()
                .id,
        );
    }
    let mut rows = Vec::with_capacity(count);
    for n in 0..count {
        let upload = format!("{tag}{n}");
        let id = bench::row_with_upload(store, users[n % owners], &upload).await;
        rows.push(Row { id, upload });
    }
    rows
}

/// Every row's events in Mux's order, rows side by side: each row's first event, then each
/// row's second…
pub fn in_order(rows: &[Row]) -> Vec<Vec<u8>> {
    (0..STEPS)
        .flat_map(|step| {
            rows.iter()
                .map(move |r| upload_path_event(r.id, &r.upload, step))
        })
        .collect()
}

/// Every row's events in an order of its own (rows side by side, as in [`in_order`]), then
/// `duplicates` (a share, 0..1) of all of them delivered again, in a random order.
pub fn mixed(rows: &[Row], duplicates: f64, rng: &mut StdRng) -> Vec<Vec<u8>> {
    let orders: Vec<[usize; STEPS]> = rows
        .iter()
        .map(|_| {
            let mut order = [0, 1, 2, 3];
            order.shuffle(rng);
            order
        })
        .collect();
    let mut events: Vec<Vec<u8>> = (0..STEPS)
        .flat_map(|k| {
            rows.iter()
                .zip(&orders)
                .map(move |(r, order)| upload_path_event(r.id, &r.upload, order[k]))
        })
        .collect();
    let mut again: Vec<Vec<u8>> = events
        .iter()
        .filter(|_| rng.random_bool(duplicates))
        .cloned()
        .collect();
    again.shuffle(rng);
    events.extend(again);
    events
}
