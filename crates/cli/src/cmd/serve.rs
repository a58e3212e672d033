//! `supportops serve`: the web dashboard, JSON API, webhook and calendar feed.
//!
//! With `--demo` it needs nothing at all: a fresh SQLite store in a temporary folder (or
//! `--data-dir`), the bundled sample sheet imported, its review issues filed in the local
//! tracker, a year of shadowing history for the example team, and the example configuration,
//! all compiled into the binary so the demo runs from any directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use anyhow::Context as _;
use supportops_config::{Config, TrackerKind};
use supportops_server::{AppState, AuthSetup, Clock, Services, SheetSetup, TokioPace, WebhookAuth};
use supportops_sheet::{Headers, SourceSpec, load_scored, read_headers};

use super::Context;
use super::review::review_options;
use super::score::{scoring, sheet_error, sheet_layout};
use super::wiring::{check_tracker, open_store, open_tracker};
use crate::exit::bad_input;

/// The demo's configuration: `examples/demo.toml`.
const DEMO_CONFIG: &str = include_str!("../../../../examples/demo.toml");
/// The demo's feedback sheet: `examples/feedback.csv`.
const DEMO_SHEET: &str = include_str!("../../../../examples/feedback.csv");

/// Arguments of `supportops serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on [default: config key `server.addr`, 127.0.0.1:8080]
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<String>,
    /// Run the demo: a fresh store with the bundled sample sheet, its review issues in the
    /// local tracker, shadowing history and the example team (not with --config)
    #[arg(long)]
    demo: bool,
    /// With --demo: keep the demo's store in DIR (created if missing) instead of a temporary
    /// folder removed on exit
    #[arg(long, value_name = "DIR", requires = "demo")]
    data_dir: Option<PathBuf>,
}

/// Runs the command.
pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    init_logging();
    let runtime = super::runtime()?;
    if args.demo {
        if ctx.config_path.is_some() {
            return Err(bad_input(anyhow::anyhow!(
                "--demo runs with the built-in example configuration; drop --config, or serve \
                 your own configuration without --demo"
            )));
        }
        run_demo(ctx, &runtime, args)
    } else {
        run_configured(ctx, &runtime, args)
    }
}

/// Logs on standard error (for `serve`, one line per request); `RUST_LOG` overrides the level.
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .try_init();
}

fn environment() -> Vec<(String, String)> {
    std::env::vars().collect()
}

/// `serve` with the user's configuration.
fn run_configured(
    ctx: &Context,
    runtime: &tokio::runtime::Runtime,
    args: Args,
) -> anyhow::Result<()> {
    let (config, _) = ctx.config()?;
    check_tracker(&config)?;
    let addr = args.addr.unwrap_or_else(|| config.server.addr.clone());
    check_addr(&addr)?;
    let layout = sheet_layout(&config.sheet);
    let scoring = scoring(&config, None)?;
    let headers = sheet_headers(&config, &layout);
    let review = review_options(&config, &headers, false)?;
    let auth = AuthSetup::from_config(&config, |k| std::env::var(k).ok()).map_err(bad_input)?;
    let webhook = webhook_auth(&config)?;
    runtime.block_on(async {
        let listener = bind(&addr).await?;
        let local = listener
            .local_addr()
            .context("cannot read the listening address")?;
        auth.check_bind(local).map_err(bad_input)?;
        let store = open_store(&config).await?;
        // `SUPPORTOPS_NOW` starts the service's clock at that moment, which then runs on.
        let clock = ctx.running_clock();
        super::rescore::adopt_current(&config, &store, clock.now()).await?;
        let tracker = open_tracker(&config, &store, &clock)?;
        let state = AppState::new(Services {
            store,
            tracker,
            webhook,
            clock,
            sheet: SheetSetup {
                layout,
                headers,
                scoring,
            },
            review: Some(review),
            demo: false,
            auth,
            config,
        })
        .map_err(bad_input)
        .context("cannot start the web service")?;
        if let Some(notify) = state.notify() {
            match super::notify::open_chat(notify) {
                Ok(chat) => state.set_chat(chat),
                Err(e) => {
                    anstream::eprintln!("warning: chat messages will be queued but not sent: {e}")
                }
            }
        }
        serve(state, listener).await
    })
}

