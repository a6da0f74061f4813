//! Markdown bodies: plain text for the index (no markup tokens) and sanitised HTML for readers.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// The readable text of a Markdown body: words only, blocks separated by blank lines.
pub fn to_plain_text(markdown: &str) -> String {
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
    fn ordinary_markdown_renders() {
        let html = to_safe_html("## Title\n\nSome *text* and a [link](https://example.org).");
        assert!(html.contains("<h2>Title</h2>"));
        assert!(html.contains("<em>text</em>"));
        assert!(html.contains("href=\"https://example.org\""));
    }
}
