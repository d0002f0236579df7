//! `service-policy doc`: the handbook of every example policy in every language, as
//! snapshots a reader reviews sentence by sentence, plus the guarantees around them (no
//! message missing, the published examples current, the command's options).
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests stop loudly on the unexpected"
)]

use std::path::Path;

use assert_cmd::Command;
use service_policy::Policy;
use service_policy::handbook::{self, Format, Language};

/// The example policies, the fixture that holds every construct once, and a branch.
const POLICIES: [&str; 6] = [
    "examples/policies/retail.policy",
    "examples/policies/call_center.policy",
    "examples/policies/refunds.policy",
    "examples/policies/multilingual.policy",
    "tests/fixtures/handbook/every_construct.policy",
    // A branch: its handbook is the base merged with its overrides.
    "tests/fixtures/handbook/chennai.policy",
];

fn load(path: &str) -> Policy {
    Policy::from_file(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn every_policy_reads_as_a_handbook_in_every_language() {
    for path in POLICIES {
        let policy = load(path);
        let stem = Path::new(path).file_stem().unwrap().to_str().unwrap();
        for language in Language::ALL {
            let book = handbook::render(&policy, language, Format::Markdown);
            // Every message the handbook used exists in the language: nothing fell back.
            assert_eq!(book.fallbacks, Vec::<String>::new(), "{stem} {language:?}");
            insta::assert_snapshot!(format!("{stem}.{}", language.code()), book.text);
        }
    }
}

#[test]
fn names_in_the_policys_own_script_stay_as_written() {
    let policy = load("examples/policies/multilingual.policy");
    for language in Language::ALL {
        let text = handbook::render(&policy, language, Format::Markdown).text;
        for name in [
            "# বহুভাষিক গ্রাহক সেবা",
            "## জরুরি টিকিটের উত্তর এক কার্যঘণ্টার মধ্যে",
            "`অগ্রাধিকার`",
            "`வாடிக்கையாளர்.நிலை`",
            "`रिफंड.राशि`",
            "**மேற்பார்வையாளர்**",
            "`কার্যসময়`",
        ] {
            assert!(text.contains(name), "{language:?} lost {name}:\n{text}");
        }
    }
}

#[test]
fn the_html_page_is_self_contained_and_escapes_the_policy() {
    let policy = load("examples/policies/retail.policy");
    let page = handbook::render(&policy, Language::Ta, Format::Html).text;
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<html lang=\"ta\">"));
    assert!(page.contains("<h1>Retail customer care</h1>"));
    assert!(page.contains("<table>"));
    assert!(page.contains("<code>support_hours</code>"));
    for outside in ["http://", "https://", "<script", "<link", "src="] {
        assert!(
            !page.contains(outside),
            "the page reaches outside: {outside}"
        );
    }
    insta::assert_snapshot!(
        "retail.en.html",
        handbook::render(&policy, Language::En, Format::Html).text
    );
}

#[test]
fn the_published_retail_handbooks_are_current() {
    let policy = load("examples/policies/retail.policy");
    for language in Language::ALL {
        let file = match language {
            Language::En => "docs/handbook-example.md".to_owned(),
            other => format!("docs/handbook-example.{}.md", other.code()),
        };
        let published =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&file)).unwrap();
        let text = handbook::render(&policy, language, Format::Markdown).text;
        assert_eq!(
            published,
            text,
            "{file} is stale: regenerate it with `service-policy doc examples/policies/retail.policy --lang {} --output {file}`",
            language.code()
        );
    }
}

fn cli() -> Command {
    let mut cmd = Command::cargo_bin("service-policy").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

#[test]
fn doc_writes_markdown_html_or_a_file() {
    let out = cli()
        .args(["doc", "examples/policies/refunds.policy", "--lang", "bn"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("# Refund approvals\n"));
    assert!(text.contains("**refund-desk** এর অনুমোদন নিন"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("book.html");
    cli()
        .args([
            "doc",
            "examples/policies/refunds.policy",
            "--format",
            "html",
            "--output",
        ])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.contains("<h1>Refund approvals</h1>"));
}

#[test]
fn doc_check_lists_missing_messages_and_refuses_unknown_languages() {
    cli()
        .args(["doc", "--check", "--lang", "hi"])
        .assert()
        .success()
        .stdout("`hi`: every handbook message is translated\n");
    let refused = cli()
        .args(["doc", "examples/policies/retail.policy", "--lang", "fr"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("choose one of en, hi, bn, ta, tl"),
        "{stderr}"
    );
    // An invalid policy gets its diagnostics and exit 1, not a handbook.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.policy");
    std::fs::write(&bad, "policy \"P\" { rule r { } }").unwrap();
    cli().arg("doc").arg(&bad).assert().code(1).stdout("");
}