/// The header row webhook keys may name: the configured sheet's, when it is a local file that
/// can be read; else the handbook sheet's.
pub(super) fn sheet_headers(config: &Config, layout: &supportops_sheet::SheetLayout) -> Headers {
    let source = &config.sheet.source;
    if Path::new(source).is_file()
        && let Ok(spec) = SourceSpec::parse(source)
    {
        // The header row only: a year's sheet is not read (nor held) to learn its columns.
        match read_headers(&spec, layout) {
            Ok(headers) => return headers,
            Err(e) => tracing::warn!(
                error = %e,
                "cannot read the header row of `{source}` (config key `sheet.source`); \
                 webhook keys are matched against the handbook sheet's headers"
            ),
        }
    }
    Headers::handbook()
}

/// The webhook's token from the variable `server.webhook_token_env` names.
fn webhook_auth(config: &Config) -> anyhow::Result<WebhookAuth> {
    let var = &config.server.webhook_token_env;
    let auth = WebhookAuth::from_env(var, |k| std::env::var(k).ok()).map_err(bad_input)?;
    if let WebhookAuth::Unconfigured { env } = &auth {
        tracing::warn!(
            "the webhook is off: set `{env}` (named by config key `server.webhook_token_env`) \
             to a long random secret to accept responses"
        );
    }
    Ok(auth)
}

/// Checks that `addr` is written `HOST:PORT` with a port number, before anything is opened.
fn check_addr(addr: &str) -> anyhow::Result<()> {
    let port = addr.rsplit_once(':').map(|(_, p)| p);
    if port.is_none_or(|p| p.parse::<u16>().is_err()) {
        return Err(bad_input(anyhow::anyhow!(
            "address `{addr}` is not HOST:PORT; write e.g. 127.0.0.1:8080 (--addr or config key \
             `server.addr`)"
        )));
    }
    Ok(())
}

/// Binds `addr`, before anything else is done, so a busy port fails fast.
async fn bind(addr: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        let hint = match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                "; another program uses that port: choose another with --addr"
            }
            std::io::ErrorKind::PermissionDenied => {
                "; ports below 1024 need privileges: choose another with --addr"
            }
            _ => "",
        };
        anyhow::anyhow!("cannot listen on `{addr}`: {e}{hint}")
    })
}

/// Serves on `listener` until SIGINT or SIGTERM.
async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let local = listener
        .local_addr()
        .context("cannot read the listening address")?;
    println!("supportops is serving http://{local}  (Ctrl-C stops it)");
    supportops_server::serve(listener, state, supportops_server::shutdown_signal())
        .await
        .context("the web service stopped")
}

/// Where the demo keeps its files.
enum DataDir {
    /// Removed when the server stops.
    Temporary(tempfile::TempDir),
    /// Given with `--data-dir`; kept.
    Kept(PathBuf),
}

impl DataDir {
    fn path(&self) -> &Path {
        match self {
            DataDir::Temporary(t) => t.path(),
            DataDir::Kept(p) => p,
        }
    }
}

