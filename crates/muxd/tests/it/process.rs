//! Running the `muxd` binary from tests, as an operator would: a clean environment, a temp
//! working directory, a child that is killed when the test ends, and waiting (with a generous
//! deadline) for the line it prints once it is ready.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use muxd_testkit::databases::TempDir;
use muxd_testkit::procs;

/// Kills the child on drop, so a failing test leaves nothing running.
pub struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Starts `muxd args…` with its stdout and stderr appended to the file `log`.
    pub fn spawn_logged(
        dir: &TempDir,
        args: &[&str],
        env: &[(&str, &str)],
        log: &std::path::Path,
    ) -> Running {
        let file = std::fs::File::create(log).unwrap();
        let child = muxd(dir, args, env)
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        Running(child)
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    /// The exit status, once the child has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.0.try_wait().unwrap()
    }
}

/// `muxd args…` in `dir` with only `PATH`, `RUST_LOG=warn` and `env` set.
pub fn muxd(dir: &TempDir, args: &[&str], env: &[(&str, &str)]) -> Command {
    procs::muxd(Path::new(env!("CARGO_BIN_EXE_muxd")), dir.path(), args, env)
}

/// Starts `muxd args…` and waits for the first stdout line containing `needle`. The rest of
/// stdout keeps being read, so the child never writes into a closed pipe.
pub async fn start(
    dir: &TempDir,
    args: &[&str],
    env: &[(&str, &str)],
    needle: &'static str,
) -> (Running, String) {
    let mut child = muxd(dir, args, env).stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (found, wanted) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains(needle) {
                if let Some(found) = found.take() {
                    let _ = found.send(line);
                }
            }
        }
    });
    let line = tokio::time::timeout(Duration::from_secs(60), wanted)
        .await
        .unwrap_or_else(|_| panic!("muxd {args:?} never printed {needle:?}"))
        .unwrap_or_else(|_| panic!("muxd {args:?} exited before printing {needle:?}"));
    (running, line)
}
