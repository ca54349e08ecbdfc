#!/usr/bin/env bash
# Validate the OpenAPI document served by a running ashim-server with the PyPI package
# `openapi-spec-validator` (installed into a venv under target/, once).
#
#   ashim-server/scripts/validate-openapi.sh [BASE_URL]      (default http://127.0.0.1:1349)
#
# Both /api/v1/openapi.json and /api/v1/openapi.yaml are fetched and validated, and the two
# must describe the same document.
set -euo pipefail
base="${1:-http://127.0.0.1:1349}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/target/openapi-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "openapi-spec-validator>=0.7,<0.9"
fi
"$venv/bin/python" - "$base" <<'PY'
import json, sys, urllib.request
import yaml
from openapi_spec_validator import validate

base = sys.argv[1].rstrip("/")
def fetch(path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.read().decode("utf-8")

doc = json.loads(fetch("/api/v1/openapi.json"))
validate(doc)
ydoc = yaml.safe_load(fetch("/api/v1/openapi.yaml"))
validate(ydoc)
if ydoc != doc:
    sys.exit("openapi.yaml and openapi.json differ")
print(f"OpenAPI {doc['openapi']} valid: {len(doc['paths'])} paths, "
      f"{len(doc['components']['schemas'])} schemas (JSON and YAML agree)")
PY
