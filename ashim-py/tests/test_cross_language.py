"""The same pipeline on the same fixture gives the same bytes in Rust, Python and Node.

The digest is asserted by `cross_language_digest` in ashim-py/src/engine.rs (Rust) and by
ashim-node/__test__/cross-language.test.js (Node)."""

import hashlib
import json

import ashim
from conftest import FIXTURES

STEPS = json.loads(
    '[{"toolId": "resize", "settings": {"width": 64}},'
    ' {"toolId": "rotate", "settings": {"angle": 90}},'
    ' {"toolId": "convert", "settings": {"format": "png"}}]'
)
DIGEST = "ee2a4df4e2290a7eb319803fa667329124d2eb318a064d69122b3c17cdf93b1b"


def test_pipeline_digest_matches_rust_and_node():
    out = ashim.pipeline(STEPS, FIXTURES / "test-portrait.jpg")
    assert out.data[:4] == b"\x89PNG"
    assert hashlib.sha256(out.data).hexdigest() == DIGEST
