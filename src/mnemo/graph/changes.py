"""The blast radius of a diff: which definitions a change touches, and what may break.

Input: `git diff -U0 -M` of the working tree against HEAD (staged and unstaged edits, plus
untracked files) or of a revision range. For each changed file both sides are parsed with the
same chunker the indexer uses (old side from `git show REV:path`, new side from disk or from
the range's second revision), and a definition is *changed* when a changed line falls inside
it (the innermost definition around the line, so a method edit names the method, not its
class). Each changed definition is classified:

  modified   the same qualified name exists on both sides
  added      only on the new side
  removed    only on the old side (its callers now call nothing: they are listed)
  renamed    a removed and an added definition of the same kind in one file whose bodies are
             alike once the names are blanked out; both names are reported

Then the blast radius, from the stored graph (which the caller has brought up to date): the
transitive callers, subclasses and importers of every changed definition up to `depth`, the
affected files, the test files among them (the tests that reach the change), and a risk
summary: fan-in and PageRank of the changed definitions, modules crossed.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pathspec

from mnemo.config import ConfigError
from mnemo.graph import query
from mnemo.graph.resolve import NODE_KINDS
from mnemo.languages.registry import language_for_path
from mnemo.scan import TEST_PATTERNS
from mnemo.store.db import Database

MAX_FILES = 500  # changed files considered; a bigger diff is cut and says so
MAX_SEEDS = 200  # changed definitions followed into the graph
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_TESTS = pathspec.GitIgnoreSpec.from_lines(TEST_PATTERNS)


class ChangesError(ConfigError):
    """The diff cannot be taken (not a git repository, unknown revision)."""


@dataclass
class FileDiff:
    """One file of a unified diff: its paths (None when added/deleted) and changed line ranges."""

    old_path: str | None
    new_path: str | None
    old_lines: list[tuple[int, int]] = field(default_factory=list)  # inclusive ranges, old side
    new_lines: list[tuple[int, int]] = field(default_factory=list)  # inclusive ranges, new side
    whole_new: bool = False  # untracked or added: every line is new

    @property
    def status(self) -> str:
        if self.old_path is None:
            return "added"
        if self.new_path is None:
            return "deleted"
        return "renamed" if self.old_path != self.new_path else "modified"


@dataclass
class ChangedDefinition:
    change: str  # modified | added | removed | renamed
    kind: str
    qualified_name: str
    path: str
    start_line: int | None  # on the new side (the old side for removed)
    end_line: int | None
    old_name: str | None = None  # renamed: the name before
    old_path: str | None = None
    node_id: int | None = None  # the graph node (new side), when there is one
    fan_in: int = 0
    pagerank: float = 0.0
    broken_callers: list[dict[str, Any]] = field(default_factory=list)  # removed/renamed: callers of the old name

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: v for k, v in data.items() if v not in (None, []) or k in ("start_line", "end_line")}


@dataclass
class BlastRadius:
    base: str
    head: str  # 'working tree' or a revision
    files: list[dict[str, Any]]  # changed files: path, status, old_path
    changed: list[ChangedDefinition]
    impacted: list[dict[str, Any]]  # reached definitions: node, depth, via, confidence, from
    affected_files: list[str]
    tests: list[str]
    risk: dict[str, Any]
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base, "head": self.head, "files": self.files,
            "changed": [c.to_dict() for c in self.changed], "impacted": self.impacted,
            "affected_files": self.affected_files, "tests": self.tests, "risk": self.risk,
            "truncated": self.truncated,
        }


# -- the diff ---------------------------------------------------------------------------------


def _git(root: Path, *args: str, check: bool = True) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60)
    except FileNotFoundError:
        raise ChangesError("git is not installed") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChangesError(f"git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return done.stdout.decode("utf-8", "replace")


def parse_diff(text: str) -> list[FileDiff]:
    """Files and changed line ranges of `git diff -U0 -M` output (paths relative to the root)."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    for line in text.splitlines():
        if line.startswith("diff --git "):
            current = FileDiff(None, None)
            files.append(current)
        elif current is None:
            continue
        elif line.startswith("--- "):
            current.old_path = None if line[4:] == "/dev/null" else _strip(line[4:], "a/")
        elif line.startswith("+++ "):
            current.new_path = None if line[4:] == "/dev/null" else _strip(line[4:], "b/")
        elif line.startswith("rename from "):
            current.old_path = line[len("rename from "):]
        elif line.startswith("rename to "):
            current.new_path = line[len("rename to "):]
        else:
            match = _HUNK.match(line)
            if match:
                old_start, old_count = int(match[1]), int(match[2] or 1)
                new_start, new_count = int(match[3]), int(match[4] or 1)
                if old_count:
                    current.old_lines.append((old_start, old_start + old_count - 1))
                if new_count:
                    current.new_lines.append((new_start, new_start + new_count - 1))
                elif old_count:  # a pure deletion: mark the line it happened after
                    current.new_lines.append((max(new_start, 1), max(new_start, 1)))
    return files


