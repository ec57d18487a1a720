#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the user documentation against the tree it describes.

    check_docs.py SOURCE_ROOT

1. Every relative link of README.md and docs/*.md (inline `[t](target)`, reference
   `[t]: target`, HTML `href="target"`) points to a file or directory that exists; a
   `#fragment` on a Markdown target (or alone) must be one of that file's headings, as GitHub
   turns them into anchors.
2. Every code identifier `pkiws_...` / `PKIWS_...` that README.md, docs/*.md and docs/pkiws.1
   mention exists in the public headers (include/pkiws/*.h, *.h.in); `PREFIX_*` names a family
   and needs one member there. Words that name files (`pkiws_internal.h`), symbol version nodes
   (`PKIWS_1.0`) and the internal prefix `pkiws__*` are not identifiers. Two kinds of names
   live outside the headers and are accepted only where the tree really defines them:
   environment variables read by the tree's scripts and programs (`PKIWS_LIBRARY`), and meson
   variables (`pkiws_dep`). Single-line `<!-- doc-test: ... -->` directives are skipped.

Prints one line per problem, naming the file, the line and the offending text; exit status 1
when there is any.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

IDENT = re.compile(r"(?<![\w./-])(pkiws_[a-z0-9_]+|PKIWS_[A-Z0-9_]+)\b(\*?)"
                   r"(?![.-]?\w*\.(?:h|c|py|so|sh|md|pc|map|in)\b)(?!\.(?:\d|x\b))")
# Not identifiers: symbol version nodes of src/libpkiws.map (PKIWS_1.0, PKIWS_1.x), excluded by
# the last lookahead above; and the prefix of internal functions, `pkiws__*`.
INTERNAL_PREFIX = "pkiws__"
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to -."""
    text = re.sub(r"<[^>]+>", "", heading)  # inline HTML
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = text.replace("`", "").strip().lower()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in " -":
            out.append("-" if ch == " " else ch)
        elif ch == "_" or cat[0] in "LN":
            out.append(ch)
    return "".join(out)


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file: its headings (duplicates get -1, -2) and <a name>s."""
    seen: dict[str, int] = {}
    result = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for name in re.findall(r"""<a\s+(?:name|id)\s*=\s*["']([^"']+)["']""", line):
            result.add(name)
        m = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        result.add(base if n == 0 else f"{base}-{n}")
    return result


def strip_code_spans(line: str) -> str:
    return re.sub(r"`[^`]*`", "", line)


def check_links(root: Path, doc: Path, problems: list[str]) -> int:
    count = 0
    in_fence = False
    for lineno, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        text = strip_code_spans(line)
        targets = INLINE_LINK.findall(text) + HREF.findall(text)
        m = REF_LINK.match(text)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if SCHEME.match(target) or target.startswith("//"):
                continue  # absolute URL: not checked offline
            count += 1
            where = f"{doc.relative_to(root)}:{lineno}"
            path_part, _, fragment = target.partition("#")
            dest = (doc.parent / path_part).resolve() if path_part else doc
            if path_part and not dest.exists():
                problems.append(f"{where}: link '{target}': {path_part} does not exist")
                continue
            if path_part and root.resolve() not in dest.parents and dest != root.resolve():
                problems.append(f"{where}: link '{target}' leaves the repository")
                continue
            if fragment and dest.suffix == ".md":
                if fragment not in anchors(dest):
                    problems.append(
                        f"{where}: link '{target}': no heading with anchor #{fragment} in "
                        f"{dest.relative_to(root.resolve()) if path_part else doc.name}")
    return count


def header_identifiers(root: Path) -> set[str]:
    names: set[str] = set()
    for h in sorted((root / "include" / "pkiws").glob("*.h*")):
        names.update(re.findall(r"\b(pkiws_[a-z0-9_]+|PKIWS_[A-Z0-9_]+)\b", h.read_text("utf-8")))
    return names


def tree_definitions(root: Path) -> tuple[set[str], set[str]]:
    """Environment variables the tree reads and meson variables it assigns (outside docs/)."""
    env: set[str] = set()
    meson: set[str] = set()
    env_use = re.compile(
        r"""\$\{?(PKIWS_[A-Z0-9_]+)"""                                          # shell
        r"""|(?:environ(?:\.get|\.setdefault)?\s*[\[(]\s*|getenv\s*\(\s*)"""
        r"""["'](PKIWS_[A-Z0-9_]+)["']"""
        r"""|env\.set\(\s*'(PKIWS_[A-Z0-9_]+)'|['"](PKIWS_[A-Z0-9_]+)="""      # meson
        r"""|^\s*(?:export\s+)?(PKIWS_[A-Z0-9_]+)=""",                          # assignment
        re.M)
    for sub in ("scripts", "bindings", "tests", "src", ".ci"):
        for f in (root / sub).rglob("*"):
            if not f.is_file() or f.suffix in (".md",) or "docs" in f.relative_to(root).parts[:2]:
                continue
            try:
                text = f.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            if f.name == "meson.build":
                meson.update(re.findall(r"^\s*(pkiws_[a-z0-9_]+)\s*=", text, re.M))
            if "getenv" in text or "environ" in text or f.suffix in (".sh", "") or \
                    f.name == "meson.build":
                env.update(n for groups in env_use.findall(text) for n in groups if n)
    top = root / "meson.build"
    if top.exists():
        meson.update(re.findall(r"^\s*(pkiws_[a-z0-9_]+)\s*=", top.read_text("utf-8"), re.M))
    return env, meson


def check_identifiers(root: Path, doc: Path, known: set[str], env: set[str], meson: set[str],
                      problems: list[str]) -> int:
    count = 0
    for lineno, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("<!-- doc-test:"):
            continue  # a test directive (tests/docs/run_doc.py), e.g. a regular expression
        if doc.suffix == ".1":
            line = re.sub(r"\\f[BIRP]|\\-|\\&", lambda m: "-" if m.group() == "\\-" else "", line)
        for name, star in IDENT.findall(line):
            count += 1
            if name in known or name in env or name in meson:
                continue
            if star and any(k.startswith(name) for k in known):
                continue  # a family, e.g. PKIWS_E_*
            if star and name == INTERNAL_PREFIX:
                continue
            problems.append(f"{doc.relative_to(root)}:{lineno}: '{name}' is not declared in "
                            f"include/pkiws/ (nor an environment or meson variable of the tree)")
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    root = Path(argv[1]).resolve()
    docs = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    docs = [d for d in docs if d.exists()]
    if len(docs) < 2:
        print(f"check_docs: no documentation under {root}", file=sys.stderr)
        return 1
    problems: list[str] = []
    links = sum(check_links(root, d, problems) for d in docs)
    known = header_identifiers(root)
    if not known:
        problems.append(f"no identifiers found in {root}/include/pkiws")
    env, meson = tree_definitions(root)
    idents = 0
    for d in docs + sorted((root / "docs").glob("*.1")):
        idents += check_identifiers(root, d, known, env, meson, problems)
    for p in problems:
        print(p)
    print(f"check_docs: {len(docs)} documents, {links} relative links, {idents} identifiers, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
