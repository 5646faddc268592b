//! `-o` through the built binary: the file a user names is written without destroying
//! what the name held. A device stays a device, a symlink stays a link (its target is
//! written), a regular file is replaced whole with its permissions kept, and an output that
//! is one of the command's own inputs, however it is spelled, is refused before anything is
//! read or written. `batch` reads an input that cannot be read twice (a pipe, a FIFO) once.
//! Devices and links are made in each test's own folder, never the system's /dev.

use std::fs;
use std::os::unix::fs::{symlink, FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{assert_clean_failure, assert_success, parallax, shared_data, stdout_of};

/// A copy of the seed article in `dir`, as `a.txt`: the input each test guards.
fn article(dir: &Path) -> PathBuf {
    let p = dir.join("a.txt");
    fs::write(&p, fs::read(shared_data("seed-article.txt")).unwrap()).unwrap();
    p
}

/// The first `n` records of the coverage corpus (`id`, `text`, `event`, ...) in `dir`.
fn corpus(dir: &Path, n: usize) -> PathBuf {
    let text: String = fs::read_to_string(shared_data("coverage-dev.jsonl"))
        .unwrap()
        .lines()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect();
    let p = dir.join("in.jsonl");
    fs::write(&p, text).unwrap();
    p
}

fn summarize(input: &Path, output: &Path) -> std::process::Output {
    parallax()
        .args(["summarize", "--threads", "2", "-n", "2"])
        .arg(input)
        .arg("-o")
        .arg(output)
        .output()
        .unwrap()
}

/// The summary on stdout, to compare what `-o` wrote with.
fn summary_of(input: &Path) -> String {
    stdout_of(
        parallax()
            .args(["summarize", "--threads", "2", "-n", "2"])
            .arg(input)
            .output()
            .unwrap(),
    )
}

fn is_link(p: &Path) -> bool {
    fs::symlink_metadata(p).unwrap().file_type().is_symlink()
}

/// The same file under other names: the path itself, a symlink, a hard link and
/// `dir/../file`.
fn other_names(input: &Path) -> Vec<PathBuf> {
    let dir = input.parent().unwrap();
    let name = input.file_name().unwrap().to_string_lossy().into_owned();
    let link = dir.join(format!("link-{name}"));
    symlink(input, &link).unwrap();
    let hard = dir.join(format!("hard-{name}"));
    fs::hard_link(input, &hard).unwrap();
    let sub = dir.join("sub");
    fs::create_dir_all(&sub).unwrap();
    vec![input.to_path_buf(), link, hard, sub.join("..").join(&name)]
}

/// Runs `run` with each of `names` as the output and asserts every run is refused, names
/// the clash and the output, and leaves the input's bytes as they were.
fn assert_refused_for_every_name(
    input: &Path,
    names: &[PathBuf],
    run: impl Fn(&Path) -> std::process::Output,
) {
    let before = fs::read(input).unwrap();
    for name in names {
        let out = run(name);
        let stderr = assert_clean_failure(&out, &["same file", "elsewhere"]);
        assert!(
            stderr.contains(&name.display().to_string()),
            "the message names the output {}: {stderr}",
            name.display()
        );
        assert_eq!(
            fs::read(input).unwrap(),
            before,
            "-o {} changed the input",
            name.display()
        );
    }
}

#[test]
fn output_to_a_character_device_stays_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let input = article(dir.path());
    let dev = dir.path().join("null");
    // /dev/null's numbers; needs CAP_MKNOD, which containers and non-root users may lack.
    let made = std::process::Command::new("mknod")
        .arg(&dev)
        .args(["c", "1", "3"])
        .output();
    if !made.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!(
            "note: mknod is not permitted here ({}); skipping the device test",
            made.map(|o| String::from_utf8_lossy(&o.stderr).trim().to_string())
                .unwrap_or_else(|e| e.to_string())
        );
        return;
    }
    let out = summarize(&input, &dev);
    assert_success(&out);
    let kind = fs::symlink_metadata(&dev).unwrap().file_type();
    assert!(kind.is_char_device(), "-o replaced the device: {kind:?}");
    // Nothing temporary was left beside it: the input, the device.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn output_through_a_symlink_writes_its_target_and_the_link_stays() {
    let dir = tempfile::tempdir().unwrap();
    let input = article(dir.path());
    let expected = summary_of(&input);
    let real = dir.path().join("real.txt");
    fs::write(&real, "an older report\n").unwrap();
    let link = dir.path().join("link.txt");
    symlink("real.txt", &link).unwrap();
    assert_success(&summarize(&input, &link));
    assert!(is_link(&link));
    assert_eq!(fs::read_to_string(&real).unwrap(), expected);

    // A link to a file not written yet: the file appears where it points.
    let later = dir.path().join("later.txt");
    let dangling = dir.path().join("dangling.txt");
    symlink("later.txt", &dangling).unwrap();
    assert_success(&summarize(&input, &dangling));
    assert!(is_link(&dangling));
    assert_eq!(fs::read_to_string(&later).unwrap(), expected);
}

