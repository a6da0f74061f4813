//! Line-based differences between two revisions of a document (the "living document": readers
//! see what changed, and when).

use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

/// How a line differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LineChange {
    Same,
    Added,
    Removed,
}

/// One line of a diff, with its line numbers in the old and new texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub(crate) struct DiffLine {
    pub(crate) change: LineChange,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) old_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) new_line: Option<usize>,
    pub(crate) text: String,
}

/// A group of changed lines with a little unchanged context around them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DiffHunk {
    pub(crate) lines: Vec<DiffLine>,
}

/// The differences between two texts, as hunks with `context` unchanged lines around changes.
pub fn diff_lines(old: &str, new: &str, context: usize) -> Vec<DiffHunk> {
    let diff = TextDiff::from_lines(old, new);
    diff.grouped_ops(context)
        .iter()
        .map(|group| DiffHunk {
            lines: group
                .iter()
                .flat_map(|op| diff.iter_changes(op))
                .map(|change| DiffLine {
                    change: match change.tag() {
                        ChangeTag::Equal => LineChange::Same,
                        ChangeTag::Insert => LineChange::Added,
                        ChangeTag::Delete => LineChange::Removed,
                    },
                    old_line: change.old_index().map(|i| i + 1),
                    new_line: change.new_index().map(|i| i + 1),
                    text: change.value().trim_end_matches(['\n', '\r']).to_string(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_are_marked_with_their_line_numbers() {
        let hunks = diff_lines("a\nb\nc\n", "a\nB\nc\nd\n", 1);
        assert_eq!(hunks.len(), 1);
        let lines: Vec<(LineChange, &str)> = hunks[0]
            .lines
            .iter()
            .map(|l| (l.change, l.text.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (LineChange::Same, "a"),
                (LineChange::Removed, "b"),
                (LineChange::Added, "B"),
                (LineChange::Same, "c"),
                (LineChange::Added, "d"),
            ]
        );
        assert_eq!(hunks[0].lines[2].new_line, Some(2));
        assert_eq!(hunks[0].lines[1].old_line, Some(2));
    }

    #[test]
    fn identical_texts_have_no_hunks() {
        assert!(diff_lines("same\n", "same\n", 3).is_empty());
    }
}
