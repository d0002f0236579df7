//! The Arrow path: a column of JSON records in, a table of decisions out, one row per row.
//!
//! Everything here is plain Rust over Arrow arrays, so the caller runs it with the GIL
//! released. A row that cannot be read (null, not JSON, not an object) gets its `error`
//! and nulls elsewhere, like an error line of `service-policy batch`; the other rows go on.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{
    Array, ArrayRef, LargeStringArray, ListArray, RecordBatch, StringArray, StringViewArray,
    StructArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use serde_json::Value;
use service_policy::{Decision, EvalOptions, Evaluation, Policy};

/// Reads one row of the input column.
pub(crate) trait TextColumn {
    /// The row's text, or `None` when it is null.
    fn text(&self, row: usize) -> Option<&str>;
    /// The number of rows.
    fn rows(&self) -> usize;
}

macro_rules! text_column {
    ($array:ty) => {
        impl TextColumn for $array {
            fn text(&self, row: usize) -> Option<&str> {
                (row < self.len() && self.is_valid(row)).then(|| self.value(row))
            }
            fn rows(&self) -> usize {
                self.len()
            }
        }
    };
}
text_column!(StringArray);
text_column!(LargeStringArray);
text_column!(StringViewArray);

/// The input column as text, or why it cannot be.
pub(crate) fn text_column<'a>(
    array: &'a dyn Array,
    name: &str,
) -> Result<&'a dyn TextColumn, String> {
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        return Ok(a);
    }
    if let Some(a) = any.downcast_ref::<LargeStringArray>() {
        return Ok(a);
    }
    if let Some(a) = any.downcast_ref::<StringViewArray>() {
        return Ok(a);
    }
    Err(format!(
        "column `{name}` must hold JSON text (string), found {}; in Spark, `to_json(struct(*))` \
         turns a row into such text",
        array.data_type()
    ))
}

/// The schema of the decisions table.
pub(crate) fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("error", DataType::Utf8, true),
        Field::new("actions", list_of(DataType::Struct(action_fields())), true),
        Field::new("statuses", list_of(DataType::Struct(status_fields())), true),
        Field::new("fired", list_of(DataType::Utf8), true),
        Field::new("undecided", list_of(DataType::Utf8), true),
        Field::new("errors", list_of(DataType::Struct(error_fields())), true),
        Field::new(
            "recheck_at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            true,
        ),
        Field::new("decision", DataType::Utf8, true),
    ]))
}

fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("element", item, true)))
}

fn action_fields() -> Fields {
    Fields::from(vec![
        Field::new("action", DataType::Utf8, false),
        Field::new("target", DataType::Utf8, true),
        Field::new("rules", list_of(DataType::Utf8), false),
        Field::new("key", DataType::Utf8, false),
    ])
}

fn status_fields() -> Fields {
    Fields::from(vec![
        Field::new("rule", DataType::Utf8, false),
        Field::new("status", DataType::Utf8, false),
    ])
}

fn error_fields() -> Fields {
    Fields::from(vec![
        Field::new("rule", DataType::Utf8, true),
        Field::new("field", DataType::Utf8, true),
        Field::new("message", DataType::Utf8, false),
    ])
}

/// A list column being built: offsets into its items, and which rows are null.
struct Lists {
    offsets: Vec<i32>,
    valid: Vec<bool>,
}

impl Lists {
    fn new(rows: usize) -> Lists {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        Lists {
            offsets,
            valid: Vec::with_capacity(rows),
        }
    }

    /// Ends a row whose items end at `end` (the count of items so far), or a null row.
    fn close(&mut self, end: usize, valid: bool) -> Result<(), ArrowError> {
        let end = i32::try_from(end).map_err(|_| {
            ArrowError::ComputeError("more than 2^31 list items in one batch".into())
        })?;
        self.offsets.push(end);
        self.valid.push(valid);
        Ok(())
    }

    fn finish(self, item: DataType, values: ArrayRef) -> Result<ArrayRef, ArrowError> {
        let nulls = NullBuffer::from(self.valid);
        let nulls = (nulls.null_count() > 0).then_some(nulls);
        Ok(Arc::new(ListArray::try_new(
            Arc::new(Field::new("element", item, true)),
            OffsetBuffer::new(self.offsets.into()),
            values,
            nulls,
        )?))
    }
}

/// A list of texts per row.
struct TextLists {
    lists: Lists,
    items: Vec<String>,
}

