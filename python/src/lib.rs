//! The Python package `service_policy`: parse a policy once, evaluate records from Python
//! dicts, JSON text or Arrow columns.
//!
//! Strategy: Python objects are read into JSON values while the GIL is held, then the GIL
//! is released for evaluation, so several Python threads (or Spark's Arrow workers) evaluate
//! in parallel. The policy is parsed and compiled once and shared, immutable, by every call.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_pyarrow::{FromPyArrow, PyArrowType, Table};
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use serde_json::Value;
use service_policy::diagnostic::render::render_human;
use service_policy::{Diagnostics, EvalOptions, Explain, LoadError};

mod arrow;
mod convert;

create_exception!(
    service_policy,
    PolicyError,
    PyValueError,
    "The policy has errors; the message is every diagnostic, rendered with source snippets."
);
create_exception!(
    service_policy,
    RecordError,
    PyValueError,
    "A record could not be read: not JSON, or not a JSON object."
);

create_exception!(
    service_policy,
    SelectError,
    PyValueError,
    "No policy of a set could decide a record: none applies, several do, or none is in force."
);

fn policy_error(diagnostics: &Diagnostics) -> PyErr {
    PolicyError::new_err(render_human(diagnostics, false))
}

/// An unreadable file is an `OSError`; invalid policies (a policy and the bases it extends,
/// or the files of a set) are one `PolicyError` with every file's diagnostics.
fn load_error(error: LoadError) -> PyErr {
    match error {
        e @ LoadError::Io { .. } => PyOSError::new_err(e.to_string()),
        e => PolicyError::new_err(
            e.diagnostics()
                .into_iter()
                .map(|d| render_human(d, false))
                .collect::<String>(),
        ),
    }
}

/// A parsed, checked and compiled policy, immutable and safe to share between threads.
#[pyclass(frozen, module = "service_policy")]
struct Policy {
    inner: Arc<service_policy::Policy>,
    rules: Vec<String>,
}

impl Policy {
    fn new(inner: service_policy::Policy) -> Policy {
        let rules = inner.rule_names().map(str::to_owned).collect();
        Policy {
            inner: Arc::new(inner),
            rules,
        }
    }
}

/// A record as given: JSON data read from Python objects, or JSON text still to parse.
enum Record {
    Data(Value),
    Text(String),
}

impl Record {
    fn from_python(value: &Bound<'_, PyAny>) -> PyResult<Record> {
        match value.cast::<PyString>() {
            Ok(text) => Ok(Record::Text(text.to_str()?.to_owned())),
            Err(_) => Ok(Record::Data(convert::to_json(value)?)),
        }
    }

    /// The record as a JSON object, or why it is not one (no GIL needed).
    fn into_object(self) -> Result<Value, String> {
        let value = match self {
            Record::Data(value) => value,
            Record::Text(text) => {
                serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?
            }
        };
        if value.is_object() {
            Ok(value)
        } else {
            Err(format!(
                "a record must be a JSON object, found {}",
                service_policy::testing::json_kind(&value)
            ))
        }
    }
}

/// Reads `now`: `None` for the current time, an RFC 3339 `str`, or an aware `datetime`.
fn read_now(now: Option<&Bound<'_, PyAny>>) -> PyResult<jiff::Timestamp> {
    let Some(now) = now.filter(|n| !n.is_none()) else {
        return whole_second(jiff::Timestamp::now());
    };
    let text = match now.cast::<PyString>() {
        Ok(text) => text.to_str()?.to_owned(),
        Err(_) => {
            let iso = now.call_method0("isoformat").map_err(|_| {
                PyValueError::new_err("`now` must be a str or a datetime with a time zone")
            })?;
            iso.cast::<PyString>()?.to_str()?.to_owned()
        }
    };
    let now: jiff::Timestamp = text.parse().map_err(|e| {
        PyValueError::new_err(format!(
            "`now` must be an RFC 3339 instant like `2026-03-02T10:00:00Z` or a datetime with a \
             time zone, found `{text}`: {e}"
        ))
    })?;
    whole_second(now)
}

/// Time is counted in whole seconds (SPEC §11): `now` is truncated to its second.
fn whole_second(now: jiff::Timestamp) -> PyResult<jiff::Timestamp> {
    let floor = jiff::TimestampRound::new()
        .smallest(jiff::Unit::Second)
        .mode(jiff::RoundMode::Floor);
    now.round(floor)
        .map_err(|e| PyValueError::new_err(format!("`now` is out of range: {e}")))
}

