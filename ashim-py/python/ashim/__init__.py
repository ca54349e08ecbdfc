"""ashim: a self-hosted image toolkit, from Python.

Every tool of the Rust core registry is available as :func:`run` (by id) and as a
module-level function generated at import time from the tool's settings schema::

    import ashim
    out = ashim.resize("photo.jpg", width=800)
    out.save("small.jpg")
    qr = ashim.qr_generate(text="https://example.com")

Inputs are ``bytes``, a path (``str`` / ``pathlib.Path``), an H×W×C ``uint8`` array
(anything with ``__array_interface__``, e.g. numpy) or an earlier :class:`Output`.
Image work runs in Rust with the GIL released. Errors are :class:`AshimError`
subclasses with a stable ``.code``.
"""

from __future__ import annotations

import inspect
import json
import os
import pathlib
import sys
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _ashim, _schema

__version__: str = _ashim.__version__

AshimError = _ashim.AshimError

#: Exception class of every error code (``{"invalid_settings": InvalidSettingsError, ...}``).
ERRORS: Dict[str, type] = dict(_ashim.error_classes())
for _cls in ERRORS.values():
    globals()[_cls.__name__] = _cls


def _to_numpy(data: bytes) -> Any:
    try:
        import numpy
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("to_numpy() needs numpy: pip install numpy") from e
    pixels, width, height, channels = _ashim.decode_pixels(data)
    return numpy.frombuffer(pixels, dtype=numpy.uint8).reshape(height, width, channels)


class File:
    """One output file of a tool that produces several (e.g. ``split``)."""

    __slots__ = ("name", "data", "mime_type")

    def __init__(self, name: str, data: bytes, mime_type: str) -> None:
        self.name = name
        self.data = data
        self.mime_type = mime_type

    def save(self, path: Union[str, "os.PathLike[str]"]) -> pathlib.Path:
        """Write the file to ``path``; an existing directory gets ``self.name`` inside it."""
        target = pathlib.Path(path)
        if target.is_dir():
            target = target / self.name
        target.write_bytes(self.data)
        return target

    def to_numpy(self) -> Any:
        """The decoded pixels as an H×W×C ``uint8`` numpy array (images only)."""
        return _to_numpy(self.data)

    def __repr__(self) -> str:
        return f"File(name={self.name!r}, mime_type={self.mime_type!r}, {len(self.data)} bytes)"


class Output:
    """The result of a tool or pipeline.

    ``kind`` is ``"image"``, ``"files"``, ``"file"`` or ``"json"``. Images have ``data``,
    ``format``, ``width``, ``height``, ``name``, ``mime_type`` and ``extra`` (the extra
    envelope fields a tool reports, such as ``similarity``; usually empty); files outputs
    have ``files``; a single file (raw bytes such as a preview) has ``data``, ``name``,
    ``mime_type`` and ``files`` with that one file; JSON reports have ``json``. Attributes
    that do not apply are ``None``.
    """

    __slots__ = ("kind", "data", "format", "width", "height", "name", "mime_type", "files", "json", "extra")

    def __init__(self, native: Tuple[Any, ...]) -> None:
        self.kind: str = native[0]
        self.data: Optional[bytes] = None
        self.format: Optional[str] = None
        self.width: Optional[int] = None
        self.height: Optional[int] = None
        self.name: Optional[str] = None
        self.mime_type: Optional[str] = None
        self.files: Optional[List[File]] = None
        self.json: Any = None
        self.extra: Optional[Dict[str, Any]] = None
        if self.kind == "image":
            _, self.data, self.format, self.width, self.height, self.name, self.mime_type, extra = native
            self.extra = json.loads(extra)
        elif self.kind == "file":
            _, self.name, self.data, self.mime_type = native
            self.files = [File(self.name or "file", self.data or b"", self.mime_type or "")]
        elif self.kind == "files":
            self.files = [File(*f) for f in native[1]]
        else:
            self.json = json.loads(native[1])

    def save(self, path: Union[str, "os.PathLike[str]"]) -> Union[pathlib.Path, List[pathlib.Path]]:
        """Write the result: an image to ``path`` (inside it, named ``.name``, when ``path``
        is a directory), every file of a files output into the directory ``path`` (created
        if needed), a JSON report as pretty JSON text."""
        target = pathlib.Path(path)
        if self.kind == "files":
            target.mkdir(parents=True, exist_ok=True)
            return [f.save(target / f.name) for f in self.files or []]
        if self.kind == "json":
            target.write_text(json.dumps(self.json, indent=2), encoding="utf-8")
            return target
        if target.is_dir() and self.name:
            target = target / self.name
        target.write_bytes(self.data or b"")
        return target

    def to_numpy(self) -> Any:
        """The decoded pixels as an H×W×C ``uint8`` numpy array (C is 1, 2, 3 or 4)."""
        if self.kind != "image" or self.data is None:
            raise ValueError(f"to_numpy() needs an image output, this is {self.kind}")
        return _to_numpy(self.data)

    def __bytes__(self) -> bytes:
        if self.data is None:
            raise ValueError(f"a {self.kind} output has no single data buffer")
        return self.data

    def __repr__(self) -> str:
        if self.kind == "image":
            return (
                f"Output(image {self.format} {self.width}x{self.height}, name={self.name!r}, "
                f"{len(self.data or b'')} bytes)"
            )
        if self.kind == "files":
            return f"Output(files={self.files!r})"
        return f"Output(json={self.json!r})"


