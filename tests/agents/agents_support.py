"""A small git repository for the agent-facing tests (MCP tools, changes, repo map, watch):
a helper, its transitive callers and a test that reaches it, in Python."""

from __future__ import annotations

import subprocess
from pathlib import Path

FILES = {
    "pkg/__init__.py": "",
    "pkg/helpers.py": (
        "def normalise(text):\n"
        '    """Lower-case a name and trim the blanks around it."""\n'
        "    return text.strip().lower()\n"
        "\n"
        "\n"
        "def shout(text):\n"
        '    """Upper-case text for emphasis."""\n'
        "    return text.upper()\n"
    ),
    "pkg/service.py": (
        "from pkg.helpers import normalise\n"
        "\n"
        "\n"
        "class Greeter:\n"
        '    """Builds greetings for people."""\n'
        "\n"
        "    def salutation(self):\n"
        '        return "hello"\n'
        "\n"
        "\n"
        "def greet(name):\n"
        '    """A greeting for a person, with the name normalised."""\n'
        '    return "hello " + normalise(name)\n'
    ),
    "pkg/api.py": (
        "from pkg.service import greet\n"
        "\n"
        "\n"
        "def handle(request):\n"
        '    """Answer an HTTP request with a greeting body."""\n'
        '    return {"body": greet(request["name"])}\n'
    ),
    "pkg/legacy.py": (
        "def shout(text):\n"
        '    """The old emphasis: an exclamation mark."""\n'
        "    return text + '!'\n"
    ),
    "tests/test_api.py": (
        "from pkg.api import handle\n"
        "\n"
        "\n"
        "def test_handle():\n"
        '    assert handle({"name": " Ann "})["body"] == "hello ann"\n'
    ),
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
    return done.stdout


def make_repo(root: Path) -> Path:
    """The fixture tree, committed once (author and date fixed)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "fixture")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))
