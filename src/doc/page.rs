//! The book as a plain document (headings, paragraphs, lists, tables of
//! short runs of text), and its two renderings: Markdown and one
//! self-contained HTML page. The book's content is built once
//! (`doc::build`); these renderers only lay it out and escape it.

use std::fmt::Write as _;

/// A run of text inside a paragraph, list item or table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inline {
    /// Words of the book.
    Text(String),
    /// A name of the rules: a field path, an output, a computed value.
    Code(String),
    /// A text a merchant reads, quoted as the author wrote it; its
    /// placeholders are [`Inline::Slot`]s.
    Quote(Vec<Inline>),
    /// A placeholder of a merchant text: `{…}`, filled in per merchant.
    Slot(Vec<Inline>),
}

/// Runs of text that read as one line.
pub(crate) type Line = Vec<Inline>;

/// One block of the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A heading; `id` is its anchor (letters, digits, `-` and `_` only).
    Heading {
        level: u8,
        id: String,
        text: String,
    },
    Para(Line),
    List(Vec<Line>),
    /// A table with a header row; every row has as many cells as `head`.
    Table {
        head: Vec<String>,
        rows: Vec<Vec<Line>>,
    },
}

/// A whole book: its title, the heading of its table of contents, and its
/// blocks in reading order.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) title: String,
    pub(crate) contents: String,
    /// `zh`, `en`: the page's `lang`.
    pub(crate) lang: &'static str,
    pub(crate) blocks: Vec<Block>,
}

/// The blocks before the first heading (they go above the table of
/// contents), and the rest.
fn split_intro(page: &Page) -> (&[Block], &[Block]) {
    let at = page
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { .. }))
        .unwrap_or(page.blocks.len());
    page.blocks.split_at(at)
}

/// Headings the table of contents lists (levels 2 and 3).
fn toc_entries(page: &Page) -> impl Iterator<Item = (u8, &str, &str)> {
    page.blocks.iter().filter_map(|b| match b {
        Block::Heading { level, id, text } if (2..=3).contains(level) => {
            Some((*level, id.as_str(), text.as_str()))
        }
        _ => None,
    })
}

// ------------------------------------------------------------------ Markdown

/// The book as Markdown (CommonMark with GitHub tables).
pub(crate) fn markdown(page: &Page) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_escape(&page.title));
    let (intro, body) = split_intro(page);
    md_blocks(&mut out, intro);
    let _ = writeln!(out, "## {}\n", md_escape(&page.contents));
    for (level, id, text) in toc_entries(page) {
        let indent = if level == 3 { "  " } else { "" };
        let _ = writeln!(out, "{indent}- [{}](#{id})", md_escape(text));
    }
    out.push('\n');
    md_blocks(&mut out, body);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn md_blocks(out: &mut String, blocks: &[Block]) {
    for block in blocks {
        match block {
            Block::Heading { level, id, text } => {
                let hashes = "#".repeat(usize::from(*level));
                let _ = writeln!(out, "<a id=\"{id}\"></a>\n\n{hashes} {}\n", md_escape(text));
            }
            Block::Para(line) => {
                let _ = writeln!(out, "{}\n", md_line(line));
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {}", md_line(item));
                }
                out.push('\n');
            }
            Block::Table { head, rows } => {
                let cells: Vec<String> = head.iter().map(|h| md_escape(h)).collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| md_line(c)).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
                out.push('\n');
            }
        }
    }
}

fn md_line(line: &[Inline]) -> String {
    let mut out = String::new();
    for inline in line {
        match inline {
            Inline::Text(t) => out.push_str(&md_escape(t)),
            Inline::Code(c) => {
                // A name never holds a backtick; if one did, it reads as text.
                if c.contains('`') || c.contains('|') {
                    out.push_str(&md_escape(c));
                } else {
                    let _ = write!(out, "`{c}`");
                }
            }
            Inline::Quote(parts) => {
                let _ = write!(out, "「{}」", md_line(parts));
            }
            Inline::Slot(parts) => {
                let _ = write!(out, "{{{}}}", md_line(parts));
            }
        }
    }
    out
}

/// Text with every character Markdown could read as markup escaped, and
/// line breaks (which would end a table row) as spaces.
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

