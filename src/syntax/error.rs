//! pest errors → `E0001` diagnostics that say in words what was expected.
//!
//! The errors come from `grammar/expected.pest`, parsed only after `grammar/policy.pest`
//! refused a text: its rules are tried one by one, so pest's record of the rules tried at
//! the furthest position lists what could stand there.
//!
//! Every grammar rule maps to a phrase through one exhaustive `match` (no `_` arm), so a
//! new rule cannot reach a user as a rule name. The phrases are then thinned: many
//! operators become "an operator", prefix operators hide behind "a value", and so on.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::grammar::expected::{ExpectedParser, Rule};
use crate::ast::Span;
use crate::diagnostic::{Code, Diagnostic};

/// Which entry rule produced the error (it changes what "the end" means).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// The whole file.
    File,
    /// One item of the policy body, parsed on its own.
    Item,
    /// One rule of a `first of`, parsed on its own.
    Rule,
}

/// How a rule reads in "expected …".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Words {
    /// A phrase shown as is.
    Say(&'static str),
    /// A binary or postfix operator: all of them read "an operator".
    Operator,
    /// A keyword that is also an operator: implied by "an operator" when that is expected.
    OperatorWord(&'static str),
    /// A prefix operator: implied by "a value" when that is expected too.
    Prefix(&'static str),
    /// Never expected on its own (silent or internal rules).
    Never,
}

fn words(rule: Rule, entry: Entry) -> Words {
    use Words::{Never, Operator, OperatorWord, Prefix, Say};
    match rule {
        Rule::EOI => match entry {
            Entry::File => Say("the end of the file"),
            Entry::Item => Say("another item or `}`"),
            Entry::Rule => Say("another rule or `}`"),
        },
        Rule::WHITESPACE | Rule::COMMENT => Never,
        Rule::kw_policy => Say("`policy`"),
        Rule::kw_version => Say("`version`"),
        Rule::kw_timezone => Say("`timezone`"),
        Rule::kw_ladder => Say("`ladder`"),
        Rule::kw_record => Say("`record`"),
        Rule::kw_calendar => Say("`calendar`"),
        Rule::kw_closed => Say("`closed`"),
        Rule::kw_const => Say("`const`"),
        Rule::kw_table => Say("`table`"),
        Rule::kw_rule => Say("`rule`"),
        Rule::kw_first => Say("`first`"),
        Rule::kw_of => Say("`of`"),
        Rule::kw_when => Say("`when`"),
        Rule::kw_unless => Say("`unless`"),
        Rule::kw_then => Say("`then`"),
        Rule::kw_expect => Say("`expect`"),
        Rule::kw_within => Say("`within`"),
        Rule::kw_using => Say("`using`"),
        Rule::kw_excluding => Say("`excluding`"),
        Rule::kw_limit => Say("`limit`"),
        Rule::kw_at => Say("`at`"),
        Rule::kw_on => Say("`on`"),
        Rule::kw_breach => Say("`breach`"),
        Rule::kw_met => Say("`met`"),
        Rule::kw_exceed => Say("`exceed`"),
        Rule::kw_after => Say("`after`"),
        Rule::kw_by => Say("`by`"),
        Rule::kw_and => OperatorWord("`and`"),
        Rule::kw_or => OperatorWord("`or`"),
        Rule::kw_not => OperatorWord("`not`"),
        Rule::kw_in => OperatorWord("`in`"),
        Rule::kw_is => OperatorWord("`is`"),
        Rule::kw_missing => Say("`missing`"),
        Rule::kw_present => Say("`present`"),
        Rule::kw_contains => OperatorWord("`contains`"),
        Rule::kw_matches => OperatorWord("`matches`"),
        Rule::kw_during => OperatorWord("`during`"),
        Rule::kw_true => Say("`true`"),
        Rule::kw_false => Say("`false`"),
        Rule::kw_now => Say("`now`"),
        Rule::kw_for => Say("`for`"),
        Rule::kw_where => Say("`where`"),
        Rule::kw_escalate => Say("`escalate`"),
        Rule::kw_to => Say("`to`"),
        Rule::kw_notify => Say("`notify`"),
        Rule::kw_assign => Say("`assign`"),
        Rule::kw_require => Say("`require`"),
        Rule::kw_approval => Say("`approval`"),
        Rule::kw_from => Say("`from`"),
        Rule::kw_follow => Say("`follow`"),
        Rule::kw_up => Say("`up`"),
        Rule::kw_refund => Say("`refund`"),
        Rule::kw_compensate => Say("`compensate`"),
        Rule::kw_tag => Say("`tag`"),
        Rule::kw_set => Say("`set`"),
        Rule::kw_emit => Say("`emit`"),
        Rule::kw_with => Say("`with`"),
        Rule::kw_list => Say("`list`"),
        Rule::kw_extends => Say("`extends`"),
        Rule::kw_effective => Say("`effective`"),
        Rule::kw_override => Say("`override`"),
        Rule::kw_remove => Say("`remove`"),
        Rule::keyword => Say("a keyword"),
        // Tried where a field may stand, always beside `path`, which names the place.
        Rule::keyword_field
        | Rule::soft_keyword
        | Rule::inline_space
        | Rule::field_follower
        | Rule::action_word => Never,
        Rule::lbrace => Say("`{`"),
        Rule::rbrace => Say("`}`"),
        Rule::lparen => Say("`(`"),
        Rule::rparen => Say("`)`"),
        Rule::lbracket => Say("`[`"),
        Rule::rbracket => Say("`]`"),
        Rule::langle => Say("`<`"),
        Rule::rangle => Say("`>`"),
        Rule::comma => Say("`,`"),
        Rule::colon => Say("`:`"),
        Rule::question => Say("`?`"),
        Rule::pipe => Say("`|`"),
        Rule::dash => Say("`-`"),
        Rule::arrow => Say("`=>`"),
        Rule::eq_sign => Say("`=`"),
        Rule::limit_op => Say("a limit operator (`<=` or `<`)"),
        Rule::name => Say("a name"),
        Rule::ident => Say("a name like `support_hours`"),
        Rule::backtick => Say("a name in backticks"),
        Rule::dotted_head => Say("a field like `customer.tier`"),
        Rule::path => Say("a field like `customer.tier`"),
        Rule::field_path => Say("a field name like `customer.tier`"),
        Rule::set_path => Say("a field like `customer.tier`"),
        Rule::digits | Rule::date_part | Rule::row_start => Never,
        Rule::number_lit => Say("a number"),
        Rule::percent_lit => Say("a percent like `75%`"),
        Rule::money_lit => Say("money like `500 USD`"),
        Rule::duration_lit => Say("a duration like `15m`"),
        Rule::date_lit => Say("a date like `2026-12-25`"),
        Rule::time_lit => Say("a time like `2026-03-02T09:00:00Z`"),
        Rule::clock => Say("a time of day like `09:00`"),
        Rule::string => Say("a text in double quotes"),
        Rule::file | Rule::policy => Say("`policy \"Name\" { … }`"),
        Rule::item_entry | Rule::item => Say(
            "an item (`rule`, `first of`, `const`, `table`, `calendar`, `record`, `ladder`, `timezone`, `version`, `effective`, `when`, `override` or `remove`)",
        ),
        Rule::rule_entry | Rule::rule_item => Say("a rule like `rule name { … }`"),
        Rule::version_item => Say("`version \"…\"`"),
        Rule::timezone_item | Rule::calendar_timezone => Say("`timezone \"Area/City\"`"),
        Rule::ladder_item => Say("`ladder \"a\", \"b\"`"),
        Rule::extends_clause => Say("`extends \"base.policy\"`"),
        Rule::effective_item => Say("`effective 2026-01-01`"),
        Rule::policy_when_item => Say("a policy-level `when CONDITION`"),
        Rule::override_item => Say("`override` and a `const`, `calendar`, `table` or `rule`"),
        Rule::remove_item => Say("`remove rule NAME`"),
        Rule::record_item => Say("`record { … }`"),
        Rule::field_decl => Say("a field declaration like `opened_at: time`"),
        Rule::type_expr => Say("a type like `text`, `money?`, `\"a\" | \"b\"` or `list<time>`"),
        Rule::list_type => Say("`list<…>`"),
        Rule::object_type => Say("an object type like `{ amount: money }`"),
        Rule::object_field => Say("a field like `amount: money`"),
        Rule::enum_type => Say("texts joined by `|`"),
        Rule::named_type => Say("a type name like `text`"),
        Rule::calendar_item => Say("`calendar name { … }`"),
        Rule::closed_line => Say("`closed` and dates"),
        Rule::open_line => Say("days and hours like `mon-fri 09:00-17:00`"),
        Rule::day => Say("a day like `mon`"),
        Rule::clock_interval => Say("hours like `09:00-17:00`"),
        Rule::const_item => Say("`const name = value`"),
        Rule::table_item => Say("`table name(input, …) { … }`"),
        Rule::table_row => Say("a table row like `\"high\", _ => 1h`"),
        Rule::cell => Say("a cell (`_`, a literal, a list or a comparison like `>= 1000 USD`)"),
        Rule::cell_any => Say("`_`"),
        Rule::cell_list => Say("a list of literals"),
        Rule::cell_compare => Say("a comparison like `>= 1000 USD`"),
        Rule::cell_value => Say("a literal like `\"urgent\"` or `1000 USD`"),
        Rule::table_output => Say("the row's value"),
        Rule::first_of_item => Say("`first of { … }`"),
        Rule::clause => {
            Say("a clause (`when`, `unless`, `then`, `expect`, `limit`, `at`, `on` or `after`)")
        }
        Rule::when_clause => Say("`when`"),
        Rule::unless_clause => Say("`unless`"),
        Rule::then_clause => Say("`then`"),
        Rule::expect_clause => Say("`expect`"),
        Rule::limit_clause => Say("`limit`"),
        Rule::at_handler => Say("`at P%:`"),
        Rule::on_handler => Say("`on breach:`, `on met:` or `on exceed:`"),
        Rule::after_handler => Say("`after breach by D:`"),
        Rule::action => Say("an action like `escalate to \"supervisor\"`"),
        Rule::escalate_action => Say("`escalate to`"),
        Rule::notify_action => Say("`notify`"),
        Rule::assign_action => Say("`assign to`"),
        Rule::approval_action => Say("`require approval from`"),
        Rule::follow_up_action => Say("`follow up within`"),
        Rule::refund_action => Say("`refund` or `compensate`"),
        Rule::tag_action => Say("`tag`"),
        Rule::set_action => Say("`set`"),
        Rule::emit_action => Say("`emit`"),
        Rule::with_args => Say("`with { … }`"),
        Rule::with_arg => Say("an argument like `reason: \"late\"`"),
        Rule::expr_body | Rule::arith_body | Rule::arith_prefix | Rule::arith_infix => Never,
        Rule::prefix_op | Rule::infix_op | Rule::postfix_op => Never,
        Rule::expr => Say("a value"),
        Rule::cond => Say("a condition like `priority == \"high\"`"),
        Rule::done_expr => Say("the field that records when it was done, like `first_reply_at`"),
        Rule::within_expr => Say("a duration like `15m` or a field"),
        Rule::start_expr => Say("the start time, like `opened_at`"),
        Rule::excluding_expr => Say("a list of pauses like `paused`"),
        Rule::by_expr => Say("a duration like `2h`"),
        Rule::target_expr => Say("a target like `\"supervisor\"`"),
        Rule::duration_expr => Say("a duration like `24h`"),
        Rule::amount_expr => Say("an amount like `50 USD`"),
        Rule::text_expr => Say("a text like `\"refund-velocity\"`"),
        Rule::limit_value => Say("the value to limit, like `refund.requested`"),
        Rule::limit_max => Say("the maximum, like `5000 INR`"),
        Rule::percent_of => Prefix("a percent like `50%`"),
        Rule::op_neg => Prefix("`-`"),
        Rule::op_not => Prefix("`not`"),
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_lt
        | Rule::op_ge
        | Rule::op_gt
        | Rule::op_not_in
        | Rule::op_in
        | Rule::op_contains
        | Rule::op_matches
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_is_missing
        | Rule::op_is_present
        | Rule::op_during => Operator,
        Rule::operand => Say("a value"),
        Rule::paren => Say("`(`"),
        Rule::list => Say("a list like `[\"a\", \"b\"]`"),
        Rule::call => Say("a function call"),
        Rule::call_args => Say("arguments"),
        Rule::comprehension_tail => Say("`for`"),
    }
}

/// Joins phrases: `a`, `a or b`, `a, b or c`.
fn join(phrases: &[&str]) -> String {
    match phrases {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What stands at `pos`: the token a user sees there and its span.
fn found_at(source: &str, pos: usize) -> (String, Span) {
    let rest = source.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("the end of the file".to_owned(), Span::new(pos, pos));
    };
    let len = if first == '"' {
        let close = rest
            .get(1..)
            .and_then(|r| r.find(['"', '\n']))
            .map_or(rest.len(), |i| i + 2);
        close.min(rest.len())
    } else if unicode_ident::is_xid_continue(first) {
        rest.chars()
            .take_while(|c| unicode_ident::is_xid_continue(*c) || *c == '%')
            .map(char::len_utf8)
            .sum()
    } else {
        let two: String = rest.chars().take(2).collect();
        if ["<=", ">=", "==", "!=", "=>", "&&", "||"].contains(&two.as_str()) {
            2
        } else {
            first.len_utf8()
        }
    };
    let text = rest.get(..len).unwrap_or(rest);
    let shown: String = if text.chars().count() > 40 {
        text.chars().take(40).chain("…".chars()).collect()
    } else {
        text.to_owned()
    };
    let shown = if shown == "\n" || shown == "\r" {
        "a line end".to_owned()
    } else if shown.contains('`') {
        // Markdown-style quoting: a backtick inside needs a double-backtick fence.
        format!("`` {shown} ``")
    } else {
        format!("`{shown}`")
    };
    (shown, Span::new(pos, pos + len))
}

/// Levenshtein distance, small inputs only.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (prev + cost)
                .min(row.get(j).copied().unwrap_or(0) + 1)
                .min(row.get(j + 1).copied().unwrap_or(0) + 1);
            prev = row.get(j + 1).copied().unwrap_or(0);
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = next;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// The candidate closest to `word`, when close enough to be a typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, c)| *d <= limit && *c != word)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The keywords a rule may begin with, for "did you mean" help.
fn leading_keywords(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::item | Rule::item_entry => &[
            "version", "timezone", "ladder", "record", "calendar", "const", "table", "rule",
            "first",
        ],
        Rule::clause => &[
            "when", "unless", "then", "expect", "limit", "at", "on", "after",
        ],
        Rule::action => &[
            "escalate",
            "notify",
            "assign",
            "require",
            "follow",
            "refund",
            "compensate",
            "tag",
            "set",
            "emit",
        ],
        Rule::kw_within => &["within"],
        Rule::kw_of => &["of"],
        Rule::kw_using => &["using"],
        Rule::kw_excluding => &["excluding"],
        Rule::kw_to => &["to"],
        Rule::kw_from => &["from"],
        Rule::kw_breach | Rule::kw_met | Rule::kw_exceed => &["breach", "met", "exceed"],
        Rule::kw_missing | Rule::kw_present => &["missing", "present"],
        Rule::kw_closed | Rule::kw_timezone => &["closed", "timezone"],
        Rule::op_and
        | Rule::op_or
        | Rule::op_in
        | Rule::op_contains
        | Rule::op_matches
        | Rule::op_during => &["and", "or", "in", "contains", "matches", "during", "is"],
        _ => &[],
    }
}

/// Words that start an item: met inside a rule, the rule above probably lacks its `}`.
const ITEM_WORDS: [&str; 7] = [
    "rule", "first", "const", "table", "calendar", "record", "ladder",
];

/// Whether `word` is a keyword, by the grammar's own `keyword` rule.
fn is_keyword(word: &str) -> bool {
    use pest::Parser as _;
    ExpectedParser::parse(Rule::keyword, word)
        .ok()
        .and_then(|mut pairs| pairs.next())
        .is_some_and(|pair| pair.as_str().len() == word.len())
}

/// The words that start an action (SPEC §10).
const ACTION_WORDS: [&str; 10] = [
    "escalate",
    "notify",
    "assign",
    "require",
    "follow",
    "refund",
    "compensate",
    "tag",
    "set",
    "emit",
];

/// Keywords an author may well have meant as a field name (`from`, `at`, `tag`); the
/// connecting words (`of`, `then`, `within`, …) more likely mean a missing value.
const NAME_LIKE_KEYWORDS: [&str; 24] = [
    "version", "timezone", "ladder", "record", "calendar", "closed", "table", "rule", "limit",
    "at", "breach", "met", "exceed", "after", "missing", "present", "refund", "tag", "list",
    "approval", "from", "to", "set", "emit",
];

/// The keywords that keep a meaning inside expressions and so stay reserved there, apart
/// from the literals `true`, `false` and `now`, which are values themselves.
const EXPRESSION_WORDS: [&str; 13] = [
    "and", "or", "not", "in", "is", "missing", "present", "contains", "matches", "during", "for",
    "where", "of",
];

/// Whether a rule is one of the grammar's expression positions.
fn is_expr_rule(rule: Rule) -> bool {
    matches!(rule, super::grammar::expression_rules!(Rule))
}

/// The error of a text that `policy.pest` refused, from parsing it again with
/// `expected.pest` from `entry`; the parse of `policy.pest` gives the position when the
/// other grammar accepts the text (the grammars disagree: a mistake a test looks for).
pub(crate) fn refused(
    text: &str,
    whole: &str,
    base: usize,
    entry: Entry,
    refused_at: usize,
) -> Diagnostic {
    use pest::Parser as _;
    let rule = match entry {
        Entry::File => Rule::file,
        Entry::Item => Rule::item_entry,
        Entry::Rule => Rule::rule_entry,
    };
    match ExpectedParser::parse(rule, text) {
        Err(error) => to_diagnostic(&error, whole, base, entry),
        Ok(_) => {
            let (found, span) = found_at(whole, base + refused_at);
            Diagnostic::new(Code::E0001, span, format!("unexpected {found}"))
                .with_primary_label("not expected here")
        }
    }
}

/// Turns a pest error from parsing `source` (which starts at `base` in the whole file)
/// into a diagnostic with whole-file spans. `whole` is the whole file, for context.
pub(crate) fn to_diagnostic(
    error: &Error<Rule>,
    whole: &str,
    base: usize,
    entry: Entry,
) -> Diagnostic {
    let pos = base
        + match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let (found, mut span) = found_at(whole, pos);
    if pos >= whole.len() {
        // Point just after the last written character, not at an empty last line.
        let end = whole.trim_end().len();
        span = Span::new(end, end);
    }
    let positives: Vec<Rule> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { message } => {
            // pest's own guards (stack or call limit): the input nests too deeply.
            return Diagnostic::new(Code::E0002, span, "policy nests too deeply to parse")
                .with_primary_label("too deep here")
                .with_help(format!("simplify the nesting ({message})"));
        }
    };
    let value_expected = positives.iter().any(|r| {
        matches!(words(*r, entry), Words::Say(_))
            && (matches!(r, Rule::operand | Rule::path) || is_expr_rule(*r))
    });
    let mut says: Vec<&str> = Vec::new();
    let mut prefixes: Vec<&str> = Vec::new();
    let mut operator = false;
    let mut words_of_operators: Vec<&str> = Vec::new();
    for rule in &positives {
        // A value implies the operators that may precede it (`-`, `not`, `50% of`).
        if value_expected
            && matches!(
                rule,
                Rule::kw_not | Rule::percent_lit | Rule::op_neg | Rule::op_not | Rule::percent_of
            )
        {
            continue;
        }
        match words(*rule, entry) {
            Words::Say(s) => {
                if !says.contains(&s) {
                    says.push(s);
                }
            }
            Words::Operator => operator = true,
            Words::OperatorWord(s) => words_of_operators.push(s),
            Words::Prefix(s) => prefixes.push(s),
            Words::Never => {}
        }
    }
    if !value_expected {
        for p in prefixes {
            if !says.contains(&p) {
                says.push(p);
            }
        }
    }
    if !operator {
        for w in words_of_operators {
            if !says.contains(&w) {
                says.push(w);
            }
        }
    }
    if operator {
        // After a complete value a `(` or `.` is rarely what the author missed.
        says.retain(|s| *s != "`(`");
        says.insert(0, "an operator");
    }
    let expected = join(&says);
    // A long list reads once, in the message; the label stays short.
    let label = if says.len() <= 2 {
        format!("expected {expected}")
    } else {
        "not expected here".to_owned()
    };
    let mut diagnostic = Diagnostic::new(
        Code::E0001,
        span,
        format!("expected {expected}, found {found}"),
    )
    .with_primary_label(label);
    if let Some(help) = help_for(whole, span, &positives, value_expected) {
        diagnostic = diagnostic.with_help(help);
    }
    let token = whole.get(span.range()).unwrap_or("");
    if positives.contains(&Rule::clause)
        && ITEM_WORDS.contains(&token)
        && let Some(open) = super::scan::unclosed(whole.get(..pos).unwrap_or(""))
    {
        diagnostic = diagnostic.with_label(open, "this `{` is not closed");
    }
    if pos >= whole.len()
        && let Some(open) = super::scan::unclosed(whole)
    {
        diagnostic = diagnostic
            .with_label(open, "this is never closed")
            .with_help("add the missing closing bracket");
    }
    diagnostic
}

fn help_for(whole: &str, span: Span, positives: &[Rule], value_expected: bool) -> Option<String> {
    let token = whole.get(span.range()).unwrap_or("");
    // `const c = 5 +` then `table t(…)` on the next line: the item word starts a new item,
    // it was not meant as a name; the expression above is what is unfinished.
    let line_start = whole
        .get(..span.start)
        .map_or(0, |before| before.rfind('\n').map_or(0, |i| i + 1));
    let first_on_line = whole
        .get(line_start..span.start)
        .is_some_and(|indent| indent.trim().is_empty());
    if value_expected
        && first_on_line
        && (ITEM_WORDS.contains(&token) || token == "version" || token == "timezone")
    {
        return Some(format!(
            "the expression before `{token}` is not finished: complete it or remove its last operator"
        ));
    }
    let before = whole.get(..span.start).unwrap_or("").trim_end();
    // `when x > 1 tag "x"`: an action where a clause belongs.
    if positives.contains(&Rule::clause) && ACTION_WORDS.contains(&token) {
        return Some(format!("actions follow `then`: write `then {token} …`"));
    }
    // `notify to "x"`: unlike `escalate to` and `assign to`, `notify` takes no `to`.
    if token == "to" && before.ends_with("notify") {
        return Some("write `notify \"…\"` without `to`".to_owned());
    }
    if !value_expected && positives.contains(&Rule::ident) && is_keyword(token) {
        // Definition names take no backticks (only field paths do), so the only fix is
        // another name.
        return Some(format!(
            "`{token}` is a keyword and cannot be a name here; choose another, like `{token}_value`"
        ));
    }
    if NAME_LIKE_KEYWORDS.contains(&token) && (value_expected || positives.contains(&Rule::ident)) {
        return Some(format!(
            "`{token}` is a keyword; to use it as a name write it in backticks: `` `{token}` ``"
        ));
    }
    // Words of expressions stay reserved in expressions (SPEC §3); backticks read a field.
    // Only where an operand stands alone: after an operator or a word that takes an
    // expression, not after `within` (whose duration is missing) and the like.
    let after_operator = before
        .chars()
        .next_back()
        .is_some_and(|c| !(c.is_alphanumeric() || c == '_' || c == '`' || c == '"'))
        || before
            .split_whitespace()
            .next_back()
            .is_some_and(|word| ["when", "unless", "limit", "and", "or", "not"].contains(&word));
    if value_expected && after_operator && EXPRESSION_WORDS.contains(&token) {
        return Some(format!(
            "`{token}` is a word of expressions and cannot stand for a value here; a field of that name is written in backticks: `` `{token}` ``"
        ));
    }
    let candidates: Vec<&str> = positives
        .iter()
        .flat_map(|r| leading_keywords(*r).iter().copied())
        .collect();
    if token.chars().next().is_some_and(char::is_alphabetic)
        && let Some(best) = closest(token, &candidates)
    {
        return Some(format!("did you mean `{best}`?"));
    }
    match token {
        "=" if value_expected
            || positives
                .iter()
                .any(|r| matches!(words(*r, Entry::File), Words::Operator)) =>
        {
            Some("compare with `==`".to_owned())
        }
        "&&" => Some("write `and`".to_owned()),
        _ if positives.contains(&Rule::EOI) && !token.is_empty() => Some(
            "a file holds one `policy \"…\" { … }`; an extra `}` above may have closed it early"
                .to_owned(),
        ),
        _ if positives.contains(&Rule::string)
            && !positives.contains(&Rule::ident)
            && !positives.contains(&Rule::path)
            && token.chars().next().is_some_and(char::is_alphanumeric) =>
        {
            Some(format!("texts are written in double quotes: `\"{token}\"`"))
        }
        "=>" if !positives.contains(&Rule::arrow) => Some("did you mean `>=`?".to_owned()),
        "||" => Some("write `or`".to_owned()),
        "!" => Some("write `not`, or `!=` to compare".to_owned()),
        ">=" | ">" | "==" if positives.contains(&Rule::limit_op) => {
            Some("a limit reads `limit VALUE <= MAX` or `limit VALUE < MAX`".to_owned())
        }
        "'" => Some("texts are written in double quotes: `\"…\"`".to_owned()),
        "`" if positives.contains(&Rule::ident) => Some(
            "names of rules, constants, tables, calendars and parameters are plain identifiers; backticks are only for field paths"
                .to_owned(),
        ),
        // `50 % of x`: the language has no `%` operator, only percent literals.
        "%" if whole
            .get(..span.start)
            .is_some_and(|before| before.trim_end().ends_with(|c: char| c.is_ascii_digit())) =>
        {
            Some("write the percent sign right after the number, as in `50%`".to_owned())
        }
        _ if positives.contains(&Rule::percent_lit)
            && token.chars().all(|c| c.is_ascii_digit())
            && !token.is_empty() =>
        {
            Some(format!("write the share as a percent: `{token}%`"))
        }
        _ if positives.contains(&Rule::clause)
            && ["rule", "first", "const", "table", "calendar"].contains(&token) =>
        {
            Some("a `}` is probably missing before this item".to_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_keyword() {
        assert_eq!(
            closest("escalte", &["escalate", "notify"]),
            Some("escalate")
        );
        assert_eq!(closest("xyz", &["escalate", "notify"]), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn phrases_join_in_english() {
        assert_eq!(join(&["a"]), "a");
        assert_eq!(join(&["a", "b", "c"]), "a, b or c");
    }

    #[test]
    fn found_tokens() {
        assert_eq!(found_at("x }", 2), ("`}`".to_owned(), Span::new(2, 3)));
        assert_eq!(found_at("x", 1).0, "the end of the file");
        assert_eq!(found_at("rule `s`", 5).0, "`` ` ``");
        assert_eq!(found_at("a <= b", 2).1, Span::new(2, 4));
        assert_eq!(found_at("\"abc\" x", 0).1, Span::new(0, 5));
    }
}