impl TextLists {
    fn new(rows: usize) -> TextLists {
        TextLists {
            lists: Lists::new(rows),
            items: Vec::new(),
        }
    }

    fn push<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) -> Result<(), ArrowError> {
        self.items.extend(items.into_iter().map(str::to_owned));
        self.lists.close(self.items.len(), true)
    }

    fn push_null(&mut self) -> Result<(), ArrowError> {
        self.lists.close(self.items.len(), false)
    }

    fn finish(self) -> Result<ArrayRef, ArrowError> {
        let values: ArrayRef = Arc::new(StringArray::from(self.items));
        self.lists.finish(DataType::Utf8, values)
    }
}

/// Every column of the output, filled row by row.
struct Columns {
    id: StringBuilder,
    error: StringBuilder,
    decision: StringBuilder,
    recheck_at: TimestampMicrosecondBuilder,
    fired: TextLists,
    undecided: TextLists,
    actions: Lists,
    action_kind: Vec<String>,
    action_target: Vec<Option<String>>,
    action_rules: TextLists,
    action_key: Vec<String>,
    statuses: Lists,
    status_rule: Vec<String>,
    status_value: Vec<&'static str>,
    errors: Lists,
    error_rule: Vec<Option<String>>,
    error_field: Vec<Option<String>>,
    error_message: Vec<String>,
}

impl Columns {
    fn new(rows: usize) -> Columns {
        Columns {
            id: StringBuilder::new(),
            error: StringBuilder::new(),
            decision: StringBuilder::new(),
            recheck_at: TimestampMicrosecondBuilder::with_capacity(rows).with_timezone("UTC"),
            fired: TextLists::new(rows),
            undecided: TextLists::new(rows),
            actions: Lists::new(rows),
            action_kind: Vec::new(),
            action_target: Vec::new(),
            action_rules: TextLists::new(0),
            action_key: Vec::new(),
            statuses: Lists::new(rows),
            status_rule: Vec::new(),
            status_value: Vec::new(),
            errors: Lists::new(rows),
            error_rule: Vec::new(),
            error_field: Vec::new(),
            error_message: Vec::new(),
        }
    }

    /// A row whose record could not be read: its error, nulls elsewhere.
    fn push_error(&mut self, message: &str) -> Result<(), ArrowError> {
        self.id.append_null();
        self.error.append_value(message);
        self.decision.append_null();
        self.recheck_at.append_null();
        self.fired.push_null()?;
        self.undecided.push_null()?;
        self.actions.close(self.action_kind.len(), false)?;
        self.statuses.close(self.status_rule.len(), false)?;
        self.errors.close(self.error_message.len(), false)
    }

    fn push_decision(
        &mut self,
        id: Option<String>,
        decision: &Decision,
        rules: &[String],
    ) -> Result<(), ArrowError> {
        let json = serde_json::to_string(decision)
            .map_err(|e| ArrowError::ComputeError(format!("cannot print the decision: {e}")))?;
        self.id.append_option(id);
        self.error.append_null();
        self.decision.append_value(json);
        self.recheck_at
            .append_option(decision.recheck_at.map(|t| t.as_microsecond()));
        self.fired.push(decision.fired.iter().map(String::as_str))?;
        self.undecided
            .push(decision.undecided.iter().map(|u| u.rule.as_str()))?;
        for action in &decision.actions {
            self.action_kind.push(action.kind.name().to_owned());
            self.action_target.push(
                action
                    .kind
                    .fields()
                    .into_iter()
                    .next()
                    .map(|(_, v)| text_of(&v)),
            );
            self.action_rules
                .push(action.rules.iter().map(String::as_str))?;
            self.action_key.push(action.key.clone());
        }
        self.actions.close(self.action_kind.len(), true)?;
        for (rule, status) in statuses(decision, rules) {
            self.status_rule.push(rule.to_owned());
            self.status_value.push(status);
        }
        self.statuses.close(self.status_rule.len(), true)?;
        for error in &decision.errors {
            self.error_rule.push(error.rule.clone());
            self.error_field.push(error.field.clone());
            self.error_message.push(error.message.clone());
        }
        self.errors.close(self.error_message.len(), true)
    }

