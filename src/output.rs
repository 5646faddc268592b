//! The files a command writes when the user names one (`-o FILE`, `--errors FILE`,
//! `--dump-sentences FILE`), and the check that such a file is none of those it reads.
//!
//! A name is resolved before anything is written, because what it names decides how it may
//! be written. A regular file is replaced through a temporary and a rename, so a failed run
//! never leaves half an output where the user's file was; but a rename puts a new file in
//! place of whatever the name held, and over `/dev/null`, `/dev/stdout` or a FIFO that
//! destroys the device itself (as root, `-o /dev/null` once turned it into a regular file),
//! and over a symlink it replaces the link rather than the file the user meant. So links
//! are followed to the file they point at, and devices, FIFOs and sockets are written in
//! place as streams. And since every command reads its inputs before (or while) it writes,
//! an output that is one of its inputs would destroy the very data it is made from:
//! [`Reads::check`] refuses that before any model is loaded, whatever the spelling.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::fetch::is_url;

/// Links followed before a chain of them is taken for a loop (Linux's own bound).
const MAX_LINKS: usize = 40;

/// What an output name turned out to be, and so how it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A regular file, or nothing yet: replaced atomically. The path is the file itself,
    /// links followed, so that the rename lands on the file and leaves the links be.
    Replace(PathBuf),
    /// A character or block device, a FIFO or a socket: opened and written in place, since
    /// there is no file to replace and renaming over it would destroy it.
    Stream(PathBuf),
}

/// An output name, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    named: PathBuf,
    target: Target,
}

impl Destination {
    /// The name as the user gave it; messages use it, since it is what they typed.
    pub fn named(&self) -> &Path {
        &self.named
    }

    /// Where the bytes land: the file at the end of any links, or the stream as named.
    pub fn path(&self) -> &Path {
        match &self.target {
            Target::Replace(p) | Target::Stream(p) => p,
        }
    }

    /// A device, FIFO or socket: written as it is produced, with no atomic replacement and
    /// nothing to read back, so a command cannot keep state beside it or resume into it.
    pub fn is_stream(&self) -> bool {
        matches!(self.target, Target::Stream(_))
    }
}

/// Decides how `path` is written, before anything is. A directory is an error naming it,
/// and so is a name that cannot be a file's (empty, or ending in `..`).
pub fn resolve(path: &Path) -> Result<Destination> {
    let named = path.to_path_buf();
    if path.as_os_str().is_empty() {
        return Err(Error::Input(
            "the output needs a file name (got an empty one)".into(),
        ));
    }
    // `metadata` lets the kernel follow the links, /proc's `/dev/stdout` -> `pipe:[N]`
    // among them, which no path-level walk can.
    let target = match fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            return Err(Error::Input(format!(
                "{} is a directory; give the output a file name inside it, e.g. {}",
                path.display(),
                path.join("out.txt").display()
            )))
        }
        Ok(m) if m.is_file() => {
            Target::Replace(fs::canonicalize(path).map_err(|e| Error::write(path, e))?)
        }
        Ok(_) => Target::Stream(named.clone()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Target::Replace(dangling_target(path)?)
        }
        Err(e) => return Err(Error::write(path, e)),
    };
    if let Target::Replace(p) = &target {
        if p.file_name().is_none() {
            return Err(Error::Input(format!(
                "{}: not a file name; give the output one, e.g. out.txt",
                path.display()
            )));
        }
    }
    Ok(Destination { named, target })
}

/// Where a name that does not resolve to anything would be created: itself, or, when it is
/// a symlink that points nowhere yet, the path the (last) link names, so that the link
/// stays a link and the file appears where it points, as a shell's `>` does.
fn dangling_target(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p).map_err(|e| Error::write(path, e))?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(in_real_folder(p)),
        }
    }
    Err(Error::Input(format!(
        "{}: more than {MAX_LINKS} symbolic links in a row (a loop?)",
        path.display()
    )))
}

/// `dir/name` with `dir` resolved (links, `..`), when it exists: two spellings of one
/// file still to be created then compare equal, as existing files' canonical paths do.
fn in_real_folder(p: PathBuf) -> PathBuf {
    let (Some(dir), Some(name)) = (p.parent(), p.file_name()) else {
        return p;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    match fs::canonicalize(dir) {
        Ok(d) => d.join(name),
        Err(_) => p,
    }
}

/// Whether two names are one regular file: same device and inode once links are followed,
/// so neither spelling, `..`, symlinks nor hard links hide it. Only regular files count:
/// reading `/dev/null` and writing `/dev/null` loses nothing, and a name that does not
/// exist (yet) is nobody's input.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.is_file() && y.is_file() && x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Whether a file can be read a second time from its start: a regular file can; a pipe,
/// FIFO or device gives its data once, so a second pass would see nothing (or wait forever).
pub fn rereadable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// The PATH of `--source LABEL=PATH`, split as `compare` splits it (at the first `=`);
/// `None` when there is none or it is a URL or `-`, which are not files.
pub fn source_path(spec: &str) -> Option<&Path> {
    let (_, input) = spec.split_once('=')?;
    file_input(input)
}

/// An input argument as a file, unless it is `-` (standard input) or an http(s) URL.
pub fn file_input(input: &str) -> Option<&Path> {
    (input != "-" && !is_url(input) && !input.is_empty()).then(|| Path::new(input))
}

/// The files a command reads, each with what it is to the command, so that an output can
/// be checked against them all with one call and refused in words the user recognizes.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    files: Vec<(String, PathBuf)>,
}