/// `serve --demo`.
fn run_demo(ctx: &Context, runtime: &tokio::runtime::Runtime, args: Args) -> anyhow::Result<()> {
    if let Some(addr) = &args.addr {
        check_addr(addr)?;
    }
    let dir = match args.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the demo folder `{}`", dir.display()))?;
            DataDir::Kept(dir)
        }
        None => DataDir::Temporary(
            tempfile::Builder::new()
                .prefix("supportops-demo-")
                .tempdir()
                .context("cannot create a temporary folder for the demo")?,
        ),
    };
    let sheet_path = dir.path().join("feedback.csv");
    std::fs::write(&sheet_path, DEMO_SHEET)
        .with_context(|| format!("cannot write the demo sheet `{}`", sheet_path.display()))?;
    let mut config =
        Config::from_toml(DEMO_CONFIG, "examples/demo.toml (built in)", &environment())
            .map_err(bad_input)
            .context("cannot load the demo configuration")?;
    config.sheet.source = sheet_path.display().to_string();
    config.store.url = format!(
        "sqlite://{}",
        dir.path().join("supportops-demo.db").display()
    );
    config.tracker.kind = TrackerKind::Local;

    let layout = sheet_layout(&config.sheet);
    let scoring = scoring(&config, None)?;
    let source = SourceSpec::parse(&config.sheet.source).map_err(sheet_error)?;
    let sheet = load_scored(&source, &layout, &scoring).map_err(sheet_error)?;
    let review = review_options(&config, &sheet.headers, false)?;
    let (webhook, token) = match webhook_auth_quiet(&config)? {
        Some(auth) => (auth, None),
        None => {
            let (auth, token) = WebhookAuth::generate().context("cannot make a webhook token")?;
            (auth, Some(token))
        }
    };
    let addr = args.addr.unwrap_or_else(|| config.server.addr.clone());
    runtime.block_on(async {
        let listener = bind(&addr).await?;
        let store = open_store(&config).await?;
        // The demo lives just after its data: its clock starts then and runs on, and the local
        // tracker stamps issues with the same clock, so every page agrees whatever today is.
        // `SUPPORTOPS_NOW` sets another start.
        let now = ctx
            .as_of
            .unwrap_or_else(|| demo_now(&sheet.responses, ctx.clock.now()));
        let clock = Clock::running_from(now);
        super::rescore::adopt_current(&config, &store, now).await?;
        let filing_time = Arc::new(AtomicI64::new(now.as_second()));
        let tracker_clock = {
            let filing_time = Arc::clone(&filing_time);
            let clock = clock.clone();
            Clock::from_fn(move || {
                let at = filing_time.load(Ordering::Relaxed);
                if at == 0 {
                    clock.now()
                } else {
                    jiff::Timestamp::from_second(at).unwrap_or_else(|_| clock.now())
                }
            })
        };
        let tracker: Arc<dyn supportops_ports::Tracker> = Arc::new(
            supportops_store::LocalTracker::new(store.as_ref().clone()).with_clock(tracker_clock),
        );
        // Reviews are filed month by month, as a team running `review` would have, so the
        // monthly agenda sees each issue opened when its responses came in.
        let mut ordered = sheet.responses.clone();
        ordered.sort_by_key(|r| r.response.submitted_at);
        let lock = supportops_app::review::LockOptions::new(
            format!("supportops serve --demo (pid {})", std::process::id()),
            Arc::new(TokioPace(clock.clone())),
        );
        for (upto, at) in demo_batches(&ordered, now) {
            filing_time.store(at.as_second(), Ordering::Relaxed);
            supportops_app::review::review(
                store.as_ref(),
                tracker.as_ref(),
                &ordered[..upto],
                &review,
                &lock,
                at,
            )
            .await
            .context("cannot file the demo's review issues")?;
        }
        filing_time.store(0, Ordering::Relaxed);
        let filed = supportops_ports::store::ReviewStore::review_issues(store.as_ref())
            .await
            .map(|issues| issues.len())
            .unwrap_or(0);
        // The monthly loop a team runs on those issues: action plans, outcomes, a few
        // forgotten, so the agenda's two parts and the neglected list all show something.
        let sync = supportops_app::sync::SyncSettings::from_config(&config).map_err(bad_input)?;
        let demo_loop = supportops_app::sync::demo::load_demo_loop(
            &sync,
            store.as_ref(),
            tracker.as_ref(),
            now,
        )
        .await
        .context("cannot record the demo's action plans and outcomes")?;
        let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        let sessions = supportops_app::shadow::load_demo_history(store.as_ref(), &config, today)
            .await
            .context("cannot load the demo's shadowing history")?;
        println!(
            "demo: {} responses in the sample sheet, {filed} review issues filed in the local \
             tracker ({} with an action plan; outcomes: {} resolved, {} not resolved), \
             {sessions} shadowing sessions recorded; the demo runs as of {} ({})",
            sheet.responses.len(),
            demo_loop.plans,
            demo_loop.resolved,
            demo_loop.not_resolved,
            now.strftime("%Y-%m-%d %H:%M UTC"),
            if ctx.as_of.is_some() {
                "`SUPPORTOPS_NOW`"
            } else {
                "just after its last response"
            },
        );
        match &dir {
            DataDir::Temporary(t) => println!(
                "demo data: {} (removed when the server stops; keep it with --data-dir DIR)",
                t.path().display()
            ),
            DataDir::Kept(p) => println!("demo data: {}", p.display()),
        }
        println!(
            "sign-in: none; every browser is signed in as the demo editor and may act (the \
             pages say so)"
        );
        if let Some(token) = &token {
            println!(
                "webhook: POST /hooks/feedback with `Authorization: Bearer {token}` (a demo \
                 token; set {} to choose your own)",
                config.server.webhook_token_env
            );
        }
        let state = AppState::new(Services {
            store,
            tracker,
            webhook,
            clock,
            sheet: SheetSetup {
                layout,
                headers: sheet.headers.clone(),
                scoring,
            },
            review: Some(review),
            demo: true,
            auth: AuthSetup::default(),
            config,
        })
        .map_err(bad_input)
        .context("cannot start the web service")?;
        serve(state, listener).await
    })?;
    drop(dir);
    Ok(())
}