def _strip(path: str, prefix: str) -> str:
    path = path.strip()
    if path.startswith('"') and path.endswith('"'):
        path = path[1:-1]
    return path[len(prefix):] if path.startswith(prefix) else path


def repository_diff(root: Path, base: str | None = None, head: str | None = None) -> tuple[list[FileDiff], str, str]:
    """The changed files of the working tree against `base` (default HEAD), untracked files
    included, or of `base..head` when `head` is given. Returns (files, base, head label)."""
    if not _git(root, "rev-parse", "--git-dir", check=False).strip():
        raise ChangesError(f"{root} is not inside a git repository; `changes` needs git")
    base = base or "HEAD"
    if ".." in base and head is None:
        base, _, head = base.partition("..")
        head = head.lstrip(".") or None
    for revision in (base, head):
        if revision and not _git(root, "rev-parse", "--verify", "--quiet", revision + "^{commit}", check=False):
            raise ChangesError(f"unknown revision {revision!r} (e.g. HEAD, HEAD~1, main, a commit id)")
    if head:
        text = _git(root, "diff", "-U0", "-M", "--no-color", "--no-ext-diff", "--relative", base, head, "--")
        return parse_diff(text), base, head
    text = _git(root, "diff", "-U0", "-M", "--no-color", "--no-ext-diff", "--relative", base, "--")
    files = parse_diff(text)
    listed = {f.new_path for f in files}
    for path in _git(root, "ls-files", "--others", "--exclude-standard").splitlines():
        if path and path not in listed:
            files.append(FileDiff(None, path, whole_new=True))
    return files, base, "working tree"


# -- definitions on each side -----------------------------------------------------------------


@dataclass
class _Def:
    kind: str
    name: str
    qualified_name: str
    start: int
    end: int
    body: str


def _definitions(text: bytes | None, path: str) -> list[_Def]:
    if not text:
        return []
    language = language_for_path(path)
    if language is None:
        return []
    from mnemo.chunk import parse_source

    try:
        parsed = parse_source(text, language)
    except Exception:  # noqa: BLE001 - an unparsable side simply has no definitions
        return []
    found: dict[tuple[str, str], _Def] = {}
    for c in parsed.chunks:
        if c.kind not in NODE_KINDS:
            continue
        key = (c.kind, c.qualified_name)
        if key in found:  # a split part: extend part 1
            d = found[key]
            d.end = max(d.end, c.end_line)
            continue
        found[key] = _Def(c.kind, c.name, c.qualified_name, c.start_line, c.end_line, c.source)
    return list(found.values())


def _innermost(defs: list[_Def], ranges: list[tuple[int, int]]) -> list[_Def]:
    """The innermost definition around each changed line, in order, without repeats."""
    hit: dict[int, _Def] = {}
    for low, high in ranges:
        for line in range(low, min(high, low + 5000) + 1):
            around = [d for d in defs if d.start <= line <= d.end]
            if around:
                inner = min(around, key=lambda d: d.end - d.start)
                hit.setdefault(id(inner), inner)
    return list(hit.values())


def _alike(a: _Def, b: _Def) -> float:
    body_a = re.sub(rf"\b{re.escape(a.name)}\b", "_", a.body)
    body_b = re.sub(rf"\b{re.escape(b.name)}\b", "_", b.body)
    return difflib.SequenceMatcher(None, body_a, body_b, autojunk=False).ratio()


