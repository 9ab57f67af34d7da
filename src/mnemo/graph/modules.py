"""Module specifiers → files of the repository, following each language's real rules.

ECMAScript (TS/JS): relative specifiers against the importing file's directory, with the
extensions and index files the TypeScript and Node resolvers try (`./x.js` also finds `x.ts`,
the ESM convention); non-relative ones through tsconfig/jsconfig `paths` and `baseUrl` of the
nearest config above the file; anything else is a package (external).
Python: relative imports by dot level; absolute ones against the source roots, i.e. the
directories above each top-level package (a directory with __init__.py whose parent has none),
the repository root, and the importing file's own directory (a script's sys.path[0]).

Pure: the resolver gets the set of known paths and the parsed configs; reading tsconfig files
from disk is `load_ts_configs`, which build.py calls.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mnemo.graph.rules import ECMASCRIPT, PYTHON, rules_for

_JS_EXTENSION_RE = re.compile(r"\.(?:js|jsx|mjs|cjs)$")


@dataclass(frozen=True)
class ModuleRef:
    """Where a specifier leads: a repository file (`path`), a package (`external`), or nowhere
    known (both None: a relative import to a missing file)."""

    path: str | None = None
    external: str | None = None


@dataclass
class TsConfig:
    """The module-resolution part of one tsconfig.json/jsconfig.json (after `extends`)."""

    directory: str  # POSIX, relative to the repository root ("" for the root)
    base_url: str | None = None  # relative to the repository root
    paths: dict[str, list[str]] = field(default_factory=dict)
    paths_base: str = ""  # what `paths` targets are relative to


def _norm(path: str) -> str | None:
    """Normalise a repository-relative path; None when it leaves the repository."""
    joined = posixpath.normpath(path)
    if joined == "." or joined == "":
        return ""
    if joined == ".." or joined.startswith(("../", "/")):
        return None
    return joined


def package_name(specifier: str) -> str:
    """`@scope/pkg/sub` → `@scope/pkg`, `lodash/map` → `lodash`, `os.path` → `os.path`."""
    if "/" not in specifier:
        return specifier
    parts = specifier.split("/")
    return "/".join(parts[:2]) if specifier.startswith("@") else parts[0]


class ModuleResolver:
    """Resolves import specifiers to repository paths. Results are cached per (directory, spec)."""

    def __init__(
        self,
        paths: Iterable[str],
        ts_configs: Iterable[TsConfig] = (),
        root_package: str | None = None,
        workspaces: dict[str, str] | None = None,
    ) -> None:
        """`root_package`: the dotted name of the indexed directory when it is itself a Python
        package (`mnemo index src/mnemo` → "mnemo"), so `from mnemo.store import writes` lands in
        it; `workspaces`: npm package name → its directory, for a monorepo's own packages."""
        self.paths = set(paths)
        self.root_package = root_package
        self.workspaces = dict(workspaces or {})
        self.directories = {posixpath.dirname(p) for p in self.paths}
        for directory in list(self.directories):
            while directory:
                directory = posixpath.dirname(directory)
                self.directories.add(directory)
        self.ts_configs = {c.directory: c for c in ts_configs}
        self._python_roots = self._find_python_roots()
        self._cache: dict[tuple[str, str, str], ModuleRef] = {}

    # -- public -----------------------------------------------------------------------------

    def resolve(self, from_path: str, language: str, specifier: str) -> ModuleRef:
        family = rules_for(language).family
        directory = posixpath.dirname(from_path)
        key = (family, directory, specifier)
        found = self._cache.get(key)
        if found is None:
            if family == "ecmascript":
                found = self._resolve_es(directory, specifier)
            elif family == "python":
                found = self._resolve_python(directory, specifier)
            else:
                found = ModuleRef(external=specifier)
            self._cache[key] = found
        return found

    def python_submodule(self, package_path: str, name: str) -> str | None:
        """`pkg/__init__.py` (or the namespace directory `pkg/`) + `mod` → `pkg/mod.py` if it exists."""
        directory = package_path[:-1] if package_path.endswith("/") else posixpath.dirname(package_path)
        return self._probe_python(posixpath.join(directory, name) if directory else name)

    # -- ECMAScript -------------------------------------------------------------------------

    def _resolve_es(self, directory: str, specifier: str) -> ModuleRef:
        if specifier.startswith("."):
            base = _norm(posixpath.join(directory, specifier))
            return ModuleRef(path=self._probe_es(base) if base is not None else None)
        if specifier.startswith("/"):
            return ModuleRef(path=self._probe_es(_norm(specifier.lstrip("/"))))
        config = self._nearest_config(directory)
        if config is not None:
            found = self._through_config(config, specifier)
            if found:
                return ModuleRef(path=found)
        package = package_name(specifier)
        if package in self.workspaces:
            found = self._in_workspace(self.workspaces[package], specifier[len(package):].lstrip("/"))
            if found:
                return ModuleRef(path=found)
        return ModuleRef(external=package)

    def _in_workspace(self, directory: str, subpath: str) -> str | None:
        """A workspace package's file: its sources are tried before its build output."""
        for base in ("src", "lib", ""):
            stem = posixpath.join(directory, base, subpath) if subpath else posixpath.join(directory, base)
            found = self._probe_es(_norm(stem.rstrip("/")))
            if found:
                return found
        return None

    def _probe_es(self, base: str | None) -> str | None:
        if base is None:
            return None
        if base in self.paths:
            return base
        stems = [base]
        stripped = _JS_EXTENSION_RE.sub("", base)
        if stripped != base:
            stems.insert(0, stripped)
        for stem in stems:
            for ext in ECMASCRIPT.extensions:
                if stem + ext in self.paths:
                    return stem + ext
        if base in self.directories:
            for index in ECMASCRIPT.index_files:
                candidate = posixpath.join(base, index) if base else index
                if candidate in self.paths:
                    return candidate
        return None

    def _nearest_config(self, directory: str) -> TsConfig | None:
        while True:
            config = self.ts_configs.get(directory)
            if config is not None:
                return config
            if not directory:
                return None
            directory = posixpath.dirname(directory)

    def _through_config(self, config: TsConfig, specifier: str) -> str | None:
        for pattern, targets in _by_specificity(config.paths):
            star = _match_pattern(pattern, specifier)
            if star is None:
                continue
            for target in targets:
                candidate = _norm(posixpath.join(config.paths_base, target.replace("*", star)))
                found = self._probe_es(candidate)
                if found:
                    return found
        if config.base_url is not None:
            return self._probe_es(_norm(posixpath.join(config.base_url, specifier)))
        return None

    # -- Python -----------------------------------------------------------------------------

    def _find_python_roots(self) -> list[str]:
        """Directories above each top-level package (shallowest first), then their ancestors
        (a namespace package's parent: `src/ns/pkg/__init__.py` is imported as `ns.pkg` from
        `src`), then the repository root."""
        roots: set[str] = set()
        for path in self.paths:
            if posixpath.basename(path) not in PYTHON.index_files:
                continue
            package = posixpath.dirname(path)
            parent = posixpath.dirname(package)
            if package and not self._is_package(parent):
                roots.add(parent)
        ordered = sorted(roots, key=lambda r: (r.count("/") if r else -1, r))
        ancestors: list[str] = []
        for root in ordered:
            while root:
                root = posixpath.dirname(root)
                if root and root not in roots and root not in ancestors:
                    ancestors.append(root)
        ancestors.sort(key=lambda r: (r.count("/"), r))
        ordered.extend(ancestors)
        if "" not in roots:
            ordered.append("")
        return ordered

    def _is_package(self, directory: str) -> bool:
        return bool(directory) and any(posixpath.join(directory, i) in self.paths for i in PYTHON.index_files)

    def _probe_python(self, base: str) -> str | None:
        """Python's FileFinder order: a regular package, then a module, then a namespace package."""
        for index in PYTHON.index_files:
            candidate = posixpath.join(base, index) if base else index
            if candidate in self.paths:
                return candidate
        for ext in PYTHON.extensions:
            if base + ext in self.paths:
                return base + ext
        if base in self.directories:  # a namespace package: a directory without __init__.py
            return base + "/"
        return None

    def _resolve_python(self, directory: str, specifier: str) -> ModuleRef:
        if specifier.startswith("."):
            level = len(specifier) - len(specifier.lstrip("."))
            rest = specifier[level:]
            base: str | None = directory
            for _ in range(level - 1):
                if not base:
                    return ModuleRef()
                base = posixpath.dirname(base)
            target = posixpath.join(base, *rest.split(".")) if rest else base
            if not rest:
                return ModuleRef(path=self._probe_python(target) if target else self._root_init())
            return ModuleRef(path=self._probe_python(target))
        if self.root_package and (specifier == self.root_package or specifier.startswith(self.root_package + ".")):
            # The indexed directory is this package: its own absolute imports point inside it.
            rest = specifier[len(self.root_package) + 1 :]
            if not rest:
                return ModuleRef(path=self._root_init())
            found = self._probe_python(posixpath.join(*rest.split(".")))
            if found:
                return ModuleRef(path=found)
        relative = posixpath.join(*specifier.split("."))
        matches: list[str] = []
        for root in [*self._python_roots, directory]:
            found = self._probe_python(posixpath.join(root, relative) if root else relative)
            if found and found not in matches:
                matches.append(found)
        files = [m for m in matches if not m.endswith("/")]
        if files:
            # Several roots can hold the same dotted name; the first root (shallowest package
            # root) wins, as with sys.path order.
            return ModuleRef(path=files[0])
        if matches:
            return ModuleRef(path=matches[0])
        return ModuleRef(external=specifier)

    def _root_init(self) -> str | None:
        for index in PYTHON.index_files:
            if index in self.paths:
                return index
        return "/" if self.paths else None


