#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs the shell commands of a Markdown document, in order, as a reader would.

    run_doc.py [--sim PKIWS_SIM] [--outside] [--print] SOURCE_ROOT BUILD_ROOT DOC.md

Every fenced block whose info string is `sh` is run; other blocks (`text`, `c`, `ini`,
`xml`, `powershell`, ...) are not. HTML comments steer the test without showing in the
rendered page:

    <!-- doc-test: skip REASON -->     the next sh block is not run (say why)
    <!-- doc-test: exit N -->          the next sh block must exit with status N (it runs in
                                      a subshell: its variables do not carry over)
    <!-- doc-test: expect REGEX -->    the next sh block's output (stdout + stderr) must match
    <!-- doc-test: file NAME -->        the next block (any language) is saved as NAME instead
                                      of being run, e.g. a program that a later sh block builds
    <!-- doc-test-setup               shell code run at this point, e.g. fixtures or settings
    ...                               that stand in for the real service
    -->

The blocks run in one bash process (`set -euo pipefail`; variables carry over from block to
block) in a fresh temporary directory that holds symbolic links to the tree's top-level
entries and `build` -> BUILD_ROOT, so `docs/examples/issue.c`, `bindings/python` and
`build/src/cli/pkiws` resolve as in a clone with a build directory named `build`. With
--outside that clone is `~/pkiws` instead ($HOME is a fresh directory too) and the blocks start
in `~`, outside the tree, for documents written for a folder of the reader's own. With --sim,
a pkiws-sim is started first (state in $SIM_STATE, base URL in $SIM_URL) for documents that
talk to a CA. The environment has no PYTHONPATH, PKIWS_LIBRARY, LD_LIBRARY_PATH or
PKG_CONFIG_PATH: what a document needs of them, it sets. Whatever the document leaves running
(its process group) is killed at the end. A failing block is reported with its line number
and its output. --print only prints the script.
"""
from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DIRECTIVE = re.compile(r"^\s*<!--\s*doc-test:\s*(skip|exit|expect|file)\b\s*(.*?)\s*-->\s*$")
SETUP_START = re.compile(r"^\s*<!--\s*doc-test-setup\b(.*)$")


class Block:
    def __init__(self, line: int, code: str, kind: str = "sh"):
        self.line, self.code, self.kind = line, code, kind
        self.skip: str | None = None
        self.name: str | None = None  # kind "file": where the block is saved
        self.exit = 0
        self.expect: list[str] = []


def parse(doc: Path) -> list[Block]:
    """The runnable blocks and setup snippets of the document, in order."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    pending: dict = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        m = DIRECTIVE.match(line)
        if m:
            kind, arg = m.group(1), m.group(2)
            if kind == "skip":
                if not arg:
                    raise SystemExit(f"{doc}:{i + 1}: doc-test: skip needs a reason")
                pending["skip"] = arg
            elif kind == "file":
                if not re.fullmatch(r"[\w.-]+", arg):
                    raise SystemExit(f"{doc}:{i + 1}: doc-test: file needs a plain file name")
                pending["file"] = arg
            elif kind == "exit":
                if not arg.isdigit():
                    raise SystemExit(f"{doc}:{i + 1}: doc-test: exit needs a number, got {arg!r}")
                pending["exit"] = int(arg)
            else:
                pending.setdefault("expect", []).append(arg)
            i += 1
            continue
        m = SETUP_START.match(line)
        if m:
            start, body = i + 1, []
            rest = m.group(1)
            if "-->" in rest:
                body.append(rest.split("-->")[0])
            else:
                if rest.strip():
                    body.append(rest)
                i += 1
                while i < len(lines) and "-->" not in lines[i]:
                    body.append(lines[i])
                    i += 1
                if i == len(lines):
                    raise SystemExit(f"{doc}:{start}: doc-test-setup is not closed with -->")
                body.append(lines[i].split("-->")[0])
            blocks.append(Block(start, "\n".join(body), "setup"))
            i += 1
            continue
        fence = re.match(r"^(\s*)(```+|~~~+)\s*([\w+-]*)", line)
        if fence:
            indent, marker, info = fence.groups()
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            if "file" in pending:
                if len(pending) > 1:
                    raise SystemExit(f"{doc}:{start}: doc-test: file goes alone")
                b = Block(start, "\n".join(body) + "\n", "file")
                b.name = pending["file"]
                blocks.append(b)
            elif info == "sh":
                b = Block(start, "\n".join(body))
                b.skip = pending.get("skip")
                b.exit = pending.get("exit", 0)
                b.expect = pending.get("expect", [])
                blocks.append(b)
            elif pending:
                raise SystemExit(f"{doc}:{start}: doc-test directive before a '{info}' block; "
                                 "only sh blocks are run")
            pending = {}
        i += 1
    if pending:
        raise SystemExit(f"{doc}: doc-test directive at the end without a sh block after it")
    return blocks