def changed_definitions(root: Path, diffs: list[FileDiff], base: str, head: str | None) -> list[ChangedDefinition]:
    """Classify the definitions the diff touches (see the module docstring)."""
    changed: list[ChangedDefinition] = []
    for diff in diffs:
        old_text = _git(root, "show", f"{base}:./{diff.old_path}", check=False).encode() if diff.old_path else None
        if diff.new_path is None:
            new_text = None
        elif head:
            new_text = _git(root, "show", f"{head}:./{diff.new_path}", check=False).encode()
        else:
            try:
                new_text = (root / diff.new_path).read_bytes()
            except OSError:
                new_text = None
        old_defs = _definitions(old_text, diff.old_path or "")
        new_defs = _definitions(new_text, diff.new_path or "")
        new_ranges = [(1, 10**9)] if diff.whole_new or diff.old_path is None else diff.new_lines
        old_ranges = [(1, 10**9)] if diff.new_path is None else diff.old_lines
        new_hit = _innermost(new_defs, new_ranges) if new_defs else []
        old_hit = _innermost(old_defs, old_ranges) if old_defs else []
        old_names = {(d.kind, d.qualified_name) for d in old_defs}
        new_names = {(d.kind, d.qualified_name) for d in new_defs}
        by_new = {(d.kind, d.qualified_name): d for d in new_defs}
        path = diff.new_path or diff.old_path or ""
        seen: set[tuple[str, str]] = set()
        added = [d for d in new_hit if (d.kind, d.qualified_name) not in old_names]
        removed = [d for d in old_hit if (d.kind, d.qualified_name) not in new_names]
        removed += [d for d in old_defs if (d.kind, d.qualified_name) not in new_names and d not in removed
                    and diff.new_path is not None]
        for d in new_hit + [by_new[(o.kind, o.qualified_name)] for o in old_hit
                            if (o.kind, o.qualified_name) in by_new]:
            key = (d.kind, d.qualified_name)
            if key in seen or key not in old_names:
                continue
            seen.add(key)
            changed.append(ChangedDefinition("modified", d.kind, d.qualified_name, path, d.start, d.end,
                                             old_path=diff.old_path if diff.old_path != path else None))
        # Pair removed and added definitions of one kind whose bodies match: renames.
        pairs: list[tuple[_Def, _Def]] = []
        for r in list(removed):
            best = max((a for a in added if a.kind == r.kind), key=lambda a: _alike(r, a), default=None)
            if best is not None and _alike(r, best) >= 0.6:
                pairs.append((r, best))
                removed.remove(r)
                added.remove(best)
        for r, a in pairs:
            changed.append(ChangedDefinition("renamed", a.kind, a.qualified_name, path, a.start, a.end,
                                             old_name=r.qualified_name,
                                             old_path=diff.old_path if diff.old_path != path else None))
        for a in added:
            changed.append(ChangedDefinition("added", a.kind, a.qualified_name, path, a.start, a.end))
        for r in removed:
            changed.append(ChangedDefinition("removed", r.kind, r.qualified_name, diff.old_path or path,
                                             r.start, r.end))
    return changed


# -- the blast radius -------------------------------------------------------------------------


def is_test_path(path: str) -> bool:
    return bool(_TESTS.match_file(path))


