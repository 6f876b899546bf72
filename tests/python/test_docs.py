"""Every code block in README.md and docs/*.md runs as written (issue 11).

- ```python blocks run in order, one namespace per file (like a notebook), with the
  working directory at the repository root (so ``../shared/data`` resolves as it does
  for a user of a checkout; blocks that read data honour ``FUNNELNET_SHARED_DATA``).
  Warnings are errors, except DeprecationWarnings raised inside third-party libraries;
  a `...` placeholder is an error.
  A failure names the file, the block and the line (code objects carry the Markdown
  file's own line numbers).
- ```c / ```cpp blocks are complete programs, compiled with ``-fsyntax-only`` against
  ``include/`` (no library needed); a block that is deliberately a fragment says so in
  its info string (```cpp fragment) and is skipped; there are at most ``MAX_FRAGMENTS``.
- ```sh blocks are not run (they are the install, build and test commands); every
  repository path they name must exist.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tokenize
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MAX_FRAGMENTS = 2
FENCE = re.compile(r"^```(\S*)[ \t]*(.*)$")


@dataclass(frozen=True)
class Block:
    file: Path
    number: int  # 1-based among the file's blocks of this language
    line: int  # line of the first code line in the file (1-based)
    lang: str
    info: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.file.relative_to(ROOT)} {self.lang} block {self.number} (line {self.line})"


def blocks(path: Path, lang: str) -> list[Block]:
    """The fenced blocks of ``path`` whose language is ``lang``, in order."""
    out: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            start = i + 1
            j = start
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            if j == len(lines):
                raise AssertionError(f"{path.relative_to(ROOT)}:{i + 1}: unclosed ``` fence")
            if m.group(1) == lang:
                n = sum(b.lang == lang for b in out) + 1
                out.append(Block(path, n, start + 1, lang, m.group(2).strip(), "\n".join(lines[start:j]) + "\n"))
            i = j + 1
        else:
            i += 1
    return out


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(ROOT)) for p in paths]


def test_every_fence_is_known() -> None:
    """Each fenced block names a language this test knows (so none escapes the checks)."""
    known = {"python", "c", "cpp", "sh", "cmake", "text"}
    for path in DOCS:
        for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = FENCE.match(line)
            if m and line.rstrip() != "```":
                assert m.group(1) in known, f"{path.relative_to(ROOT)}:{k}: fence language {m.group(1)!r}"


PY_DOCS = [p for p in DOCS if blocks(p, "python")]


@pytest.mark.parametrize("path", PY_DOCS, ids=_ids(PY_DOCS))
def test_python_blocks_run(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "docblock"}
    for block in blocks(path, "python"):
        # Pad so that tracebacks carry the Markdown file's line numbers.
        source = "\n" * (block.line - 1) + block.code
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.OP and tok.string == "...":
                pytest.fail(f"{block.where}: `...` placeholder at {path.relative_to(ROOT)}:{tok.start[0]}",
                            pytrace=False)
        code = compile(source, str(path), "exec")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("error", category=DeprecationWarning, module=r"(funnelnet|docblock)")
            try:
                exec(code, namespace)
            except BaseException as e:  # noqa: BLE001 - re-raised with the place
                tb = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == str(path)]
                line = tb[-1].lineno if tb else block.line
                pytest.fail(
                    f"{block.where} fails at {path.relative_to(ROOT)}:{line}: {type(e).__name__}: {e}",
                    pytrace=False,
                )


C_BLOCKS = [b for p in DOCS for lang in ("c", "cpp") for b in blocks(p, lang)]


def test_fragments_are_few() -> None:
    fragments = [b.where for b in C_BLOCKS if "fragment" in b.info.split()]
    assert len(fragments) <= MAX_FRAGMENTS, fragments


@pytest.mark.parametrize("block", C_BLOCKS, ids=[f"{b.file.name}-{b.lang}{b.number}" for b in C_BLOCKS])
def test_c_blocks_compile(block: Block, tmp_path: Path) -> None:
    if "fragment" in block.info.split():
        pytest.skip(f"{block.where} is marked as a fragment")
    if block.lang == "c":
        cc = shutil.which("cc") or shutil.which("gcc")
        cmd = [cc, "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-x", "c"]
    else:
        cc = shutil.which("g++") or shutil.which("c++")
        cmd = [cc, "-std=c++20", "-Wall", "-Wextra", "-Werror", "-x", "c++", "-I", "/usr/include/eigen3"]
    if cc is None:
        pytest.skip("no compiler")
    src = tmp_path / f"block.{block.lang}"
    # #line keeps the compiler's messages on the Markdown file's lines.
    src.write_text(f'#line {block.line} "{block.file.relative_to(ROOT)}"\n{block.code}', encoding="utf-8")
    r = subprocess.run([*cmd, "-fsyntax-only", "-I", str(ROOT / "include"), str(src)],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, f"{block.where} does not compile:\n{r.stderr}"


SH_DOCS = [p for p in DOCS if blocks(p, "sh")]
TRACKED_TOP = {p.name for p in ROOT.iterdir() if not p.name.startswith(".") and p.name not in {"build"}}
PATH_TOKEN = re.compile(r"(?:\$PWD/|\./)?((?:[\w.-]+/)+[\w.-]+)")


@pytest.mark.parametrize("path", SH_DOCS, ids=_ids(SH_DOCS))
def test_sh_blocks_name_real_files(path: Path) -> None:
    missing = []
    for block in blocks(path, "sh"):
        for k, line in enumerate(block.code.splitlines()):
            command = line.split("#", 1)[0]
            for m in PATH_TOKEN.finditer(command):
                start = m.start()
                if start > 0 and command[start - 1] not in " \t=;\"'(":
                    continue  # part of a longer path (/tmp/..., an option value)
                rel = m.group(1)
                if rel.split("/", 1)[0] not in TRACKED_TOP:
                    continue  # build outputs, /tmp, .venv: not repository files
                if not (ROOT / rel).exists():
                    missing.append(f"{block.where}, line {block.line + k}: {rel}")
    assert not missing, "paths not in the repository:\n" + "\n".join(missing)