def to_native(value: Any) -> Tuple[Any, ...]:
    """Convert one input to what the native module takes: ``(bytes, name)`` for encoded
    files, ``(bytes, width, height, channels)`` for raw 8-bit pixels."""
    if isinstance(value, (Output, File)):
        if value.data is None:
            raise TypeError(f"a {getattr(value, 'kind', 'file')} output cannot be an input image")
        return (value.data, value.name)
    if isinstance(value, bytes):
        return (value, None)
    if isinstance(value, (bytearray, memoryview)):
        return (bytes(value), None)
    if isinstance(value, (str, os.PathLike)):
        path = pathlib.Path(value)
        return (path.read_bytes(), path.name)
    interface = getattr(value, "__array_interface__", None)
    if interface is not None:
        shape = tuple(interface["shape"])
        if interface.get("typestr") not in ("|u1", "<u1", ">u1"):
            raise TypeError(f"pixel arrays must be uint8, got {interface.get('typestr')}")
        if len(shape) == 2:
            shape = shape + (1,)
        if len(shape) != 3:
            raise TypeError(f"pixel arrays must be H×W or H×W×C, got shape {shape}")
        try:
            raw = memoryview(value).tobytes()  # C order, whatever the strides
        except TypeError:
            import numpy  # objects without the buffer protocol

            raw = numpy.ascontiguousarray(numpy.asarray(value)).tobytes()
        return (raw, shape[1], shape[0], shape[2])
    read = getattr(value, "read", None)
    if callable(read):
        name = getattr(value, "name", None)
        return (bytes(read()), os.path.basename(name) if isinstance(name, str) else None)
    raise TypeError(
        "an input must be bytes, a path, an H×W×C uint8 array, a file object or an Output, "
        f"not {type(value).__name__}"
    )


def _is_single(value: Any) -> bool:
    return not isinstance(value, (list, tuple)) or hasattr(value, "__array_interface__")


_CATALOGUE: List[Dict[str, Any]] = json.loads(_ashim.catalogue_json())
_BY_ID: Dict[str, Dict[str, Any]] = {t["id"]: t for t in _CATALOGUE}


def tools() -> List[Dict[str, Any]]:
    """The catalogue: every tool's ``id``, ``name``, ``description``, ``category``,
    ``slots``, ``output``, ``caps``, ``settingsSchema`` (JSON Schema 2020-12), ``reportSchema``
    (when it has one), ``availability`` and, where set, ``route``, ``aliases`` and ``formFields``."""
    return json.loads(_ashim.catalogue_json())


def _wire_settings(tool_id: str, settings: Dict[str, Any]) -> Dict[str, Any]:
    """Map snake_case or camelCase keys to the wire names; ``None`` means "tool default".
    Unknown names raise ``TypeError`` (the core would silently ignore them)."""
    tool = _BY_ID.get(tool_id)
    props = (tool or {}).get("settingsSchema", {}).get("properties")
    out: Dict[str, Any] = {}
    for key, value in settings.items():
        if value is None:
            continue
        wire = key if props is None or key in props else _schema.camel(key)
        if props is not None and wire not in props:
            known = ", ".join(_schema.snake(p) for p in props) or "none"
            raise TypeError(f"{tool_id} has no setting {key!r} (settings: {known})")
        out[wire] = value
    return out


def _named_slots(tool_id: str) -> Dict[str, str]:
    """Python and wire names of a tool's named slots -> the slot's wire name."""
    out: Dict[str, str] = {}
    for slot in (_BY_ID.get(tool_id) or {}).get("slots", []):
        if slot["named"]:
            out[slot["name"]] = slot["name"]
            out[_schema.snake(slot["name"])] = slot["name"]
    return out


