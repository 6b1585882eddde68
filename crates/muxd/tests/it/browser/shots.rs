//! Screenshots of each state a browser test reaches, numbered in order, in
//! `target/browser-screenshots/<test>/NN-state.png` (emptied when the test starts; its path is
//! printed so a failing run can be looked at).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The `target` folder of the workspace.
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

/// One test's screenshot folder.
pub struct Shots {
    dir: PathBuf,
    next: AtomicU32,
}

impl Shots {
    pub fn new(test: &str) -> Shots {
        let dir = target_dir().join("browser-screenshots").join(test);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the screenshot folder can be made");
        let dir = dir.canonicalize().unwrap();
        println!("screenshots of {test}: {}", dir.display());
        Shots {
            dir,
            next: AtomicU32::new(1),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn save(&self, state: &str, png: &[u8]) {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let path = self.dir.join(format!("{n:02}-{state}.png"));
        std::fs::write(&path, png).expect("the screenshot can be written");
    }
}
