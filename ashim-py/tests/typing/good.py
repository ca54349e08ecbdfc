"""Type-checked with mypy against the generated stubs (tests/test_stubs.py)."""

import pathlib

import ashim

out: ashim.Output = ashim.resize(pathlib.Path("photo.jpg"), width=800, fit="inside")
size: int = (out.width or 0) + (out.height or 0)
qr = ashim.qr_generate(text="https://example.com", error_correction="H", size=300)
tiles = ashim.split(b"...", columns=2, output_format="webp")
names = [f.name for f in tiles.files or []]
both = ashim.stitch([out, qr], direction="grid", grid_columns=2)
report = ashim.pipeline([("resize", {"width": 10}), "info"], both).json
try:
    ashim.crop(out, left=0, top=0, width=10, height=10, unit="percent")
except ashim.InvalidSettingsError as e:
    code: str = e.code
marked: ashim.Output = ashim.watermark_image(out, watermark=pathlib.Path("logo.png"), opacity=50)
inspected = ashim.strip_metadata_inspect(b"...")
filename: str = inspected.json["filename"]