impl Reads {
    /// None yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Positional inputs (files, URLs, `-`): the files among them.
    pub fn inputs(mut self, inputs: &[String]) -> Self {
        for p in inputs.iter().filter_map(|i| file_input(i)) {
            self.files.push(("the input".into(), p.to_path_buf()));
        }
        self
    }

    /// `--source LABEL=PATH` arguments: the files among them.
    pub fn sources(mut self, specs: &[String]) -> Self {
        for p in specs.iter().filter_map(|s| source_path(s)) {
            self.files.push(("the input".into(), p.to_path_buf()));
        }
        self
    }

    /// One more file, when there is one; `what` says what it is ("the glossary").
    pub fn file(mut self, what: &str, path: Option<&Path>) -> Self {
        if let Some(p) = path {
            self.files.push((what.into(), p.to_path_buf()));
        }
        self
    }

    /// Resolves the output `path` that `flag` names (see [`resolve`]) and refuses it when
    /// it is one of the files read, naming both and what to do: the command would replace
    /// (or append to) its own input. `holds` says what the output is for ("output",
    /// "error records"). Called before any model is loaded, so the refusal is immediate.
    pub fn check(&self, flag: &str, path: &Path, holds: &str) -> Result<Destination> {
        let dest = resolve(path)?;
        // Files that exist compare by inode; names still to be created (another output
        // of the same run) by where they would be created.
        let clash = |r: &Path| {
            same_file(path, r)
                || (!dest.is_stream()
                    && resolve(r).is_ok_and(|d| !d.is_stream() && d.path() == dest.path()))
        };
        if let Some((what, read)) = self.files.iter().find(|(_, r)| clash(r)) {
            return Err(Error::Input(format!(
                "{flag} {} is {what} {} (same file); write the {holds} elsewhere",
                path.display(),
                read.display()
            )));
        }
        Ok(dest)
    }
}

/// An output being written: to a temporary beside the file it will replace, moved into
/// place by [`Output::finish`] (dropped unfinished, it removes the temporary and leaves the
/// old file as it was), or straight to a stream.
pub struct Output {
    named: PathBuf,
    out: BufWriter<File>,
    /// The temporary and the file it replaces; `None` for a stream, and once finished.
    replace: Option<(PathBuf, PathBuf)>,
}

impl Output {
    /// Resolves `path` and opens it for writing (see [`resolve`]).
    pub fn create(path: &Path) -> Result<Self> {
        Self::open(resolve(path)?)
    }