#[test]
fn a_regular_output_is_replaced_whole_keeping_its_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let input = article(dir.path());
    let expected = summary_of(&input);
    let output = dir.path().join("out.txt");
    // Longer than the summary: a write in place would leave its tail.
    fs::write(&output, "x".repeat(expected.len() * 2)).unwrap();
    fs::set_permissions(&output, fs::Permissions::from_mode(0o600)).unwrap();
    assert_success(&summarize(&input, &output));
    assert_eq!(fs::read_to_string(&output).unwrap(), expected);
    let mode = fs::metadata(&output).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the user's permissions were lost");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        2,
        "a temporary was left"
    );

    // A new file works as it always did.
    let fresh = dir.path().join("fresh.txt");
    assert_success(&summarize(&input, &fresh));
    assert_eq!(fs::read_to_string(&fresh).unwrap(), expected);
}

#[test]
fn a_failed_write_says_cannot_write_and_the_reason_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = article(dir.path());
    let out = summarize(&input, &dir.path().join("missing/out.txt"));
    let stderr = assert_clean_failure(&out, &["missing/out.txt", "cannot write"]);
    assert!(!stderr.contains("cannot read"), "{stderr}");
    assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");

    let out = summarize(&input, dir.path());
    assert_clean_failure(&out, &["is a directory"]);
}

#[test]
fn summarize_refuses_an_output_that_is_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = article(dir.path());
    let names = other_names(&input);
    assert_refused_for_every_name(&input, &names, |o| summarize(&input, o));
}

#[test]
fn compare_refuses_an_output_that_is_an_input_or_a_source() {
    let dir = tempfile::tempdir().unwrap();
    let input = article(dir.path());
    let other = dir.path().join("b.txt");
    fs::write(&other, "Talks in Geneva ended without a deal on Sunday.\n").unwrap();
    let names = other_names(&input);
    assert_refused_for_every_name(&input, &names, |o| {
        parallax()
            .arg("compare")
            .arg(&other)
            .arg(&input)
            .arg("-o")
            .arg(o)
            .output()
            .unwrap()
    });
    assert_refused_for_every_name(&input, &names, |o| {
        parallax()
            .arg("compare")
            .arg(format!("--source=US={}", other.display()))
            .arg(format!("--source=RU={}", input.display()))
            .arg("-o")
            .arg(o)
            .output()
            .unwrap()
    });
}

#[test]
fn embed_refuses_an_output_that_is_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s.txt");
    fs::write(&input, "Kyiv received the plan.\nMoscow said nothing.\n").unwrap();
    let names = other_names(&input);
    assert_refused_for_every_name(&input, &names, |o| {
        parallax()
            .arg("embed")
            .arg(&input)
            .arg("-o")
            .arg(o)
            .output()
            .unwrap()
    });
}

