"""The manifest of an organisation's repositories: one repository per line.

    # comments and blank lines are ignored
    ~/src/app                                   app
    ../libs/ui                                  # name defaults to the directory's name: ui
    https://github.com/ReactiveX/rxjs.git@7.8.2 rxjs
    git@github.com:org/tools.git@main           tools

A line is `SOURCE [NAME]`. SOURCE is a local directory (relative paths are relative to the
manifest's folder) or a git URL (https://, http://, ssh://, git://, file:// or user@host:path)
with an optional `@REVISION` (branch, tag or commit) after the repository part, as pip writes
git requirements. Every mistake is reported with the manifest's path and line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mnemo.config import ConfigError

_URL_RE = re.compile(r"^(?:(?:https?|ssh|git|file)://|[\w.-]+@[\w.-]+:)")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@/+-]{0,299}$")


class ManifestError(ConfigError):
    """A manifest line cannot be used (exit code 2). The message names the file and line."""


@dataclass(frozen=True)
class RepositorySpec:
    """One repository to index: a local directory, or a git URL pinned to a revision."""

    name: str
    path: Path | None = None  # a local directory
    url: str | None = None  # a git URL, cloned by checkout.py
    revision: str | None = None  # branch, tag or commit of `url`; None: the default branch
    origin: str = ""  # where it was declared ("repos.txt:3"), for messages

    @property
    def is_git(self) -> bool:
        return self.url is not None


def is_git_url(text: str) -> bool:
    return bool(_URL_RE.match(text))


def split_revision(url: str) -> tuple[str, str | None]:
    """`url@rev` → (url, rev). Only an `@` after the last `/` (or `:` of scp-like URLs) starts a
    revision, so `git@host:org/repo.git` keeps its user part."""
    cut = max(url.rfind("/"), url.rfind(":"))
    at = url.rfind("@")
    if at > cut:
        return url[:at], url[at + 1 :] or None
    return url, None


def default_name(source: str) -> str:
    tail = source.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail[:-4] if tail.endswith(".git") else tail


def parse_line(text: str, *, base: Path, origin: str) -> RepositorySpec | None:
    """One manifest line → a spec, None for a blank or comment line; ManifestError naming `origin`."""
    line = "" if text.lstrip().startswith("#") else re.split(r"\s#", text, maxsplit=1)[0].strip()
    if not line:
        return None
    tokens = line.split()
    if len(tokens) > 2:
        raise ManifestError(f"{origin}: expected `SOURCE [NAME]`, got {len(tokens)} fields: {line!r}")
    source = tokens[0]
    if is_git_url(source):
        url, revision = split_revision(source)
        name = tokens[1] if len(tokens) == 2 else default_name(url)
        spec = RepositorySpec(name=name, url=url, revision=revision, origin=origin)
    else:
        path = Path(source).expanduser()
        if not path.is_absolute():
            path = base / path
        if not path.is_dir():
            raise ManifestError(f"{origin}: {source!r} is neither a directory nor a git URL")
        name = tokens[1] if len(tokens) == 2 else path.resolve().name
        spec = RepositorySpec(name=name, path=path.resolve(), origin=origin)
    if not _NAME_RE.match(spec.name):
        raise ManifestError(f"{origin}: {spec.name!r} is not a usable repository name "
                            "(letters, digits and . _ @ / + -, starting with a letter or digit)")
    return spec


def read_manifest(path: Path) -> list[RepositorySpec]:
    """Every repository of the manifest at `path`, in order; ManifestError on the first bad line."""
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {exc}") from exc
    specs: list[RepositorySpec] = []
    for number, line in enumerate(text.splitlines(), start=1):
        spec = parse_line(line, base=path.resolve().parent, origin=f"{path}:{number}")
        if spec is not None:
            specs.append(spec)
    check_unique(specs)
    if not specs:
        raise ManifestError(f"{path}: the manifest names no repository")
    return specs


def specs_from_paths(paths: list[Path], names: list[str] | None = None) -> list[RepositorySpec]:
    """Repositories given on the command line: directories (or git URLs), named after themselves."""
    specs = []
    for i, raw in enumerate(paths):
        name = names[i] if names and i < len(names) else None
        line = f"{raw} {name}" if name else str(raw)
        spec = parse_line(line, base=Path.cwd(), origin=f"argument {i + 1}")
        if spec is not None:
            specs.append(spec)
    check_unique(specs)
    return specs


def check_unique(specs: list[RepositorySpec]) -> None:
    seen: dict[str, RepositorySpec] = {}
    for spec in specs:
        if spec.name in seen:
            raise ManifestError(f"{spec.origin}: repository name {spec.name!r} is already used at "
                                f"{seen[spec.name].origin}; give one of them another name")
        seen[spec.name] = spec
