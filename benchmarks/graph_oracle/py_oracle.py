"""Ground-truth call edges of a Python package from jedi's static inference, for run.py.

    python py_oracle.py ROOT FILES.json > calls.jsonl

ROOT: the indexed directory; FILES.json: the repository-relative paths Mnemo indexed. jedi's
sys.path is the directory above the top-level package(s) only, so a copy of the same package
installed in the environment cannot answer instead of the files under ROOT.
One JSON line per call site (calls, `@decorator` applications, `raise C`) whose callee jedi
resolves to a function or class defined in those files:
  {"file", "line" (of the call), "kind", "name", "targets": [{"file", "line"}...]}
kind: direct (same file) | import | self (self./cls.) | super | namespace (module.f) |
      static (Class.m) | chained (receiver is a call result) | typed (any other receiver) |
      decorator | raise. A class target also names its __init__ (the constructor that runs).
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import jedi


def source_root(root: Path) -> Path:
    """The directory sys.path needs: above ROOT while ROOT is inside a package."""
    top = root
    while (top / "__init__.py").is_file():
        top = top.parent
    return top


class Index:
    """Per file: class definition line → its own __init__ line (from the AST)."""

    def __init__(self, root: Path, files: list[str]) -> None:
        self.root = root
        self.files = set(files)
        self.inits: dict[tuple[str, int], int] = {}
        self.bases: dict[tuple[str, int], list[str]] = {}
        for rel in files:
            try:
                tree = ast.parse((root / rel).read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError, OSError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    for item in node.body:
                        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "__init__":
                            self.inits[(rel, node.lineno)] = item.lineno

    def rel(self, path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            rel = Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None
        return rel if rel in self.files else None


def targets(index: Index, names) -> list[dict]:
    out = []
    for name in names:
        if name.type not in ("function", "class"):
            continue
        rel = index.rel(name.module_path)
        if rel is None or name.line is None:
            continue
        out.append({"file": rel, "line": name.line})
        if name.type == "class":
            init = index.inits.get((rel, name.line))
            if init is not None:
                out.append({"file": rel, "line": init})
    return out


def goto(script: jedi.Script, line: int, column: int):
    try:
        return script.goto(line, column, follow_imports=True)
    except Exception:  # jedi raises on odd positions; no answer is no edge
        return []


def receiver_kind(script: jedi.Script, value: ast.expr, rel: str, index: Index) -> str:
    if isinstance(value, ast.Name) and value.id in ("self", "cls"):
        return "self"
    if isinstance(value, ast.Call):
        if isinstance(value.func, ast.Name) and value.func.id == "super":
            return "super"
        return "chained"
    if isinstance(value, (ast.Subscript,)):
        return "chained"
    node = value.attr if isinstance(value, ast.Attribute) else None
    if isinstance(value, ast.Name):
        found = goto(script, value.lineno, value.col_offset)
    elif isinstance(value, ast.Attribute):
        found = goto(script, value.end_lineno, value.end_col_offset - len(node))
    else:
        return "typed"
    kinds = {n.type for n in found}
    if "module" in kinds:
        return "namespace"
    if "class" in kinds:
        return "static"
    return "typed"


def calls_of(root: Path, rel: str, index: Index, project: jedi.Project):
    code = (root / rel).read_text(encoding="utf-8")
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return
    script = jedi.Script(code, path=str(root / rel), project=project)
    sites: list[tuple[ast.expr, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            sites.append((node.func, None))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            sites.extend((d, "decorator") for d in node.decorator_list if not isinstance(d, ast.Call))
        elif isinstance(node, ast.Raise) and isinstance(node.exc, (ast.Name, ast.Attribute)):
            sites.append((node.exc, "raise"))
    for func, kind in sites:
        if isinstance(func, ast.Name):
            line, column, name = func.lineno, func.col_offset, func.id
        elif isinstance(func, ast.Attribute):
            line, column, name = func.end_lineno, func.end_col_offset - len(func.attr), func.attr
        else:
            continue
        found = targets(index, goto(script, line, column))
        if not found:
            continue
        if kind is None:
            if isinstance(func, ast.Name):
                kind = "direct" if all(t["file"] == rel for t in found) else "import"
            else:
                kind = receiver_kind(script, func.value, rel, index)
        yield {"file": rel, "line": line, "kind": kind, "name": name, "targets": found}


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    files = json.loads(Path(sys.argv[2]).read_text())
    files = [f for f in files if f.endswith(".py")]
    index = Index(root, files)
    project = jedi.Project(str(root), sys_path=[str(source_root(root))], smart_sys_path=False)
    for rel in files:
        for site in calls_of(root, rel, index, project):
            print(json.dumps(site))


if __name__ == "__main__":
    main()
