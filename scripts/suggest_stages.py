#!/usr/bin/env python3
"""Suggest where documents sit on the spectrum from prevention to reparation.

Fills the `stages:` front-matter field of documents that have none, from what the document
already says about itself: its themes, its mechanism types and its type. The line goes right
after the `themes:` entry; nothing else in the file changes. Documents that already have a
`stages:` line are left alone, so the script can be re-run over a corpus that curators have
corrected by hand.

The rule is a first draft for a curator to read, not a judgement: read the result and correct
what it gets wrong (a report that only describes a failure of early warning is not itself
"early action"; a law that merely names reparation is not a reparation programme).

    python3 scripts/suggest_stages.py [--dry-run] [PATH ...]     # default: corpus/

Prints one line per document it fills (or would fill): the file and the stages.
"""

import argparse
import pathlib
import re
import sys

# The stages in the taxonomy's order (corpus/taxonomy.yaml, `stages:`).
STAGES = [
    "structural-prevention",
    "early-warning",
    "early-action",
    "protection",
    "accountability",
    "reparation",
    "memory-and-non-recurrence",
]

# What each theme says about the stage a document works at. Themes that name a crime
# (genocide, war crimes, ...) or a way of working (civil society, regional cooperation,
# gender, youth) say nothing about the stage and are absent.
THEME_STAGES = {
    "atrocity-prevention": ["structural-prevention"],
    "national-architecture": ["structural-prevention"],
    "education": ["structural-prevention"],
    "early-warning": ["early-warning"],
    "risk-assessment": ["early-warning"],
    "human-rights-monitoring": ["early-warning"],
    "responsibility-to-protect": ["early-action"],
    "dialogue-mediation": ["early-action"],
    "electoral-violence": ["early-action"],
    "protection-of-civilians": ["protection"],
    "displacement": ["protection"],
    "accountability": ["accountability"],
    "universal-jurisdiction": ["accountability"],
    "transitional-justice": ["accountability"],
    "truth-seeking": ["accountability", "memory-and-non-recurrence"],
    "reparations": ["reparation"],
    "missing-persons": ["reparation"],
    "memorialisation": ["memory-and-non-recurrence"],
}

# Themes that place a document in structural prevention only when nothing more specific does:
# a truth commission that speaks of minority rights, or a court that tries incitement, works
# after the atrocities, while a hate-speech law or a cohesion programme works before them.
BACKGROUND_THEME_STAGES = {
    "social-cohesion": ["structural-prevention"],
    "minority-rights": ["structural-prevention"],
    "hate-speech": ["structural-prevention"],
    "incitement": ["structural-prevention"],
    "online-extremism": ["structural-prevention"],
    "rule-of-law": ["structural-prevention"],
    "security-sector-governance": ["structural-prevention"],
    "land-and-resources": ["structural-prevention"],
    "conflict-prevention": ["structural-prevention"],
}

MECHANISM_STAGES = {
    "national-committee": ["structural-prevention", "early-warning"],
    "focal-point": ["structural-prevention"],
    "nhri": ["structural-prevention", "early-warning"],
    "early-warning-system": ["early-warning", "early-action"],
    "peace-infrastructure": ["structural-prevention", "early-action"],
    "interagency-board": ["early-warning", "early-action"],
    "cohesion-commission": ["structural-prevention"],
    "parliamentary-body": ["structural-prevention"],
    "research-centre": ["early-warning"],
    "judicial-mechanism": ["accountability"],
    "truth-commission": ["accountability", "memory-and-non-recurrence"],
    "reparations-programme": ["reparation"],
    "missing-persons-institution": ["reparation"],
    "memorial-documentation-centre": ["memory-and-non-recurrence"],
}

# When neither themes nor mechanism types place a document, its type does.
TYPE_STAGES = {
    "curriculum": ["structural-prevention"],
    "law": ["structural-prevention"],
    "mechanism": ["structural-prevention"],
    "network": ["structural-prevention"],
    "report": ["structural-prevention"],
    "case-study": ["early-action"],
    # The manual's chapters (issue 15 item 1): establishing and running a national mechanism.
    "guide": ["structural-prevention"],
}

