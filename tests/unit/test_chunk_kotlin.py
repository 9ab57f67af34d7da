"""Kotlin definitions from a fixture file: classes, objects, interfaces, enums, functions."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_kotlin_classes_objects_and_companion_functions() -> None:
    parsed = parse_fixture("Repository.kt", "kotlin")

    assert summary(parsed) == [
        ("class", "UserRepository", 7, 22, True),
        ("method", "UserRepository.find", 11, 15, True),
        ("method", "UserRepository.observe", 17, 17, True),
        ("method", "UserRepository.create", 20, 20, True),  # in the companion object
        ("interface", "Repository", 24, 26, True),
        ("class", "User", 28, 28, True),  # data class without a body
        ("enum", "Role", 30, 30, True),
        ("class", "Registry", 32, 34, True),  # object
        ("method", "Registry.register", 33, 33, True),
        ("type", "UserMap", 36, 36, True),
        ("function", "toUserId", 38, 38, True),  # extension function
    ]
    repository = chunk(parsed, "UserRepository")
    assert repository.docstring == "Loads and caches users."
    assert repository.signature == "class UserRepository(private val api: Api) : Repository<User>, Closeable"
    assert repository.implements == ["Repository", "Closeable"]
    assert chunk(parsed, "UserRepository.find").complexity == 2  # ?:
    assert calls(parsed, "UserRepository.find") == [("fetch", "api"), ("log", None)]
    assert calls(parsed, "UserRepository.create") == [("UserRepository", None), ("default", "Api")]
    assert [i.to_json() for i in parsed.imports] == [
        {"source": "kotlinx.coroutines.flow.Flow", "names": [], "line": 3},
        {"source": "com.example.model.User", "names": [{"name": "*", "alias": "Member"}], "line": 4},
    ]


def test_kotlin_private_declarations_are_not_exported() -> None:
    from mnemo.chunk import parse_source

    parsed = parse_source(b"private fun hidden() = 1\ninternal class Local\nfun shown() = 2\n", "kotlin")

    assert [(c.name, c.exported) for c in parsed.chunks] == [("hidden", False), ("Local", False), ("shown", True)]