#[test]
fn stories_refuses_an_output_or_checkpoint_that_is_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 5);
    let names = other_names(&input);
    for resume in [false, true] {
        assert_refused_for_every_name(&input, &names, |o| {
            let mut c = parallax();
            c.arg("stories").arg(&input).arg("-o").arg(o);
            if resume {
                c.arg("--resume");
            }
            c.output().unwrap()
        });
    }
    // The vectors' sidecar of `-o out.jsonl` is out.jsonl.parallax-leads: an input of that
    // name would be cut to a checkpoint header.
    let sidecar = dir.path().join("out.jsonl.parallax-leads");
    fs::copy(&input, &sidecar).unwrap();
    let before = fs::read(&sidecar).unwrap();
    let out = parallax()
        .args(["stories", "--threads", "2"])
        .arg(&sidecar)
        .arg("-o")
        .arg(dir.path().join("out.jsonl"))
        .arg("--resume")
        .output()
        .unwrap();
    assert_clean_failure(&out, &["checkpoint", "same file"]);
    assert_eq!(fs::read(&sidecar).unwrap(), before);
}

#[test]
fn batch_refuses_an_output_or_errors_file_that_is_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 5);
    let names = other_names(&input);
    for resume in [false, true] {
        assert_refused_for_every_name(&input, &names, |o| {
            let mut c = parallax();
            c.arg("batch").arg(&input).arg("-o").arg(o);
            if resume {
                c.arg("--resume");
            }
            c.output().unwrap()
        });
        assert_refused_for_every_name(&input, &names, |e| {
            let mut c = parallax();
            c.arg("batch")
                .arg(&input)
                .arg("-o")
                .arg(dir.path().join("out.jsonl"))
                .arg("--errors")
                .arg(e);
            if resume {
                c.arg("--resume");
            }
            c.output().unwrap()
        });
    }
    // --errors and -o one file, not written yet: two appenders would interleave.
    let out = parallax()
        .arg("batch")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("both.jsonl"))
        .arg("--errors")
        .arg(dir.path().join("sub/../both.jsonl"))
        .output()
        .unwrap();
    assert_clean_failure(&out, &["is the output", "same file"]);
    assert!(!dir.path().join("both.jsonl").exists());
}

#[test]
fn batch_from_a_pipe_processes_every_record_or_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 5);
    let text = fs::read_to_string(&input).unwrap();
    let output = dir.path().join("out.jsonl");
    let out = parallax()
        .args(["batch", "--threads", "2", "/dev/stdin", "-o"])
        .arg(&output)
        .write_stdin(text.clone())
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    if out.status.success() {
        let written = fs::read_to_string(&output).unwrap();
        assert_eq!(
            written.lines().count(),
            5,
            "exit 0 must mean every record was written: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        assert_clean_failure(&out, &["/dev/stdin"]);
    }

    // compare reads its input twice: refused, naming why, before any model loads.
    let out = parallax()
        .args(["batch", "--task", "compare", "/dev/stdin", "-o"])
        .arg(dir.path().join("compared.jsonl"))
        .write_stdin(text)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_clean_failure(&out, &["/dev/stdin", "save it to a file"]);
}

#[test]
fn batch_from_a_fifo_reads_it_once_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), 5);
    let fifo = dir.path().join("feed");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo failed");
    // The writer's open waits for parallax to open the FIFO; it is joined only after a
    // run that read it, so a run that never opens it cannot hang the test.
    let writer = {
        let (fifo, input) = (fifo.clone(), input.clone());
        std::thread::spawn(move || fs::write(fifo, fs::read(input).unwrap()))
    };
    let output = dir.path().join("out.jsonl");
    let out = parallax()
        .args(["batch", "--threads", "2"])
        .arg(&fifo)
        .arg("-o")
        .arg(&output)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_success(&out);
    writer.join().unwrap().unwrap();
    assert_eq!(fs::read_to_string(&output).unwrap().lines().count(), 5);
}
