//! Build guard and rpath.
//!
//! libtorch comes from the PyPI torch wheel that `scripts/setup.sh` installs. Two things
//! are done here so that a newcomer never meets a wall of linker errors or a binary that
//! needs `LD_LIBRARY_PATH`:
//! 1. the libtorch location is checked, and a missing one names the set-up command;
//! 2. an rpath to the real `torch/lib` is added, so `target/release/parallax` runs as is.

use std::env;
use std::path::{Path, PathBuf};

const SETUP_HINT: &str =
    "run `scripts/setup.sh` (or `make setup`) first: it installs libtorch 2.4.0 \
from the PyPI torch wheel into .venv-torch and links it under .libtorch/";

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-env-changed=LIBTORCH_USE_PYTORCH");
    println!("cargo:rerun-if-env-changed=PARALLAX_TORCH_LIB");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let torch = match env::var_os("LIBTORCH") {
        Some(p) => PathBuf::from(p),
        None => manifest_dir.join(".libtorch/torch"),
    };
    // With LIBTORCH_USE_PYTORCH=1 (GPU builds) torch-sys asks Python where torch is;
    // the set-up script still links that same torch under .libtorch/torch.
    let lib = env::var_os("PARALLAX_TORCH_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| torch.join("lib"));
    if !has_libtorch(&lib) {
        eprintln!(
            "\nerror: libtorch was not found at {}\n  {SETUP_HINT}\n",
            lib.display()
        );
        panic!("libtorch not found at {}: {SETUP_HINT}", lib.display());
    }
    let real = lib.canonicalize().unwrap_or(lib);
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", real.display());
    println!("cargo:rustc-env=PARALLAX_LIBTORCH_LIB={}", real.display());
}

fn has_libtorch(lib: &Path) -> bool {
    lib.join("libtorch_cpu.so").exists() || lib.join("libtorch_cpu.dylib").exists()
}
