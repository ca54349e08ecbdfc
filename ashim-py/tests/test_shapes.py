"""Specific behaviour of each output shape, input kind, error mapping and the GIL."""

from __future__ import annotations

import inspect
import io
import json
import pathlib
import threading
import time

import numpy as np
import pytest

import ashim
from conftest import FIXTURES, has_magic

PNG = FIXTURES / "test-200x150.png"
JPG = FIXTURES / "test-100x100.jpg"


def test_resize_from_path_bytes_str_file_and_output():
    expected = (100, 75)
    for value in (PNG, str(PNG), PNG.read_bytes(), bytearray(PNG.read_bytes()), io.BytesIO(PNG.read_bytes())):
        out = ashim.resize(value, width=100)
        assert (out.width, out.height) == expected
        assert out.format == "png" and has_magic(out.data, "png")
    named = ashim.resize(PNG, width=100)
    assert named.name == "test-200x150.png"
    again = ashim.resize(named, width=50)
    assert (again.width, again.height, again.name) == (50, 38, "test-200x150.png")


def test_signature_is_keyword_only_and_mapped_to_camel_case():
    sig = inspect.signature(ashim.resize)
    assert sig.parameters["input"].kind is inspect.Parameter.POSITIONAL_ONLY
    assert sig.parameters["without_enlargement"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["without_enlargement"].default is False
    out = ashim.resize(JPG, width=300, without_enlargement=True)
    assert (out.width, out.height) == (100, 100)
    with pytest.raises(TypeError):
        ashim.resize(JPG, widht=10)
    with pytest.raises(TypeError):
        ashim.resize(JPG, 10)
    with pytest.raises(TypeError):
        ashim.run("resize", JPG, widht=10)


def test_run_accepts_snake_and_camel_case():
    a = ashim.run("resize", JPG, width=300, without_enlargement=True)
    b = ashim.run("resize", JPG, width=300, withoutEnlargement=True)
    assert a.data == b.data and a.width == 100


def test_convert_jpeg_and_save(tmp_path: pathlib.Path):
    out = ashim.convert(PNG, format="jpg", quality=70)
    assert out.format == "jpeg" and out.mime_type == "image/jpeg" and has_magic(out.data, "jpeg")
    assert out.name == "test-200x150.jpg"
    path = out.save(tmp_path)
    assert path == tmp_path / "test-200x150.jpg" and path.read_bytes() == out.data
    explicit = out.save(tmp_path / "x.jpg")
    assert explicit.read_bytes()[:3] == b"\xff\xd8\xff"
    assert bytes(out) == out.data


def test_numpy_in_and_out():
    pixels = np.zeros((30, 40, 3), dtype=np.uint8)
    pixels[:, :20] = (255, 0, 0)
    out = ashim.resize(pixels, width=20)
    assert (out.width, out.height, out.format) == (20, 15, "png")
    back = out.to_numpy()
    assert back.shape == (15, 20, 3) and back.dtype == np.uint8
    assert tuple(back[7, 2]) == (255, 0, 0) and tuple(back[7, 17]) == (0, 0, 0)
    rgba = np.full((10, 12, 4), 200, dtype=np.uint8)
    assert ashim.rotate(rgba, angle=90).to_numpy().shape == (12, 10, 4)
    grey = np.arange(64, dtype=np.uint8).reshape(8, 8)
    assert ashim.convert(grey, format="png").to_numpy()[:, :, 0].tolist() == grey.tolist()
    view = np.ascontiguousarray(np.zeros((20, 20, 3), dtype=np.uint8))[::2, ::2]  # strided
    assert ashim.resize(view, width=5).height == 5
    with pytest.raises(TypeError):
        ashim.resize(np.zeros((4, 4, 3), dtype=np.float32), width=2)


def test_numpy_pipeline_is_lossless():
    pixels = np.random.default_rng(1).integers(0, 255, (16, 24, 3), dtype=np.uint8)
    out = ashim.pipeline([("rotate", {"angle": 180}), ("rotate", {"angle": 180})], pixels)
    assert out.format == "png"
    assert np.array_equal(out.to_numpy(), pixels)


def test_zero_input_tool_qr_generate():
    out = ashim.qr_generate(text="https://example.com/ashim", size=300)
    assert (out.width, out.height, out.format) == (300, 300, "png")
    px = out.to_numpy()
    assert px.min() == 0 and px.max() == 255  # black modules on white
    assert "text" in inspect.signature(ashim.qr_generate).parameters
    with pytest.raises(ashim.InvalidSettingsError):
        ashim.qr_generate(text="")


def test_files_output_split(tmp_path: pathlib.Path):
    out = ashim.split(PNG, columns=2, rows=2, output_format="jpg")
    assert out.kind == "files" and out.data is None and out.json is None
    assert [f.name for f in out.files] == [f"test-200x150_r{r}_c{c}.jpg" for r in (1, 2) for c in (1, 2)]
    assert all(f.mime_type == "image/jpeg" and f.data[:3] == b"\xff\xd8\xff" for f in out.files)
    assert out.files[0].to_numpy().shape == (75, 100, 3)
    written = out.save(tmp_path / "tiles")
    assert sorted(p.name for p in written) == sorted(f.name for f in out.files)
    with pytest.raises(ValueError):
        out.to_numpy()


def test_many_inputs_stitch():
    out = ashim.stitch([PNG, PNG], direction="vertical", format="jpeg")
    assert out.format == "jpeg" and (out.width, out.height) == (200, 300)
    with pytest.raises(ashim.InvalidInputError) as info:
        ashim.stitch([PNG])
    assert info.value.code == "invalid_input"


def test_json_output_info(tmp_path: pathlib.Path):
    out = ashim.info(PNG)
    assert out.kind == "json" and out.data is None
    assert (out.json["width"], out.json["height"], out.json["format"]) == (200, 150, "png")
    saved = out.save(tmp_path / "info.json")
    assert json.loads(saved.read_text())["width"] == 200


def test_pipeline_forms():
    steps = [{"toolId": "resize", "settings": {"width": 50}}, ("convert", {"format": "webp"})]
    out = ashim.pipeline(steps, PNG)
    assert (out.format, out.width, out.height) == ("webp", 50, 38) and out.data[8:12] == b"WEBP"
    report = ashim.pipeline([{"tool_id": "rotate", "settings": {"angle": 90}}, "info"], PNG)
    assert (report.json["width"], report.json["height"]) == (150, 200)
    with pytest.raises(ashim.InvalidInputError, match="Step 1"):
        ashim.pipeline(["info", "resize"], PNG)


def test_errors_map_to_subclasses_with_code_and_fields():
    assert set(ashim.ERRORS) >= {"invalid_settings", "invalid_input", "unknown_format", "unknown_tool", "internal"}
    for code, cls in ashim.ERRORS.items():
        assert issubclass(cls, ashim.AshimError) and cls.code == code
    with pytest.raises(ashim.InvalidSettingsError) as info:
        ashim.resize(PNG, width=0)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.code == "invalid_settings"
    assert err.fields == [{"path": "width", "message": "must be at least 1"}]
    assert "width" in str(err)
    with pytest.raises(ashim.UnknownFormatError) as info2:
        ashim.resize(b"definitely not an image", width=10)
    assert info2.value.code == "unknown_format" and info2.value.fields == []
    with pytest.raises(ashim.UnknownToolError):
        ashim.run("no-such-tool", PNG)
    with pytest.raises(ashim.UnprocessableError):
        ashim.crop(PNG, left=190, top=0, width=50, height=50)
    with pytest.raises(FileNotFoundError):
        ashim.resize(FIXTURES / "missing.png", width=1)
    with pytest.raises(TypeError):
        ashim.resize(12345, width=1)


def test_gil_is_released_during_image_work():
    big = ashim.resize(JPG, width=3000).data  # 3000x3000 JPEG
    done = threading.Event()
    timing = {}

    def work():
        t0 = time.perf_counter()
        ashim.pipeline([("rotate", {"angle": 33}), ("convert", {"format": "png"})], big)
        timing["call"] = time.perf_counter() - t0
        done.set()

    worker = threading.Thread(target=work)
    last = time.perf_counter()
    max_gap = 0.0
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        max_gap = max(max_gap, now - last)
        last = now
    worker.join()
    # With the GIL held for the whole call this thread would stall for about the call's
    # duration; with it released, it keeps running (gaps of a switch interval or so).
    assert timing["call"] > 0.05, "the call was too quick to tell"
    assert max_gap < 0.5 * timing["call"], (max_gap, timing["call"])


LOGO = FIXTURES / "test-50x50.webp"


def test_watermark_image_takes_the_named_slot_by_keyword():
    sig = inspect.signature(ashim.watermark_image)
    assert sig.parameters["watermark"].kind is inspect.Parameter.KEYWORD_ONLY
    out = ashim.watermark_image(PNG, watermark=LOGO)
    assert out.kind == "image" and (out.width, out.height) == (200, 150)
    assert has_magic(out.data, out.format) and out.extra == {}
    before = ashim.resize(PNG, width=200).to_numpy()
    assert (out.to_numpy() != before).any(), "the watermark changed no pixel"
    by_id = ashim.run("watermark-image", PNG, watermark=LOGO.read_bytes())
    assert (by_id.width, by_id.height) == (200, 150)


def test_missing_named_slot_is_invalid_input_naming_it():
    with pytest.raises(ashim.InvalidInputError) as info:
        ashim.watermark_image(PNG)
    assert info.value.code == "invalid_input"
    assert "watermark" in info.value.message
    with pytest.raises(ashim.InvalidInputError, match="watermark"):
        ashim.run("watermark-image", PNG)


def test_sub_route_is_a_function_returning_its_report():
    assert ashim.TOOL_FUNCTIONS["strip_metadata_inspect"] == "strip-metadata/inspect"
    out = ashim.strip_metadata_inspect(FIXTURES / "test-with-exif.jpg")
    assert out.kind == "json" and isinstance(out.json, dict)
    assert out.json["filename"] == "test-with-exif.jpg"
    assert ashim.run("strip-metadata/inspect", JPG).json["filename"] == "test-100x100.jpg"