    fn finish(mut self) -> Result<RecordBatch, ArrowError> {
        let actions = StructArray::try_new(
            action_fields(),
            vec![
                Arc::new(StringArray::from(self.action_kind)),
                Arc::new(StringArray::from(self.action_target)),
                self.action_rules.finish()?,
                Arc::new(StringArray::from(self.action_key)),
            ],
            None,
        )?;
        let statuses = StructArray::try_new(
            status_fields(),
            vec![
                Arc::new(StringArray::from(self.status_rule)),
                Arc::new(StringArray::from(self.status_value)),
            ],
            None,
        )?;
        let errors = StructArray::try_new(
            error_fields(),
            vec![
                Arc::new(StringArray::from(self.error_rule)),
                Arc::new(StringArray::from(self.error_field)),
                Arc::new(StringArray::from(self.error_message)),
            ],
            None,
        )?;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.error.finish()),
            self.actions
                .finish(DataType::Struct(action_fields()), Arc::new(actions))?,
            self.statuses
                .finish(DataType::Struct(status_fields()), Arc::new(statuses))?,
            self.fired.finish()?,
            self.undecided.finish()?,
            self.errors
                .finish(DataType::Struct(error_fields()), Arc::new(errors))?,
            Arc::new(self.recheck_at.finish()),
            Arc::new(self.decision.finish()),
        ];
        RecordBatch::try_new(schema(), columns)
    }
}

/// A JSON value as text: a string as itself, anything else as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The status of every rule of the policy in one decision, in source order:
/// the check's status (`met`, `breached`, `pending`, `within`, `exceeded`), else
/// `undecided`, `error`, `applied` (no check, its guard held), or `not_applicable` (its guard did not hold, or an earlier rule of
/// its `first of` block was chosen).
pub(crate) fn statuses<'a>(
    decision: &Decision,
    rules: &'a [String],
) -> impl Iterator<Item = (&'a str, &'static str)> {
    let mut known: HashMap<&str, &'static str> = HashMap::new();
    for rule in &decision.fired {
        known.insert(rule, "applied");
    }
    for error in &decision.errors {
        if let Some(rule) = &error.rule {
            known.insert(rule, "error");
        }
    }
    for undecided in &decision.undecided {
        known.insert(&undecided.rule, "undecided");
    }
    for check in &decision.checks {
        let status = check.status_word();
        known.insert(check.rule(), status);
    }
    let found: Vec<&'static str> = rules
        .iter()
        .map(|rule| {
            known
                .get(rule.as_str())
                .copied()
                .unwrap_or("not_applicable")
        })
        .collect();
    rules.iter().map(String::as_str).zip(found)
}

/// The value at `path` in a record: the key itself if the record has it, else the dotted
/// path walked through nested objects (as `batch --id-field` reads it).
pub(crate) fn field<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    record.get(path).or_else(|| {
        path.split('.')
            .try_fold(record, |value, segment| value.get(segment))
    })
}

/// The id of a record as text: a string as itself, `null` or absent as `None`, anything
/// else as its JSON text.
pub(crate) fn id_text(record: &Value, id_field: &str) -> Option<String> {
    match field(record, id_field)? {
        Value::Null => None,
        other => Some(text_of(other)),
    }
}

/// Evaluates every row of `column` and returns the decisions as one batch.
pub(crate) fn evaluate(
    policy: &Policy,
    column: &dyn TextColumn,
    options: &EvalOptions,
    id_field: &str,
) -> Result<RecordBatch, ArrowError> {
    let rules: Vec<String> = policy.rule_names().map(str::to_owned).collect();
    let rows = column.rows();
    let mut out = Columns::new(rows);
    let mut buffer = Evaluation::new();
    for row in 0..rows {
        let Some(text) = column.text(row) else {
            out.push_error("the record is null")?;
            continue;
        };
        // Read straight into what the rules read when the text allows it; the decision
        // and the id are those of the parsed record.
        if let Some((decision, id)) =
            policy.evaluate_json_line(text, Some(id_field), options, &mut buffer)
        {
            let id = match id {
                Value::Null => None,
                other => Some(text_of(&other)),
            };
            out.push_decision(id, &decision.to_decision(), &rules)?;
            continue;
        }
        let record: Value = match serde_json::from_str(text) {
            Ok(record) => record,
            Err(e) => {
                out.push_error(&format!("invalid JSON: {e}"))?;
                continue;
            }
        };
        if !record.is_object() {
            out.push_error(&format!(
                "a record must be a JSON object, found {}",
                service_policy::testing::json_kind(&record)
            ))?;
            continue;
        }
        let decision = policy.evaluate(&record, options);
        out.push_decision(id_text(&record, id_field), &decision, &rules)?;
    }
    out.finish()
}
