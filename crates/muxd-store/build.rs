//! Rebuilds muxd when a migration is added or changed: `sqlx::migrate!` embeds them at compile
//! time, and without this a new migration file alone would not trigger a rebuild.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
