//! Bounds on open live streams (`/api/live`): at most so many per user and so many on this
//! instance. An open stream holds a [`StreamSlot`]; dropping it (the stream ended: the page went
//! away, the server shut down) frees the place at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::config::Bounds;
use muxd_domain::UserId;

/// Why a stream was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StreamRefused {
    #[error("you have {0} live streams open; close a page to open another")]
    PerUser(usize),
    #[error("this server has {0} live streams open; try again shortly")]
    PerInstance(usize),
}

/// The open streams, counted. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LiveStreams {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    per_user: usize,
    per_instance: usize,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_user: HashMap<UserId, usize>,
}

/// One open stream's place; freed when dropped.
#[derive(Debug)]
pub struct StreamSlot {
    inner: Arc<Inner>,
    user: UserId,
}

impl LiveStreams {
    pub fn new(bounds: &Bounds) -> Self {
        Self {
            inner: Arc::new(Inner {
                per_user: bounds.live_streams_per_user,
                per_instance: bounds.live_streams_per_instance,
                open: Mutex::default(),
            }),
        }
    }

    /// Takes a place for one more stream of `user`, or says which bound it would break.
    pub fn open(&self, user: UserId) -> Result<StreamSlot, StreamRefused> {
        let mut open = self.inner.open.lock().expect("live streams lock");
        if open.total >= self.inner.per_instance {
            return Err(StreamRefused::PerInstance(open.total));
        }
        let held = open.by_user.get(&user).copied().unwrap_or(0);
        if held >= self.inner.per_user {
            return Err(StreamRefused::PerUser(held));
        }
        open.total += 1;
        *open.by_user.entry(user).or_default() += 1;
        Ok(StreamSlot {
            inner: self.inner.clone(),
            user,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.inner.open.lock().expect("live streams lock");
        open.total -= 1;
        if let Some(held) = open.by_user.get_mut(&self.user) {
            *held -= 1;
            if *held == 0 {
                open.by_user.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streams(per_user: usize, per_instance: usize) -> LiveStreams {
        LiveStreams::new(&Bounds {
            edits_per_user_per_minute: 0,
            live_streams_per_user: per_user,
            live_streams_per_instance: per_instance,
        })
    }

    #[test]
    fn each_user_gets_their_share_and_a_closed_stream_frees_its_place() {
        let streams = streams(2, 10);
        let (a, b) = (UserId::new(), UserId::new());
        let first = streams.open(a).unwrap();
        let _second = streams.open(a).unwrap();
        assert_eq!(streams.open(a).unwrap_err(), StreamRefused::PerUser(2));
        let _other = streams.open(b).expect("another user is not held back");
        drop(first);
        let _again = streams.open(a).expect("a freed place is taken again");
    }

    #[test]
    fn the_instance_bound_holds_for_everyone_together() {
        let streams = streams(5, 2);
        let held: Vec<_> = (0..2)
            .map(|_| streams.open(UserId::new()).unwrap())
            .collect();
        assert_eq!(
            streams.open(UserId::new()).unwrap_err(),
            StreamRefused::PerInstance(2)
        );
        drop(held);
        let again: Vec<_> = (0..2).map(|_| streams.open(UserId::new())).collect();
        assert!(again.iter().all(Result::is_ok), "both places were freed");
    }
}
