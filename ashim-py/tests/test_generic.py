"""Every registered tool, generically: the catalogue, the generated function and a real run."""

from __future__ import annotations

import inspect

import pytest

import ashim
from ashim import _schema
from conftest import FIXTURES, MIME_FORMAT, has_magic, minimal_settings, minimal_value

TOOLS = ashim.tools()
IDS = [t["id"] for t in TOOLS]


def inputs_for(tool):
    inputs = tool["inputs"]
    if inputs["kind"] == "none":
        return []
    if inputs["kind"] == "one":
        return [FIXTURES / "test-200x150.png"]
    return [FIXTURES / "test-200x150.png", FIXTURES / "test-100x100.jpg"][: max(2, inputs["min"])] + [
        FIXTURES / "test-200x150.png"
    ] * max(0, inputs["min"] - 2)


def working_settings(tool):
    """The required settings with minimal values; when a tool needs one more (resize needs
    a width, height or percentage), add one optional setting at a time, with a minimal
    value from its schema, until the tool accepts them."""
    schema = tool["settingsSchema"]
    base = minimal_settings(schema)
    try:
        ashim.run(tool["id"], inputs_for(tool) or None, **base)
        return base
    except (ashim.InvalidSettingsError, ashim.UnprocessableError) as first:
        for name, prop in schema.get("properties", {}).items():
            if name in base or "default" in prop:
                continue
            trial = {**base, name: minimal_value(schema, prop)}
            try:
                ashim.run(tool["id"], inputs_for(tool) or None, **trial)
                return trial
            except (ashim.InvalidSettingsError, ashim.UnprocessableError):
                continue
        raise first


def check_output(tool, out):
    assert out.kind == tool["output"]
    if out.kind == "image":
        assert has_magic(out.data, out.format), out.format
        assert out.width > 0 and out.height > 0
        assert out.mime_type.startswith("image/")
        assert "." in out.name
        pixels = out.to_numpy()
        assert pixels.shape[:2] == (out.height, out.width)
    elif out.kind == "files":
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
        assert set(t) >= {"id", "name", "description", "category", "inputs", "output", "settingsSchema", "availability"}
        assert t["settingsSchema"]["type"] == "object"


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_tool_runs_with_minimal_settings(tool):
    if tool["availability"]["state"] != "ready":
        with pytest.raises(ashim.ModelNotInstalledError):
            ashim.run(tool["id"], inputs_for(tool) or None, **minimal_settings(tool["settingsSchema"]))
        return
    settings = working_settings(tool)
    out = ashim.run(tool["id"], inputs_for(tool) or None, **settings)
    check_output(tool, out)


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_tool_has_a_generated_function(tool):
    fn = getattr(ashim, _schema.function_name(tool["id"]))
    assert ashim.TOOL_FUNCTIONS[fn.__name__] == tool["id"]
    assert tool["description"] in fn.__doc__
    sig = inspect.signature(fn)
    schema = tool["settingsSchema"]
    wire_names = set(schema.get("properties", {}))
    kw = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert {_schema.camel(p.name) for p in kw} == wire_names
    for p in kw:
        required = _schema.camel(p.name) in schema.get("required", [])
        assert (p.default is inspect.Parameter.empty) == required, p.name
    positional = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    assert len(positional) == (0 if tool["inputs"]["kind"] == "none" else 1)
    if tool["availability"]["state"] != "ready":
        return
    settings = {_schema.snake(k): v for k, v in working_settings(tool).items()}
    ins = inputs_for(tool)
    args = [] if tool["inputs"]["kind"] == "none" else [ins[0] if tool["inputs"]["kind"] == "one" else ins]
    check_output(tool, fn(*args, **settings))


@pytest.mark.parametrize("tool", [t for t in TOOLS if t["settingsSchema"].get("required")], ids=lambda t: t["id"])
def test_missing_required_setting_names_the_field(tool):
    required = tool["settingsSchema"]["required"]
    settings = minimal_settings(tool["settingsSchema"])
    del settings[required[0]]
    with pytest.raises(ashim.InvalidSettingsError) as info:
        ashim.run(tool["id"], inputs_for(tool) or None, **settings)
    assert info.value.code == "invalid_settings"
    assert any(f["path"] == required[0] for f in info.value.fields)
