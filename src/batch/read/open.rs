//! Opening an input: a file or standard input, decompressed when its first
//! bytes say gzip (whatever its name), with its format from `--input-format`, its
//! name, or (standard input only) a look at its first line.
//!
//! Anything verdikt cannot read as its name or flag says is refused here,
//! once, before a single record: a directory, another compression than
//! gzip, a `.gz` name on a plain file, YAML or CSV on stdin without
//! `--input-format` (which would otherwise be hundreds of identical rejects).

use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::sync::Arc;

use super::{framer, Format, Framer};

/// Why an input cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The input cannot be opened or read.
    #[error("cannot read `{name}`: {source}")]
    Io {
        /// The input.
        name: String,
        /// Why.
        source: io::Error,
    },
    /// The input is a directory.
    #[error("`{name}` is a directory, not an input file")]
    Directory {
        /// The input.
        name: String,
    },
    /// Another compression than gzip.
    #[error("`{name}` is {kind}-compressed; verdikt reads plain or gzip input: decompress it first (e.g. `{tool} -dc {name} | verdikt batch - --input-format jsonl`)")]
    Compressed {
        /// The input.
        name: String,
        /// The compression (`zstd`, ...).
        kind: &'static str,
        /// The tool that decompresses it.
        tool: &'static str,
    },
    /// A `.gz` name on a plain file.
    #[error("`{name}` is named `.gz` but is not gzip-compressed")]
    NotGzip {
        /// The input.
        name: String,
    },
    /// No `--input-format` and a name that does not tell.
    #[error(
        "cannot tell the format of `{name}` from its name; pass `--input-format jsonl|json|yaml|csv`"
    )]
    UnknownFormat {
        /// The input.
        name: String,
    },
    /// Standard input without `--input-format` that is clearly not JSON Lines.
    #[error("{what} looks like {looks}, not JSON Lines; pass `--input-format {flag}`")]
    LooksLike {
        /// `standard input`.
        what: String,
        /// What it looks like (`YAML`).
        looks: &'static str,
        /// The `--input-format` value to pass.
        flag: &'static str,
    },
}

/// Buffer size of an input.
const BUFFER: usize = 1 << 20;

/// How much of the start of an input is looked at to tell its format.
const SNIFF: usize = 8 << 10;

/// Opens an input (`-` is standard input) and frames it into records.
pub(crate) fn open(
    name: &str,
    format: Option<Format>,
    max_bytes: usize,
) -> Result<Box<dyn Framer>, OpenError> {
    let io_error = |source| OpenError::Io {
        name: name.to_string(),
        source,
    };
    let raw: Box<dyn Read + Send> = if name == "-" {
        Box::new(io::stdin())
    } else {
        if std::fs::metadata(name).is_ok_and(|m| m.is_dir()) {
            return Err(OpenError::Directory {
                name: name.to_string(),
            });
        }
        Box::new(std::fs::File::open(name).map_err(io_error)?)
    };
    let (head, raw) = peek(raw, 6).map_err(io_error)?;
    let plain: Box<dyn Read + Send> = match compression(&head) {
        Some(Compression::Gzip) => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Some(Compression::Other { kind, tool }) => {
            return Err(OpenError::Compressed {
                name: name.to_string(),
                kind,
                tool,
            })
        }
        None if name.ends_with(".gz") && !head.is_empty() => {
            return Err(OpenError::NotGzip {
                name: name.to_string(),
            })
        }
        None => raw,
    };
    let format = match format.or_else(|| Format::from_path(name)) {
        Some(f) => (f, plain),
        None => {
            let (start, plain) = peek_line(plain, SNIFF).map_err(io_error)?;
            let looks = looks_like(&start);
            match (name == "-", looks) {
                (true, None | Some(Format::Jsonl)) => (Format::Jsonl, plain),
                (true, Some(other)) => {
                    return Err(OpenError::LooksLike {
                        what: "standard input".into(),
                        looks: describe(other),
                        flag: flag(other),
                    })
                }
                (false, _) => {
                    return Err(OpenError::UnknownFormat {
                        name: name.to_string(),
                    })
                }
            }
        }
    };
    let (format, plain) = format;
    let input: Box<dyn BufRead + Send> = Box::new(BufReader::with_capacity(BUFFER, plain));
    Ok(framer(format, Arc::from(name), input, max_bytes.max(1)))
}

enum Compression {
    Gzip,
    Other {
        kind: &'static str,
        tool: &'static str,
    },
}