def script(doc: Path, blocks: list[Block], outdir: Path) -> str:
    """One bash script: the blocks in order, each with its line number for messages.

    A block's output (stdout and stderr, in order) goes to a file of its own, which is shown
    after the block, or by the ERR trap when a command of the block fails (through fds 3 and
    4, the script's own stdout and stderr, which the block's redirection leaves alone)."""
    trap = ('trap \'DOC_RC=$?; { [ -z "$DOC_LOG" ] || cat "$DOC_LOG"; echo "doc-test: '
            '$DOC_FILE:$DOC_LINE: command failed (status $DOC_RC): $BASH_COMMAND"; } >&4\' ERR')
    out = ["set -euo pipefail", "exec 3>&1 4>&2", "DOC_LOG=", trap]
    for n, b in enumerate(blocks):
        out.append(f"\n# ---- {doc.name}:{b.line} ({b.kind})")
        out.append(f"DOC_LINE={b.line}")
        out.append("DOC_LOG=")
        if b.kind == "setup":
            out.append(b.code)
            continue
        if b.kind == "file":
            marker = "DOC_TEST_EOF_" + str(n)
            if marker in b.code:
                raise SystemExit(f"{doc}:{b.line}: the block contains {marker}")
            out.append(f"cat > {shlex.quote(b.name)} <<'{marker}'\n{b.code}{marker}")
            continue
        if b.skip:
            out.append(f"echo 'doc-test: {doc.name}:{b.line}: skipped: "
                       f"{b.skip.replace(chr(39), '')}'")
            continue
        q = shlex.quote(str(outdir / f"block{n}.out"))
        out.append(f"echo 'doc-test: {doc.name}:{b.line}: running'")
        out.append(f"DOC_LOG={q}")
        if b.exit == 0:
            # In the current shell, so that variables and background jobs carry over; errexit
            # stops the document at the first failing command.
            out.append(f"{{\n{b.code}\n}} > {q} 2>&1")
        else:
            # A block that is meant to fail runs in a subshell (its variables are lost).
            out.append("set +e; trap - ERR")
            out.append(f"(\nset -e\n{b.code}\n) > {q} 2>&1")
            out.append("DOC_RC=$?")
            out.append("set -e; " + trap)
        out.append(f"cat {q}")
        if b.exit != 0:
            out.append(f'[ "$DOC_RC" = {b.exit} ] || {{ echo "doc-test: $DOC_FILE:{b.line}: '
                       f'exit status $DOC_RC, the document says {b.exit}" >&2; exit 1; }}')
        for rx in b.expect:
            out.append(f"grep -Eq -- {shlex.quote(rx)} {q} || {{ echo \"doc-test: "
                       f"$DOC_FILE:{b.line}: output does not match /{rx.replace(chr(34), '')}/\" "
                       f">&2; exit 1; }}")
    out.append("\necho 'doc-test: all blocks ran as documented'")
    return "\n".join(out) + "\n"


def start_sim(sim: str, work: Path) -> tuple[subprocess.Popen, str, Path]:
    state, port_file = work / ".sim-state", work / ".sim-port"
    proc = subprocess.Popen([sim, "--state-dir", str(state), "--port-file", str(port_file),
                             "--listen", "127.0.0.1:0", "-q"],
                            stdout=subprocess.DEVNULL, stderr=open(work / ".sim-log", "wb"))
    deadline = time.monotonic() + 60
    while not (port_file.exists() and port_file.read_text().strip()):
        if proc.poll() is not None:
            raise SystemExit(f"pkiws-sim exited at start-up: {(work / '.sim-log').read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("pkiws-sim wrote no port file within 60 s")
        time.sleep(0.05)
    return proc, f"https://localhost:{port_file.read_text().strip()}/pki-ws", state


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sim", help="pkiws-sim to start for the document ($SIM_URL, $SIM_STATE)")
    ap.add_argument("--outside", action="store_true",
                    help="the clone is ~/pkiws and the blocks start in ~, outside it")
    ap.add_argument("--print", action="store_true", help="print the script, do not run it")
    ap.add_argument("source_root", type=Path)
    ap.add_argument("build_root", type=Path)
    ap.add_argument("doc", type=Path)
    args = ap.parse_args()
    if os.environ.get("DOC_TEST_SKIP"):
        print(f"doc-test: skipped: {os.environ['DOC_TEST_SKIP']}")
        return 77
    src, build, doc = args.source_root.resolve(), args.build_root.resolve(), args.doc.resolve()
    blocks = parse(doc)
    runnable = [b for b in blocks if b.kind == "sh" and not b.skip]
    skipped = [b for b in blocks if b.kind == "sh" and b.skip]
    if not runnable:
        print(f"doc-test: {doc}: no sh block to run", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="pkiws-doc-test.") as tmp:
        home = Path(tmp) / "home" if args.outside else Path(tmp)
        clone = home / "pkiws" if args.outside else Path(tmp) / "clone"
        work = home if args.outside else clone
        outdir = Path(tmp) / "out"
        clone.mkdir(parents=True)
        outdir.mkdir()
        for entry in src.iterdir():
            if entry.name not in (".git", "build") and not entry.name.startswith("build-"):
                (clone / entry.name).symlink_to(entry)
        (clone / "build").symlink_to(build)
        text = script(doc, blocks, outdir)
        if args.print:
            print(text)
            return 0
        shown = doc.relative_to(src) if src in doc.parents else doc.name
        env = {k: v for k, v in os.environ.items() if k not in
               ("PYTHONPATH", "PKIWS_LIBRARY", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH")}
        env.update(DOC_FILE=str(shown), HOME=str(home))
        sim = None
        if args.sim:
            sim, env["SIM_URL"], state = start_sim(args.sim, Path(tmp))
            env["SIM_STATE"] = str(state)
        try:
            proc = subprocess.Popen(["bash", "-c", text], cwd=work, env=env,
                                    start_new_session=True)
            try:
                rc = proc.wait(timeout=float(os.environ.get("DOC_TEST_TIMEOUT", "240")))
            except subprocess.TimeoutExpired:
                print("doc-test: the document's commands did not finish in time", file=sys.stderr)
                rc = 1
            try:  # anything the document started and left running
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        finally:
            if sim:
                sim.terminate()
                sim.wait(timeout=30)
    print(f"doc-test: {doc.name}: {len(runnable)} block(s) run, "
          f"{len(skipped)} skipped: {'ok' if rc == 0 else 'FAILED'}")
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