// ------------------------------------------------------------------ HTML

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",\"WenQuanYi Micro Hei\",sans-serif;\
max-width:1080px;margin:2rem auto;padding:0 1.5rem;line-height:1.6;color:#1f2328;background:#fff}\
h1{border-bottom:2px solid #d0d7de;padding-bottom:.4rem}\
h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}\
h3{margin-top:1.8rem}\
nav{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1.2rem;margin:1rem 0 2rem}\
nav ul{margin:.2rem 0;padding-left:1.2rem}nav li.l3{margin-left:1.2rem;font-size:.95em}\
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}\
table{border-collapse:collapse;width:100%;margin:.6rem 0 1.2rem;font-size:.95em}\
th,td{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}tr:nth-child(even) td{background:#fbfcfd}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:#eff1f3;border-radius:4px;padding:.05rem .3rem}\
.quote{color:#0a3069;background:#ddf4ff;border-radius:4px;padding:.05rem .3rem}\
.slot{color:#8250df}\
@media print{nav{display:none}body{max-width:none}}";

/// The book as one HTML page: inline CSS, no script, no external resource;
/// every text escaped.
pub(crate) fn html(page: &Page) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        page.lang,
        html_escape(&page.title),
        html_escape(&page.title)
    );
    let (intro, body) = split_intro(page);
    html_blocks(&mut out, intro);
    let _ = writeln!(
        out,
        "<nav>\n<strong>{}</strong>\n<ul>",
        html_escape(&page.contents)
    );
    for (level, id, text) in toc_entries(page) {
        let _ = writeln!(
            out,
            "<li class=\"l{level}\"><a href=\"#{id}\">{}</a></li>",
            html_escape(text)
        );
    }
    out.push_str("</ul>\n</nav>\n");
    html_blocks(&mut out, body);
    out.push_str("</body>\n</html>\n");
    out
}

fn html_blocks(out: &mut String, blocks: &[Block]) {
    for block in blocks {
        match block {
            Block::Heading { level, id, text } => {
                let _ = writeln!(
                    out,
                    "<h{level} id=\"{id}\">{}</h{level}>",
                    html_escape(text)
                );
            }
            Block::Para(line) => {
                let _ = writeln!(out, "<p>{}</p>", html_line(line));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", html_line(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", html_escape(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td>{}</td>", html_line(cell));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
}

fn html_line(line: &[Inline]) -> String {
    let mut out = String::new();
    for inline in line {
        match inline {
            Inline::Text(t) => out.push_str(&html_escape(t)),
            Inline::Code(c) => {
                let _ = write!(out, "<code>{}</code>", html_escape(c));
            }
            Inline::Quote(parts) => {
                let _ = write!(out, "<span class=\"quote\">「{}」</span>", html_line(parts));
            }
            Inline::Slot(parts) => {
                let _ = write!(out, "<span class=\"slot\">{{{}}}</span>", html_line(parts));
            }
        }
    }
    out
}

/// Text safe in an element or a quoted attribute.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(blocks: Vec<Block>) -> Page {
        Page {
            title: "T".into(),
            contents: "C".into(),
            lang: "en",
            blocks,
        }
    }

    #[test]
    fn html_escapes_every_text_and_loads_nothing() {
        let p = page(vec![
            Block::Heading {
                level: 2,
                id: "a".into(),
                text: "<script>".into(),
            },
            Block::Para(vec![
                Inline::Text("a & b".into()),
                Inline::Quote(vec![Inline::Text("\"<img src=x>\"".into())]),
            ]),
        ]);
        let html = html(&p);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("a &amp; b"));
        assert!(html.contains("<a href=\"#a\">&lt;script&gt;</a>"));
        for external in [
            "src=\"http",
            "href=\"http",
            "<link",
            "<script",
            "@import",
            "url(",
        ] {
            assert!(!html.contains(external), "{external} in {html}");
        }
    }

    #[test]
    fn markdown_keeps_table_cells_apart() {
        let p = page(vec![Block::Table {
            head: vec!["a|b".into()],
            rows: vec![vec![vec![Inline::Text("x | y\nz *w*".into())]]],
        }]);
        let md = markdown(&p);
        assert!(md.contains("| a\\|b |"), "{md}");
        assert!(md.contains("| x \\| y z \\*w\\* |"), "{md}");
    }
}
