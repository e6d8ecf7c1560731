//! The README's walkthrough, run verbatim against a real server.

use crate::support::{ADMIN_PASSWORD, TestApp};
use std::process::Command;

fn walkthrough_script() -> String {
    let readme = include_str!("../../../../README.md");
    let section = readme
        .split("## Walkthrough")
        .nth(1)
        .expect("README has a Walkthrough section");
    let start = section.find("```bash\n").expect("a bash block") + "```bash\n".len();
    let end = section[start..].find("```").expect("the block ends") + start;
    section[start..end].to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_walkthrough_works_verbatim() {
    let app = TestApp::spawn().await;
    let script = walkthrough_script();
    let address = app.address.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg("-c")
            .arg(&script)
            .env("ROLODEX_URL", address)
            .env("ROLODEX_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .output()
            .expect("bash runs")
    })
    .await
    .expect("the walkthrough finishes");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "walkthrough failed:\n{stdout}\n{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.contains(&"412"),
        "the stale If-Match is refused:\n{stdout}"
    );
    assert!(stdout.contains("\"title\": \"CEO\""), "{stdout}");
    assert!(stdout.contains("ETag: \"2\""), "{stdout}");
    assert!(
        stdout.contains(r#"{"field":"title","old":"Purchasing manager","new":"CEO"}"#),
        "the history shows old and new values:\n{stdout}"
    );
    assert!(
        stdout.contains(r#"{"title":"Purchasing manager","version":4}"#),
        "the title is restored from history:\n{stdout}"
    );
}
