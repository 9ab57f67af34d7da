"""`changes`: the blast radius of the working tree's diff, on a real git repository and index."""

from __future__ import annotations

import pytest

from agents_support import edit, git
from mnemo.graph.changes import ChangesError, blast_radius, parse_diff
from mnemo.pipeline import IndexOptions, index_repository


def _names(result, change=None):
    return {c.qualified_name for c in result.changed if change is None or c.change == change}


def test_parse_diff_reads_ranges_renames_and_pure_deletions():
    text = (
        "diff --git a/x.py b/y.py\nsimilarity index 90%\nrename from x.py\nrename to y.py\n"
        "--- a/x.py\n+++ b/y.py\n@@ -3,2 +3,0 @@\n-a\n-b\n@@ -10 +8,3 @@\n-c\n+d\n+e\n+f\n"
        "diff --git a/new.py b/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+x\n+y\n"
    )
    first, second = parse_diff(text)
    assert (first.old_path, first.new_path, first.status) == ("x.py", "y.py", "renamed")
    assert first.old_lines == [(3, 4), (10, 10)]
    assert first.new_lines == [(3, 3), (8, 10)]  # the pure deletion marks the line it follows
    assert (second.old_path, second.status, second.new_lines) == (None, "added", [(1, 2)])


def test_uncommitted_helper_edit_reports_helper_callers_and_test(agent_repo, embedder):
    database, root, name = agent_repo
    edit(root / "pkg/helpers.py", "return text.strip().lower()", "return text.strip().casefold()")
    index_repository(database, root, IndexOptions(name=name), embedder=embedder)
    result = blast_radius(database, name, root, depth=4)
    assert result.head == "working tree"
    assert [(c.change, c.qualified_name) for c in result.changed] == [("modified", "normalise")]
    impacted = {(i["node"]["qualified_name"], i["depth"]) for i in result.impacted}
    assert ("greet", 1) in impacted and ("handle", 2) in impacted and ("test_handle", 3) in impacted
    assert "shout" not in {q for q, _ in impacted}
    assert result.tests == ["tests/test_api.py"]
    assert {"pkg/helpers.py", "pkg/service.py", "pkg/api.py", "tests/test_api.py"} <= set(result.affected_files)
    assert result.risk["impacted_definitions"] == len(result.impacted)
    assert result.risk["modules_crossed"] >= 2  # pkg/ and tests/


def test_rename_reports_both_names_and_the_callers_left_behind(agent_repo, embedder):
    database, root, name = agent_repo
    edit(root / "pkg/helpers.py", "def normalise(text):", "def canonical_name(text):")
    index_repository(database, root, IndexOptions(name=name), embedder=embedder)
    result = blast_radius(database, name, root)
    renamed = [c for c in result.changed if c.change == "renamed"]
    assert [(c.old_name, c.qualified_name) for c in renamed] == [("normalise", "canonical_name")]
    broken = {b["qualified_name"] for b in renamed[0].broken_callers}
    assert broken == {"greet"}  # greet still calls normalise, which is gone
    assert result.risk["level"] == "high"


def test_committed_range_and_untracked_file(agent_repo, embedder):
    database, root, name = agent_repo
    edit(root / "pkg/helpers.py", "return text.upper()", "return text.upper() + '!'")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "louder")
    (root / "pkg/extra.py").write_text("def brand_new():\n    return 2\n")
    index_repository(database, root, IndexOptions(name=name), embedder=embedder)
    ranged = blast_radius(database, name, root, base="HEAD~1", head="HEAD")
    assert _names(ranged) == {"shout"} and ranged.head == "HEAD"
    working = blast_radius(database, name, root)  # HEAD vs the working tree: only the new file
    assert [(c.change, c.qualified_name, c.path) for c in working.changed] == [("added", "brand_new", "pkg/extra.py")]


def test_bad_revision_and_not_a_repository(agent_repo, tmp_path):
    database, root, name = agent_repo
    with pytest.raises(ChangesError, match="no-such-rev"):
        blast_radius(database, name, root, base="no-such-rev")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ChangesError, match="not inside a git repository"):
        blast_radius(database, name, plain)
