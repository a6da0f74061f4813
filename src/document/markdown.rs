//! Markdown bodies: plain text for the index (no markup tokens) and sanitised HTML for readers.
//!
//! Rendering must stay linear in the input, because every view, export and feed poll renders.
//! pulldown-cmark keeps a stack of open containers (block quotes, list items) and walks it for
//! every following line, so a body that opens thousands of them (`>>>>…`) costs depth × lines;
//! and a table pads every row to the header's width, so a wide header multiplies the output.
//! [`check_structure`] refuses such bodies at validation, naming the line; the renderers check
//! the same limits first and show an over-deep body (stored before the limits existed) as
//! escaped text, so no stored body can cost more than a linear pass.

use crate::catalogue::Message;
use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

/// Block quotes and list items open at once, at most. Real documents use three or four.
pub(crate) const MAX_NESTING: usize = 16;
/// Columns of a table, at most.
pub(crate) const MAX_TABLE_COLUMNS: usize = 64;

/// Document ids a body mentions in code spans (curators write "see `ke-ncic`"): slugs with a
/// hyphen, in order of first mention. Pages link them; ingest warns about those no document has.
pub(crate) fn mentioned_ids(markdown: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        if let Event::Code(code) = event {
            let code = code.as_ref();
            if code.contains('-')
                && crate::taxonomy::is_slug(code)
                && !ids.iter().any(|i| i == code)
            {
                ids.push(code.to_string());
            }
        }
    }
    ids
}

/// Why a body's structure is refused, at which 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureProblem {
    pub line: usize,
    pub(crate) message: Message,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// Checks the limits above. Two passes, both linear: a scan of each line's leading container
/// markers (which bounds what the parser's stack can reach from one line), then, only when
/// that passes, the parser's own events, which also see nesting built by indentation.
pub fn check_structure(markdown: &str) -> Result<(), StructureProblem> {
    let mut fence: Option<(u8, usize)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start_matches([' ', '\t']);
        let bytes = trimmed.as_bytes();
        // Fenced code is literal text: markers inside it open nothing.
        let run = bytes
            .iter()
            .take_while(|&&b| b == b'`' || b == b'~')
            .count();
        if run >= 3 && bytes[..run].iter().all(|&b| b == bytes[0]) {
            match fence {
                None => {
                    fence = Some((bytes[0], run));
                    continue;
                }
                Some((mark, length)) if mark == bytes[0] && run >= length => {
                    fence = None;
                    continue;
                }
                Some(_) => {}
            }
        }
        if fence.is_some() {
            continue;
        }
        let markers = leading_container_markers(line);
        if markers > MAX_NESTING {
            return Err(too_deep(index + 1, markers));
        }
        let columns = table_delimiter_columns(trimmed);
        if columns > MAX_TABLE_COLUMNS {
            return Err(StructureProblem {
                line: index + 1,
                message: Message::new("problem_table_too_wide")
                    .arg("columns", columns)
                    .arg("max", MAX_TABLE_COLUMNS),
            });
        }
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(markdown.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::BlockQuote(_) | Tag::Item) => {
                depth += 1;
                if depth > MAX_NESTING {
                    let line = line_starts.partition_point(|&start| start <= range.start);
                    return Err(too_deep(line, depth));
                }
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::Item) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    Ok(())
}

fn too_deep(line: usize, depth: usize) -> StructureProblem {
    StructureProblem {
        line,
        message: Message::new("problem_nested_too_deep")
            .arg("depth", depth)
            .arg("max", MAX_NESTING),
    }
}

/// How many `>` and list markers open the line (`> > - 1. text` has four).
fn leading_container_markers(line: &str) -> usize {
    let bytes = line.as_bytes();
    let mut at = 0;
    let mut count = 0;
    loop {
        while at < bytes.len() && (bytes[at] == b' ' || bytes[at] == b'\t') {
            at += 1;
        }
        let Some(&byte) = bytes.get(at) else {
            return count;
        };
        let followed_by_space =
            |next: usize| bytes.get(next).is_none_or(|&b| b == b' ' || b == b'\t');
        if byte == b'>' || (matches!(byte, b'-' | b'*' | b'+') && followed_by_space(at + 1)) {
            at += 1;
        } else if byte.is_ascii_digit() {
            let digits = bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let after = at + digits;
            if digits <= 9
                && matches!(bytes.get(after), Some(b'.' | b')'))
                && followed_by_space(after + 1)
            {
                at = after + 1;
            } else {
                return count;
            }
        } else {
            return count;
        }
        count += 1;
    }
}

