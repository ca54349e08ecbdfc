"""Shared helpers: fixture lookup and minimal valid settings derived from a schema."""

from __future__ import annotations

import os
import pathlib
from typing import Any, Dict

import pytest

HERE = pathlib.Path(__file__).resolve().parent


def fixtures_dir() -> pathlib.Path:
    """``shared/fixtures`` beside the repository (CI) or ``ASHIM_FIXTURES``."""
    env = os.environ.get("ASHIM_FIXTURES")
    candidates = [pathlib.Path(env)] if env else []
    candidates += [HERE.parent.parent.parent / "shared" / "fixtures", HERE.parent.parent / "shared" / "fixtures"]
    for c in candidates:
        if (c / "test-200x150.png").exists():
            return c
    raise RuntimeError(f"fixtures not found in {candidates}")


FIXTURES = fixtures_dir()


@pytest.fixture
def fixtures() -> pathlib.Path:
    return FIXTURES


MAGIC = {
    "jpeg": [b"\xff\xd8\xff"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "gif": [b"GIF8"],
    "webp": [b"RIFF"],
    "bmp": [b"BM"],
    "tiff": [b"II*\x00", b"MM\x00*"],
    "ico": [b"\x00\x00\x01\x00"],
}

MIME_FORMAT = {"image/jpeg": "jpeg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
               "image/bmp": "bmp", "image/tiff": "tiff", "image/x-icon": "ico"}


def has_magic(data: bytes, fmt: str) -> bool:
    sigs = MAGIC.get(fmt)
    assert sigs is not None, f"no magic bytes known for {fmt}"
    return any(data.startswith(s) for s in sigs)


def _resolve(root: Dict[str, Any], schema: Dict[str, Any]) -> Dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {**root["$defs"][ref.split("/")[-1]], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def minimal_value(root: Dict[str, Any], schema: Dict[str, Any]) -> Any:
    """A small value that satisfies ``schema`` (enough for every required field today:
    enums, numbers with bounds, strings with lengths, the ``#RRGGBB`` colour pattern)."""
    schema = _resolve(root, schema)
    if "default" in schema:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    for key in ("oneOf", "anyOf"):
        for sub in schema.get(key, []):
            sub = _resolve(root, sub)
            if sub.get("type") != "null":
                return minimal_value(root, sub)
    types = schema.get("type")
    t = next((x for x in ([types] if isinstance(types, str) else types or []) if x != "null"), None)
    if t in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in schema else 1)
        return int(low) if t == "integer" else float(low)
    if t == "boolean":
        return False
    if t == "string":
        pattern = schema.get("pattern", "")
        if "[0-9A-Fa-f]{6}" in pattern:
            return "#336699"
        return "ashim"[: max(schema.get("maxLength", 5), schema.get("minLength", 1))].ljust(schema.get("minLength", 1), "a")
    if t == "array":
        return [minimal_value(root, schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if t == "object":
        return minimal_settings(schema, root)
    raise AssertionError(f"cannot derive a value for {schema}")


def minimal_settings(schema: Dict[str, Any], root: Dict[str, Any] | None = None) -> Dict[str, Any]:
    """The schema's first example when it has one (a tool whose settings depend on each other
    documents a working set that way), else values for the required settings only (everything
    else keeps its default). ``root`` holds the ``$defs`` of a nested schema."""
    examples = schema.get("examples")
    if root is None and isinstance(examples, list) and examples and isinstance(examples[0], dict):
        return dict(examples[0])
    props = schema.get("properties", {})
    return {name: minimal_value(root or schema, props[name]) for name in schema.get("required", [])}
