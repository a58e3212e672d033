//! The dashboard in a real browser: headless Chromium driven over WebDriver (`chromedriver`)
//! through what a team member does, against the real binary's `serve` on a SQLite store, with
//! sign-in through the fake GitLab. Each result is then read back through the JSON API with an
//! API token, and a screenshot of each page visited is kept in `target/browser-screenshots/`
//! (`NN-name.png`; CI keeps them as artefacts).
//!
//! The flows: sign in with GitLab, write a review's action plan, record its outcome, plan next
//! month's shadowing with a hand pick and apply it, move a weekly sync.
//!
//! Needs `chromedriver` and `chromium` (Debian's `chromium-driver` and `chromium`; the variables
//! `CHROMEDRIVER` and `CHROMIUM` name others). Without them the test says why and passes, unless
//! `CI` is set: then it fails, so CI never passes without the browser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a panic in a test is a failing test"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use supportops_test_support::gitlab::FakeGitLab;

use common::{free_port, output, serve, supportops};

const CLIENT_ID: &str = "supportops-browser-test";
const SECRET: &str = "browser-test-app-secret";
/// How long a page or a tool may take before the test gives up.
const PATIENCE: Duration = Duration::from_secs(20);

/// Row 2 is Red (issue 12 gets review issue #1), row 3 Green, row 4 Yellow (MR 7, issue #2).
const SHEET: &str = "\
Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r
2/3/2026 9:15:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12,It was not solved,Collaboration,Macros wrong,1,amy@example.com,AMER,\r
2/4/2026 10:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",Great,5,bo@example.com,EMEA,3\r
2/6/2026 12:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,It was closed as it became a stale issue,Efficiency,,3,di@example.com,AMER,\r
";

// ---------------------------------------------------------------------------------------------
// The tools: chromedriver and chromium, found or reported missing.

/// `var` if set, else `name` on `PATH`, else `default`.
fn find_tool(var: &str, name: &str, default: &str) -> Result<PathBuf, String> {
    if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(&v);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("{var}={} is not a file", path.display()))
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .chain([PathBuf::from(default)])
        .find(|p| p.is_file())
        .ok_or_else(|| format!("`{name}` is neither on PATH nor at {default} (nor named by {var})"))
}

/// Chromedriver and Chromium, or why the test cannot run: a notice and `None` without `CI`, a
/// failure with it.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let found =
        find_tool("CHROMEDRIVER", "chromedriver", "/usr/bin/chromedriver").and_then(|driver| {
            find_tool("CHROMIUM", "chromium", "/usr/bin/chromium")
                .map(|chromium| (driver, chromium))
        });
    match found {
        Ok(tools) => Some(tools),
        Err(why) if std::env::var_os("CI").is_some() => panic!(
            "the browser test must run in CI, but {why}: install Debian's `chromium` and \
             `chromium-driver`"
        ),
        Err(why) => {
            eprintln!(
                "note: skipping the browser test: {why}; install Debian's `chromium` and \
                 `chromium-driver` (or set CHROMEDRIVER and CHROMIUM) to run it"
            );
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Processes the test starts, stopped however it ends; their logs shown when it fails.

/// A child process killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Log files printed (their last lines) when the test fails.
struct Logs(Vec<PathBuf>);

impl Drop for Logs {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for path in &self.0 {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            eprintln!("--- {} (last lines)\n{tail}", path.display());
        }
    }
}

fn log_file(path: &Path) -> Stdio {
    Stdio::from(std::fs::File::create(path).expect("a log file"))
}

/// Waits until something listens on `port`.
fn wait_for_port(port: u16, what: &str) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < PATIENCE,
            "{what} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Where screenshots go: `<target>/browser-screenshots`, emptied first.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // <target>/<profile>/supportops
            Path::new(env!("CARGO_BIN_EXE_supportops"))
                .ancestors()
                .nth(2)
                .expect("the binary sits in <target>/<profile>")
                .to_path_buf()
        });
    let dir = target.join("browser-screenshots");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

/// The demo's team, shadowing regions and sync schedules (`examples/demo.toml`, from its first
/// `[[team.members]]` to `[server]`).
fn demo_team() -> String {
    let demo = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo.toml"),
    )
    .unwrap();
    let start = demo.find("[[team.members]]").expect("the demo has a team");
    let end = demo
        .find("\n[server]")
        .expect("the demo has a [server] section");
    demo[start..end].to_owned()
}

