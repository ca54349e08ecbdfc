#!/usr/bin/env python3
"""Check that every ashim version agrees with the one source, the workspace version.

The source is ``[workspace.package] version`` in the root Cargo.toml. Checked against it:
every workspace crate (``version.workspace = true`` or the same value), versioned path
dependencies in ``[workspace.dependencies]``, ashim-py/pyproject.toml (the version must be
``dynamic``, so maturin takes the crate's), ashim-node/package.json and package-lock.json,
and any built artefacts named on the command line::

    scripts/check-versions.py [ashim-*.whl] [ashim-*.tar.gz] [ashim-core-*.tgz] [*.crate]

(wheel: file name and METADATA; sdist: PKG-INFO; npm tarball: package.json; crate:
Cargo.toml). Exit status 1 with one line per disagreement.
"""

from __future__ import annotations

import email.parser
import json
import pathlib
import re
import sys
import tarfile
import tomllib
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def pep440(cargo_version: str) -> str:
    """The Python spelling of a Cargo (semver) version, as maturin writes it."""
    m = re.fullmatch(r"(\d+\.\d+\.\d+)(?:-(alpha|beta|rc)\.?(\d+))?", cargo_version)
    if not m:
        raise SystemExit(f"check-versions: cannot map Cargo version {cargo_version!r} to PEP 440")
    base, pre, n = m.groups()
    return base + ({"alpha": "a", "beta": "b", "rc": "rc"}[pre] + n if pre else "")


def metadata_version(text: str) -> str:
    return email.parser.Parser().parsestr(text, headersonly=True)["Version"]


def artefact_version(path: pathlib.Path) -> tuple[str, str]:
    """(version found, kind) of a built wheel, sdist, npm tarball or crate."""
    name = path.name
    if name.endswith(".whl"):
        with zipfile.ZipFile(path) as z:
            meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
            inner = metadata_version(z.read(meta).decode())
        file_version = name.split("-")[1]
        if file_version != inner:
            raise SystemExit(f"check-versions: {name}: file name says {file_version}, METADATA {inner}")
        return inner, "python"
    if name.endswith(".tar.gz"):
        with tarfile.open(path) as t:
            info = next(m for m in t.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
            return metadata_version(t.extractfile(info).read().decode()), "python"
    if name.endswith(".tgz"):
        with tarfile.open(path) as t:
            return json.load(t.extractfile("package/package.json"))["version"], "cargo"
    if name.endswith(".crate"):
        with tarfile.open(path) as t:
            info = next(m for m in t.getmembers() if m.name.count("/") == 1 and m.name.endswith("/Cargo.toml"))
            return tomllib.loads(t.extractfile(info).read().decode())["package"]["version"], "cargo"
    raise SystemExit(f"check-versions: unknown artefact kind: {path}")


def main(argv: list[str]) -> int:
    root_manifest = tomllib.loads((ROOT / "Cargo.toml").read_text())
    version = root_manifest["workspace"]["package"]["version"]
    expected = {"cargo": version, "python": pep440(version)}
    errors: list[str] = []
    checked: list[str] = []

    def check(what: str, found: object, kind: str = "cargo") -> None:
        checked.append(what)
        if found != expected[kind]:
            errors.append(f"{what}: {found!r}, but the workspace version is {expected[kind]!r}")

    for member in root_manifest["workspace"]["members"]:
        package = tomllib.loads((ROOT / member / "Cargo.toml").read_text())["package"]
        v = package.get("version")
        if v == {"workspace": True}:
            checked.append(f"{member}/Cargo.toml (version.workspace)")
        else:
            check(f"{member}/Cargo.toml version", v)
    for dep, spec in root_manifest["workspace"].get("dependencies", {}).items():
        if isinstance(spec, dict) and "path" in spec and "version" in spec:
            check(f"Cargo.toml [workspace.dependencies] {dep}", spec["version"].lstrip("=^"))

    project = tomllib.loads((ROOT / "ashim-py/pyproject.toml").read_text())["project"]
    if "version" in project:
        check("ashim-py/pyproject.toml version", project["version"], "python")
    elif "version" not in project.get("dynamic", []):
        errors.append("ashim-py/pyproject.toml: no version and `version` not dynamic")
    else:
        checked.append("ashim-py/pyproject.toml (dynamic: from Cargo)")

    check("ashim-node/package.json version", json.loads((ROOT / "ashim-node/package.json").read_text())["version"])
    lock_path = ROOT / "ashim-node/package-lock.json"
    if lock_path.exists():
        lock = json.loads(lock_path.read_text())
        check("ashim-node/package-lock.json version", lock.get("version"))
        check('ashim-node/package-lock.json packages[""].version', lock.get("packages", {}).get("", {}).get("version"))

    for arg in argv:
        found, kind = artefact_version(pathlib.Path(arg))
        check(pathlib.Path(arg).name, found, kind)

    for e in errors:
        print(f"check-versions: {e}", file=sys.stderr)
    if not errors:
        print(f"check-versions: {len(checked)} places agree on {version} (Python {expected['python']})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
