"""The manifest of `mnemo index --ray --manifest`: what each line means, and errors that name
the line; the `--ray [ADDRESS] PATH…` split; git checkouts pinned to a revision."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
from pathlib import Path

import pytest

from mnemo.cli.cluster import split_address
from mnemo.distributed.checkout import CheckoutError, ensure_checkout
from mnemo.distributed.manifest import ManifestError, read_manifest, split_revision


def _manifest(tmp_path: Path, text: str) -> Path:
    (tmp_path / "apps" / "web").mkdir(parents=True)
    (tmp_path / "libs").mkdir()
    path = tmp_path / "repos.txt"
    path.write_text(text)
    return path


def test_lines_paths_urls_revisions_names_and_comments(tmp_path: Path) -> None:
    path = _manifest(tmp_path, "\n".join([
        "# the organisation",
        "apps/web                                   web   # relative to the manifest",
        f"{tmp_path / 'libs'}",
        "",
        "https://github.com/ReactiveX/rxjs.git@7.8.2 rxjs",
        "git@github.com:org/tools.git",
        "ssh://git@host:22/org/deep/svc.git@main    svc",
    ]))
    specs = read_manifest(path)
    assert [(s.name, s.path, s.url, s.revision) for s in specs] == [
        ("web", (tmp_path / "apps" / "web").resolve(), None, None),
        ("libs", (tmp_path / "libs").resolve(), None, None),
        ("rxjs", None, "https://github.com/ReactiveX/rxjs.git", "7.8.2"),
        ("tools", None, "git@github.com:org/tools.git", None),  # the user part is not a revision
        ("svc", None, "ssh://git@host:22/org/deep/svc.git", "main"),
    ]
    assert specs[2].origin == f"{path}:5"


@pytest.mark.parametrize("line, message", [
    ("apps/web web extra", "expected `SOURCE [NAME]`, got 3 fields"),
    ("no/such/dir", "is neither a directory nor a git URL"),
    ("apps/web -bad", "is not a usable repository name"),
])
def test_bad_lines_are_named(tmp_path: Path, line: str, message: str) -> None:
    path = _manifest(tmp_path, f"# header\n{line}\n")
    with pytest.raises(ManifestError, match=re.escape(message)) as info:
        read_manifest(path)
    assert f"{path}:2:" in str(info.value)


def test_duplicate_names_name_both_lines(tmp_path: Path) -> None:
    path = _manifest(tmp_path, "apps/web app\nlibs app\n")
    with pytest.raises(ManifestError, match=r"repos.txt:2: repository name 'app' is already used at .*repos.txt:1"):
        read_manifest(path)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n")
    with pytest.raises(ManifestError, match="names no repository"):
        read_manifest(empty)


def test_split_revision() -> None:
    assert split_revision("https://h/o/r.git@v1.2") == ("https://h/o/r.git", "v1.2")
    assert split_revision("git@h:o/r.git") == ("git@h:o/r.git", None)
    assert split_revision("file:///tmp/r") == ("file:///tmp/r", None)


def test_ray_address_or_path() -> None:
    def args(ray, *paths):
        return argparse.Namespace(ray=ray, directories=[Path(p) for p in paths])

    assert split_address(args("local", "a")) == (None, [Path("a")])
    assert split_address(args("src/app", "b")) == (None, [Path("src/app"), Path("b")])  # --ray PATH PATH
    assert split_address(args("auto", "a")) == ("auto", [Path("a")])
    assert split_address(args("10.0.0.5:6379")) == ("10.0.0.5:6379", [])
    assert split_address(args("ray://head:10001")) == ("ray://head:10001", [])


def _git(cwd: Path, *a: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *a], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def test_checkout_pins_the_revision_and_reuses_the_clone(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    _git(src, "init", "-q", "-b", "main")
    (src / "a.py").write_text("def one():\n    return 1\n")
    _git(src, "add", "-A")
    _git(src, "commit", "-qm", "one")
    _git(src, "tag", "v1")
    first = _git(src, "rev-parse", "HEAD")
    (src / "a.py").write_text("def two():\n    return 2\n")
    _git(src, "commit", "-qam", "two")

    dest = tmp_path / "co" / "src"
    pinned = ensure_checkout(f"file://{src}", "v1", root=dest)
    assert pinned.commit == first and "def one" in (dest / "a.py").read_text()
    head = ensure_checkout(f"file://{src}", "main", root=dest)  # the same clone, moved on
    assert head.commit != first and "def two" in (dest / "a.py").read_text()
    again = ensure_checkout(f"file://{src}", first, root=dest)  # a commit, no fetch needed
    assert again.commit == first and "def one" in (dest / "a.py").read_text()
    with pytest.raises(CheckoutError, match="unknown revision 'nope'"):
        ensure_checkout(f"file://{src}", "nope", root=dest)
    with pytest.raises(CheckoutError, match="git clone failed"):
        ensure_checkout(f"file://{tmp_path / 'missing'}", None, root=tmp_path / "co" / "missing")


def test_missing_ray_extra_is_explained(monkeypatch, tmp_path: Path, capsys) -> None:
    from mnemo.cli import main
    from mnemo.distributed.driver import ClusterError, require_ray

    monkeypatch.setitem(__import__("sys").modules, "ray", None)  # as if `mnemo[ray]` was not installed
    with pytest.raises(ClusterError, match=re.escape("pip install 'mnemo[ray]'")):
        require_ray()
    (tmp_path / "app").mkdir()
    assert main(["index", "--ray", str(tmp_path / "app"), "--database-url", "postgresql:///nowhere"]) == 2
    assert "mnemo[ray]" in capsys.readouterr().err


class _Nodes:
    """Ray's node table as `ray.nodes()` returns it: which machines run workers."""

    def __init__(self, here: str, nodes: list[str]) -> None:
        self.util = type("util", (), {"get_node_ip_address": staticmethod(lambda: here)})
        self._nodes = nodes

    def nodes(self):
        return [{"NodeManagerAddress": ip, "Alive": True} for ip in self._nodes]


def test_a_database_only_this_machine_reaches_is_refused_on_a_multi_machine_cluster() -> None:
    from mnemo.distributed.driver import ClusterError, _check_database_reachable

    socket_url = "host=/tmp/mnemo-pg dbname=mnemo user=postgres"
    _check_database_reachable(_Nodes("10.0.0.1", ["10.0.0.1"]), socket_url)  # one machine: fine
    _check_database_reachable(_Nodes("10.0.0.1", ["10.0.0.1", "10.0.0.2"]), "postgresql://db.internal:5432/mnemo")
    for url in (socket_url, "postgresql://localhost/mnemo", "postgresql://127.0.0.1:5432/mnemo"):
        with pytest.raises(ClusterError, match="workers on 10.0.0.2.*--database-url"):
            _check_database_reachable(_Nodes("10.0.0.1", ["10.0.0.1", "10.0.0.2"]), url)