// ---------------------------------------------------------------------------------------------
// The browser, as a person uses it, and the JSON API, as a script reads it.

/// One browser session on the dashboard, with an API token to check what it did.
struct Session {
    browser: Client,
    base: String,
    token: String,
    http: reqwest::Client,
    shots: PathBuf,
    taken: u32,
}

impl Session {
    /// Opens `path` on the dashboard (following any redirects, as a browser does).
    async fn open(&self, path: &str) {
        self.browser
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// The path (and query) the browser is on now.
    async fn path(&self) -> String {
        let url = self.browser.current_url().await.unwrap();
        let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}{query}", url.path())
    }

    /// The element `css` on the page, waited for.
    async fn find(&self, css: &str) -> Element {
        match self
            .browser
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("no `{css}` on {}: {e}", self.path().await),
        }
    }

    /// The visible text of `css`.
    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Follows the link `css`, as a click.
    async fn click(&self, css: &str) {
        let link = self.find(css).await;
        self.navigating(|| async { link.click().await.unwrap() })
            .await;
    }

    /// Types `text` into the field named `name` (cleared first), key by key.
    async fn fill(&self, name: &str, text: &str) {
        let field = self.find(&format!("[name=\"{name}\"]")).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Ticks the radio button `name` = `value`.
    async fn choose(&self, name: &str, value: &str) {
        self.find(&format!("input[name=\"{name}\"][value=\"{value}\"]"))
            .await
            .click()
            .await
            .unwrap();
    }

    /// Sets the date or time field named `name` to `value` (`2026-12-08`, `16:00`), as its
    /// picker would: typed keys depend on the browser's locale for these fields.
    async fn set(&self, name: &str, value: &str) {
        let field = self.find(&format!("[name=\"{name}\"]")).await;
        let field = serde_json::to_value(&field).unwrap();
        self.browser
            .execute(
                "arguments[0].value = arguments[1]",
                vec![field, Value::from(value)],
            )
            .await
            .unwrap();
    }

    /// Picks the option `value` of the drop-down `css`.
    async fn select(&self, css: &str, value: &str) {
        self.find(css).await.select_by_value(value).await.unwrap();
    }

    /// The attribute `name` of `css`.
    async fn attr(&self, css: &str, name: &str) -> String {
        self.find(css)
            .await
            .attr(name)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("`{css}` has no `{name}`"))
    }

    /// Submits the form posting (`method="post"`) to `action` with its submit button, and waits for the page
    /// that answers.
    async fn submit(&self, action: &str) {
        let button = self
            .find(&format!(
                "form[method=\"post\"][action=\"{action}\"] button[type=\"submit\"]"
            ))
            .await;
        self.navigating(|| async { button.click().await.unwrap() })
            .await;
    }

    /// Runs `act` (which leaves the page) and waits until the next page has loaded: the old
    /// page's root gone stale, the new one complete.
    async fn navigating<F, Fut>(&self, act: F)
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let old = self.find("html").await;
        act().await;
        let start = Instant::now();
        while old.tag_name().await.is_ok() {
            assert!(start.elapsed() < PATIENCE, "the page did not change");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        loop {
            let state = self
                .browser
                .execute("return document.readyState", vec![])
                .await;
            if matches!(state, Ok(Value::String(s)) if s == "complete") {
                break;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the page did not finish loading"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a PNG of the page (from its top) as `NN-name.png`.
    async fn shot(&mut self, name: &str) {
        self.taken += 1;
        self.browser
            .execute("window.scrollTo(0, 0)", vec![])
            .await
            .unwrap();
        let png = self.browser.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let path = self.shots.join(format!("{:02}-{name}.png", self.taken));
        std::fs::write(&path, png).unwrap();
    }

    /// `GET /api/v1{path}` with the API token; the JSON it answers with 200.
    async fn api_get(&self, path: &str) -> Value {
        let r = self
            .http
            .get(format!("{}/api/v1{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, 200, "GET /api/v1{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }
}

// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_member_signs_in_with_gitlab_and_runs_the_loops_from_the_browser() {
    let Some((chromedriver, chromium)) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let logs = Logs(vec![
        dir.path().join("serve.log"),
        dir.path().join("chromedriver.log"),
    ]);

    // GitLab: alice is in the editors' group and signed in to GitLab in this browser.
    let gitlab = FakeGitLab::start().await;
    gitlab.add_user("alice", "Alice Example");
    gitlab.add_group("support/support-ops", &["alice"]);
    gitlab.sign_in_as(Some("alice"));
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    gitlab.add_oauth_app(CLIENT_ID, SECRET, &format!("{base}/auth/callback"));

    // The service: the local tracker, sign-in with that GitLab, a review run, an API token.
    std::fs::write(
        dir.path().join("supportops.toml"),
        format!(
            "[server]\npublic_url = \"{base}\"\n\n[server.auth]\nkind = \"gitlab\"\n\
             url = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_env = \"BROWSER_OAUTH_SECRET\"\n\
             editors_group = \"support/support-ops\"\n\n{}",
            gitlab.base_url(),
            demo_team()
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("feedback.csv"), SHEET).unwrap();
    let reviewed = output(supportops(dir.path()).args(["review", "feedback.csv"]));
    assert_eq!(reviewed.code, 0, "{}", reviewed.stderr);
    let created = output(supportops(dir.path()).args([
        "tokens",
        "create",
        "browser-check",
        "--role",
        "viewer",
        "--format",
        "json",
    ]));
    assert_eq!(created.code, 0, "{}", created.stderr);
    let created: Value = serde_json::from_str(&created.stdout).unwrap();
    let token = created["token"].as_str().unwrap().to_owned();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supportops"));
    cmd.current_dir(dir.path())
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("GITLAB_TOKEN")
        .env("NO_COLOR", "1")
        .env("BROWSER_OAUTH_SECRET", SECRET)
        .stderr(log_file(&dir.path().join("serve.log")))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")]);
    let (_server, _) = tokio::task::spawn_blocking(move || serve(cmd))
        .await
        .unwrap();

    // The browser.
    let driver_port = free_port();
    let _driver = Running(
        Command::new(&chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(log_file(&dir.path().join("chromedriver.log")))
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs"),
    );
    tokio::task::spawn_blocking(move || wait_for_port(driver_port, "chromedriver"))
        .await
        .unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
            ],
        }),
    );
    let browser = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a Chromium session through chromedriver");
    let mut s = Session {
        browser,
        base,
        token,
        http: reqwest::Client::new(),
        shots: screenshot_dir(),
        taken: 0,
    };

    // Sign in: the Overview sends the browser to sign in, which sends it to GitLab's authorize
    // page; GitLab (alice being signed in there and the application known) sends it back with
    // a code, and the browser lands on the Overview, signed in as an editor.
    s.open("/").await;
    assert_eq!(s.path().await, "/");
    let authorize = gitlab.requests_to("GET", "/oauth/authorize");
    assert_eq!(authorize.len(), 1, "the browser went through GitLab once");
    assert_eq!(
        authorize[0].param("code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(gitlab.codes_exchanged(), 1);
    assert_eq!(s.text("form.who span").await, "Alice Example · editor");
    s.shot("overview-signed-in").await;

    // The Reviews page lists what `review` filed; its link leads to the item's page.
    s.click("nav a[href=\"/reviews\"]").await;
    assert_eq!(s.path().await, "/reviews");
    s.shot("reviews").await;
    s.click("a[data-act=\"1\"]").await;
    assert_eq!(s.path().await, "/reviews/1");
    assert_eq!(s.text("[data-has-plan]").await, "not yet");
    assert_eq!(s.text("[data-outcome]").await, "not recorded");
    s.shot("review-before").await;

    // Write the action plan.
    let plan = "Rewrite the macro so it names the next step.";
    s.fill("plan", plan).await;
    s.submit("/reviews/1/plan").await;
    assert_eq!(s.path().await, "/reviews/1");
    assert_eq!(s.text("[data-has-plan]").await, "written");
    let shown = s.find("textarea[name=\"plan\"]").await.prop("value").await;
    assert_eq!(shown.unwrap().as_deref(), Some(plan));
    assert!(
        s.text("#activity")
            .await
            .contains("alice wrote the action plan"),
        "{}",
        s.text("#activity").await
    );
    s.shot("review-plan-written").await;
    let item = s.api_get("/reviews/1").await;
    assert_eq!(item["has_action_plan"], true, "{item}");
    assert_eq!(item["action_plan"], plan, "{item}");

    // Record the outcome: resolved.
    s.choose("outcome", "resolved").await;
    s.submit("/reviews/1/outcome").await;
    assert_eq!(s.path().await, "/reviews/1");
    assert_eq!(s.text("[data-outcome]").await, "resolved");
    s.shot("review-outcome-recorded").await;
    let item = s.api_get("/reviews/1").await;
    assert_eq!(item["outcome"], "resolved", "{item}");
    let labels = item["issue"]["labels"].as_array().unwrap();
    assert!(
        labels.contains(&Value::from("review-outcome::resolved")),
        "{item}"
    );
    let activity: Vec<(&str, &str)> = item["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["actor"].as_str().unwrap(), a["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        activity,
        [
            ("alice", "wrote the action plan"),
            ("alice", "recorded the outcome")
        ],
        "{item}"
    );
    // The other review was left alone.
    let other = s.api_get("/reviews/2").await;
    assert_eq!(
        (other["has_action_plan"].clone(), other["outcome"].clone()),
        (Value::Bool(false), Value::Null),
        "{other}"
    );

    // Shadowing: next month's plan, with a region picked by hand for the first member, applied.
    s.click("nav a[href=\"/shadowing\"]").await;
    assert_eq!(s.path().await, "/shadowing");
    s.shot("shadowing").await;
    s.open("/shadowing/plan").await;
    let month = s
        .attr(
            "form[method=\"post\"][action=\"/shadowing/plan\"] input[name=\"month\"]",
            "value",
        )
        .await;
    let pick = s.attr("#pick-1 option:nth-child(2)", "value").await;
    let (member, region) = pick.split_once('=').unwrap();
    s.select("#pick-1", &pick).await;
    s.navigating(|| async {
        s.find("form[method=\"get\"][action=\"/shadowing/plan\"] button[type=\"submit\"]")
            .await
            .click()
            .await
            .unwrap();
    })
    .await;
    let row = s.text(&format!("tr[data-proposal=\"{member}\"]")).await;
    assert!(
        row.contains(region) && row.contains("picked by hand"),
        "{row}"
    );
    s.shot("shadowing-plan-proposed").await;
    s.submit("/shadowing/plan").await;
    assert!(
        s.path()
            .await
            .starts_with(&format!("/shadowing/plan?month={month}"))
    );
    s.shot("shadowing-plan-applied").await;
    let planned = s
        .api_get(&format!(
            "/shadowing/sessions?month={month}&state=planned&per_page=100"
        ))
        .await;
    let sessions = planned["sessions"].as_array().unwrap();
    assert!(!sessions.is_empty(), "{planned}");
    let mine: Vec<&Value> = sessions.iter().filter(|x| x["member"] == member).collect();
    assert_eq!(mine.len(), 1, "{planned}");
    assert_eq!(mine[0]["region"], region, "the hand pick: {planned}");

    // Syncs: the next weekly sync moved to 16:00 the same day.
    s.click("nav a[href=\"/syncs\"]").await;
    assert_eq!(s.path().await, "/syncs");
    s.shot("syncs").await;
    let href = s
        .attr("a[data-act][href^=\"/syncs/weekly/\"]", "href")
        .await;
    let href = href.strip_prefix(&s.base).unwrap_or(&href).to_owned();
    let date = href.trim_start_matches("/syncs/weekly/").to_owned();
    s.click(&format!("a[data-act][href=\"{href}\"]")).await;
    assert_eq!(s.path().await, href);
    s.set("to_time", "16:00").await;
    s.submit(&format!("{href}/move")).await;
    // No hour suits a team from New York to Singapore: the page says whose hours it misses,
    // next to the field, and nothing is moved until the editor keeps it anyway.
    let refusal = s.text("#to_time-error").await;
    assert!(
        refusal.contains("outside the working hours of"),
        "{refusal}"
    );
    s.shot("sync-move-refused").await;
    assert_eq!(
        s.api_get(&format!("/syncs/weekly/{date}")).await["status"],
        "scheduled"
    );
    s.find("input[name=\"force\"]").await.click().await.unwrap();
    s.submit(&format!("{href}/move")).await;
    s.shot("sync-moved").await;
    assert_eq!(s.path().await, href);
    let moved = s.api_get(&format!("/syncs/weekly/{date}")).await;
    assert_eq!(moved["status"], "moved", "{moved}");
    assert!(
        moved["start"]
            .as_str()
            .unwrap()
            .contains(&format!("{date}T16:00")),
        "{moved}"
    );
    assert_eq!(moved["activity"][0]["actor"], "alice", "{moved}");

    s.browser.close().await.unwrap();
    let taken = std::fs::read_dir(&s.shots).unwrap().count();
    assert_eq!(taken, s.taken as usize, "one screenshot per page");
    drop(logs);
}
