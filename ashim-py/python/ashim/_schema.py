"""Reading the core's JSON Schemas: Python names, type annotations and docstrings.

Shared by the runtime (which builds one function per tool at import time) and by
``scripts/gen_stubs.py`` (which writes ``__init__.pyi``), so both always agree.
"""

from __future__ import annotations

import keyword
import re
from typing import Any, Dict, List, NamedTuple, Optional

Schema = Dict[str, Any]

#: Names the module itself defines; a tool with one of these ids gets a trailing ``_``.
RESERVED = frozenset(
    {"run", "pipeline", "tools", "Output", "File", "AshimError", "to_native", "annotations"}
)


def snake(name: str) -> str:
    """``withoutEnlargement`` -> ``without_enlargement``; ``qr-generate`` -> ``qr_generate``;
    ``strip-metadata/inspect`` -> ``strip_metadata_inspect``."""
    name = name.replace("-", "_").replace("/", "_")
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    name = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", name)
    out = name.lower()
    return out + "_" if keyword.iskeyword(out) else out


def camel(name: str) -> str:
    """``without_enlargement`` -> ``withoutEnlargement`` (names already camel stay as they are)."""
    parts = name.rstrip("_").split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def function_name(tool_id: str) -> str:
    """The module-level function name of a tool."""
    name = snake(tool_id)
    return name + "_" if name in RESERVED else name