/// The number of columns if the line is a table's delimiter row (`|---|:--:|`), else 0.
fn table_delimiter_columns(line: &str) -> usize {
    let line = line.trim_end();
    if !line.contains('-')
        || !line
            .bytes()
            .all(|b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t'))
    {
        return 0;
    }
    line.trim_matches('|')
        .split('|')
        .filter(|cell| cell.contains('-'))
        .count()
}

/// A body over the limits, shown as escaped text instead of rendered (see the module comment).
fn as_escaped_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 32);
    let events = [
        Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Indented)),
        Event::Text(markdown.into()),
        Event::End(TagEnd::CodeBlock),
    ];
    html::push_html(&mut out, events.into_iter());
    out
}

/// The readable text of a Markdown body: words only, blocks separated by blank lines.
pub fn to_plain_text(markdown: &str) -> String {
    if check_structure(markdown).is_err() {
        return markdown.to_string();
    }
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_),
            ) if !text.ends_with("\n\n") => {
                text.push_str(if text.ends_with('\n') { "\n" } else { "\n\n" });
            }
            _ => {}
        }
    }
    text.trim().to_string()
}

/// Renders Markdown to HTML that is safe to show: raw HTML in the source is dropped before
/// rendering, and the result is sanitised (no scripts, event attributes or `javascript:` links).
pub fn to_safe_html(markdown: &str) -> String {
    if check_structure(markdown).is_err() {
        return as_escaped_text(markdown);
    }
    let parser = Parser::new_ext(markdown, options()).filter_map(|event| match event {
        Event::Html(_) | Event::InlineHtml(_) => None,
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentioned_ids_are_slugs_in_code_spans_once_each() {
        let body = "See `ke-ncic` and `ke-ncic` again, `some_code`, `word`, ke-not-code\n\n```\nin-a-block\n```\n";
        assert_eq!(mentioned_ids(body), vec!["ke-ncic".to_string()]);
    }

    #[test]
    fn plain_text_has_no_markup_tokens() {
        let text = to_plain_text(
            "## Background\n\nThe **Act** of [2008](https://x.org) `s. 13`.\n\n- one\n- two\n",
        );
        assert_eq!(text, "Background\n\nThe Act of 2008 s. 13.\n\none\n\ntwo");
    }

    #[test]
    fn scripts_and_javascript_links_never_reach_the_reader() {
        let html = to_safe_html(
            "<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<a href=\"#\" onclick=\"x()\">a</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn deep_block_quotes_are_refused_with_their_line() {
        let body = format!("Intro.\n\n{}", ">".repeat(100_000));
        let problem = check_structure(&body).unwrap_err();
        assert_eq!(problem.line, 3);
        assert!(
            problem.message.to_string().contains("nested"),
            "{}",
            problem.message
        );
        // Shown as text, not parsed: cheap whatever the depth.
        let html = to_safe_html(&body);
        assert!(html.starts_with("<pre><code>Intro."), "{}", &html[..40]);
    }

    #[test]
    fn nesting_built_over_several_lines_or_by_indentation_is_counted() {
        let quotes: String = (1..=20)
            .map(|depth| format!("{} x\n", "> ".repeat(depth)))
            .collect();
        assert!(check_structure(&quotes).is_err());
        let lists: String = (0..20)
            .map(|depth| format!("{}- item\n", "  ".repeat(depth)))
            .collect();
        let problem = check_structure(&lists).unwrap_err();
        assert_eq!(problem.line, MAX_NESTING + 1, "{problem:?}");
        let fine: String = (0..4)
            .map(|depth| format!("{}- item\n", "  ".repeat(depth)))
            .collect();
        assert_eq!(check_structure(&fine), Ok(()));
        assert_eq!(
            check_structure("> > quoted\n> - in a list\n\n1. one\n2. two\n"),
            Ok(())
        );
    }

    #[test]
    fn markers_inside_fenced_code_are_text() {
        let body = format!("```\n{}\n```\n", ">".repeat(500));
        assert_eq!(check_structure(&body), Ok(()));
    }

    #[test]
    fn wide_tables_are_refused() {
        let header = format!("|{}\n", "a|".repeat(100));
        let delimiter = format!("|{}\n", "-|".repeat(100));
        let problem = check_structure(&format!("{header}{delimiter}")).unwrap_err();
        assert_eq!(problem.line, 2);
        assert_eq!(check_structure("| a | b |\n|---|:-:|\n| 1 | 2 |\n"), Ok(()));
    }

    #[test]
    fn ordinary_markdown_renders() {
        let html = to_safe_html("## Title\n\nSome *text* and a [link](https://example.org).");
        assert!(html.contains("<h2>Title</h2>"));
        assert!(html.contains("<em>text</em>"));
        assert!(html.contains("href=\"https://example.org\""));
    }
}
