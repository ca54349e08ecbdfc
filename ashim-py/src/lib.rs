//! Python bindings of the ashim image toolkit: the native module `ashim._ashim`.
//!
//! This module is deliberately small and generic: it runs any registered tool by id, runs
//! pipelines and exposes the catalogue. The Python package (`python/ashim`) builds one
//! function per tool from that catalogue at import time, so a tool added to the core
//! registry appears in Python without any change here.
//!
//! All image work runs with the GIL released ([`Python::detach`]). Core errors become
//! instances of `ashim.AshimError` subclasses (one per [`ErrorKind`]), carrying `.code`,
//! `.message` and `.fields`.

pub mod engine;

use ashim_core::{Error, ErrorKind, InputFile, Outcome};
use engine::Source;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple, PyType};

create_exception!(
    ashim,
    AshimError,
    PyException,
    "Base class of every ashim error; `.code` is the stable machine code of its kind."
);

/// One exception class per error kind, in `ErrorKind::ALL` order.
static ERROR_TYPES: PyOnceLock<Vec<(&'static str, Py<PyType>)>> = PyOnceLock::new();

/// `invalid_settings` -> `InvalidSettingsError`.
fn class_name(code: &str) -> String {
    let mut name: String = code
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    name.push_str("Error");
    name
}

/// Create (once) the exception subclass of every error kind. Kinds caused by bad
/// arguments also derive from `ValueError`, so generic Python code can catch them.
fn error_types(py: Python<'_>) -> PyResult<&Vec<(&'static str, Py<PyType>)>> {
    ERROR_TYPES.get_or_try_init(py, || {
        let type_ = py.get_type::<PyType>();
        let base = py.get_type::<AshimError>();
        ErrorKind::ALL
            .iter()
            .map(|kind| {
                let code = kind.code();
                let bases = if matches!(kind, ErrorKind::InvalidSettings | ErrorKind::InvalidInput)
                {
                    PyTuple::new(py, [base.clone(), py.get_type::<PyValueError>()])?
                } else {
                    PyTuple::new(py, [base.clone()])?
                };
                let ns = PyDict::new(py);
                ns.set_item("__module__", "ashim")?;
                ns.set_item("__doc__", format!("ashim error with code `{code}`."))?;
                ns.set_item("code", code)?;
                let cls = type_
                    .call1((class_name(code), bases, ns))?
                    .cast_into::<PyType>()?;
                Ok((code, cls.unbind()))
            })
            .collect()
    })
}

/// Turn a core error into the matching Python exception instance.
fn to_py_err(py: Python<'_>, err: Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let types = error_types(py)?;
        let cls = types
            .iter()
            .find(|(code, _)| *code == err.code())
            .map(|(_, cls)| cls.bind(py).clone())
            .unwrap_or_else(|| py.get_type::<AshimError>());
        let exc = cls.call1((err.message(),))?;
        exc.setattr("code", err.code())?;
        exc.setattr("message", err.message())?;
        let fields = PyList::empty(py);
        for f in err.fields() {
            let d = PyDict::new(py);
            d.set_item("path", &f.path)?;
            d.set_item("message", &f.message)?;
            fields.append(d)?;
        }
        exc.setattr("fields", fields)?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| e)
}

