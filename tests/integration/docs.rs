//! The documentation against the built binary: every `parallax` command line in a fenced
//! code block of `README.md` and `docs/*.md` names a command that exists (its `--help` exits
//! 0), and every flag on the line is one that command's `--help` defines. A flag renamed or
//! removed in the code fails here, not in a reader's terminal.
//!
//! Parsing is deliberately simple: a line (or each part of it between `&&`, `|` and `;`)
//! that starts with `parallax ` or `target/release/parallax `, after any `NAME=value`
//! environment settings, with a trailing `# comment` cut off. Lines with shell
//! substitutions (`$(...)`, `${...}`, backticks) are skipped.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use crate::common;

/// `README.md` and every markdown file under `docs/`, in a stable order.
fn doc_files() -> Vec<PathBuf> {
    let root = common::root();
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("a docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The words after `parallax` of each command line in the text's fenced code blocks, with
/// the 1-based line number.
fn command_lines(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block || ["$(", "${", "`"].iter().any(|s| trimmed.contains(s)) {
            continue;
        }
        let code = match trimmed.find(" #") {
            Some(at) => &trimmed[..at],
            None => trimmed,
        };
        for part in code.split("&&").flat_map(|p| p.split(['|', ';'])) {
            let mut words = part.split_whitespace().skip_while(|w| is_env_setting(w));
            if let Some("parallax" | "target/release/parallax") = words.next() {
                out.push((n + 1, words.map(str::to_owned).collect()));
            }
        }
    }
    out
}

/// `NAME=value` before a command, as in `PARALLAX_MODELS=/models parallax ...`.
fn is_env_setting(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The `--help` of one command path, or `None` when it does not exit 0.
fn help(path: &[String]) -> Option<String> {
    let out = common::parallax()
        .args(path)
        .arg("--help")
        .output()
        .expect("the binary runs");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The flags a help text defines: the `-x` and `--name` that open its option lines
/// ("  -f, --format <FORMAT>", "      --ratio <R>", "  -v, --verbose...").
fn defined_flags(help: &str) -> BTreeSet<String> {
    let mut flags = BTreeSet::new();
    for line in help.lines() {
        let line = line.trim_start();
        if !line.starts_with('-') {
            continue;
        }
        for word in line.split_whitespace() {
            let word = word.trim_end_matches(',').trim_end_matches("...");
            if !word.starts_with('-') {
                break;
            }
            if is_flag(word) {
                flags.insert(word.to_owned());
            }
        }
    }
    flags
}

/// `-x` or `--some-name` (not `-`, `--` or a negative number).
fn is_flag(word: &str) -> bool {
    let name = word
        .strip_prefix("--")
        .or_else(|| word.strip_prefix('-').filter(|n| n.chars().count() == 1));
    name.is_some_and(|n| {
        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

/// The command a line runs (`["eval", "stories"]`): its first word, and each next one while
/// the command so far has subcommands. Returns the path with its help, or the path whose
/// `--help` failed.
fn resolve(
    words: &[String],
    cache: &mut HashMap<Vec<String>, Option<String>>,
) -> Result<(Vec<String>, String), Vec<String>> {
    let mut path: Vec<String> = Vec::new();
    let mut help_of = |path: &Vec<String>| {
        cache
            .entry(path.clone())
            .or_insert_with_key(|p| help(p.as_slice()))
            .clone()
            .ok_or_else(|| path.clone())
    };
    let mut current = help_of(&path)?;
    for word in words {
        let is_word = !word.starts_with('-')
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !is_word || !current.contains("\nCommands:\n") {
            break;
        }
        path.push(word.clone());
        current = help_of(&path)?;
    }
    Ok((path, current))
}

#[test]
fn every_documented_command_and_flag_exists() {
    let mut cache = HashMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut readme_lines = 0;
    for file in doc_files() {
        let text = std::fs::read_to_string(&file).expect("a readable doc");
        let name = file
            .strip_prefix(common::root())
            .unwrap_or(&file)
            .display()
            .to_string();
        for (n, words) in command_lines(&text) {
            checked += 1;
            if name == "README.md" {
                readme_lines += 1;
            }
            let (path, help) = match resolve(&words, &mut cache) {
                Ok(found) => found,
                Err(path) => {
                    problems.push(format!(
                        "{name}:{n}: `parallax {}`: no such command (its --help fails)",
                        path.join(" ")
                    ));
                    continue;
                }
            };
            let flags = defined_flags(&help);
            for word in &words {
                if word == "--" {
                    break;
                }
                let flag = word.split_once('=').map_or(word.as_str(), |(f, _)| f);
                if is_flag(flag) && !flags.contains(flag) {
                    problems.push(format!(
                        "{name}:{n}: `parallax {}` has no {flag} (not in its --help)",
                        path.join(" ")
                    ));
                }
            }
        }
    }
    assert!(
        readme_lines >= 5 && checked >= 30,
        "only {checked} command lines found ({readme_lines} in README.md): is the parser broken?"
    );
    assert!(
        problems.is_empty(),
        "{} problem(s) in the docs:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_parser_reads_what_the_docs_write() {
    let text = "intro\n```sh\nparallax compare a.txt --group-by country -f json   # note\n\
PARALLAX_MODELS=/m target/release/parallax models list --json\n\
parallax stories f.jsonl --annotate -o x.jsonl && parallax batch x.jsonl --task compare\n\
echo $(parallax --version)\nmake demo\n```\nparallax outside --a-block\n";
    let lines = command_lines(text);
    let words: Vec<Vec<&str>> = lines
        .iter()
        .map(|(_, w)| w.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        words,
        vec![
            vec!["compare", "a.txt", "--group-by", "country", "-f", "json"],
            vec!["models", "list", "--json"],
            vec!["stories", "f.jsonl", "--annotate", "-o", "x.jsonl"],
            vec!["batch", "x.jsonl", "--task", "compare"],
        ]
    );
    assert_eq!(lines[0].0, 3);
    let flags = defined_flags(
        "Options:\n  -f, --format <FORMAT>\n          Output\n      --ratio <R>\n  -v, --verbose...  More\n          - for stdin\n",
    );
    let want: BTreeSet<String> = ["-f", "--format", "--ratio", "-v", "--verbose"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(flags, want);
    assert!(!is_flag("-") && !is_flag("--") && !is_flag("-5") && is_flag("--max-chars"));
}