fn decision_json(decision: &service_policy::Decision) -> Result<Value, String> {
    serde_json::to_value(decision).map_err(|e| format!("cannot print the decision: {e}"))
}

#[pymethods]
impl Policy {
    /// Parses and checks a policy from its text.
    #[staticmethod]
    #[pyo3(signature = (source, name = "<policy>"))]
    fn parse(py: Python<'_>, source: &str, name: &str) -> PyResult<Policy> {
        let parsed = py.detach(|| service_policy::Policy::parse_named(name, source));
        parsed.map(Policy::new).map_err(|d| policy_error(&d))
    }

    /// Reads, parses and checks a policy file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Policy> {
        py.detach(|| service_policy::Policy::from_file(&path))
            .map(Policy::new)
            .map_err(load_error)
    }

    /// The policy's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// Every rule's name, `first of` blocks included, in source order.
    #[getter]
    fn rules(&self) -> Vec<String> {
        self.rules.clone()
    }

    /// The checker's warnings, rendered (empty when there are none).
    #[getter]
    fn warnings(&self) -> String {
        let warnings = self.inner.warnings();
        if warnings.is_empty() {
            String::new()
        } else {
            render_human(warnings, false)
        }
    }

    /// Evaluates one record (a dict, or JSON text) at `now` and returns the decision as a
    /// dict, the same data as the decision JSON of `service-policy eval`.
    #[pyo3(signature = (record, now = None, explain = false))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
        explain: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let record = Record::from_python(record)?;
        let options = EvalOptions {
            explain: if explain { Explain::On } else { Explain::Off },
            ..EvalOptions::at(read_now(now)?)
        };
        let policy = &self.inner;
        let json = py.detach(|| {
            let record = record.into_object()?;
            decision_json(&policy.evaluate(&record, &options))
        });
        convert::to_python(py, &json.map_err(RecordError::new_err)?)
    }

    /// Evaluates many records at the same `now` (taken once when not given); one decision
    /// dict per record, in order. A record that cannot be read raises `RecordError` naming
    /// its index.
    #[pyo3(signature = (records, now = None))]
    fn evaluate_batch<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let options = EvalOptions::at(read_now(now)?);
        let mut read = Vec::new();
        for record in records.try_iter()? {
            read.push(Record::from_python(&record?)?);
        }
        let policy = &self.inner;
        let decisions = py.detach(|| {
            read.into_iter()
                .enumerate()
                .map(|(index, record)| {
                    let record = record
                        .into_object()
                        .map_err(|e| format!("record {index}: {e}"))?;
                    decision_json(&policy.evaluate(&record, &options))
                })
                .collect::<Result<Vec<Value>, String>>()
        });
        let list = PyList::empty(py);
        for decision in decisions.map_err(RecordError::new_err)? {
            list.append(convert::to_python(py, &decision)?)?;
        }
        Ok(list)
    }

    /// Evaluates a column of JSON records of a `pyarrow.Table` or `pyarrow.RecordBatch`
    /// and returns a `pyarrow.Table` of decisions, one row per input row, in order.
    #[pyo3(signature = (data, column = "record", now = None, id_field = "id"))]
    fn evaluate_arrow(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        column: &str,
        now: Option<&Bound<'_, PyAny>>,
        id_field: &str,
    ) -> PyResult<PyArrowType<Table>> {
        let options = EvalOptions::at(read_now(now)?);
        let batches = read_batches(data)?;
        let policy = &self.inner;
        let out = py.detach(|| {
            batches
                .iter()
                .map(|batch| {
                    let array = batch.column_by_name(column).ok_or_else(|| {
                        let names: Vec<String> = batch
                            .schema()
                            .fields()
                            .iter()
                            .map(|f| format!("`{}`", f.name()))
                            .collect();
                        format!("no column `{column}`; the columns are {}", names.join(", "))
                    })?;
                    let text = arrow::text_column(array.as_ref(), column)?;
                    arrow::evaluate(policy, text, &options, id_field).map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<RecordBatch>, String>>()
        });
        let out = out.map_err(PyValueError::new_err)?;
        Table::try_new(out, arrow::schema())
            .map(PyArrowType)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!(
            "Policy({:?}, rules={})",
            self.inner.name(),
            self.rules.len()
        )
    }
}

/// Policies of several families and yearly versions (SPEC §16): each record is decided by
/// the one policy whose `when` claims it, in the version in force at its as-of instant.
#[pyclass(frozen, module = "service_policy")]
struct PolicySet {
    inner: Arc<service_policy::PolicySet>,
}

impl PolicySet {
    fn decide(
        &self,
        record: Record,
        options: &EvalOptions,
    ) -> Result<Result<Value, String>, String> {
        let record = record.into_object()?;
        Ok(match self.inner.evaluate(&record, options) {
            Ok(decision) => Ok(decision_json(&decision)?),
            Err(e) => Err(e.to_string()),
        })
    }
}

#[pymethods]
impl PolicySet {
    /// Loads every policy among `paths`: files, and folders of `*.policy` files.
    #[staticmethod]
    fn from_paths(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<PolicySet> {
        py.detach(|| service_policy::PolicySet::from_paths(&paths))
            .map(|set| PolicySet {
                inner: Arc::new(set),
            })
            .map_err(load_error)
    }

    /// Every policy loaded, as `(name, version, effective)`; `effective` is the ISO date the
    /// version comes into force, or `None`.
    #[getter]
    fn policies(&self) -> Vec<(String, Option<String>, Option<String>)> {
        self.inner
            .policies()
            .map(|p| {
                (
                    p.name().to_owned(),
                    p.version().map(str::to_owned),
                    p.effective().map(|d| d.to_string()),
                )
            })
            .collect()
    }

    /// Evaluates one record with the policy that claims it; `as_of_field` names the record
    /// field whose instant picks the version in force (default: `now`). Raises
    /// `SelectError` when no policy, or several, claim the record.
    #[pyo3(signature = (record, now = None, as_of_field = None, explain = false))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
        as_of_field: Option<String>,
        explain: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let record = Record::from_python(record)?;
        let options = EvalOptions {
            explain: if explain { Explain::On } else { Explain::Off },
            as_of_field,
            ..EvalOptions::at(read_now(now)?)
        };
        let decided = py.detach(|| self.decide(record, &options));
        let decided = decided.map_err(RecordError::new_err)?;
        convert::to_python(py, &decided.map_err(SelectError::new_err)?)
    }

    /// Evaluates many records at one `now`; one decision dict per record, in order.
    #[pyo3(signature = (records, now = None, as_of_field = None))]
    fn evaluate_batch<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
        now: Option<&Bound<'py, PyAny>>,
        as_of_field: Option<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let options = EvalOptions {
            as_of_field,
            ..EvalOptions::at(read_now(now)?)
        };
        let mut read = Vec::new();
        for record in records.try_iter()? {
            read.push(Record::from_python(&record?)?);
        }
        let decided = py.detach(|| {
            read.into_iter()
                .enumerate()
                .map(|(index, record)| {
                    self.decide(record, &options)
                        .map_err(|e| format!("record {index}: {e}"))
                        .map(|d| d.map_err(|e| format!("record {index}: {e}")))
                })
                .collect::<Result<Vec<_>, String>>()
        });
        let list = PyList::empty(py);
        for decision in decided.map_err(RecordError::new_err)? {
            list.append(convert::to_python(
                py,
                &decision.map_err(SelectError::new_err)?,
            )?)?;
        }
        Ok(list)
    }

    fn __repr__(&self) -> String {
        format!("PolicySet(policies={})", self.inner.policies().count())
    }
}

/// A table (anything with the Arrow stream interface) or a single record batch.
fn read_batches(data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    if data.hasattr("__arrow_c_stream__")? {
        let table = Table::from_pyarrow_bound(data)?;
        return Ok(table.into_inner().0);
    }
    Ok(vec![RecordBatch::from_pyarrow_bound(data)?])
}

/// The schema of the tables `Policy.evaluate_arrow` returns (for Spark's `mapInArrow`).
#[pyfunction]
fn decision_schema() -> PyArrowType<arrow_schema::Schema> {
    PyArrowType(arrow::schema().as_ref().clone())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Policy>()?;
    m.add_class::<PolicySet>()?;
    m.add("SelectError", m.py().get_type::<SelectError>())?;
    m.add("PolicyError", m.py().get_type::<PolicyError>())?;
    m.add("RecordError", m.py().get_type::<RecordError>())?;
    m.add_function(wrap_pyfunction!(decision_schema, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