def _match_pattern(pattern: str, specifier: str) -> str | None:
    """The text `*` stands for when `specifier` matches a tsconfig `paths` pattern, else None."""
    if "*" not in pattern:
        return "" if pattern == specifier else None
    prefix, _, suffix = pattern.partition("*")
    if specifier.startswith(prefix) and specifier.endswith(suffix) and len(specifier) >= len(prefix) + len(suffix):
        return specifier[len(prefix) : len(specifier) - len(suffix)]
    return None


def _by_specificity(paths: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """TypeScript tries the pattern with the longest prefix first."""
    return sorted(paths.items(), key=lambda item: -len(item[0].partition("*")[0]))


# -- reading configs from disk --------------------------------------------------------------

_CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")


def strip_jsonc(text: str) -> str:
    """JSON with comments and trailing commas (tsconfig's dialect) → JSON."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(ch)
            i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def _read_compiler_options(path: Path, depth: int = 0) -> dict:
    """compilerOptions of a config merged over those it `extends` (relative extends only).

    TypeScript resolves `baseUrl` against the config that sets it and `paths` against the
    baseUrl, or else against the config that sets `paths`; both are made absolute here
    (`baseUrl` as a Path, `paths` with its origin in "__paths_origin")."""
    try:
        data = json.loads(strip_jsonc(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    options: dict = {}
    extends = data.get("extends")
    if isinstance(extends, str) and extends.startswith(".") and depth < 5:
        parent = (path.parent / extends).resolve()
        if parent.is_dir():
            parent = parent / "tsconfig.json"
        elif parent.suffix != ".json":
            parent = parent.with_name(parent.name + ".json")
        if parent.is_file():
            options = _read_compiler_options(parent, depth + 1)
    own = data.get("compilerOptions")
    if isinstance(own, dict):
        if isinstance(own.get("baseUrl"), str):
            options["baseUrl"] = (path.parent / own["baseUrl"]).resolve()
        if isinstance(own.get("paths"), dict):
            options["paths"] = own["paths"]
            options["__paths_origin"] = path.parent.resolve()
    return options


def load_ts_configs(root: Path, directories: Iterable[str]) -> list[TsConfig]:
    """The tsconfig/jsconfig files in `directories` (repository-relative) and their ancestors."""
    seen: set[str] = set()
    configs: list[TsConfig] = []
    root = root.resolve()
    for directory in directories:
        while directory not in seen:
            seen.add(directory)
            for name in _CONFIG_NAMES:
                file = root / directory / name
                if file.is_file():
                    configs.append(_to_config(file, root, directory))
                    break
            if not directory:
                break
            directory = posixpath.dirname(directory)
    return configs


def python_package_name(root: Path) -> str | None:
    """The dotted name of `root` when it is a Python package (it holds __init__.py): its own
    name, prefixed by the packages that enclose it on disk (`src/mnemo/graph` → "mnemo.graph")."""
    if not (root / "__init__.py").is_file() or not root.name.isidentifier():
        return None
    parts = [root.name]
    parent = root.parent
    while (parent / "__init__.py").is_file() and parent.name.isidentifier() and parent != parent.parent:
        parts.insert(0, parent.name)
        parent = parent.parent
    return ".".join(parts)


def find_workspaces(root: Path, directories: Iterable[str]) -> dict[str, str]:
    """npm package name → directory (repository-relative) for every package.json in the
    given directories: a monorepo's packages import each other by name."""
    found: dict[str, str] = {}
    root = root.resolve()
    for directory in sorted(set(directories)):
        probe = directory
        while True:
            file = root / probe / "package.json"
            if probe not in found.values() and file.is_file():
                try:
                    data = json.loads(file.read_text(encoding="utf-8"))
                except (OSError, ValueError, UnicodeDecodeError):
                    data = None
                if isinstance(data, dict) and isinstance(data.get("name"), str):
                    found.setdefault(data["name"], probe)
            if not probe:
                break
            probe = posixpath.dirname(probe)
    return found


def _relative(path: Path, root: Path) -> str | None:
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def _to_config(file: Path, root: Path, directory: str) -> TsConfig:
    options = _read_compiler_options(file)
    base_url = _relative(options["baseUrl"], root) if "baseUrl" in options else None
    raw = options.get("paths") or {}
    paths = {k: [t for t in v if isinstance(t, str)] for k, v in raw.items() if isinstance(v, list)}
    if base_url is not None:
        paths_base = base_url
    else:
        paths_base = _relative(options.get("__paths_origin", file.parent), root) or ""
    return TsConfig(directory=directory, base_url=base_url, paths=paths, paths_base=paths_base)