def resolve(root: Schema, schema: Schema) -> Schema:
    """Follow a local ``$ref`` (``#/$defs/Name``)."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = root.get("$defs", {}).get(ref[len("#/$defs/") :], {})
        merged = dict(target)
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return merged
    return schema


_SIMPLE = {"integer": "int", "number": "float", "boolean": "bool", "string": "str", "null": "None"}


def annotation(root: Schema, schema: Schema) -> str:
    """A Python type annotation (as text) for a schema: ``int``, ``Literal['a', 'b']``,
    ``Optional[float]``, ``List[str]``, ``Dict[str, Any]``, ``Any``."""
    schema = resolve(root, schema)
    literals: List[Any] = []
    if "const" in schema:
        literals.append(schema["const"])
    if "enum" in schema:
        literals.extend(schema["enum"])
    members: List[str] = []
    nullable = False
    for key in ("oneOf", "anyOf"):
        for sub in schema.get(key, []):
            sub = resolve(root, sub)
            if sub.get("type") == "null":
                nullable = True
            elif ("const" in sub or "enum" in sub) and "anyOf" not in sub and "oneOf" not in sub:
                literals.extend([sub["const"]] if "const" in sub else sub["enum"])
            else:
                members.append(annotation(root, sub))
    if literals:
        if None in literals:
            nullable = True
        values = [v for v in literals if v is not None]
        if values:
            members.insert(0, "Literal[" + ", ".join(repr(v) for v in values) + "]")
    if not members:
        types = schema.get("type")
        if isinstance(types, str):
            types = [types]
        for t in types or []:
            if t == "null":
                nullable = True
            elif t == "array":
                items = schema.get("items")
                members.append("List[" + (annotation(root, items) if items else "Any") + "]")
            elif t == "object":
                members.append("Dict[str, Any]")
            else:
                members.append(_SIMPLE.get(t, "Any"))
    if not members:
        members.append("Any")
    text = members[0] if len(members) == 1 else "Union[" + ", ".join(members) + "]"
    return f"Optional[{text}]" if nullable and text != "Any" else text


class Param(NamedTuple):
    """One setting as a Python keyword argument."""

    name: str  #: Python (snake_case) name
    wire: str  #: camelCase name in the settings JSON
    annotation: str  #: type annotation as text
    required: bool
    default: Any  #: the schema default, or None (= let the tool decide)
    description: str


def params(schema: Schema) -> List[Param]:
    """The settings of a tool: required ones first, then the others, each in schema order."""
    required = set(schema.get("required", []))
    out = []
    for wire, prop in (schema.get("properties") or {}).items():
        resolved = resolve(schema, prop)
        is_required = wire in required
        ann = annotation(schema, prop)
        if not is_required and "default" not in prop and not ann.startswith("Optional["):
            ann = f"Optional[{ann}]"
        out.append(
            Param(
                name=snake(wire),
                wire=wire,
                annotation=ann,
                required=is_required,
                default=prop.get("default"),
                description=" ".join(
                    (prop.get("description") or resolved.get("description") or "").split()
                ),
            )
        )
    out.sort(key=lambda p: not p.required)
    return out


class Slot(NamedTuple):
    """One input slot as a Python argument."""

    name: str  #: Python name: ``input`` / ``inputs`` for the positional slot, else snake_case
    wire: str  #: the slot's name in the catalogue (``file``, ``watermark``, ``backgroundImage``)
    single: bool  #: takes at most one file
    optional: bool  #: may be left out (min 0)
    annotation: str  #: type annotation as text
    doc: str  #: one line for the docstring


def _counts(slot: Schema) -> str:
    lo, hi = slot["min"], slot.get("max")
    if hi is None:
        return f"at least {lo}"
    return f"exactly {lo}" if lo == hi else f"{lo} to {hi}"


def _slot(slot: Schema) -> Slot:
    single = slot.get("max") == 1
    optional = slot["min"] == 0
    noun = "file" if slot["accepts"]["kind"] == "anyFile" else "image"
    if slot["named"]:
        name = snake(slot["name"])
    else:
        name = "input" if single else "inputs"
    ann = "Input" if single else "Sequence[Input]"
    if optional:
        ann = f"Optional[{ann}]"
    what = f"the {noun}" if single else f"a sequence of {_counts(slot)} {noun}s"
    doc = f"{name}: {what} (bytes, a path, an H×W×C uint8 array or an earlier Output)"
    if slot["named"]:
        doc += f", sent as ``{slot['name']}``"
    doc += ("; optional" if optional else "") + ". " + " ".join(slot.get("description", "").split())
    return Slot(name, slot["name"], single, optional, ann, doc.strip())


def positional(tool: Schema) -> Optional[Slot]:
    """The positional slot of a tool, if it has one."""
    for slot in tool["slots"]:
        if not slot["named"]:
            return _slot(slot)
    return None


def named_slots(tool: Schema) -> List[Slot]:
    """The named slots of a tool, in catalogue order."""
    return [_slot(s) for s in tool["slots"] if s["named"]]


RETURNS_DOC = {
    "image": "Output: the image (``.data``, ``.format``, ``.width``, ``.height``, ``.extra``, ``.save()``, ``.to_numpy()``).",
    "files": "Output: the files (``.files``, each with ``.name``, ``.data``, ``.mime_type``).",
    "fileSet": "Output: the files (``.files``, each with ``.name``, ``.data``, ``.mime_type``).",
    "bytes": "Output: one file (``.data``, ``.name``, ``.mime_type``).",
    "json": "Output: the report (``.json``).",
}


def docstring(tool: Schema) -> str:
    """The docstring of a tool's function, built from its catalogue entry."""
    lines = [f"{tool['name']}: {tool['description']}", "", f"Tool id ``{tool['id']}``."]
    lines += ["", "Args:"]
    for slot in ([positional(tool)] if positional(tool) else []) + named_slots(tool):
        lines.append("    " + slot.doc)  # type: ignore[union-attr]
    for p in params(tool["settingsSchema"]):
        extra = "required" if p.required else f"default {p.default!r}" if p.default is not None else "optional"
        lines.append(f"    {p.name} ({p.annotation}; {extra}; ``{p.wire}``): {p.description}")
    lines += ["", "Returns:", "    " + RETURNS_DOC.get(tool["output"], "Output")]
    return "\n".join(lines)
