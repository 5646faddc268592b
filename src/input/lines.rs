//! Lines of a text stream read with a cap, so that one huge line (a 500 MB JSON record, a
//! file with no newline) cannot fill memory: past the cap the rest of the line is skipped
//! without being kept, and the caller reports it as a bad line.

use std::io::{self, BufRead};

/// The longest line `embed` and `stories` keep (64 MiB): far past any article, far under
/// memory. `embed` refuses a longer one, `stories` skips it as a bad record.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// The error for a line over [`MAX_LINE_BYTES`], naming where it is.
pub fn too_long(at: &str, bytes: u64) -> crate::error::Error {
    crate::error::Error::Input(format!(
        "{at}: the line is {bytes} bytes, over the {} MiB a record may have; split it",
        MAX_LINE_BYTES >> 20
    ))
}

/// One line, or the size of one too long to keep.
#[derive(Debug)]
pub enum Bounded {
    /// The line, without its newline.
    Text(String),
    /// A line longer than the cap: how many bytes it had.
    TooLong(u64),
}

/// Iterates over the lines of `reader` (1-based line numbers), keeping at most `max_bytes`
/// of any line.
pub struct BoundedLines<R: BufRead> {
    reader: R,
    max_bytes: usize,
    line: usize,
}

impl<R: BufRead> BoundedLines<R> {
    /// Lines of `reader`, each kept up to `max_bytes`.
    pub fn new(reader: R, max_bytes: usize) -> Self {
        Self {
            reader,
            max_bytes,
            line: 0,
        }
    }

    /// The reader, for a new cap (before any line was read).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The most bytes of a line kept.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = io::Result<(usize, Bounded)>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut kept: Vec<u8> = Vec::new();
        let mut total: u64 = 0;
        let mut read_any = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(e)),
            };
            if available.is_empty() {
                if !read_any {
                    return None;
                }
                break;
            }
            read_any = true;
            let (part, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..i], i + 1),
                None => (available, available.len()),
            };
            total += part.len() as u64;
            let room = self.max_bytes.saturating_sub(kept.len());
            kept.extend_from_slice(&part[..part.len().min(room)]);
            let newline = done > part.len();
            self.reader.consume(done);
            if newline {
                break;
            }
        }
        self.line += 1;
        if total > self.max_bytes as u64 {
            return Some(Ok((self.line, Bounded::TooLong(total))));
        }
        if kept.last() == Some(&b'\r') {
            kept.pop();
        }
        Some(match String::from_utf8(kept) {
            Ok(s) => Ok((self.line, Bounded::Text(s))),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("line {} is not valid UTF-8", self.line),
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_measured_not_kept() {
        let text = format!("short\n{}\nlast\r\nno newline", "x".repeat(100_000));
        let lines: Vec<(usize, String)> =
            BoundedLines::new(io::BufReader::with_capacity(64, text.as_bytes()), 1000)
                .map(|l| {
                    let (n, b) = l.unwrap();
                    (
                        n,
                        match b {
                            Bounded::Text(s) => s,
                            Bounded::TooLong(bytes) => format!("too long: {bytes}"),
                        },
                    )
                })
                .collect();
        assert_eq!(
            lines,
            [
                (1, "short".to_string()),
                (2, "too long: 100000".to_string()),
                (3, "last".to_string()),
                (4, "no newline".to_string())
            ]
        );
        assert!(BoundedLines::new("".as_bytes(), 10).next().is_none());
    }
}