def blast_radius(
    database: Database,
    repository: str,
    root: Path,
    *,
    base: str | None = None,
    head: str | None = None,
    depth: int = 3,
    limit: int = 200,
) -> BlastRadius:
    """Changed definitions of the diff and what may break (see the module docstring).

    The stored graph must describe the new side: for the working tree, refresh the index
    first; for a range whose head is not checked out, results are as good as the index."""
    depth = max(1, min(int(depth), query.MAX_DEPTH))
    limit = max(1, min(int(limit), query.MAX_LIMIT))
    diffs, base_label, head_label = repository_diff(root, base, head)
    truncated = len(diffs) > MAX_FILES
    diffs = diffs[:MAX_FILES]
    changed = changed_definitions(root, diffs, base_label, head if head_label != "working tree" else None)
    with database.connect() as conn:
        repository_id, _ = query._repository_id(conn, repository)
        for c in changed:
            if c.change != "removed":
                row = conn.execute(
                    """SELECT id, in_degree, pagerank FROM graph_nodes
                       WHERE repository_id = %s AND path = %s AND qualified_name = %s AND kind = %s
                       ORDER BY start_line LIMIT 1""",
                    (repository_id, c.path, c.qualified_name, c.kind),
                ).fetchone()
                if row:
                    c.node_id, c.fan_in, c.pagerank = row[0], row[1], float(row[2] or 0.0)
            if c.change in ("removed", "renamed"):
                old = (c.old_name if c.change == "renamed" else c.qualified_name) or ""
                simple = old.rsplit(".", 1)[-1]
                rows = conn.execute(
                    """SELECT n.path, n.qualified_name, n.kind, e.line FROM graph_edges e
                       JOIN graph_nodes n ON n.id = e.src
                       WHERE e.repository_id = %s AND e.type = 'calls' AND e.dst IS NULL AND e.target = %s
                       ORDER BY n.path, e.line LIMIT 50""",
                    (repository_id, simple),
                ).fetchall()
                c.broken_callers = [{"path": p, "qualified_name": q, "kind": k, "line": ln} for p, q, k, ln in rows]
    seeds = [c for c in changed if c.node_id is not None][:MAX_SEEDS]
    truncated = truncated or len(seeds) < sum(1 for c in changed if c.node_id is not None)
    best: dict[int, dict[str, Any]] = {}
    seed_ids = {c.node_id for c in seeds}
    for c in seeds:
        for r in query.impact(database, repository, c.node_id, depth=depth, limit=limit):
            if r.node.id in seed_ids:
                continue
            known = best.get(r.node.id)
            if known is None or (r.depth, -r.confidence) < (known["depth"], -known["confidence"]):
                best[r.node.id] = {"node": _brief(r.node), "depth": r.depth, "via": r.via,
                                   "confidence": r.confidence, "from": c.qualified_name}
    impacted = sorted(best.values(), key=lambda x: (x["depth"], -x["confidence"], x["node"]["path"],
                                                    x["node"]["start_line"] or 0))
    if len(impacted) > limit:
        impacted, truncated = impacted[:limit], True
    affected = sorted({c.path for c in changed} | {i["node"]["path"] for i in impacted}
                      | {b["path"] for c in changed for b in c.broken_callers})
    tests = [p for p in affected if is_test_path(p)]
    files = [{"path": d.new_path or d.old_path, "status": d.status,
              **({"old_path": d.old_path} if d.status == "renamed" else {})} for d in diffs]
    return BlastRadius(base_label, head_label, files, changed, impacted, affected, tests,
                       _risk(changed, impacted, affected), truncated)


def _brief(node: query.Node) -> dict[str, Any]:
    return {"id": node.id, "kind": node.kind, "qualified_name": node.qualified_name, "path": node.path,
            "start_line": node.start_line, "end_line": node.end_line}


def _module_of(path: str) -> str:
    """A path's module for 'modules crossed': its directory."""
    return path.rsplit("/", 1)[0] if "/" in path else "."


def _risk(changed: list[ChangedDefinition], impacted: list[dict[str, Any]], affected: list[str]) -> dict[str, Any]:
    fan_in = max((c.fan_in for c in changed), default=0)
    pagerank = max((c.pagerank for c in changed), default=0.0)
    broken = sum(len(c.broken_callers) for c in changed)
    modules = sorted({_module_of(p) for p in affected})
    reasons = []
    if broken:
        reasons.append(f"{broken} call site(s) still call a removed or renamed name")
    if fan_in >= 10:
        reasons.append(f"a changed definition has {fan_in} direct callers")
    if len(impacted) >= 25:
        reasons.append(f"{len(impacted)} definitions depend on the change")
    if len(modules) >= 4:
        reasons.append(f"the change reaches {len(modules)} directories")
    level = "high" if broken or len(reasons) >= 2 else "medium" if reasons or impacted else "low"
    return {
        "level": level,
        "reasons": reasons,
        "changed_definitions": len(changed),
        "impacted_definitions": len(impacted),
        "max_fan_in": fan_in,
        "max_pagerank": round(pagerank, 6),
        "modules_crossed": len(modules),
        "modules": modules[:20],
        "tests_reached": sum(1 for p in affected if is_test_path(p)),
    }