def _run_native(tool_id: str, inputs: List[Any], named: Dict[str, Any], settings: Dict[str, Any]) -> Output:
    native = [to_native(i) for i in inputs]
    native_named = [(slot, to_native(v)) for slot, v in named.items() if v is not None]
    return Output(_ashim.run(tool_id, native, json.dumps(settings), native_named))


def run(tool_id: str, input: Any = None, /, **settings: Any) -> Output:
    """Run the tool ``tool_id`` on ``input`` (one image, a list of images, or ``None`` for
    tools that take none) with keyword settings (snake_case or camelCase). Files of named
    slots are keyword arguments too (``watermark=...``)."""
    if input is None:
        inputs: List[Any] = []
    elif _is_single(input):
        inputs = [input]
    else:
        inputs = list(input)
    slots = _named_slots(tool_id)
    named = {slots[k]: settings.pop(k) for k in list(settings) if k in slots}
    return _run_native(tool_id, inputs, named, _wire_settings(tool_id, settings))


StepLike = Union[Dict[str, Any], Tuple[str, Dict[str, Any]], str]


def _step(step: StepLike) -> Dict[str, Any]:
    if isinstance(step, str):
        tool_id, settings = step, {}
    elif isinstance(step, tuple):
        tool_id, settings = step
    else:
        tool_id = step.get("toolId", step.get("tool_id"))
        settings = step.get("settings") or {}
        if not isinstance(tool_id, str):
            raise TypeError(f"a pipeline step needs a toolId, got {step!r}")
    return {"toolId": tool_id, "settings": _wire_settings(tool_id, dict(settings))}


def pipeline(steps: Iterable[StepLike], input: Any) -> Output:
    """Run steps in order on one image: decoded once, encoded once. A step is
    ``{"toolId": "resize", "settings": {"width": 800}}``, ``("resize", {"width": 800})``
    or just ``"resize"``. Only the last step may produce files or JSON."""
    return Output(_ashim.pipeline(json.dumps([_step(s) for s in steps]), to_native(input)))


def _make_tool_function(tool: Dict[str, Any]) -> Callable[..., Output]:
    tool_id: str = tool["id"]
    positional = _schema.positional(tool)
    named_slots = _schema.named_slots(tool)
    params = _schema.params(tool["settingsSchema"])
    sig_params: List[inspect.Parameter] = []
    if positional is not None:
        sig_params.append(
            inspect.Parameter(
                positional.name,
                inspect.Parameter.POSITIONAL_ONLY,
                default=None if positional.optional else inspect.Parameter.empty,
                annotation=positional.annotation,
            )
        )
    for slot in named_slots:
        # A required slot left out reaches the core, which names it in an InvalidInputError.
        sig_params.append(
            inspect.Parameter(slot.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=slot.annotation)
        )
    for p in params:
        default = inspect.Parameter.empty if p.required else p.default
        sig_params.append(
            inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=p.annotation)
        )
    signature = inspect.Signature(sig_params, return_annotation="Output")
    wire = {p.name: p.wire for p in params}

    def tool_function(*args: Any, **kwargs: Any) -> Output:
        bound = signature.bind(*args, **kwargs)
        given = dict(bound.arguments)
        inputs: List[Any] = []
        if positional is not None:
            value = given.pop(positional.name, None)
            if value is not None:
                inputs = [value] if positional.single else list(value)
        named = {slot.wire: given.pop(slot.name, None) for slot in named_slots}
        settings = {wire[k]: v for k, v in given.items() if v is not None}
        return _run_native(tool_id, inputs, named, settings)

    name = _schema.function_name(tool_id)
    tool_function.__name__ = name
    tool_function.__qualname__ = name
    tool_function.__module__ = __name__
    tool_function.__doc__ = _schema.docstring(tool)
    tool_function.__signature__ = signature  # type: ignore[attr-defined]
    tool_function.tool_id = tool_id  # type: ignore[attr-defined]
    return tool_function


#: Function name -> tool id, for every generated tool function.
TOOL_FUNCTIONS: Dict[str, str] = {}
for _tool in _CATALOGUE:
    _fn = _make_tool_function(_tool)
    globals()[_fn.__name__] = _fn
    TOOL_FUNCTIONS[_fn.__name__] = _tool["id"]

__all__ = [
    "AshimError",
    "ERRORS",
    "File",
    "Output",
    "TOOL_FUNCTIONS",
    "pipeline",
    "run",
    "to_native",
    "tools",
    *[c.__name__ for c in ERRORS.values()],
    *TOOL_FUNCTIONS,
]

del _cls, _tool, _fn
if sys.version_info < (3, 9):  # pragma: no cover
    raise ImportError("ashim needs Python 3.9 or newer")
