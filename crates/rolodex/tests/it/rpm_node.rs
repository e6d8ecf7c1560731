//! RPM Software's own Node.js library (<https://github.com/rpmsoftware/integration-common>),
//! run unchanged under Node against the real server by `rpm_node.js`, its results then read
//! through the native API.
//!
//! The library is not on the npm registry: the test takes it from a checkout named by
//! `ROLODEX_RPM_CLIENT` (a work tree, or a git directory whose `HEAD` is read), copies its
//! `lib/` and `package.json` under the target folder and installs its dependencies there with
//! npm. Without Node, or without `ROLODEX_RPM_CLIENT`, the test is skipped with a message; a
//! library named but impossible to prepare skips it too, and fails it under CI.

use crate::rpm::api_key;
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The variable naming the checkout of the library.
const LIBRARY_VARIABLE: &str = "ROLODEX_RPM_CLIENT";

/// Writes why the test is skipped, straight to the process's stderr: the test harness hides
/// the captured output of passing tests, and a skip must be seen.
fn skip(why: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "skipped: RPM's Node.js library is not run: {why}"
    );
}

/// Runs `command` to its end; `Err` says why it failed.
fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|e| format!("{command:?} cannot start: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The library's `lib/` and `package.json`, from `source`, written over those in `folder`
/// (its installed `node_modules` stay).
fn copy_library(source: &Path, folder: &Path) -> Result<(), String> {
    std::fs::create_dir_all(folder).map_err(|e| format!("{folder:?}: {e}"))?;
    if source.join("lib/api-wrappers.js").is_file() {
        copy_folder(&source.join("lib"), &folder.join("lib"))
            .and_then(|()| std::fs::copy(source.join("package.json"), folder.join("package.json")))
            .map(|_| ())
            .map_err(|e| format!("copying the library from {source:?}: {e}"))
    } else {
        let archive = folder.join("library.tar");
        run(Command::new("git")
            .arg("--git-dir")
            .arg(source)
            .args(["archive", "--format=tar", "-o"])
            .arg(&archive)
            .args(["HEAD", "lib", "package.json"]))?;
        run(Command::new("tar")
            .arg("-xf")
            .arg(&archive)
            .arg("-C")
            .arg(folder))?;
        std::fs::remove_file(&archive).map_err(|e| format!("{archive:?}: {e}"))
    }
}

/// Why the library is not run.
#[derive(Debug)]
enum Unprepared {
    /// Node, or the variable naming the library, is missing.
    Missing(String),
    /// The library named cannot be copied or its dependencies installed.
    Failed(String),
}

/// The folder holding the library, ready to run.
fn prepare() -> Result<PathBuf, Unprepared> {
    run(Command::new("node").arg("--version"))
        .map_err(|e| Unprepared::Missing(format!("Node.js is not installed ({e})")))?;
    let source = std::env::var_os(LIBRARY_VARIABLE).ok_or_else(|| {
        Unprepared::Missing(format!(
            "{LIBRARY_VARIABLE} does not name a checkout of \
             https://github.com/rpmsoftware/integration-common"
        ))
    })?;
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rpm-client");
    copy_library(Path::new(&source), &folder).map_err(Unprepared::Failed)?;
    if !folder.join("node_modules").is_dir() {
        run(Command::new("npm")
            .args([
                "install",
                "--omit=dev",
                "--no-audit",
                "--no-fund",
                "--no-package-lock",
            ])
            .current_dir(&folder))
        .map_err(Unprepared::Failed)?;
    }
    Ok(folder)
}

/// The library, prepared once per test process, or `None` after saying why the test is
/// skipped.
fn library() -> Option<&'static Path> {
    static PREPARED: OnceLock<Result<PathBuf, Unprepared>> = OnceLock::new();
    match PREPARED.get_or_init(prepare) {
        Ok(folder) => Some(folder),
        Err(Unprepared::Failed(why)) if std::env::var_os("CI").is_some() => {
            panic!("RPM's Node.js library is named but cannot run under CI: {why}")
        }
        Err(Unprepared::Missing(why) | Unprepared::Failed(why)) => {
            skip(why);
            None
        }
    }
}

async fn rpm_s_node_library_runs_unchanged_against_rolodex(app: TestApp) {
    let Some(library) = library() else {
        return;
    };
    let admin = app.admin().await;
    let (_, key) = api_key(&admin).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/rpm_node.js");
    let output = tokio::process::Command::new("node")
        .arg(script)
        .arg(library)
        .arg(app.port.to_string())
        .arg(&key)
        .output()
        .await
        .expect("node starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the library failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let made: Value = stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("the ids made, as JSON: {stdout}"));

    let acme = admin
        .get(&format!("/v1/customers/{}", made["acme"]), StatusCode::OK)
        .await;
    assert_eq!(acme["name"], "Acme, Inc.");
    assert_eq!(acme["website"], "https://acme.example");
    assert_eq!(acme["address"], "742 Green Terrace");
    assert_eq!(acme["city"], "Edmonton");
    assert_eq!(acme["custom_fields"]["Region"], "West");
    let contact = admin
        .get(
            &format!(
                "/v1/customers/{}/contacts/{}",
                made["acme"], made["contact"]
            ),
            StatusCode::OK,
        )
        .await;
    assert_eq!(contact["first_name"], "Wile E.");
    assert_eq!(contact["title"], "Genius");
    assert_eq!(contact["is_primary"], true);
    let history = admin
        .get(
            &format!("/v1/customers/{}/history", made["acme"]),
            StatusCode::OK,
        )
        .await;
    assert!(
        history["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty() && items.iter().all(|e| e["surface"] == "rpm")),
        "every change came through RPM: {history}"
    );
    let globex = admin
        .get(&format!("/v1/customers/{}", made["globex"]), StatusCode::OK)
        .await;
    assert_eq!(globex["city"], "Cypress Creek");
}

app_tests!(rpm_s_node_library_runs_unchanged_against_rolodex);
