"""The install takes what the lock files pin and nothing else, whatever the registries publish
after the lock was made: a fresh virtual environment from requirements.lock (tools/venv.sh, as
`make` runs it) and node_modules from package-lock.json (npm ci, as `make` runs it)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

from conftest import ROOT

LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)", re.M)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_python() -> dict[str, str]:
    return {canonical(n): v for n, v in LOCKED.findall((ROOT / "requirements.lock").read_text(encoding="utf-8"))}


def newer_release(folder: Path, name: str, version: str) -> Path:
    """A valid wheel of `name` at `version`, as if it had just been published: a find-links
    folder with it stands in for a package index that has moved on since the lock was made."""
    dist = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": b"raise ImportError('not the locked release')\n",
             f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
             f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
                     for path, data in files.items()) + f"{dist}/RECORD,,\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in {**files, f"{dist}/RECORD": record.encode()}.items():
            archive.writestr(path, data)
    return wheel


def test_a_fresh_environment_holds_exactly_the_locked_releases(tmp_path):
    locked = locked_python()
    assert {"fonttools", "weasyprint", "mkdocs-material", "setuptools"} <= set(locked)
    index = tmp_path / "index"
    index.mkdir()
    newer_release(index, "fonttools", "99.0.0")  # weasyprint asks for fonttools[woff]>=4.59.2
    venv = tmp_path / "venv"
    env = dict(os.environ, PIP_FIND_LINKS=str(index), PIP_NO_COMPILE="1")
    subprocess.run(["bash", str(ROOT / "tools" / "venv.sh"), str(venv)], check=True, env=env,
                   capture_output=True, text=True)
    python = str(venv / "bin" / "python")
    installed = json.loads(subprocess.run(
        [python, "-c", "import importlib.metadata as m, json; "
                       "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"],
        check=True, capture_output=True, text=True).stdout)
    installed = {canonical(n): v for n, v in installed.items()}
    assert installed.pop("ensamkommande-guide") == "0.1.0"
    assert installed.pop("pip")  # the installer Python's venv brings; it resolves nothing here
    wrong = {n: (v, locked.get(n)) for n, v in installed.items() if locked.get(n) != v}
    assert wrong == {}, f"installed, not as locked: {wrong}"
    assert set(locked) == set(installed), f"locked, not installed: {set(locked) - set(installed)}"
    assert installed["fonttools"] != "99.0.0"
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def installed_packages(node_modules: Path):
    """Every package folder npm made: node_modules/<name>, node_modules/@scope/<name>, and the
    same inside a package's own node_modules."""
    for entry in sorted(node_modules.iterdir()):
        if entry.name.startswith("."):  # .bin, .package-lock.json
            continue
        for package in sorted(entry.iterdir()) if entry.name.startswith("@") else [entry]:
            if (package / "package.json").is_file():
                yield package
            if (package / "node_modules").is_dir():
                yield from installed_packages(package / "node_modules")


def test_node_modules_hold_exactly_the_locked_packages():
    """What npm ci installed from package-lock.json: every package at its locked version, and
    no package that the lock does not name (optional packages for other systems are absent)."""
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    packages = {path: entry for path, entry in lock["packages"].items() if path}
    present = {p.relative_to(ROOT).as_posix(): json.loads((p / "package.json").read_text(encoding="utf-8")).get("version")
               for p in installed_packages(ROOT / "node_modules")}
    assert len(present) > 500
    unlocked = sorted(set(present) - set(packages))
    assert unlocked == [], f"installed, not in package-lock.json: {unlocked[:10]}"
    wrong = {p: (present[p], packages[p]["version"]) for p in present if present[p] != packages[p]["version"]}
    assert wrong == {}, f"installed, not as locked: {wrong}"
    missing = [p for p, e in packages.items() if p not in present and not e.get("optional") and not e.get("link")]
    assert missing == [], f"locked, not installed: {missing[:10]}"
