#!/usr/bin/env python3
"""Builds the committed fixtures of the Hugging Face Hub tests (run once; the outputs are
committed, and the tests need no Python):

  tests/fixtures/nli-bart-bin/pytorch_model.bin
      tests/fixtures/nli-bart's weights in PyTorch's `torch.save` format (the zip of
      data.pkl + raw storages that `pytorch_model.bin` files on the Hub are), written with
      the standard library's pickle so that the format, not a library, is what the test
      pins. (torch.load reads it; parallax converts it with libtorch's unpickler.)

  tests/fixtures/hf-cache/
      a Hub cache written by Python's huggingface_hub itself: `snapshot_download` of the
      nli-bart fixture from a local server that answers the Hub's routes, so the test
      reads the layout exactly as the Python client leaves it (refs/, blobs/ named by
      etag, snapshots/ of relative symlinks).

Usage: python3 -m venv /tmp/v && /tmp/v/bin/pip install huggingface_hub
       /tmp/v/bin/python scripts/make_hub_fixtures.py
"""

import collections
import hashlib
import http.server
import json
import os
import pickle
import shutil
import struct
import sys
import threading
import types
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = os.path.join(ROOT, "tests", "fixtures", "nli-bart")
COMMIT = "5f0c3a4e6b1d2c7e8f9a0b1c2d3e4f5a6b7c8d9e"
REPO = "fixture-org/nli-bart"


def read_safetensors(path):
    """name -> (dtype, shape, raw bytes), in file order."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = collections.OrderedDict()
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        a, b = meta["data_offsets"]
        out[name] = (meta["dtype"], meta["shape"], data[a:b])
    return out


# torch's names, without torch: pickle refers to classes and functions by module and name.
torch_mod = types.ModuleType("torch")
utils_mod = types.ModuleType("torch._utils")


def _rebuild_tensor_v2(*args):
    raise RuntimeError("only pickled, never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
utils_mod._rebuild_tensor_v2 = _rebuild_tensor_v2
STORAGES = {
    "F32": "FloatStorage",
    "F64": "DoubleStorage",
    "F16": "HalfStorage",
    "BF16": "BFloat16Storage",
    "I64": "LongStorage",
    "I32": "IntStorage",
    "U8": "ByteStorage",
    "BOOL": "BoolStorage",
}
for cls_name in STORAGES.values():
    cls = type(cls_name, (), {"__module__": "torch"})
    setattr(torch_mod, cls_name, cls)
torch_mod._utils = utils_mod
sys.modules["torch"] = torch_mod
sys.modules["torch._utils"] = utils_mod


class Storage:
    def __init__(self, key, dtype, numel):
        self.key, self.cls, self.numel = key, getattr(torch_mod, STORAGES[dtype]), numel


class Tensor:
    def __init__(self, storage, shape):
        self.storage, self.shape = storage, tuple(shape)

    def __reduce__(self):
        stride, step = [], 1
        for d in reversed(self.shape):
            stride.insert(0, step)
            step *= d
        return (
            _rebuild_tensor_v2,
            (self.storage, 0, self.shape, tuple(stride), False, collections.OrderedDict()),
        )


class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", obj.cls, obj.key, "cpu", obj.numel)
        return None


def write_torch_bin(tensors, path):
    state = collections.OrderedDict()
    blobs = []
    sizes = {"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "U8": 1, "BOOL": 1}
    for i, (name, (dtype, shape, raw)) in enumerate(tensors.items()):
        storage = Storage(str(i), dtype, len(raw) // sizes[dtype])
        state[name] = Tensor(storage, shape)
        blobs.append((str(i), raw))
    import io

    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(state)
    # Fixed timestamps, so that a rerun writes the same bytes.
    def entry(name):
        return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(entry("archive/data.pkl"), buf.getvalue())
        z.writestr(entry("archive/byteorder"), "little")
        for key, raw in blobs:
            z.writestr(entry(f"archive/data/{key}"), raw)
        z.writestr(entry("archive/version"), "3\n")


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def serve(files):
    """A local server answering the Hub routes huggingface_hub uses."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_file(self, head):
            prefix = f"/{REPO}/resolve/"
            rest = self.path[len(prefix):].split("/", 1)
            if not self.path.startswith(prefix) or len(rest) != 2 or rest[1] not in files:
                self.send_error(404)
                return
            data = files[rest[1]]
            lfs = rest[1].endswith((".safetensors", ".bin"))
            etag = hashlib.sha256(data).hexdigest() if lfs else git_blob_sha1(data)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", f'"{etag}"')
            if lfs:
                self.send_header("X-Linked-Etag", f'"{etag}"')
                self.send_header("X-Linked-Size", str(len(data)))
            self.send_header("X-Repo-Commit", COMMIT)
            self.end_headers()
            if not head:
                self.wfile.write(data)

        def do_HEAD(self):
            self.send_file(True)

        def do_GET(self):
            if self.path.startswith(f"/api/models/{REPO}/tree/"):
                entries = []
                for name, data in sorted(files.items()):
                    entry = {"type": "file", "path": name, "size": len(data),
                             "oid": git_blob_sha1(data)}
                    if name.endswith((".safetensors", ".bin")):
                        entry["lfs"] = {"size": len(data), "oid": hashlib.sha256(data).hexdigest(),
                                        "pointerSize": 130}
                    entries.append(entry)
                self.send_json(entries)
                return
            if self.path.startswith(f"/api/models/{REPO}"):
                siblings = [{"rfilename": f} for f in sorted(files)]
                self.send_json({"id": REPO, "sha": COMMIT, "siblings": siblings})
                return
            self.send_file(False)

        def send_json(self, value):
            body = json.dumps(value).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    out_bin = os.path.join(ROOT, "tests", "fixtures", "nli-bart-bin")
    os.makedirs(out_bin, exist_ok=True)
    write_torch_bin(
        read_safetensors(os.path.join(SOURCE, "model.safetensors")),
        os.path.join(out_bin, "pytorch_model.bin"),
    )

    files = {}
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        with open(os.path.join(SOURCE, name), "rb") as f:
            files[name] = f.read()
    server = serve(files)
    cache = os.path.join(ROOT, "tests", "fixtures", "hf-cache")
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    import huggingface_hub

    path = huggingface_hub.snapshot_download(
        REPO,
        cache_dir=cache,
        endpoint=f"http://127.0.0.1:{server.server_address[1]}",
    )
    server.shutdown()
    print(f"huggingface_hub {huggingface_hub.__version__} wrote {path}")


if __name__ == "__main__":
    main()
