//! The state file of a kept data dir (`state.json`): every upload and asset with its place in
//! the lists, the signing keys (public halves only), and how many times an emulator has started on the dir (mixed into id generation,
//! so a restart never hands out the same ids again).
//!
//! The store rewrites it whole on every change, before the change is answered: into a temp file
//! that is synced and then renamed over the old one, so a crash (even `kill -9` right after a
//! response) leaves the last acknowledged state, never a torn file.

use std::fs;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::model::{upload_url, Asset, SigningKey, Upload};

/// Bumped when the file's shape changes incompatibly.
const VERSION: u32 = 1;

/// The file's name inside the data dir.
pub const FILE_NAME: &str = "state.json";

/// The store's resources, each with its sequence number (list order and asset cursors).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Resources {
    pub next_seq: u64,
    pub uploads: Vec<(u64, Upload)>,
    pub assets: Vec<(u64, Asset)>,
    /// Oldest first. Absent from files written before signing keys existed.
    #[serde(default)]
    pub signing_keys: Vec<SigningKey>,
}

/// The file's content.
#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    /// How many emulators have started on this data dir, this one included.
    starts: u64,
    resources: Resources,
}

/// Where the state is saved, and this run's start number.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    start: u64,
}

impl StateFile {
    /// Opens the state file in `dir`: what it holds (nothing for a new dir), with the upload
    /// URLs of waiting uploads pointed at `base_url` (the port may have changed), and this run
    /// counted as one more start. Nothing is written until the first `save`.
    pub fn open(dir: &Path, base_url: &str) -> io::Result<(Self, Resources)> {
        let path = dir.join(FILE_NAME);
        let saved = match fs::read(&path) {
            Ok(bytes) => Some(parse(&path, &bytes)?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let (starts, mut resources) =
            saved.map_or((0, Resources::default()), |s| (s.starts, s.resources));
        for (_, upload) in &mut resources.uploads {
            upload.url = upload_url(base_url, &upload.id, &upload.token);
        }
        let file = Self {
            path,
            start: starts + 1,
        };
        Ok((file, resources))
    }

    /// This run's start number on the dir (1 for the first).
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Replaces the file with `resources`, atomically.
    pub fn save(&self, resources: &Resources) -> io::Result<()> {
        let saved = SavedRef {
            version: VERSION,
            starts: self.start,
            resources,
        };
        let temp = self.path.with_extension("json.tmp");
        let mut out = BufWriter::new(fs::File::create(&temp)?);
        serde_json::to_writer(&mut out, &saved)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&temp, &self.path)
    }
}

/// `Saved` by reference, so saving copies nothing.
#[derive(Serialize)]
struct SavedRef<'a> {
    version: u32,
    starts: u64,
    resources: &'a Resources,
}

fn parse(path: &Path, bytes: &[u8]) -> io::Result<Saved> {
    let bad = |why: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {why} (move it away to start afresh)", path.display()),
        )
    };
    let saved: Saved = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    if saved.version != VERSION {
        return Err(bad(format!(
            "state version {} is not {VERSION}",
            saved.version
        )));
    }
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_is_read_back_and_counts_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let (file, resources) = StateFile::open(dir.path(), "http://a").unwrap();
        assert_eq!((file.start(), resources.next_seq), (1, 0));
        file.save(&Resources {
            next_seq: 9,
            ..Resources::default()
        })
        .unwrap();
        let (again, resources) = StateFile::open(dir.path(), "http://a").unwrap();
        assert_eq!((again.start(), resources.next_seq), (2, 9));
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE_NAME], "no temp file left behind");
    }

    #[test]
    fn a_damaged_file_is_refused_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(FILE_NAME), b"{\"version\":1,").unwrap();
        let err = StateFile::open(dir.path(), "http://a").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains(FILE_NAME), "{err}");
    }
}
