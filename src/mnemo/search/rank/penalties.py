"""Penalties for places that match the words but are rarely the answer: tests, specs, fixtures,
examples and benchmarks (they call the code asked for and name it often), vendored, third-party
and generated code, and — optionally — tiny chunks (a one-line declaration with a doc comment).
A query that asks for tests or examples ("test for the retry logic") is not penalised for them.
"""

from __future__ import annotations

import re

from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings

TEST_PATH = re.compile(
    r"(^|/)(tests?|__tests__|__mocks__|specs?|testing|testdata|test_?utils|fixtures?|examples?|samples?|"
    r"demos?|benchmarks?|benches|e2e|integration_tests)(/|$)"
    r"|(^|/)(test_[^/]*|[^/]*_test\.[^/]+|[^/]*\.(test|spec)\.[^/]+|[^/]*_spec\.rb|[^/]*Tests?\.[a-z]+|"
    r"conftest\.py)$",
    re.IGNORECASE,
)
VENDOR_PATH = re.compile(
    r"(^|/)(vendor|vendored|third_party|thirdparty|external|node_modules|generated|gen|dist|build)(/|$)"
    r"|\.(min\.js|pb\.go|generated\.[a-z]+|g\.dart)$|_pb2\.py$",
    re.IGNORECASE,
)


def is_test_path(path: str) -> bool:
    return bool(TEST_PATH.search(path))


def is_vendor_path(path: str) -> bool:
    return bool(VENDOR_PATH.search(path))


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    for c in candidates:
        if not intent.wants_tests and settings.test_penalty != 1.0 and is_test_path(c.path):
            c.scale("test_penalty", settings.test_penalty)
        if settings.vendor_penalty != 1.0 and is_vendor_path(c.path):
            c.scale("vendor_penalty", settings.vendor_penalty)
        if settings.tiny_penalty != 1.0 and not intent.is_symbol and c.code_lines <= settings.tiny_lines:
            c.scale("tiny_penalty", settings.tiny_penalty)
    return candidates