FRONT_MATTER = re.compile(r"\A---\r?\n(.*?\r?\n)---\r?\n", re.S)


def field_list(yaml: str, key: str) -> list[str]:
    """The values of a list field written either as `key: [a, b]` or as a block list."""
    flow = re.search(rf"^{key}:\s*\[(.*?)\]", yaml, re.M | re.S)
    if flow:
        return [v.strip().strip("'\"") for v in flow.group(1).split(",") if v.strip()]
    block = re.search(rf"^{key}:\s*(?:#.*)?\n((?:[ \t]*-[^\n]*\n)+)", yaml, re.M)
    if block:
        return [
            re.sub(r"#.*", "", line).strip()[1:].strip().strip("'\"")
            for line in block.group(1).splitlines()
            if line.strip().startswith("-")
        ]
    return []


def field_value(yaml: str, key: str) -> str:
    match = re.search(rf"^{key}:\s*([^\n#]*)", yaml, re.M)
    return match.group(1).strip().strip("'\"") if match else ""


def from_type_only(yaml: str) -> bool:
    """True when neither themes nor mechanism types place the document: its type decided."""
    return not any(
        THEME_STAGES.get(t) or BACKGROUND_THEME_STAGES.get(t) for t in field_list(yaml, "themes")
    ) and not any(MECHANISM_STAGES.get(m) for m in field_list(yaml, "mechanism_types"))


def suggest(yaml: str) -> list[str]:
    """The stages the rule gives a document, in the spectrum's order."""
    found = set()
    for theme in field_list(yaml, "themes"):
        found.update(THEME_STAGES.get(theme, []))
    for mechanism in field_list(yaml, "mechanism_types"):
        found.update(MECHANISM_STAGES.get(mechanism, []))
    if not found:
        for theme in field_list(yaml, "themes"):
            found.update(BACKGROUND_THEME_STAGES.get(theme, []))
    if not found:
        found.update(TYPE_STAGES.get(field_value(yaml, "type"), []))
    return [stage for stage in STAGES if stage in found]


def themes_entry_end(yaml: str) -> int | None:
    """The offset just after the `themes:` entry (its line, or its block list)."""
    match = re.search(r"^themes:[^\n]*\n", yaml, re.M)
    if not match:
        return None
    end = match.end()
    if "[" not in match.group(0):
        block = re.match(r"(?:[ \t]*-[^\n]*\n)+", yaml[end:])
        if block:
            end += block.end()
    return end


def fill(path: pathlib.Path, dry_run: bool) -> str | None:
    """Adds the suggested stages to one file; returns a line to print, or None if untouched."""
    text = path.read_text(encoding="utf-8")
    front = FRONT_MATTER.match(text)
    if not front:
        return None
    yaml = front.group(1)
    if re.search(r"^stages:", yaml, re.M):
        return None
    stages = suggest(yaml)
    end = themes_entry_end(yaml)
    if not stages:
        return f"{path}: no stage suggested (set one by hand)"
    if end is None:
        return f"{path}: no themes line to put stages after (set them by hand)"
    line = f"stages: [{', '.join(stages)}]\n"
    start = front.start(1)
    updated = text[: start + end] + line + text[start + end :]
    if not dry_run:
        path.write_text(updated, encoding="utf-8")
    guess = " (from its type only: check by hand)" if from_type_only(yaml) else ""
    return f"{path}: {', '.join(stages)}{guess}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["corpus"])
    parser.add_argument("--dry-run", action="store_true", help="print, change nothing")
    args = parser.parse_args()
    files = []
    for name in args.paths:
        path = pathlib.Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.name != "README.md"))
        else:
            files.append(path)
    for path in files:
        if "reference" in path.parts:
            continue
        message = fill(path, args.dry_run)
        if message:
            print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
