//! Tidy checks that keep the codebase honest: the crate graph keeps the layering promised in
//! ARCHITECTURE.md, and every Rust module opens with a `//!` doc saying what it owns.

// A failed read here is a failing test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/cli sits two levels below the workspace root")
        .to_path_buf()
}

/// The normal (non-dev) dependencies of a workspace crate, by crate folder name.
fn dependencies(krate: &str) -> Vec<String> {
    let path = workspace_root()
        .join("crates")
        .join(krate)
        .join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let manifest: toml::Table = text.parse().unwrap();
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

fn assert_none_of(krate: &str, forbidden: &[&str]) {
    let deps = dependencies(krate);
    let bad: Vec<&String> = deps
        .iter()
        .filter(|d| forbidden.contains(&d.as_str()))
        .collect();
    assert!(
        bad.is_empty(),
        "crates/{krate} must not depend on {bad:?} (see ARCHITECTURE.md)"
    );
}

const IO_CRATES: &[&str] = &[
    "tokio",
    "sqlx",
    "reqwest",
    "axum",
    "tower",
    "tower-http",
    "hyper",
    "calamine",
    "csv",
    "async-trait",
];

#[test]
fn formula_depends_on_no_other_supportops_crate_and_no_io() {
    let deps = dependencies("formula");
    assert!(
        deps.iter().all(|d| !d.starts_with("supportops")),
        "formula must stand alone, found {deps:?}"
    );
    assert_none_of("formula", IO_CRATES);
}

#[test]
fn domain_is_pure() {
    assert_none_of("domain", IO_CRATES);
    assert_none_of(
        "domain",
        &[
            "supportops-ports",
            "supportops-store",
            "supportops-tracker",
            "supportops-app",
        ],
    );
}

#[test]
fn adapters_do_not_depend_on_each_other_or_on_use_cases() {
    let upper = ["supportops-app", "supportops-server", "supportops"];
    assert_none_of(
        "store",
        &[&["supportops-tracker", "supportops-sheet"][..], &upper].concat(),
    );
    assert_none_of(
        "tracker",
        &[&["supportops-store", "supportops-sheet"][..], &upper].concat(),
    );
    assert_none_of(
        "sheet",
        &[&["supportops-store", "supportops-tracker"][..], &upper].concat(),
    );
}

#[test]
fn use_cases_know_no_adapter() {
    assert_none_of(
        "app",
        &[
            "supportops-store",
            "supportops-tracker",
            "supportops-sheet",
            "supportops-server",
            "sqlx",
            "reqwest",
            "axum",
        ],
    );
}

#[test]
fn ports_know_no_database_and_no_http() {
    assert_none_of("ports", &["sqlx", "reqwest", "axum", "hyper"]);
}

/// External crates whose arrival in a crate changes what it is (I/O, async, HTTP, SQL,
/// templates, command line): a crate may depend on one only when its allow-list names it.
const NOTABLE: &[&str] = &[
    "tokio",
    "sqlx",
    "reqwest",
    "axum",
    "tower",
    "tower-http",
    "hyper",
    "calamine",
    "csv",
    "async-trait",
    "askama",
    "minijinja",
    "clap",
];

/// Per crate, every supportops crate and every [`NOTABLE`] crate it MAY depend on (normal
/// dependencies). A new edge (sheet → config, server → store, ports → tokio, test-support →
/// any supportops crate) fails [`every_crate_depends_only_on_what_it_may`] until this list, and
/// ARCHITECTURE.md, say why.
const MAY_DEPEND_ON: &[(&str, &[&str])] = &[
    ("formula", &[]),
    ("domain", &["supportops-formula"]),
    ("config", &["supportops-domain"]),
    // The formula for its `Value`: a stored score, as the domain's responses carry it.
    (
        "ports",
        &["supportops-domain", "supportops-formula", "async-trait"],
    ),
    (
        "sheet",
        &[
            "supportops-formula",
            "supportops-domain",
            "reqwest",
            "calamine",
            "csv",
        ],
    ),
    (
        "store",
        &[
            "supportops-formula",
            "supportops-domain",
            "supportops-ports",
            "async-trait",
            "sqlx",
            "tokio",
        ],
    ),
    (
        "tracker",
        &["supportops-ports", "async-trait", "reqwest", "tokio"],
    ),
    (
        "app",
        &[
            "supportops-formula",
            "supportops-domain",
            "supportops-config",
            "supportops-ports",
            "async-trait",
            "minijinja",
        ],
    ),
    (
        "server",
        &[
            "supportops-formula",
            "supportops-domain",
            "supportops-config",
            "supportops-ports",
            "supportops-sheet",
            "supportops-app",
            "async-trait",
            "tokio",
            "axum",
            "tower",
            "tower-http",
            "askama",
            // sign-in: GitLab's OAuth token and user endpoints (oauth.rs)
            "reqwest",
        ],
    ),
    (
        "cli",
        &[
            "supportops-formula",
            "supportops-domain",
            "supportops-config",
            "supportops-ports",
            "supportops-sheet",
            "supportops-store",
            "supportops-tracker",
            "supportops-app",
            "supportops-server",
            "tokio",
            "clap",
            "csv",
        ],
    ),
    ("test-support", &["tokio", "axum"]),
];

#[test]
fn every_crate_depends_only_on_what_it_may() {
    let mut listed: Vec<&str> = MAY_DEPEND_ON.iter().map(|(k, _)| *k).collect();
    listed.sort_unstable();
    let mut crates: Vec<String> = std::fs::read_dir(workspace_root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            workspace_root()
                .join("crates")
                .join(name)
                .join("Cargo.toml")
                .is_file()
        })
        .collect();
    crates.sort_unstable();
    assert_eq!(
        listed, crates,
        "every crate has an allow-list in MAY_DEPEND_ON"
    );
    let mut bad = Vec::new();
    for (krate, may) in MAY_DEPEND_ON {
        for dep in dependencies(krate) {
            let governed = dep.starts_with("supportops") || NOTABLE.contains(&dep.as_str());
            if governed && !may.contains(&dep.as_str()) {
                bad.push(format!("{krate} → {dep}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "dependencies the allow-lists do not name (see MAY_DEPEND_ON and ARCHITECTURE.md): {bad:?}"
    );
}

/// Library errors are types: no function outside the binary returns `Result<_, String>`.
#[test]
fn no_library_function_returns_a_string_error() {
    let crates = workspace_root().join("crates");
    let found: Vec<String> = sources(&crates)
        .into_iter()
        .filter(|(path, _)| {
            let rel = path.strip_prefix(&crates).unwrap_or(path);
            !rel.starts_with("cli")
                && rel
                    .components()
                    .nth(1)
                    .is_some_and(|c| c.as_os_str() == "src")
        })
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| {
                    line.contains("fn ")
                        && line.split_once("-> Result<").is_some_and(|(_, ret)| {
                            ret.trim_end()
                                .trim_end_matches('{')
                                .trim_end()
                                .ends_with(", String>")
                        })
                })
                .map(|(n, _)| format!("{}:{}", path.display(), n + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(found.is_empty(), "give these a thiserror type: {found:?}");
}

/// Issue templates are filled in one place: `minijinja` appears in `app/src/template.rs` only.
#[test]
fn templates_are_filled_in_one_place() {
    let crates = workspace_root().join("crates");
    let users: Vec<String> = sources(&crates)
        .into_iter()
        .filter(|(path, text)| {
            text.contains("minijinja::") && path.components().any(|c| c.as_os_str() == "src")
        })
        .map(|(path, _)| {
            path.strip_prefix(&crates)
                .unwrap_or(&path)
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(users, vec!["app/src/template.rs".to_owned()]);
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_opens_with_a_doc_comment() {
    let root = workspace_root().join("crates");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|p| p.components().any(|c| c.as_os_str() == "src"))
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "these modules do not open with a `//!` doc: {missing:#?}"
    );
}

#[test]
fn readme_help_block_matches_the_binary() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let start_marker = "$ supportops --help\n";
    let start = readme
        .find(start_marker)
        .expect("README.md shows `$ supportops --help` in a text block")
        + start_marker.len();
    let end = start + readme[start..].find("```").unwrap();
    let documented = readme[start..end].trim_end();
    let output = assert_cmd::Command::cargo_bin("supportops")
        .unwrap()
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let actual = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        documented,
        actual.trim_end(),
        "README.md's `supportops --help` block differs from the binary's; paste the new output"
    );
}

/// Rust sources under `dir`, with their text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out
}

/// ARCHITECTURE.md: "a tracker call that changes anything sits between recording the intent and
/// recording the result". Review filing records its own intents (`begin_filing` …
/// `finish_filing`) and journals the rest; every other command that writes is handed the
/// journaled tracker, whose writes record intent and result (`supportops_app::journal`).
#[test]
fn every_tracker_write_sits_between_intent_and_result() {
    let root = workspace_root();
    const WRITES: [&str; 4] = [
        ".create_issue(",
        ".add_note(",
        ".set_state(",
        ".update_labels(",
    ];
    // In the use cases, a write outside the journal itself is review filing's, between its
    // intent and its result, or one journaled by `journal::write`.
    for (path, text) in sources(&root.join("crates/app/src")) {
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let lines: Vec<&str> = code.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if !WRITES.iter().any(|w| line.contains(w)) || name.ends_with("journal.rs") {
                continue;
            }
            let before = lines[n.saturating_sub(40)..n].join("\n");
            let after = lines[n..(n + 150).min(lines.len())].join("\n");
            let filed = before.contains("begin_filing") && after.contains("finish_filing");
            let journaled = lines[n.saturating_sub(12)..n]
                .iter()
                .any(|l| l.contains("journal::write("));
            // Shadowing, the syncs and the issue actions write through the tracker they are
            // handed; the binary hands them the journaled one (checked below), and so does the
            // server (`AppState::acting_tracker`).
            let handed = name.contains("/shadow/")
                || name.contains("/sync/")
                || name.ends_with("/issues.rs");
            assert!(
                filed || journaled || handed,
                "{name}:{}: a tracker write outside an intent and its result",
                n + 1
            );
        }
    }
    // In the binary, only `review`, `review --rescore` and `serve` (whose writes are review
    // filing) open the raw tracker; every other command gets `open_journaled_tracker`.
    for (path, text) in sources(&root.join("crates/cli/src/cmd")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if ["wiring.rs", "review.rs", "rescore.rs", "serve.rs"].contains(&name.as_str()) {
            continue;
        }
        assert!(
            !text.contains("open_tracker("),
            "crates/cli/src/cmd/{name} opens a tracker whose writes are not journaled; use \
             `open_journaled_tracker`"
        );
    }
}
