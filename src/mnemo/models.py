"""Plain dataclasses that flow between the pipeline's stages.

scan → parse/chunk/extract → embed → store. Each stage takes and returns these, so a
stage can be tested on its own without a database, a model or a file system.
Line numbers are 1-based and inclusive; columns are 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourceFile:
    """A file the scanner decided to index."""

    path: Path  # absolute path on disk
    rel_path: str  # POSIX path relative to the repository root; the file's identity
    language: str  # registry key: "typescript", "tsx", "javascript", "python", ...
    size: int  # bytes


@dataclass(frozen=True)
class SyntaxIssue:
    """The position and text of a syntax error found by the parser."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


@dataclass
class Call:
    """One call expression: `qualifier.name(...)`, e.g. `this.save()` → name="save", qualifier="this".

    `qualifier` is the full text left of the last member access (`a.b.c()` → "a.b"), None for
    a bare call. `line` is where the call is made.
    """

    name: str
    qualifier: str | None
    line: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "qualifier": self.qualifier, "line": self.line}


@dataclass
class ImportedName:
    """One imported binding. `name` is the exported name in the source module ("default" for a
    default import, "*" for a namespace import); `alias` the local name when it differs."""

    name: str
    alias: str | None = None

    @property
    def local(self) -> str:
        return self.alias or self.name


@dataclass
class Import:
    """One import statement.

    TS/JS: `import { a as b } from './x'` → source="./x", names=[ImportedName("a", "b")].
    `import x from './x'` → names=[ImportedName("default", "x")].
    `import * as ns from './x'` → names=[ImportedName("*", "ns")]. `import './x'` → names=[].
    `const x = require('./x')` → names=[ImportedName("default", "x")] (CommonJS).
    Python: `from .a import b as c` → source=".a", names=[ImportedName("b", "c")];
    `import os.path as p` → source="os.path", names=[ImportedName("*", "p")];
    `import os.path` → source="os.path", names=[ImportedName("*", "os")]  (binds the top name).
    """

    source: str
    names: list[ImportedName] = field(default_factory=list)
    line: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "names": [{"name": n.name, "alias": n.alias} for n in self.names],
            "line": self.line,
        }


@dataclass
class Export:
    """One exported binding of a module (TS/JS; Python modules export every top-level name).

    `name` is the name other modules import ("default" for the default export); `local` the
    name of the definition in this file; `source` set for a re-export (`export { a } from './a'`,
    where local is the name in that module; `export * from './a'` → name="*", local="*").
    """

    name: str
    local: str | None = None
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "local": self.local, "source": self.source}


@dataclass
class Chunk:
    """One definition (a function, method, class, interface, type alias or enum), or a piece of
    the file-level code outside every definition (kind `module`, named after the file, its
    signature listing the names it defines; see mnemo.module_chunks).

    `kind` is one of KINDS. `qualified_name` is `Class.method` for methods, the name otherwise
    (for nested classes `Outer.Inner.method`). `parent` is the enclosing class's qualified name.
    `calls` are the calls made in this definition's own body, excluding those inside nested
    chunks (a class's methods are chunks of their own, so a class keeps only calls made in
    its body outside methods, e.g. field initialisers). When an oversized definition is split,
    each piece is a Chunk with the same names and `part`/`parts` set (1-based).
    """

    kind: str
    name: str
    qualified_name: str
    start_line: int
    end_line: int
    source: str
    signature: str = ""
    docstring: str | None = None
    parent: str | None = None
    calls: list[Call] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)  # extends (class/interface)
    implements: list[str] = field(default_factory=list)
    exported: bool = False
    complexity: int = 1  # cyclomatic: 1 + decision points
    loc: int = 0  # non-blank lines of source
    part: int = 1
    parts: int = 1
    # First line of the comment block directly above the span when it is the docstring (JSDoc,
    # `//`, `#`): those lines belong to this chunk for coverage, not to a file-level chunk.
    doc_line: int | None = None

    def metadata(self) -> dict[str, Any]:
        """What goes in the chunks.metadata JSONB column."""
        return {
            "calls": [c.to_json() for c in self.calls],
            "bases": self.bases,
            "implements": self.implements,
            "parent": self.parent,
            "exported": self.exported,
            "complexity": self.complexity,
            "loc": self.loc,
            "part": self.part,
            "parts": self.parts,
            "doc_line": self.doc_line,
        }


MODULE_KIND = "module"  # file-level code outside every definition (see mnemo.module_chunks)
KINDS = ("function", "method", "class", "interface", "type", "enum", MODULE_KIND)


@dataclass
class ParsedFile:
    """Everything extracted from one file.

    `module_calls` are calls made at module top level, outside every chunk (the module node is
    their caller). `errors` holds syntax errors, in document order: with errors and no chunks
    the file `failed` (strict parsing, or nothing in it parsed); with errors and chunks it is
    partial: the chunks are the definitions that parsed cleanly plus file-level chunks for the
    rest.
    """

    language: str
    chunks: list[Chunk] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    module_calls: list[Call] = field(default_factory=list)
    errors: list[SyntaxIssue] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Syntax errors and nothing kept: the file fails with its first error."""
        return bool(self.errors) and not self.chunks
