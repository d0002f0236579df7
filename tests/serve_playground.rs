//! The playground in a real headless Chromium: the page's own script loads the bundled
//! retail example, presses Evaluate and draws the decision and the diagnostics. The page
//! reads what to do from the address fragment (`#example=…&evaluate`, the form its Share
//! button makes), and Chromium prints the page as it stands once its work is done.
//!
//! CI installs Debian's `chromium` (`.ci/run`); elsewhere without it the test says so and
//! passes, and with `CI` set a missing browser fails it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

mod serve_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serve_support::{Server, root};

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Runs Chromium headless on `url` with a fresh profile and the extra arguments; returns
/// standard output.
fn run_chromium(browser: &Path, url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--window-size=1400,1100",
            // Virtual time runs the page until its fetches and scripts are done (bounded).
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(output.status.success(), "chromium failed: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[test]
fn the_playground_evaluates_the_retail_example_and_shows_a_diagnostic() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        eprintln!("chromium is not installed: the playground was not tried in a browser");
        return;
    };
    let server = Server::start(&["examples/policies/retail.policy"], root());
    let base = format!("http://{}/", server.addr);

    // The bundled retail example as the page preloads it, evaluated by its own button.
    let dom = run_chromium(
        &browser,
        &format!("{base}#example=retail.policy&evaluate"),
        &["--dump-dom"],
    );
    assert!(dom.contains(r#"data-state="evaluated""#), "{dom}");
    assert!(
        dom.contains(r#"<li class="action" data-action="escalate">escalate to supervisor"#),
        "{dom}"
    );
    assert!(
        dom.contains(r#"class="deadline" data-rule="first_reply" data-status="breached""#),
        "{dom}"
    );
    assert!(dom.contains(r#"role="progressbar""#), "{dom}");
    assert!(dom.contains("look again at 2026-03-04T09:00:00Z"), "{dom}");

    // The same policy with a constant nobody uses: a warning under the editor at its line
    // and column, the line marked in the gutter, and the decision still drawn.
    let policy = std::fs::read_to_string(root().join("examples/policies/retail.policy")).unwrap();
    let trimmed = policy.trim_end().strip_suffix('}').unwrap();
    let edited = format!("{trimmed}  const spare_cap = 100 INR\n}}\n");
    let line = edited
        .lines()
        .position(|l| l.contains("spare_cap"))
        .unwrap()
        + 1;
    let record =
        std::fs::read_to_string(root().join("examples/policies/records/retail_late_reply.json"))
            .unwrap();
    let url = format!(
        "{base}#source={}&record={}&now=2026-03-02T10%3A00%3A00Z&evaluate",
        encode(&edited),
        encode(&record)
    );
    let dom = run_chromium(&browser, &url, &["--dump-dom"]);
    assert!(dom.contains(r#"data-state="evaluated""#), "{dom}");
    assert!(
        dom.contains(&format!(
            r#"<li class="warning" data-code="W0001" data-line="{line}">"#
        )),
        "{dom}"
    );
    assert!(dom.contains(&format!("line {line}, column 9")), "{dom}");
    assert!(dom.contains("help: "), "{dom}");
    assert!(
        dom.contains(&format!(
            r#"<span class="warning" data-line="{line}">{line}"#
        )),
        "{dom}"
    );
    assert!(dom.contains("escalate to supervisor"), "{dom}");

    // A picture of that page for the CI artefacts.
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let shot = target.join("playground.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &browser,
        &url,
        &[&format!("--screenshot={}", shot.display())],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}
