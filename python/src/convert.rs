//! Python objects ↔ JSON values, both ways, without going through JSON text.
//!
//! Records come from Python as nested dicts and lists; decisions go back the same way. The
//! walk is bounded by depth ([`MAX_DEPTH`]), so a self-containing dict or a very deep
//! structure is an error, never a stack overflow.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// The deepest nesting read from a Python record (the JSON parser of the core stops at 128).
pub(crate) const MAX_DEPTH: usize = 128;

/// Reads a Python value as JSON data: `None`, `bool`, `int`, `float`, `str`, `dict` with
/// `str` keys, `list`, `tuple`; `datetime`/`date`/`time` become their ISO text and
/// `Decimal` a number.
pub(crate) fn to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json_at(value, 0)
}

fn to_json_at(value: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "the record is nested deeper than {MAX_DEPTH} levels (or contains itself)"
        )));
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    // `bool` is a subclass of `int`: test it first.
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if value.cast::<PyInt>().is_ok() {
        if let Ok(n) = value.extract::<i64>() {
            return Ok(Value::from(n));
        }
        if let Ok(n) = value.extract::<u64>() {
            return Ok(Value::from(n));
        }
        return Err(PyValueError::new_err(format!(
            "the integer {value} is too large for a record (at most 64 bits)"
        )));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        let x = float.value();
        return Number::from_f64(x).map(Value::Number).ok_or_else(|| {
            PyValueError::new_err(format!("{x} is not a number a record can hold"))
        });
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Value::String(text.to_str()?.to_owned()));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::with_capacity(dict.len());
        for (key, item) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(PyTypeError::new_err(format!(
                    "record keys must be str, found {}",
                    type_name(&key)
                )));
            };
            map.insert(key.to_str()?.to_owned(), to_json_at(&item, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = value.cast::<PyList>() {
        let mut items = Vec::with_capacity(list.len());
        for item in list.iter() {
            items.push(to_json_at(&item, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        let mut items = Vec::with_capacity(tuple.len());
        for item in tuple.iter() {
            items.push(to_json_at(&item, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    let kind = type_name(value);
    if kind == "Decimal" {
        let text = value.str()?;
        let text = text.to_str()?;
        return serde_json::from_str::<Number>(text)
            .map(Value::Number)
            .map_err(|_| PyValueError::new_err(format!("the Decimal {text} is not finite")));
    }
    if matches!(kind.as_str(), "datetime" | "date" | "time" | "Timestamp") {
        let text = value.call_method0("isoformat")?;
        return Ok(Value::String(text.cast::<PyString>()?.to_str()?.to_owned()));
    }
    Err(PyTypeError::new_err(format!(
        "a record holds JSON data (dict, list, str, int, float, bool, None), found {kind}"
    )))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "an unknown type".to_owned())
}

/// Builds the Python form of JSON data: dicts (keys in order), lists, str, int, float,
/// bool and `None`.
pub(crate) fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(flag) => PyBool::new(py, *flag).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(text) => PyString::new(py, text).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_python(py, item)?)?;
            }
            dict.into_any()
        }
    })
}