/// The compression the first bytes of an input announce.
fn compression(head: &[u8]) -> Option<Compression> {
    let other = |kind, tool| Some(Compression::Other { kind, tool });
    if head.starts_with(&[0x1f, 0x8b]) {
        Some(Compression::Gzip)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        other("zstd", "zstd")
    } else if head.starts_with(b"BZh") {
        other("bzip2", "bzip2")
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        other("xz", "xz")
    } else if head.starts_with(b"PK\x03\x04") {
        other("zip", "unzip -p")
    } else {
        None
    }
}

/// The format the first line of a text suggests, when it clearly does.
fn looks_like(start: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(start);
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    if first.starts_with('{') {
        return Some(Format::Jsonl);
    }
    if first.starts_with('[') {
        return Some(Format::Json);
    }
    if first == "---" || first.starts_with("--- ") || first.starts_with('#') {
        return Some(Format::Yaml);
    }
    let key = first.split(':').next().unwrap_or("");
    let yaml_key = first.contains(':')
        && !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '-' || c == '"');
    if yaml_key && !first.contains(',') {
        return Some(Format::Yaml);
    }
    if first.contains(',') {
        return Some(Format::Csv);
    }
    None
}

fn describe(format: Format) -> &'static str {
    match format {
        Format::Jsonl => "JSON Lines",
        Format::Json => "a JSON array",
        Format::Yaml => "YAML",
        Format::Csv => "CSV",
        Format::Parquet => "Parquet",
        Format::Arrow => "Arrow IPC",
    }
}

fn flag(format: Format) -> &'static str {
    match format {
        Format::Jsonl => "jsonl",
        Format::Json => "json",
        Format::Yaml => "yaml",
        Format::Csv => "csv",
        Format::Parquet => "parquet",
        Format::Arrow => "arrow",
    }
}

/// Reads up to `n` bytes (fewer only at the end of input) and gives back a
/// reader that still yields them first.
fn peek(mut input: Box<dyn Read + Send>, n: usize) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = Vec::with_capacity(n);
    (&mut input).take(n as u64).read_to_end(&mut head)?;
    let rest: Box<dyn Read + Send> = Box::new(Cursor::new(head.clone()).chain(input));
    Ok((head, rest))
}

/// Like [`peek`], reading until the first line with content is complete
/// (or `max` bytes, or the end of input).
fn peek_line(
    mut input: Box<dyn Read + Send>,
    max: usize,
) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 512];
    while head.len() < max {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        head.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
        let complete_line = head
            .split(|b| *b == b'\n')
            .rev()
            .skip(1)
            .any(|line| line.iter().any(|b| !b.is_ascii_whitespace()));
        if complete_line {
            break;
        }
    }
    let rest: Box<dyn Read + Send> = Box::new(Cursor::new(head.clone()).chain(input));
    Ok((head, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_tells_what_standard_input_holds() {
        let cases: [(&str, Option<Format>); 9] = [
            ("{\"a\":1}\n", Some(Format::Jsonl)),
            ("\n\n  {\"a\":1}", Some(Format::Jsonl)),
            ("[{\"a\":1}]", Some(Format::Json)),
            ("---\nmerchant_id: M1\n", Some(Format::Yaml)),
            ("# snapshots\nmerchant_id: M1\n", Some(Format::Yaml)),
            ("merchant_id: M1\n", Some(Format::Yaml)),
            (
                "merchant_id,as_of,store.rating\nM1,2026-01-01,4.9\n",
                Some(Format::Csv),
            ),
            ("hello\n", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(looks_like(text.as_bytes()), want, "{text:?}");
        }
    }

    #[test]
    fn compression_is_told_by_magic_bytes() {
        assert!(matches!(
            compression(&[0x1f, 0x8b, 8]),
            Some(Compression::Gzip)
        ));
        assert!(matches!(
            compression(&[0x28, 0xb5, 0x2f, 0xfd]),
            Some(Compression::Other { kind: "zstd", .. })
        ));
        assert!(matches!(
            compression(b"BZh91AY"),
            Some(Compression::Other { kind: "bzip2", .. })
        ));
        assert!(compression(b"{\"a\"").is_none());
        assert!(compression(b"").is_none());
    }

    #[test]
    fn peeked_bytes_are_read_again() {
        let input: Box<dyn Read + Send> = Box::new(Cursor::new(b"line one\nline two\n".to_vec()));
        let (head, mut rest) = peek_line(input, 4).unwrap();
        assert!(head.starts_with(b"line"));
        let mut all = String::new();
        rest.read_to_string(&mut all).unwrap();
        assert_eq!(all, "line one\nline two\n");
    }
}
