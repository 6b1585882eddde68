//! The `muxd` command line: one subcommand per job. Each runs real machinery; `main.rs` only
//! parses arguments and calls [`run`].

use anyhow::Context;
use axum::Router;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::app::{self, App, Wiring};
#[cfg(feature = "emulator")]
use crate::dev;
use crate::{doctor, healthcheck};
use muxd_core::config::{Mode, Settings};
use muxd_core::identity::Identity;
use muxd_core::jobs::reconcile_job;
use muxd_core::jobs::supervisor::supervise;
use muxd_core::service::adopt::{AdoptRequest, MuxRef};
use muxd_core::telemetry;
use muxd_core::telemetry::Traces;
use muxd_domain::schedule::Schedule;
use muxd_domain::Cause;
use muxd_store::{now_ms, Store};

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
    /// Run against real Mux (MUX_TOKEN_ID, MUX_TOKEN_SECRET, MUX_WEBHOOK_SIGNING_SECRET, a JWT key).
    Serve,
    /// Run locally: SQLite, the in-process Mux emulator, a demo user and campaign. No credentials.
    #[cfg(feature = "emulator")]
    Dev,
    /// Run the Mux emulator alone, for other apps' tests and local development.
    #[cfg(feature = "emulator")]
    Emulator(Box<mux_emulator::cli::EmulatorArgs>),
    /// Apply pending database migrations to DATABASE_URL and exit.
    Migrate,
    /// Poll Mux for in-flight assets whose webhooks are late (serve runs this too; run it alone
    /// as a worker, or once by hand).
    Reconcile {
        /// One pass over what is due now, print what it did, and exit.
        #[arg(long)]
        once: bool,
    },
    /// Bring an asset made outside muxd (Mux's dashboard, another tool) under its management,
    /// once: print the row's id, its status, and whether it is new.
    Adopt {
        /// The Mux asset id, or one of its playback ids.
        id: String,
        /// The owner's external id (the identity provider's).
        #[arg(long)]
        owner: String,
        /// The campaign, by the host app's id or muxd's.
        #[arg(long)]
        campaign: Option<String>,
        /// One of the campaign's influencers, by the host app's id or muxd's.
        #[arg(long)]
        influencer: Option<String>,
        /// The name (default: Mux's title, else its passthrough, else the asset id).
        #[arg(long)]
        name: Option<String>,
    },
    /// The 30-second health check: settings, database, Mux credentials, webhooks; each with a fix.
    Doctor,
    /// Exit 0 if the muxd serving at MUXD_LISTEN answers 200 on /readyz (a container's HEALTHCHECK).
    Healthcheck,
}

/// Runs one command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => {
            let (settings, app, _traces) = app_from_env(Jobs::Run).await?;
            let listener = bind(&settings).await?;
            tracing::info!(listen = %settings.listen, database = %settings.database_url, "muxd serving");
            let router = app.router(Router::new());
            app::serve(app, router, listener, shutdown_signal()).await
        }
        #[cfg(feature = "emulator")]
        Command::Dev => {
            let settings = Settings::from_env(Mode::Dev)?;
            let _traces = telemetry::init(settings.log_format, settings.otlp_endpoint.as_deref());
            let listener = bind(&settings).await?;
            dev::run(settings, listener, shutdown_signal(), |url| {
                println!("muxd dev is running. Open {url}");
            })
            .await
        }
        #[cfg(feature = "emulator")]
        Command::Emulator(args) => {
            let _traces = telemetry::init(muxd_core::config::LogFormat::Pretty, None);
            mux_emulator::cli::run(*args, shutdown_signal()).await
        }
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
        Command::Reconcile { once } => {
            let (settings, app, _traces) = app_from_env(Jobs::Off).await?;
            let reconciler = app.reconciler(Schedule::with_grace(settings.reconcile_grace));
            let instance = app.jobs.instance.clone();
            if once {
                let outcome = reconciler.run_once(&instance, now_ms()).await?;
                println!(
                    "polled {}, changed {}, failed {}, newly stuck {}, interrupted creates settled {}",
                    outcome.polled, outcome.changed, outcome.failed, outcome.stuck, outcome.settled
                );
                return Ok(());
            }
            let token = CancellationToken::new();
            let stop = token.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                stop.cancel();
            });
            supervise(
                reconcile_job(reconciler, instance),
                app.jobs.status.clone(),
                token,
            )
            .await;
            Ok(())
        }
        Command::Adopt {
            id,
            owner,
            campaign,
            influencer,
            name,
        } => {
            let (_, app, _traces) = app_from_env(Jobs::Off).await?;
            let request = AdoptRequest {
                asset: MuxRef::Either(id),
                owner,
                campaign,
                influencer,
                name,
            };
            let cause = Cause::Adopt { by: "cli".into() };
            let adopted = app.adoptions.adopt(&request, &cause).await?;
            let new = match adopted.new {
                true => "new",
                false => "already tracked",
            };
            let asset = &adopted.asset;
            println!("adopted {}: {}, {new}", asset.id, asset.facts.status);
            Ok(())
        }
        Command::Doctor => {
            let report = doctor::run().await;
            print!("{report}");
            anyhow::ensure!(report.ok(), "muxd doctor found problems");
            Ok(())
        }
        Command::Healthcheck => healthcheck::run().await,
    }
}

/// Whether the app runs its background jobs (`serve`) or not (commands that do one job by hand).
#[derive(Clone, Copy, PartialEq)]
enum Jobs {
    Run,
    Off,
}

/// The app as `serve` builds it from the environment, migrated, and its traces (flushed when
/// dropped).
async fn app_from_env(jobs: Jobs) -> anyhow::Result<(Settings, App, Traces)> {
    let settings = Settings::from_env(Mode::Serve)?;
    let traces = telemetry::init(settings.log_format, settings.otlp_endpoint.as_deref());
    let store = Store::connect(&settings.database_url).await?;
    store.migrate().await?;
    let identity = Identity::from_settings(&settings.identity).await?;
    let wiring = Wiring {
        identity,
        mux: app::mux_config(&settings),
        reconcile: (jobs == Jobs::Run).then(|| Schedule::with_grace(settings.reconcile_grace)),
    };
    let app = App::build(&settings, store, wiring)?;
    Ok((settings, app, traces))
}

async fn bind(settings: &Settings) -> anyhow::Result<TcpListener> {
    TcpListener::bind(settings.listen).await.with_context(|| {
        format!(
            "could not listen on {} (in use?). Fix: set MUXD_LISTEN to a free address, e.g. MUXD_LISTEN=127.0.0.1:3001",
            settings.listen
        )
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
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
