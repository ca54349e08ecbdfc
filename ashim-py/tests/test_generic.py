"""Every registered tool, generically: the catalogue, the generated function and a real run."""

from __future__ import annotations

import inspect

import pytest

import ashim
from ashim import _schema
from conftest import FIXTURES, MIME_FORMAT, has_magic, minimal_settings, minimal_value

TOOLS = ashim.tools()
IDS = [t["id"] for t in TOOLS]


#: Output kind in the catalogue -> ``Output.kind``.
OUTPUT_KIND = {"image": "image", "json": "json", "files": "files", "fileSet": "files", "bytes": "file"}


def positional_slot(tool):
    return next((s for s in tool["slots"] if not s["named"]), None)


def inputs_for(tool):
    slot = positional_slot(tool)
    if slot is None:
        return []
    if slot.get("max") == 1:
        # Tools that refuse a photo without a face (422) get one.
        if tool["id"].startswith("passport-photo") and tool["id"] != "passport-photo/generate":
            return [FIXTURES / "content" / "portrait-color.jpg"]
        return [FIXTURES / "test-200x150.png"]
    n = max(2, slot["min"])
    return ([FIXTURES / "test-200x150.png", FIXTURES / "test-100x100.jpg"] * n)[:n]


def named_for(tool):
    """One small image for every required named slot (by its Python name)."""
    return {_schema.snake(s["name"]): FIXTURES / "test-50x50.webp" for s in tool["slots"] if s["named"] and s["min"] > 0}


def working_settings(tool):
    """The required settings with minimal values; when a tool needs one more (resize needs
    a width, height or percentage), add one optional setting at a time, with a minimal
    value from its schema, until the tool accepts them."""
    schema = tool["settingsSchema"]
    base = minimal_settings(schema)
    try:
        ashim.run(tool["id"], inputs_for(tool) or None, **named_for(tool), **base)
        return base
    except (ashim.InvalidSettingsError, ashim.UnprocessableError) as first:
        for name, prop in schema.get("properties", {}).items():
            if name in base or "default" in prop:
                continue
            trial = {**base, name: minimal_value(schema, prop)}
            try:
                ashim.run(tool["id"], inputs_for(tool) or None, **named_for(tool), **trial)
                return trial
            except (ashim.InvalidSettingsError, ashim.UnprocessableError):
                continue
        raise first


def check_output(tool, out):
    assert out.kind == OUTPUT_KIND[tool["output"]]
    if out.kind == "image":
        assert has_magic(out.data, out.format), out.format
        assert out.width > 0 and out.height > 0
        assert out.mime_type.startswith("image/")
        assert "." in out.name
        pixels = out.to_numpy()
        assert pixels.shape[:2] == (out.height, out.width)
        assert isinstance(out.extra, dict)
    elif out.kind in ("files", "file"):
        assert out.files, "a files output with no files"
        for f in out.files:
            assert f.name and "/" not in f.name
            fmt = MIME_FORMAT.get(f.mime_type)
            if fmt:
                assert has_magic(f.data, fmt), f.name
    else:
        assert isinstance(out.json, (dict, list)) and out.json


def test_catalogue_is_not_empty_and_complete():
    assert len(IDS) == len(set(IDS)) >= 9
    for t in TOOLS:
        assert set(t) >= {"id", "name", "description", "category", "slots", "output", "caps", "settingsSchema", "availability"}
        assert t["settingsSchema"]["type"] == "object"


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_tool_runs_with_minimal_settings(tool):
    if tool["availability"]["state"] != "ready":
        with pytest.raises(ashim.ModelNotInstalledError):
            ashim.run(tool["id"], inputs_for(tool) or None, **named_for(tool), **minimal_settings(tool["settingsSchema"]))
        return
    settings = working_settings(tool)
    out = ashim.run(tool["id"], inputs_for(tool) or None, **named_for(tool), **settings)
    check_output(tool, out)


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_tool_has_a_generated_function(tool):
    fn = getattr(ashim, _schema.function_name(tool["id"]))
    assert ashim.TOOL_FUNCTIONS[fn.__name__] == tool["id"]
    assert tool["description"] in fn.__doc__
    sig = inspect.signature(fn)
    schema = tool["settingsSchema"]
    wire_names = set(schema.get("properties", {}))
    slot_names = {_schema.snake(s["name"]) for s in tool["slots"] if s["named"]}
    kw = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in slot_names]
    assert slot_names <= set(sig.parameters)
    assert {_schema.camel(p.name) for p in kw} == wire_names
    for p in kw:
        required = _schema.camel(p.name) in schema.get("required", [])
        assert (p.default is inspect.Parameter.empty) == required, p.name
    positional = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    assert len(positional) == (0 if positional_slot(tool) is None else 1)
    if tool["availability"]["state"] != "ready":
        return
    settings = {_schema.snake(k): v for k, v in working_settings(tool).items()}
    ins = inputs_for(tool)
    slot = positional_slot(tool)
    args = [] if slot is None else [ins[0] if slot.get("max") == 1 else ins]
    check_output(tool, fn(*args, **named_for(tool), **settings))


@pytest.mark.parametrize("tool", [t for t in TOOLS if t["settingsSchema"].get("required")], ids=lambda t: t["id"])
def test_missing_required_setting_names_the_field(tool):
    required = tool["settingsSchema"]["required"]
    settings = minimal_settings(tool["settingsSchema"])
    del settings[required[0]]
    with pytest.raises(ashim.InvalidSettingsError) as info:
        ashim.run(tool["id"], inputs_for(tool) or None, **named_for(tool), **settings)
    assert info.value.code == "invalid_settings"
    assert any(f["path"] == required[0] for f in info.value.fields)
