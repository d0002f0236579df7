//! `service-policy doc`: the policy as a staff handbook (SPEC §20), or with `--check` the
//! messages a language still lacks.

use std::path::Path;
use std::process::ExitCode;

use service_policy::diagnostic::render::render_human;
use service_policy::handbook::{self, Format, Language};
use service_policy::{LoadError, Policy};

use super::{DocFormat, Outcome, UsageError, exit, out, stderr_color};

pub(super) fn run(
    policy: Option<&Path>,
    format: DocFormat,
    lang: &str,
    output: Option<&Path>,
    check: bool,
) -> Outcome {
    let language = Language::from_code(lang).ok_or_else(|| {
        UsageError(format!(
            "`--lang {lang}` is not a handbook language; choose one of en, hi, bn, ta, tl"
        ))
    })?;
    if check {
        return check_messages(language);
    }
    let Some(path) = policy else {
        return Err(UsageError("name the policy to write a handbook for".into()));
    };
    // A branch's handbook is the merged policy: `extends` is followed from the file.
    let policy = match Policy::from_file(path) {
        Ok(policy) => policy,
        Err(LoadError::Io { path, source }) => {
            return Err(UsageError(format!("cannot read `{path}`: {source}")));
        }
        Err(invalid) => {
            for diagnostics in invalid.diagnostics() {
                eprint!("{}", render_human(diagnostics, stderr_color()));
            }
            return Ok(exit(true));
        }
    };
    let format = match format {
        DocFormat::Markdown => Format::Markdown,
        DocFormat::Html => Format::Html,
    };
    let book = handbook::render(&policy, language, format);
    if !book.fallbacks.is_empty() {
        eprintln!(
            "note: {} message(s) not yet translated into `{}` are written in English: {}",
            book.fallbacks.len(),
            language.code(),
            book.fallbacks.join(", ")
        );
    }
    match output {
        Some(file) => std::fs::write(file, &book.text)
            .map_err(|e| UsageError(format!("cannot write `{}`: {e}", file.display())))?,
        None => out(&book.text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Lists the message ids English has and the language lacks; exit 1 when there are any.
fn check_messages(language: Language) -> Outcome {
    let missing = handbook::missing_messages(language);
    if missing.is_empty() {
        out(&format!(
            "`{}`: every handbook message is translated\n",
            language.code()
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "`{}`: {} message(s) missing, written in English instead:\n",
        language.code(),
        missing.len()
    );
    for id in &missing {
        text.push_str("  ");
        text.push_str(id);
        text.push('\n');
    }
    out(&text)?;
    Ok(exit(true))
}
