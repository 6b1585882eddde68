//! `mux-emulator`: the emulator as a binary of its own, for teams that want it without muxd
//! (`muxd emulator` runs the same thing). Flags and their environment variables are
//! `mux_emulator::cli::EmulatorArgs`; it serves until Ctrl-C or stdin closes.

use clap::Parser;

/// A stateful, fault-injecting emulator of the Mux Video API.
#[derive(Debug, Parser)]
#[command(name = "mux-emulator", version, about)]
struct Cli {
    #[command(flatten)]
    args: mux_emulator::cli::EmulatorArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    mux_emulator::cli::run(cli.args, async {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            // A parent process that holds our stdin stops us by closing it.
            _ = tokio::task::spawn_blocking(|| std::io::stdin().lines().count()) => {}
        }
    })
    .await
}
