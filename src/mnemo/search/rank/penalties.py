"""Penalties for places that match the words but are rarely the answer:
- tests, specs and test helpers (they call the code asked for and name it often);
- examples, samples, demos, benchmarks and documentation code;
- vendored, third-party, generated, minified and amalgamated code, compat/legacy shims;
- re-export barrels (`__init__.py`, `index.ts`, `mod.rs`, `package-info.java`) and `.d.ts` stubs;
- older versioned copies: `src/v3/…` when `src/v4/…` is among the candidates (zod, pydantic.v1);
- optionally tiny chunks (a one-line declaration with a doc comment);
- a C header's file-level chunk (prototypes, macros) when the `.c` file of the same name is
  among the candidates (`idna.h` beside `idna.c`): the code asked for is in the latter;
- a platform port (`win/`, `windows/`, a niche platform's file: `aix.c`, `os390.c`) unless the
  query names the platform: libuv's `src/win/tcp.c` beside `src/unix/tcp.c` — the portable or
  POSIX code is the one read first.
A query that asks for tests or examples ("test for the retry logic") is not penalised for them.
"""

from __future__ import annotations

import re

from mnemo.models import MODULE_KIND
from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings

# A `test_` file name marks a test in Python, C, Lua, Ruby …, not in shell: a shell suite is `.bats`
# files or a test directory, and bats-core's own `lib/bats-core/test_functions.bash` is the framework
# (semble split: bats-core hybrid 0.880 -> 0.975, nothing else moved).
TEST_PATH = re.compile(
    r"(^|/)(tests?|__tests__|__mocks__|specs?|testing|testdata|test_?utils|test_?helpers?|e2e|integration_tests)(/|$)"
    r"|(^|/)(test_[^/]*\.(?!(?:bash|sh|zsh)$)[^/.]+|test_[^/.]*|[^/]*_test\.[^/]+|[^/]*\.(test|spec)\.[^/]+|[^/]*_spec\.[a-z]+|"
    r"[^/]*(?-i:Tests?|Spec|Suite)\.[a-z]+|conftest\.py|test_helpers?[^/]*)$",
    re.IGNORECASE,
)
EXAMPLE_PATH = re.compile(r"(^|/)(_?examples?|samples?|demos?|benchmarks?|benches|docs?_src|docs?)(/|$)", re.IGNORECASE)
VENDOR_PATH = re.compile(
    r"(^|/)(vendor|vendored|third_party|thirdparty|external|node_modules|generated|dist|single_include|"
    r"compat|_compat|legacy)(/|$)|\.(min\.js|pb\.go|generated\.[a-z]+|g\.dart)$|_pb2\.py$",
    re.IGNORECASE,
)
VERSION_DIR = re.compile(r"(?:^|/)v(\d{1,2})(?=/)")
HEADER_EXTENSIONS = (".h", ".hh", ".hpp", ".hxx", ".h++")
# C (and Objective-C) only: a C header is a list of declarations, while a C++ header holds the
# templates, inline code and documented API (abseil's `hash.h` is the answer, not `hash.cc`).
SOURCE_EXTENSIONS = (".c", ".m")
# A directory for Windows (`src/win/`), or a file or directory named after a niche platform
# (`src/unix/aix.c`, `os390-syscalls.c`, `sunos.c`): ports beside the mainstream code.
_PORTS = ("win|windows|win32|win64|aix|os390|zos|os400|ibmi|sunos|solaris|haiku|qnx|cygwin|hurd|"
          "minix|vms|openvms")
PORT_PATH = re.compile(rf"(^|/)({_PORTS})(/|$)|(^|/)({_PORTS})([-_.][^/]*)?\.[a-z]+$", re.IGNORECASE)
_PORT_WORDS = frozenset(_PORTS.split("|")) | {"winapi", "iocp", "solaris", "illumos"}
REEXPORT_FILES = frozenset({"__init__.py", "package-info.java", "index.ts", "index.js", "mod.rs"})
# Package files that hold imports and metadata, not the code asked for — unlike `mod.rs` or
# `index.ts`, which often hold real code (axum's `routing/mod.rs` is the Router): package_penalty.
PACKAGE_FILES = frozenset({"__init__.py", "package-info.java"})


def is_test_path(path: str) -> bool:
    return bool(TEST_PATH.search(path))


def is_example_path(path: str) -> bool:
    return bool(EXAMPLE_PATH.search(path))


def is_vendor_path(path: str) -> bool:
    return bool(VENDOR_PATH.search(path))


def version_of(path: str) -> int | None:
    """The major version a path's `v3/`-style directory names, if any."""
    found = VERSION_DIR.findall(path)
    return int(found[-1]) if found else None


def _stem_path(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else path


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    implemented: set[tuple[int, str]] = set()
    if settings.header_penalty != 1.0:
        implemented = {(c.repository_id, _stem_path(c.path)) for c in candidates if c.path.endswith(SOURCE_EXTENSIONS)}
    port_ok = settings.port_penalty == 1.0 or bool(intent.words & _PORT_WORDS)
    # Older versioned copies (`zod/src/v3/` beside `v4/`, `pydantic/v1/`): the newest version
    # among the candidates is the one a reader means unless the query names a version.
    newest = max((v for c in candidates if (v := version_of(c.path)) is not None), default=None)
    for c in candidates:
        if settings.old_version_penalty != 1.0 and newest is not None:
            v = version_of(c.path)
            if v is not None and v < newest and f"v{v}" not in intent.words:
                c.scale("old_version_penalty", settings.old_version_penalty)

        if not intent.wants_tests:
            if settings.test_penalty != 1.0 and is_test_path(c.path):
                c.scale("test_penalty", settings.test_penalty)
            if settings.example_penalty != 1.0 and is_example_path(c.path):
                c.scale("example_penalty", settings.example_penalty)
        if settings.vendor_penalty != 1.0 and is_vendor_path(c.path):
            c.scale("vendor_penalty", settings.vendor_penalty)
        name = c.path.rsplit("/", 1)[-1]
        if settings.reexport_penalty != 1.0 and name in REEXPORT_FILES:
            c.scale("reexport_penalty", settings.reexport_penalty)
        elif settings.package_penalty != 1.0 and not intent.is_symbol and name in PACKAGE_FILES:
            c.scale("package_penalty", settings.package_penalty)
        if settings.stub_penalty != 1.0 and name.endswith(".d.ts"):
            c.scale("stub_penalty", settings.stub_penalty)
        if (implemented and c.kind == MODULE_KIND and c.path.endswith(HEADER_EXTENSIONS)
                and (c.repository_id, _stem_path(c.path)) in implemented):
            c.scale("header_penalty", settings.header_penalty)
        if not port_ok and PORT_PATH.search(c.path):
            c.scale("port_penalty", settings.port_penalty)
        if settings.tiny_penalty != 1.0 and not intent.is_symbol and c.code_lines <= settings.tiny_lines:
            c.scale("tiny_penalty", settings.tiny_penalty)
    return candidates
