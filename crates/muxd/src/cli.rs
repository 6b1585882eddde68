//! The `muxd` command line: one subcommand per job. Each runs real machinery; `main.rs` only
//! parses arguments and calls [`run`].

use clap::{Parser, Subcommand};

use crate::config::{Mode, Settings};
use crate::store::Store;

/// muxd: gets user-uploaded videos into Mux and never loses track of them.
#[derive(Debug, Parser)]
#[command(name = "muxd", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations to DATABASE_URL and exit.
    Migrate,
}

/// Runs one command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate => {
            let settings = Settings::from_env(Mode::DatabaseOnly)?;
            let store = Store::connect(&settings.database_url).await?;
            let count = store.migrate().await?;
            println!(
                "{}: schema up to date ({count} migrations)",
                settings.database_url
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