/// Read one input: `(bytes, name | None)` for an encoded file, or
/// `(bytes, width, height, channels)` for raw 8-bit pixels.
fn source(item: &Bound<'_, PyAny>) -> PyResult<Source> {
    if let Ok((data, name)) = item.extract::<(Bound<'_, PyBytes>, Option<String>)>() {
        return Ok(Source::File(InputFile::new(data.as_bytes().to_vec(), name)));
    }
    if let Ok((data, width, height, channels)) =
        item.extract::<(Bound<'_, PyBytes>, u32, u32, u8)>()
    {
        return Ok(Source::Pixels {
            data: data.as_bytes().to_vec(),
            width,
            height,
            channels,
        });
    }
    Err(PyValueError::new_err(
        "native input must be (bytes, name) or (bytes, width, height, channels)",
    ))
}

/// Convert an outcome to `("image", data, format, width, height, name, mime_type, extra_json)`,
/// `("files", [(name, data, mime_type), ...])` (a ZIP's files or a file set),
/// `("file", name, data, mime_type)` (raw bytes) or `("json", text)`.
fn outcome_to_py(py: Python<'_>, outcome: Outcome) -> PyResult<Py<PyAny>> {
    Ok(match outcome {
        Outcome::Image {
            encoded,
            name,
            extra,
        } => (
            "image",
            PyBytes::new(py, &encoded.data),
            encoded.format.name(),
            encoded.width,
            encoded.height,
            name,
            encoded.format.mime_type(),
            serde_json::Value::Object(extra).to_string(),
        )
            .into_pyobject(py)?
            .into_any()
            .unbind(),
        Outcome::Bytes(file) => (
            "file",
            file.name,
            PyBytes::new(py, &file.data),
            file.mime_type,
        )
            .into_pyobject(py)?
            .into_any()
            .unbind(),
        Outcome::Files(files) | Outcome::FileSet(files) => {
            let list = PyList::empty(py);
            for f in files {
                list.append((f.name, PyBytes::new(py, &f.data), f.mime_type))?;
            }
            ("files", list).into_pyobject(py)?.into_any().unbind()
        }
        Outcome::Json(value) => ("json", value.to_string())
            .into_pyobject(py)?
            .into_any()
            .unbind(),
    })
}

/// Run the tool `tool_id` on the positional `inputs` and the `(slot, input)` pairs of its
/// named slots (see [`source`]) with settings given as JSON text.
/// The GIL is released while the tool runs.
#[pyfunction]
#[pyo3(signature = (tool_id, inputs, settings_json, named = Vec::new()))]
fn run(
    py: Python<'_>,
    tool_id: &str,
    inputs: Vec<Bound<'_, PyAny>>,
    settings_json: &str,
    named: Vec<(String, Bound<'_, PyAny>)>,
) -> PyResult<Py<PyAny>> {
    let sources = inputs.iter().map(source).collect::<PyResult<Vec<_>>>()?;
    let named = named
        .iter()
        .map(|(slot, item)| Ok((slot.clone(), source(item)?)))
        .collect::<PyResult<Vec<_>>>()?;
    let tool_id = tool_id.to_owned();
    let settings_json = settings_json.to_owned();
    let result = py.detach(move || {
        let settings = engine::parse_json(&settings_json, "settings")?;
        engine::run(&tool_id, sources, named, &settings)
    });
    outcome_to_py(py, result.map_err(|e| to_py_err(py, e))?)
}

/// Run a pipeline (JSON text: a list of `{toolId, settings}` steps or `{"steps": [...]}`)
/// on one input. The GIL is released while it runs.
#[pyfunction]
fn pipeline(py: Python<'_>, steps_json: &str, input: Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let src = source(&input)?;
    let steps_json = steps_json.to_owned();
    let result = py.detach(move || {
        let steps = engine::parse_json(&steps_json, "pipeline steps")?;
        engine::pipeline(&steps, src)
    });
    outcome_to_py(py, result.map_err(|e| to_py_err(py, e))?)
}

/// Decode an encoded image to `(pixels, width, height, channels)` (first frame, 8 bits).
#[pyfunction]
fn decode_pixels(py: Python<'_>, data: Bound<'_, PyBytes>) -> PyResult<Py<PyAny>> {
    let bytes = data.as_bytes().to_vec();
    let (pixels, w, h, c) = py
        .detach(move || engine::pixels(&bytes))
        .map_err(|e| to_py_err(py, e))?;
    Ok((PyBytes::new(py, &pixels), w, h, c)
        .into_pyobject(py)?
        .into_any()
        .unbind())
}

/// The catalogue of every registered tool as JSON text.
#[pyfunction]
fn catalogue_json() -> String {
    engine::catalogue_json()
}

/// The exception classes by error code (`{"invalid_settings": InvalidSettingsError, ...}`).
#[pyfunction]
fn error_classes(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    for (code, cls) in error_types(py)? {
        d.set_item(code, cls.bind(py))?;
    }
    Ok(d)
}

/// The native module `ashim._ashim`.
#[pymodule]
fn _ashim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("AshimError", m.py().get_type::<AshimError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline, m)?)?;
    m.add_function(wrap_pyfunction!(decode_pixels, m)?)?;
    m.add_function(wrap_pyfunction!(catalogue_json, m)?)?;
    m.add_function(wrap_pyfunction!(error_classes, m)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::class_name;

    #[test]
    fn class_names_are_camel_case() {
        assert_eq!(class_name("invalid_settings"), "InvalidSettingsError");
        assert_eq!(class_name("internal"), "InternalError");
    }
}