/// The demo's "now": an hour after its last response, or a second after it when an hour later
/// is already the next month (so the last month of data is the current month); `today` when
/// no response has a time.
fn demo_now(
    responses: &[supportops_domain::ScoredResponse],
    today: jiff::Timestamp,
) -> jiff::Timestamp {
    let Some(last) = responses
        .iter()
        .filter_map(|r| r.response.submitted_at)
        .max()
    else {
        return today;
    };
    let month = |t: jiff::Timestamp| {
        let d = t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        (d.year(), d.month())
    };
    let hour_later = last
        .checked_add(jiff::SignedDuration::from_hours(1))
        .unwrap_or(last);
    if month(hour_later) == month(last) {
        hour_later
    } else {
        last.checked_add(jiff::SignedDuration::from_secs(1))
            .unwrap_or(last)
    }
}

/// How the demo files its reviews: for each month with responses (`responses` in order of
/// submission), how many leading responses to file and when (a day after the month's
/// last response, or `now` for the last month).
fn demo_batches(
    responses: &[supportops_domain::ScoredResponse],
    now: jiff::Timestamp,
) -> Vec<(usize, jiff::Timestamp)> {
    let month = |t: jiff::Timestamp| {
        let d = t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        (d.year(), d.month())
    };
    let mut batches: Vec<(usize, jiff::Timestamp)> = Vec::new();
    let mut latest: Option<jiff::Timestamp> = None;
    for (i, r) in responses.iter().enumerate() {
        let Some(at) = r.response.submitted_at else {
            continue;
        };
        if let Some(prev) = latest
            && month(prev) != month(at)
            && at > prev
        {
            let filed = prev
                .checked_add(jiff::SignedDuration::from_hours(24))
                .unwrap_or(prev)
                .min(now);
            batches.push((i, filed));
        }
        latest = Some(latest.map_or(at, |l| l.max(at)));
    }
    batches.push((responses.len(), now));
    batches
}

/// The demo's webhook auth when the environment sets a token; `None` to generate one.
fn webhook_auth_quiet(config: &Config) -> anyhow::Result<Option<WebhookAuth>> {
    let var = &config.server.webhook_token_env;
    match WebhookAuth::from_env(var, |k| std::env::var(k).ok()).map_err(bad_input)? {
        WebhookAuth::Unconfigured { .. } => Ok(None),
        auth => Ok(Some(auth)),
    }
}
