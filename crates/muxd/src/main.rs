//! The `muxd` binary: parse the command line, run it, and turn a failure into a message and a
//! non-zero exit code.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = muxd::cli::Cli::parse();
    match muxd::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
