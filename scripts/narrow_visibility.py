#!/usr/bin/env python3
"""`pub(crate)` by default (issue 17 item 4).

Narrows every `pub` item, re-export and field of the library (src/, without the binary's
src/main.rs, src/cli.rs and src/cli/) to `pub(crate)`, then gives `pub` back, one compiler
report at a time, to what the binary, the benches, the examples and the integration tests use
and to what a public signature names. Only the word `pub` changes: no line moves, so the
change can be made again after a merge by running this script on the merged tree.

    python3 scripts/narrow_visibility.py            # narrow, then widen until it compiles
    python3 scripts/narrow_visibility.py --widen    # only the second step (after a manual edit)

Then `cargo clippy --all-targets -- -W dead_code` lists what nothing uses.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
BINARY = {SRC / "main.rs", SRC / "cli.rs"}

# `pub` before an item, a re-export or a named field (`pub(crate)`, `pub(super)` stay as they are).
ITEM = re.compile(
    r"^(\s*)pub (?=(?:unsafe |async |const |extern )*(?:fn|struct|enum|const|static|type|trait|mod|use|union)\b"
    r"|(?:r#)?[a-z_][a-z0-9_]*\s*:)"
)
# `pub` before a tuple struct's field: `struct Id(pub String);`
TUPLE_FIELD = re.compile(r"([(,]\s*)pub (?=[A-Za-z&\[(])")

# The compiler's reports of a private item used where it is not visible, and of a public
# signature naming a crate-private type.
PRIVATE_USE = {"E0603", "E0624", "E0364", "E0365", "E0446"}
PRIVATE_FIELD = {"E0616", "E0451"}
PRIVATE_INTERFACE_LINTS = {"private_interfaces", "private_bounds"}


def library_files():
    for path in sorted(SRC.rglob("*.rs")):
        if path in BINARY or (SRC / "cli") in path.parents:
            continue
        yield path


def narrow():
    changed = 0
    for path in library_files():
        lines = path.read_text().split("\n")
        out = []
        for line in lines:
            new = ITEM.sub(r"\1pub(crate) ", line)
            if re.match(r"^\s*(pub(\(crate\))? )?struct \w+(<[^>]*>)?\(", new):
                new = TUPLE_FIELD.sub(r"\1pub(crate) ", new)
            changed += new != line
            out.append(new)
        path.write_text("\n".join(out))
    print(f"narrowed {changed} lines")


def widen_line(file_name, line_number):
    path = ROOT / file_name
    if path not in set(library_files()):
        return False
    lines = path.read_text().split("\n")
    line = lines[line_number - 1]
    if "pub(crate)" not in line:
        return False
    lines[line_number - 1] = line.replace("pub(crate)", "pub")
    path.write_text("\n".join(lines))
    return True


def widen_field(struct, field):
    """Finds `struct <struct>` in the library and makes its field `field` public again."""
    pattern = re.compile(rf"^\s*pub(\(crate\))? (struct|enum|union) {re.escape(struct)}\b")
    for path in library_files():
        lines = path.read_text().split("\n")
        for i, line in enumerate(lines):
            if not pattern.match(line):
                continue
            if field.isdigit():  # a tuple struct: its fields are on this line
                if "pub(crate)" in line.split(struct, 1)[1]:
                    head, tail = line.split(struct, 1)
                    lines[i] = head + struct + tail.replace("pub(crate)", "pub")
                    path.write_text("\n".join(lines))
                    return True
                continue
            depth = 0
            for j in range(i, len(lines)):
                depth += lines[j].count("{") - lines[j].count("}")
                if re.match(rf"^\s*pub\(crate\) (r#)?{re.escape(field)}\s*:", lines[j]):
                    lines[j] = lines[j].replace("pub(crate)", "pub", 1)
                    path.write_text("\n".join(lines))
                    return True
                if depth <= 0 and j > i:
                    break
    return False


def widen_item(name):
    """Makes the definition of `name`, and the `use` lines re-exporting it, public again: for a
    re-export whose report names the item but points at no span of its definition."""
    definition = re.compile(
        rf"^\s*pub\(crate\) (?:(?:unsafe|async|const|extern) )*"
        rf"(?:struct|enum|union|trait|fn|type|const|static|mod) {re.escape(name)}\b"
    )
    reexport = re.compile(rf"^\s*pub\(crate\) use .*\b{re.escape(name)}\b", re.S)
    hit = False
    for path in library_files():
        lines = path.read_text().split("\n")
        changed = False
        for i, line in enumerate(lines):
            statement = line
            if re.match(r"^\s*pub\(crate\) use ", line):
                # A re-export may span lines: `pub(crate) use request::{\n    A, B,\n};`
                j = i
                while ";" not in lines[j] and j + 1 < len(lines):
                    j += 1
                    statement += " " + lines[j]
            if definition.match(line) or reexport.match(statement):
                lines[i] = line.replace("pub(crate)", "pub", 1)
                changed = True
        if changed:
            path.write_text("\n".join(lines))
            hit = True
    return hit


def compiler_reports():
    result = subprocess.run(
        ["cargo", "check", "--all-targets", "--message-format=json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    for line in result.stdout.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("reason") == "compiler-message":
            yield message["message"]


def note_spans(diagnostic, top=True):
    # The definition is a secondary span of the report itself or a span of one of its notes.
    if top:
        for span in diagnostic.get("spans", []):
            if not span.get("is_primary"):
                yield span
    for child in diagnostic.get("children", []):
        for span in child.get("spans", []):
            yield span
        yield from note_spans(child, top=False)


def widen():
    for round_number in range(1, 200):
        widened = 0
        remaining = []
        for diagnostic in compiler_reports():
            code = (diagnostic.get("code") or {}).get("code")
            if code in PRIVATE_USE or code in PRIVATE_INTERFACE_LINTS:
                hit = False
                for span in note_spans(diagnostic):
                    hit |= widen_line(span["file_name"], span["line_start"])
                named = re.match(r"`([A-Za-z_][A-Za-z0-9_]*)` is only public within the crate",
                                 diagnostic["message"])
                if not hit and named:
                    hit = widen_item(named.group(1))
                widened += hit
                if not hit:
                    remaining.append(diagnostic)
            elif code in PRIVATE_FIELD:
                # "field `a` of struct `S` is private" or "fields `a`, `b` and `c` of struct `S`…"
                found = re.search(r"fields? (.*?) of (?:struct|union|enum) `([^`]+)`", diagnostic["message"])
                hit = False
                if found:
                    struct = found.group(2).split("::")[-1]
                    for field in re.findall(r"`([^`]+)`", found.group(1)):
                        hit |= widen_field(struct, field)
                widened += hit
                if not hit:
                    remaining.append(diagnostic)
            elif diagnostic["level"] == "error":
                remaining.append(diagnostic)
        print(f"round {round_number}: widened {widened}")
        if widened == 0:
            for diagnostic in remaining:
                print(diagnostic.get("rendered") or diagnostic["message"], file=sys.stderr)
            errors = [d for d in remaining if d["level"] == "error"]
            return not errors
    return False


def main():
    if "--widen" not in sys.argv:
        narrow()
    sys.exit(0 if widen() else 1)


if __name__ == "__main__":
    main()
