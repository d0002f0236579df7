//! Printing report and diff figures: an aligned terminal table, Markdown, and one
//! self-contained HTML page with inline SVG charts (no script, font or image from anywhere),
//! legible in print.
//!
//! Chart geometry is part of the contract the tests check: in the attainment chart a bar is
//! `attainment × 200` units high; in a histogram the tallest bin is 150 units and the others
//! are in proportion to their counts; every bar carries `data-` attributes naming what it
//! shows.

use std::fmt::Write as _;

use super::diff::{Change, DiffSummary, ItemChange};
use super::{GroupSummary, RuleKind, RuleSummary, Summary};

/// Height of a 100 % bar in the attainment and trend charts.
pub const ATTAINMENT_HEIGHT: f64 = 200.0;
/// Height of the tallest histogram bin.
pub const HISTOGRAM_HEIGHT: f64 = 150.0;

/// A table: a title, column headers, rows.
struct Table {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn strings(headers: &[&str]) -> Vec<String> {
    headers.iter().map(|h| (*h).to_owned()).collect()
}

fn or_dash(v: Option<&String>) -> String {
    v.cloned().unwrap_or_else(|| "–".to_owned())
}

fn percent(ratio: Option<&String>) -> String {
    ratio
        .and_then(|r| r.parse::<rust_decimal::Decimal>().ok())
        .map(|r| format!("{:.2}%", r * rust_decimal::Decimal::from(100)))
        .unwrap_or_else(|| "–".to_owned())
}

fn pick(map: Option<&std::collections::BTreeMap<String, Option<String>>>, key: &str) -> String {
    or_dash(map.and_then(|m| m.get(key)).and_then(Option::as_ref))
}

fn group_title(group: &GroupSummary) -> String {
    if group.key.is_empty() {
        "All records".to_owned()
    } else {
        group
            .key
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn group_tables(group: &GroupSummary) -> Vec<Table> {
    let title = group_title(group);
    let mut tables = Vec::new();
    let deadlines: Vec<&RuleSummary> = group
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Deadline)
        .collect();
    if !deadlines.is_empty() {
        tables.push(Table {
            title: format!("{title}: deadlines ({} records)", group.records),
            headers: strings(&[
                "rule",
                "met",
                "breached",
                "pending",
                "undecided",
                "error",
                "n/a",
                "attainment",
                "p50",
                "p90",
                "p99",
                "overrun p50",
                "overrun p90",
            ]),
            rows: deadlines
                .iter()
                .map(|r| {
                    vec![
                        r.rule.clone(),
                        r.met.to_string(),
                        r.breached.to_string(),
                        r.pending.to_string(),
                        r.undecided.to_string(),
                        r.error.to_string(),
                        r.not_applicable.to_string(),
                        percent(r.attainment.as_ref()),
                        pick(r.elapsed.as_ref(), "p50"),
                        pick(r.elapsed.as_ref(), "p90"),
                        pick(r.elapsed.as_ref(), "p99"),
                        pick(r.overrun.as_ref(), "p50"),
                        pick(r.overrun.as_ref(), "p90"),
                    ]
                })
                .collect(),
        });
    }
    let limits: Vec<&RuleSummary> = group
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Limit)
        .collect();
    if !limits.is_empty() {
        tables.push(Table {
            title: format!("{title}: limits"),
            headers: strings(&[
                "rule",
                "within",
                "exceeded",
                "undecided",
                "error",
                "n/a",
                "exceeded rate",
                "total excess",
            ]),
            rows: limits
                .iter()
                .map(|r| {
                    let excess = r
                        .excess
                        .iter()
                        .map(|(c, a)| {
                            if c.is_empty() {
                                a.clone()
                            } else {
                                format!("{a} {c}")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    vec![
                        r.rule.clone(),
                        r.within.to_string(),
                        r.exceeded.to_string(),
                        r.undecided.to_string(),
                        r.error.to_string(),
                        r.not_applicable.to_string(),
                        percent(r.exceeded_rate.as_ref()),
                        if excess.is_empty() {
                            "–".into()
                        } else {
                            excess
                        },
                    ]
                })
                .collect(),
        });
    }
    tables.push(Table {
        title: format!("{title}: rules fired"),
        headers: strings(&["rule", "kind", "fired", "rate", "undecided", "error"]),
        rows: group
            .rules
            .iter()
            .map(|r| {
                vec![
                    r.rule.clone(),
                    format!("{:?}", r.kind).to_lowercase(),
                    r.fired.to_string(),
                    percent(r.fired_rate.as_ref()),
                    r.undecided.to_string(),
                    r.error.to_string(),
                ]
            })
            .collect(),
    });
    if !group.actions.is_empty() {
        tables.push(Table {
            title: format!("{title}: actions"),
            headers: strings(&["action", "target", "count"]),
            rows: group
                .actions
                .iter()
                .map(|a| vec![a.action.clone(), a.target.clone(), a.count.to_string()])
                .collect(),
        });
    }
    tables
}

fn period_table(summary: &Summary) -> Option<Table> {
    let info = summary.period.as_ref()?;
    let names: Vec<&str> = summary
        .total
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Deadline)
        .map(|r| r.rule.as_str())
        .collect();
    let headers: Vec<String> = ["period", "records"]
        .iter()
        .map(|h| (*h).to_owned())
        .chain(names.iter().map(|n| format!("{n} attainment")))
        .collect();
    let rows = summary
        .periods
        .iter()
        .map(|p| {
            let mut row = vec![p.period.clone(), p.records.to_string()];
            for name in &names {
                let r = p.rules.iter().find(|r| r.rule == *name);
                row.push(percent(r.and_then(|r| r.attainment.as_ref())));
            }
            row
        })
        .collect();
    Some(Table {
        title: format!("Trend per {:?} of {}", info.unit, info.field).to_lowercase(),
        headers,
        rows,
    })
}

fn all_tables(summary: &Summary) -> Vec<Table> {
    let mut tables = group_tables(&summary.total);
    tables.extend(period_table(summary));
    for group in &summary.groups {
        tables.extend(group_tables(group));
    }
    tables
}

fn header_lines(summary: &Summary) -> Vec<String> {
    let mut lines = vec![format!(
        "{} records: {} decisions, {} bad lines",
        summary.records, summary.decisions, summary.bad_lines.count
    )];
    if !summary.bad_lines.lines.is_empty() {
        let listed: Vec<String> = summary.bad_lines.lines.iter().map(u64::to_string).collect();
        let more = summary.bad_lines.count.saturating_sub(listed.len() as u64);
        lines.push(format!(
            "bad lines: {}{}",
            listed.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    lines.push(format!("percentiles: {}", summary.percentiles));
    lines
}

fn aligned(table: &Table) -> String {
    let mut widths: Vec<usize> = table.headers.iter().map(|h| h.chars().count()).collect();
    for row in &table.rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                out.push_str("  ");
            }
            // First column left-aligned (names), figures right-aligned.
            if i == 0 {
                let _ = write!(out, "{cell:<w$}");
            } else {
                let _ = write!(out, "{cell:>w$}");
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = format!("{}\n", table.title);
    out.push_str(&line(&mut table.headers.iter().map(String::as_str)));
    out.push('\n');
    for row in &table.rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
        out.push('\n');
    }
    out
}

fn markdown_table(table: &Table) -> String {
    let escape = |s: &str| s.replace('|', "\\|");
    let mut out = format!("### {}\n\n", escape(&table.title));
    let _ = writeln!(out, "| {} |", table.headers.join(" | "));
    let _ = writeln!(
        out,
        "|{}|",
        table
            .headers
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---" } else { "---:" })
            .collect::<Vec<_>>()
            .join("|")
    );
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// The report as aligned plain-text tables for a terminal.
pub fn report_table(summary: &Summary) -> String {
    let mut out = header_lines(summary).join("\n");
    out.push_str("\n\n");
    let tables: Vec<String> = all_tables(summary).iter().map(aligned).collect();
    out.push_str(&tables.join("\n"));
    out
}

/// The report as Markdown.
pub fn report_markdown(summary: &Summary) -> String {
    let mut out = String::from("# Compliance report\n\n");
    for line in header_lines(summary) {
        let _ = writeln!(out, "- {line}");
    }
    for table in all_tables(summary) {
        out.push('\n');
        out.push_str(&markdown_table(&table));
    }
    out
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn html_table(table: &Table) -> String {
    let mut out = format!(
        "<table>\n<caption>{}</caption>\n<thead><tr>",
        html_escape(&table.title)
    );
    for h in &table.headers {
        let _ = write!(out, "<th>{}</th>", html_escape(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", html_escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn ratio_value(r: Option<&String>) -> Option<f64> {
    // Display geometry only; the figures themselves stay exact decimal strings.
    r.and_then(|s| s.parse::<f64>().ok())
}

/// Bar chart of attainment per deadline rule.
fn attainment_chart(group: &GroupSummary) -> String {
    let rules: Vec<&RuleSummary> = group
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Deadline)
        .collect();
    if rules.is_empty() {
        return String::new();
    }
    let bar = 48.0;
    let gap = 32.0;
    let left = 44.0;
    let top = 16.0;
    let width = left + (bar + gap) * rules.len() as f64 + gap;
    let height = top + ATTAINMENT_HEIGHT + 56.0;
    let mut svg = format!(
        "<svg class=\"chart attainment\" role=\"img\" aria-label=\"Attainment per rule\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n"
    );
    axis(&mut svg, left, top, width);
    for (i, r) in rules.iter().enumerate() {
        let x = left + gap + (bar + gap) * i as f64;
        let value = ratio_value(r.attainment.as_ref());
        let h = value.map_or(0.0, |v| v * ATTAINMENT_HEIGHT);
        let y = top + ATTAINMENT_HEIGHT - h;
        let _ = writeln!(
            svg,
            "<rect class=\"bar\" data-rule=\"{rule}\" data-attainment=\"{value}\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{bar}\" height=\"{h:.2}\"><title>{rule}: {label}</title></rect>",
            rule = html_escape(&r.rule),
            value = html_escape(r.attainment.as_deref().unwrap_or("")),
            label = percent(r.attainment.as_ref()),
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" class=\"value\">{}</text>",
            x + bar / 2.0,
            (y - 4.0).max(10.0),
            percent(r.attainment.as_ref())
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
            x + bar / 2.0,
            top + ATTAINMENT_HEIGHT + 18.0,
            html_escape(&r.rule)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn axis(svg: &mut String, left: f64, top: f64, width: f64) {
    for pct in [0u32, 50, 100] {
        let y = top + ATTAINMENT_HEIGHT - f64::from(pct) / 100.0 * ATTAINMENT_HEIGHT;
        let _ = writeln!(
            svg,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{width}\" y1=\"{y}\" y2=\"{y}\"/><text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{pct}%</text>",
            left - 4.0,
            y + 4.0
        );
    }
}

/// One line per deadline rule: attainment per period.
fn trend_chart(summary: &Summary) -> String {
    if summary.periods.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = summary
        .total
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Deadline)
        .map(|r| r.rule.as_str())
        .collect();
    let step = 64.0;
    let left = 44.0;
    let top = 16.0;
    let width = left + step * summary.periods.len() as f64 + 160.0;
    let height = top + ATTAINMENT_HEIGHT + 40.0;
    let mut svg = format!(
        "<svg class=\"chart trend\" role=\"img\" aria-label=\"Attainment per period\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n"
    );
    axis(&mut svg, left, top, width - 160.0);
    for (i, p) in summary.periods.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" class=\"small\">{}</text>",
            left + step * (i as f64 + 0.5),
            top + ATTAINMENT_HEIGHT + 18.0,
            html_escape(&p.period)
        );
    }
    for (n, name) in names.iter().enumerate() {
        let class = format!("series s{}", n % 6);
        let mut points = Vec::new();
        for (i, p) in summary.periods.iter().enumerate() {
            let r = p.rules.iter().find(|r| r.rule == *name);
            if let Some(v) = ratio_value(r.and_then(|r| r.attainment.as_ref())) {
                let x = left + step * (i as f64 + 0.5);
                let y = top + ATTAINMENT_HEIGHT - v * ATTAINMENT_HEIGHT;
                points.push(format!("{x:.2},{y:.2}"));
                let _ = writeln!(
                    svg,
                    "<circle class=\"{class}\" data-rule=\"{}\" data-period=\"{}\" cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"3\"/>",
                    html_escape(name),
                    html_escape(&p.period)
                );
            }
        }
        let _ = writeln!(
            svg,
            "<polyline class=\"{class}\" fill=\"none\" points=\"{}\"/>",
            points.join(" ")
        );
        let ly = top + 12.0 + 16.0 * n as f64;
        let lx = width - 150.0;
        let _ = writeln!(
            svg,
            "<line class=\"{class}\" x1=\"{lx}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            lx + 20.0,
            lx + 26.0,
            ly + 4.0,
            html_escape(name)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Histogram of elapsed ÷ target for one deadline rule.
fn histogram_chart(rule: &RuleSummary) -> String {
    let Some(bins) = &rule.elapsed_histogram else {
        return String::new();
    };
    let max = bins.iter().map(|b| b.count).max().unwrap_or(0);
    let bar = 40.0;
    let left = 16.0;
    let top = 16.0;
    let width = left * 2.0 + (bar + 6.0) * bins.len() as f64;
    let height = top + HISTOGRAM_HEIGHT + 40.0;
    let mut svg = format!(
        "<svg class=\"chart histogram\" data-rule=\"{rule}\" role=\"img\" aria-label=\"Elapsed time of {rule}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n",
        rule = html_escape(&rule.rule)
    );
    let mut previous = 0;
    for (i, b) in bins.iter().enumerate() {
        let x = left + (bar + 6.0) * i as f64;
        #[allow(clippy::cast_precision_loss, reason = "display geometry")]
        let h = if max == 0 {
            0.0
        } else {
            b.count as f64 / max as f64 * HISTOGRAM_HEIGHT
        };
        let y = top + HISTOGRAM_HEIGHT - h;
        let label = match b.upto_percent {
            Some(p) => {
                let l = format!("≤{p}%");
                previous = p;
                l
            }
            None => format!(">{previous}%"),
        };
        let class = if b.upto_percent.is_some_and(|p| p <= 100) {
            "bar met"
        } else {
            "bar late"
        };
        let _ = writeln!(
            svg,
            "<rect class=\"{class}\" data-bin=\"{i}\" data-count=\"{}\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{bar}\" height=\"{h:.2}\"><title>{label} of target: {}</title></rect>",
            b.count, b.count
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" class=\"small\">{}</text><text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\" class=\"small\">{label}</text>",
            x + bar / 2.0,
            (y - 3.0).max(10.0),
            b.count,
            x + bar / 2.0,
            top + HISTOGRAM_HEIGHT + 14.0,
        );
    }
    svg.push_str("</svg>\n");
    svg
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#111;background:#fff;margin:2em;max-width:70em}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}caption{text-align:left;font-weight:600;padding:.3em 0}
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#eee}svg{display:block;margin:1em 0;font-size:11px;font-family:inherit}
svg text{fill:#111}svg .small{font-size:10px}.grid{stroke:#ccc;stroke-width:1}
.bar{fill:#1f5fa8}.bar.met{fill:#1f7a3a}.bar.late{fill:#a8321f}
.series{stroke-width:2}polyline.series{fill:none}.s0{stroke:#1f5fa8;fill:#1f5fa8}.s1{stroke:#a8321f;fill:#a8321f}.s2{stroke:#1f7a3a;fill:#1f7a3a}
.s3{stroke:#6b3fa0;fill:#6b3fa0}.s4{stroke:#b07a00;fill:#b07a00}.s5{stroke:#333;fill:#333}
.figures{display:flex;flex-wrap:wrap;gap:2em}pre{background:#f4f4f4;padding:.6em;white-space:pre-wrap}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,svg{break-inside:avoid}
th{background:#ddd;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.bar,.series{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html_escape(title)
    )
}

/// The report as one self-contained HTML page.
pub fn report_html(summary: &Summary) -> String {
    let mut body = String::from("<h1>Compliance report</h1>\n<ul>\n");
    for line in header_lines(summary) {
        let _ = writeln!(body, "<li>{}</li>", html_escape(&line));
    }
    body.push_str("</ul>\n<h2>Attainment per rule</h2>\n");
    body.push_str(&attainment_chart(&summary.total));
    if !summary.periods.is_empty() {
        body.push_str("<h2>Trend per period</h2>\n");
        body.push_str(&trend_chart(summary));
    }
    let deadlines: Vec<&RuleSummary> = summary
        .total
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Deadline)
        .collect();
    if !deadlines.is_empty() {
        body.push_str("<h2>Elapsed time, as a share of the target</h2>\n<div class=\"figures\">\n");
        for rule in deadlines {
            let _ = writeln!(
                body,
                "<figure><figcaption>{}</figcaption>",
                html_escape(&rule.rule)
            );
            body.push_str(&histogram_chart(rule));
            body.push_str("</figure>\n");
        }
        body.push_str("</div>\n");
    }
    body.push_str("<h2>Figures</h2>\n");
    for table in all_tables(summary) {
        body.push_str(&html_table(&table));
    }
    page("Compliance report", &body)
}

fn structural_text(changes: &[ItemChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let sign = match c.change {
                Change::Added => "+",
                Change::Removed => "-",
                Change::Changed => "~",
            };
            let mut out = if c.item == c.name {
                format!("{sign} {}", c.item)
            } else {
                format!("{sign} {} {}", c.item, c.name)
            };
            if let Some(old) = &c.old {
                let _ = write!(out, "\n    was: {}", old.replace('\n', "\n         "));
            }
            if let Some(new) = &c.new {
                let _ = write!(out, "\n    now: {}", new.replace('\n', "\n         "));
            }
            out
        })
        .collect()
}

fn diff_tables(records: &DiffSummary) -> Vec<Table> {
    vec![
        Table {
            title: format!(
                "{} of {} records changed ({} only had a deadline moved)",
                records.changed, records.decisions, records.moved_deadlines_only
            ),
            headers: strings(&["change", "records", "example lines"]),
            rows: records
                .changes
                .iter()
                .map(|c| {
                    vec![
                        c.change.clone(),
                        c.records.to_string(),
                        c.examples
                            .iter()
                            .map(u64::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect(),
        },
        Table {
            title: "Attainment before and after".to_owned(),
            headers: strings(&["rule", "before", "after"]),
            rows: records
                .attainment
                .iter()
                .map(|a| {
                    vec![
                        a.rule.clone(),
                        percent(a.before.as_ref()),
                        percent(a.after.as_ref()),
                    ]
                })
                .collect(),
        },
    ]
}

/// A diff as plain text.
pub fn diff_table(structure: &[ItemChange], records: Option<&DiffSummary>) -> String {
    let mut out = String::new();
    if structure.is_empty() {
        out.push_str("no structural change\n");
    } else {
        for line in structural_text(structure) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    if let Some(records) = records {
        if records.bad_lines.count > 0 {
            let _ = writeln!(
                out,
                "\n{} bad lines: {:?}",
                records.bad_lines.count, records.bad_lines.lines
            );
        }
        for table in diff_tables(records) {
            out.push('\n');
            out.push_str(&aligned(&table));
        }
    }
    out
}

/// A diff as Markdown.
pub fn diff_markdown(structure: &[ItemChange], records: Option<&DiffSummary>) -> String {
    let mut out = String::from("# What the change does\n\n## Policy\n\n");
    if structure.is_empty() {
        out.push_str("No structural change.\n");
    } else {
        out.push_str("```diff\n");
        for line in structural_text(structure) {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str("```\n");
    }
    if let Some(records) = records {
        out.push_str("\n## Decisions\n");
        for table in diff_tables(records) {
            out.push('\n');
            out.push_str(&markdown_table(&table));
        }
    }
    out
}

/// A diff as one self-contained HTML page.
pub fn diff_html(structure: &[ItemChange], records: Option<&DiffSummary>) -> String {
    let mut body = String::from("<h1>What the change does</h1>\n<h2>Policy</h2>\n");
    if structure.is_empty() {
        body.push_str("<p>No structural change.</p>\n");
    } else {
        let _ = writeln!(
            body,
            "<pre>{}</pre>",
            html_escape(&structural_text(structure).join("\n"))
        );
    }
    if let Some(records) = records {
        body.push_str("<h2>Decisions</h2>\n");
        for table in diff_tables(records) {
            body.push_str(&html_table(&table));
        }
    }
    page("What the change does", &body)
}