    /// Opens a resolved output. A replaced file keeps its permissions: a user's `chmod 600`
    /// on a report must survive the report being written again.
    pub fn open(dest: Destination) -> Result<Self> {
        let Destination { named, target } = dest;
        let fail = |e| Error::write(&named, e);
        match target {
            Target::Stream(p) => {
                // No create, no truncate: a device or FIFO takes the bytes as they come.
                let f = OpenOptions::new().write(true).open(&p).map_err(fail)?;
                Ok(Self {
                    out: BufWriter::new(f),
                    replace: None,
                    named,
                })
            }
            Target::Replace(real) => {
                let tmp = crate::util::temp_sibling(&real);
                // One left by a killed run of a process with this id: nothing of the user's.
                let _ = fs::remove_file(&tmp);
                let f = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&tmp)
                    .map_err(fail)?;
                if let Ok(old) = fs::metadata(&real) {
                    if let Err(e) = f.set_permissions(old.permissions()) {
                        let _ = fs::remove_file(&tmp);
                        return Err(fail(e));
                    }
                }
                Ok(Self {
                    out: BufWriter::new(f),
                    replace: Some((tmp, real)),
                    named,
                })
            }
        }
    }

    /// The name as the user gave it.
    pub fn named(&self) -> &Path {
        &self.named
    }

    /// Flushes and, for a file, syncs the temporary and moves it into place: only now does
    /// the old file go.
    pub fn finish(mut self) -> Result<()> {
        let fail = |e| Error::write(&self.named, e);
        self.out.flush().map_err(fail)?;
        if let Some((tmp, real)) = &self.replace {
            self.out.get_ref().sync_all().map_err(fail)?;
            fs::rename(tmp, real).map_err(fail)?;
            self.replace = None;
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // Still set only when the run failed: leave no half-written temporary behind.
        if let Some((tmp, _)) = self.replace.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Writes all of `bytes` to `path` as [`Output`] does: a file replaced atomically, a
/// device or FIFO written in place.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Output::create(path)?;
    out.write_all(bytes).map_err(|e| Error::write(path, e))?;
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, FileTypeExt, PermissionsExt};

    /// A FIFO made in a test's own folder (never the system's /dev).
    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    #[test]
    fn an_absent_name_is_a_file_to_create() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.txt");
        let d = resolve(&p).unwrap();
        assert!(!d.is_stream());
        assert_eq!(d.path(), p);
        write(&p, b"hello\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"hello\n");
    }

    #[test]
    fn a_regular_file_is_replaced_keeping_its_permissions_and_leaving_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        fs::write(&p, "old old old old\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        write(&p, b"new\n").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new\n");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "a temporary was left: {names:?}");
    }

    #[test]
    fn an_unfinished_output_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        fs::write(&p, "old\n").unwrap();
        let mut o = Output::create(&p).unwrap();
        o.write_all(b"half").unwrap();
        drop(o);
        assert_eq!(fs::read_to_string(&p).unwrap(), "old\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_symlink_is_followed_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        fs::write(&real, "old\n").unwrap();
        symlink("real.txt", &link).unwrap();
        let d = resolve(&link).unwrap();
        assert_eq!(d.path(), fs::canonicalize(&real).unwrap());
        assert_eq!(d.named(), link);
        write(&link, b"new\n").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
    }

    #[test]
    fn a_dangling_symlink_writes_the_path_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.txt");
        symlink("later.txt", &link).unwrap();
        assert_eq!(resolve(&link).unwrap().path(), dir.path().join("later.txt"));
        write(&link, b"x\n").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            fs::read_to_string(dir.path().join("later.txt")).unwrap(),
            "x\n"
        );
    }

    #[test]
    fn a_symlink_loop_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        symlink(&b, &a).unwrap();
        symlink(&a, &b).unwrap();
        assert!(resolve(&a).is_err());
    }

    #[test]
    fn a_directory_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let e = resolve(dir.path()).unwrap_err().to_string();
        assert!(e.contains(&dir.path().display().to_string()), "{e}");
        assert!(e.contains("is a directory"), "{e}");
        assert!(resolve(Path::new("")).is_err());
        assert!(resolve(&dir.path().join("absent/..")).is_err());
    }

    #[test]
    fn a_fifo_is_a_stream_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        assert!(resolve(&fifo).unwrap().is_stream());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write(&fifo, b"through the pipe\n").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe\n");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn same_file_sees_through_spelling_links_and_hard_links_but_not_devices() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        fs::write(&a, "x").unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        symlink(&a, dir.path().join("link")).unwrap();
        fs::hard_link(&a, dir.path().join("hard")).unwrap();
        assert!(same_file(&a, &a));
        assert!(same_file(&a, &dir.path().join("sub/../a.txt")));
        assert!(same_file(&a, &dir.path().join("link")));
        assert!(same_file(&a, &dir.path().join("hard")));
        fs::write(dir.path().join("b.txt"), "x").unwrap();
        assert!(!same_file(&a, &dir.path().join("b.txt")));
        assert!(!same_file(&a, &dir.path().join("absent")));
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        assert!(
            !same_file(&fifo, &fifo),
            "only regular files are someone's input"
        );
    }

    #[test]
    fn reads_refuse_an_output_that_is_an_input_and_skip_urls_and_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        fs::write(&a, "x").unwrap();
        let inputs = vec!["-".to_string(), "https://example.org/a".into()];
        let reads = Reads::new().inputs(&inputs);
        assert!(reads.check("-o", &a, "output").is_ok());
        let reads = reads.sources(&[format!("US={}", a.display())]);
        let e = reads.check("-o", &a, "output").unwrap_err().to_string();
        assert!(
            e.contains("is the input") && e.contains("write the output elsewhere"),
            "{e}"
        );
        let g = dir.path().join("g.toml");
        fs::write(&g, "").unwrap();
        let e = Reads::new()
            .file("the glossary", Some(&g))
            .check("--errors", &g, "error records")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--errors ") && e.contains("the glossary"),
            "{e}"
        );
        // Two outputs of one run, neither written yet, spelled apart.
        let out = dir.path().join("o.jsonl");
        fs::create_dir(dir.path().join("sub")).unwrap();
        let e = Reads::new()
            .file("the output", Some(&out))
            .check(
                "--errors",
                &dir.path().join("sub/../o.jsonl"),
                "error records",
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("is the output"), "{e}");
        assert!(Reads::new()
            .file("the output", Some(&out))
            .check("--errors", &dir.path().join("e.jsonl"), "error records")
            .is_ok());
        assert_eq!(source_path("RU=tass.txt"), Some(Path::new("tass.txt")));
        assert_eq!(source_path("RU=https://x.org/a"), None);
        assert_eq!(source_path("no-label"), None);
    }

    #[test]
    fn only_regular_files_are_rereadable() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        fs::write(&a, "").unwrap();
        assert!(rereadable(&a));
        assert!(!rereadable(dir.path()));
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        assert!(!rereadable(&fifo));
        assert!(!rereadable(&dir.path().join("absent")));
    }
}
