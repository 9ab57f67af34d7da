"""Resolution rules beyond the fixture trees: ambiguity, guesses, cycles, split definitions."""

from __future__ import annotations

from mnemo.chunk import parse_source
from mnemo.graph.resolve import MAX_CANDIDATES, resolve_parsed
from mnemo.models import Call, Chunk, ParsedFile


def resolve(sources: dict[str, str]):
    files = {}
    for path, text in sources.items():
        language = "python" if path.endswith(".py") else "javascript" if path.endswith(".js") else "typescript"
        files[path] = parse_source(text.encode(), language)
    return resolve_with(files)


def resolve_with(files: dict[str, ParsedFile]):
    table, edges, stats = resolve_parsed(files)
    names = {m.node: m.path for m in table.modules.values()}
    names.update({d.node: f"{d.path}:{d.qualified_name}" for d in table.definitions.values()})
    rows = [
        (names[e.src], e.type, names[e.dst] if e.dst else e.target, e.resolution, e.confidence)
        for e in edges
        if e.type != "contains"
    ]
    return rows, stats, table


def test_many_candidates_give_one_edge_without_a_target() -> None:
    sources = {f"s{i}.js": f"function dup() {{ return {i}; }}\n" for i in range(MAX_CANDIDATES + 1)}
    sources["page.js"] = "function onLoad() { dup(); }\n"
    rows, stats, _ = resolve(sources)
    calls = [r for r in rows if r[0] == "page.js:onLoad"]
    assert calls == [("page.js:onLoad", "calls", "dup", "ambiguous", 1.0)]
    assert stats.by_resolution["ambiguous"] == 1 and stats.local == 1 and stats.local_resolved == 0


def test_es_module_never_guesses_a_name_it_does_not_import() -> None:
    rows, stats, _ = resolve({
        "other.ts": "export function lonely() { return 1; }\n",
        "main.ts": "import { x } from './x';\nexport function main() { return lonely(); }\n",
    })
    assert ("main.ts:main", "calls", "lonely", "unresolved", 1.0) in rows
    assert not any(r[2] == "other.ts:lonely" for r in rows)
    assert stats.local == 0  # not reachable under the language's rules: not a local call


def test_unknown_receiver_is_never_attached_by_name() -> None:
    rows, _, _ = resolve({
        "store.ts": "export class Store {\n  persist() {}\n  push(x: number) {}\n}\n",
        "main.ts": (
            "import { Store } from './store';\n"
            "export function main(s: any, list: number[]) {\n  s.persist();\n  list.push(1);\n  list.pop();\n}\n"
        ),
    })
    assert ("main.ts:main", "calls", "s.persist", "unresolved", 1.0) in rows
    assert not any(r[2] == "store.ts:Store.persist" for r in rows)
    # `push` is also an Array method: never attached by name alone
    assert not any(r[2] == "store.ts:Store.push" for r in rows)
    assert ("main.ts:main", "calls", "list.push", "builtin", 1.0) in rows
    assert ("main.ts:main", "calls", "list.pop", "builtin", 1.0) in rows


def test_builtin_namesakes_never_attach_on_an_unknown_receiver_python() -> None:
    rows, _, _ = resolve({
        "jobs.py": "class JobManager:\n    def get(self, key):\n        return key\n    def items(self):\n        return []\n",
        "main.py": "def main(options, router):\n    options.get('x')\n    router.get('/')\n    options.items()\n",
    })
    assert not any(r[2].startswith("jobs.py:") for r in rows if r[0] == "main.py:main")
    assert ("main.py:main", "calls", "options.get", "builtin", 1.0) in rows


def test_a_method_name_of_the_repository_on_an_unknown_receiver_stays_unresolved() -> None:
    rows, stats, _ = resolve({
        "a.py": "class A:\n    def render(self):\n        pass\n",
        "b.py": "class B:\n    def render(self):\n        pass\n",
        "main.py": "def main(thing):\n    thing.render()\n",
    })
    calls = [r for r in rows if r[0] == "main.py:main" and r[1] == "calls"]
    assert calls == [("main.py:main", "calls", "thing.render", "unresolved", 1.0)]
    assert stats.local == 1 and stats.local_resolved == 0


def test_member_call_never_attaches_to_a_function_of_the_same_name() -> None:
    rows, _, _ = resolve({
        "map.ts": "export function map(xs: number[]) { return xs; }\n",
        "main.ts": "import { map } from './map';\nexport function main(xs: number[]) { return xs.map(String); }\n",
    })
    assert not any(r[0] == "main.ts:main" and r[2] == "map.ts:map" for r in rows)


def test_reexport_cycle_terminates_unresolved() -> None:
    rows, _, _ = resolve({
        "a.ts": "export * from './b';\n",
        "b.ts": "export * from './a';\n",
        "main.ts": "import { ghost } from './a';\nexport function main() { return ghost(); }\n",
    })
    assert ("main.ts:main", "calls", "ghost", "unresolved", 1.0) in rows


def test_recursion_is_no_self_loop() -> None:
    rows, stats, _ = resolve({"f.ts": "export function fact(n: number): number { return n ? n * fact(n - 1) : 1; }\n"})
    assert not [r for r in rows if r[1] == "calls"]
    assert stats.by_resolution == {"same_file": 1}


def test_methods_of_an_external_base_are_external() -> None:
    rows, _, _ = resolve({
        "view.ts": (
            "import React from 'react';\n"
            "export class View extends React.Component {\n  render() { this.setState({}); this.helper(); }\n"
            "  helper() {}\n}\n"
        ),
    })
    assert ("view.ts:View", "inherits", "react.Component", "external", 1.0) in rows
    assert ("view.ts:View.render", "calls", "react.Component.setState", "external", 1.0) in rows
    assert ("view.ts:View.render", "calls", "view.ts:View.helper", "this", 1.0) in rows


def test_class_is_preferred_over_a_merged_interface_of_the_same_name() -> None:
    rows, _, _ = resolve({
        "a.ts": "export interface Thing { x: number }\nexport class Thing {}\nexport function make() { return new Thing(); }\n",
    })
    made = [r for r in rows if r[0] == "a.ts:make"]
    assert len(made) == 1 and made[0][3] == "same_file"


def test_python_star_import_of_a_local_module() -> None:
    rows, _, _ = resolve({
        "pkg/__init__.py": "",
        "pkg/tools.py": "def tool():\n    return 1\n",
        "pkg/main.py": "from .tools import *\n\ndef main():\n    return tool()\n",
    })
    assert ("pkg/main.py:main", "calls", "pkg/tools.py:tool", "import", 1.0) in rows


def test_python_undefined_name_is_not_guessed() -> None:
    rows, _, _ = resolve({
        "a.py": "def helper():\n    return 1\n",
        "b.py": "def main():\n    return helper()\n",
    })
    assert ("b.py:main", "calls", "helper", "unresolved", 1.0) in rows


def test_split_definition_is_one_node_with_the_calls_of_every_part() -> None:
    def part(n: int, calls: list[Call]) -> Chunk:
        return Chunk(kind="function", name="big", qualified_name="big", start_line=n * 10, end_line=n * 10 + 9,
                     source="...", calls=calls, part=n, parts=2)

    files = {
        "big.ts": ParsedFile(language="typescript", chunks=[
            part(1, [Call("one", None, 11)]), part(2, [Call("two", None, 21)]),
            Chunk(kind="function", name="one", qualified_name="one", start_line=40, end_line=41, source=""),
            Chunk(kind="function", name="two", qualified_name="two", start_line=50, end_line=51, source=""),
        ]),
    }
    rows, _, table = resolve_with(files)
    assert sorted(d.qualified_name for d in table.definitions.values()) == ["big", "one", "two"]
    assert ("big.ts:big", "calls", "big.ts:one", "same_file", 1.0) in rows
    assert ("big.ts:big", "calls", "big.ts:two", "same_file", 1.0) in rows


def test_call_sites_are_merged_into_one_edge() -> None:
    chunks = [
        Chunk(kind="function", name="f", qualified_name="f", start_line=1, end_line=1, source=""),
        Chunk(kind="function", name="g", qualified_name="g", start_line=2, end_line=6, source="",
              calls=[Call("f", None, 5), Call("f", None, 3), Call("f", None, 4)]),
    ]
    _, edges, stats = resolve_parsed({"a.ts": ParsedFile(language="typescript", chunks=chunks)})
    calls = [e for e in edges if e.type == "calls"]
    assert len(calls) == 1 and calls[0].sites == 3 and calls[0].line == 3
    assert stats.sites == 3 and stats.local_resolved == 3


def test_local_names_per_language() -> None:
    from mnemo.graph.scope import local_names

    ts = local_names(
        "function f(helper: () => void, { a, b: c }: any, [d]: number[], ...rest: any[]) {\n"
        "  const g = 1; function nested() {} try {} catch (err) {} return helper();\n}",
        "typescript", "function", "f",
    )
    assert ts == {"helper", "a", "c", "d", "rest", "g", "nested", "err"}
    assert local_names("run(cb: () => void, n = 1) { cb(); }", "typescript", "method", "run") == {"cb", "n"}
    assert local_names("function f(cb, k = 2) { var v; cb(); }", "javascript", "function", "f") == {"cb", "k", "v"}
    py = local_names(
        "def m(self, join, *args, k=1, **kw):\n        x, y = 1, 2\n        for i in y:\n            pass\n"
        "        with open() as fh:\n            pass\n        def inner():\n            pass\n        return join()",
        "python", "method", "m",
    )
    assert py == {"self", "join", "args", "k", "kw", "x", "y", "i", "fh", "inner"}


def test_might_shadow_counts_bare_words_only() -> None:
    from mnemo.graph.scope import might_shadow

    assert might_shadow("function f(helper) { helper(); }", {"helper", "other"})
    assert not might_shadow("function f() { helper(); }", {"helper"})  # the call alone
    assert not might_shadow("function f(x) { x.helper(); helper(); }", {"helper"})  # a property is no local
    assert not might_shadow("function f(helpers, $helper) { helper(); }", {"helper"})  # other words
    assert might_shadow("def g():\n    join = make()\n    join()", {"make", "join"})
    assert not might_shadow("const a = 1; b(); c();", {"b", "c"})  # once each


def test_dispatch_edges_through_an_interface_have_lower_confidence() -> None:
    impls = "".join(f"export class S{i} implements Shape {{\n  area(): number {{ return {i}; }}\n}}\n" for i in range(3))
    rows, _, table = resolve({
        "shape.ts": "export interface Shape {\n  area(): number;\n}\n",
        "impls.ts": "import { Shape } from './shape';\n" + impls,
        "main.ts": "import { Shape } from './shape';\nexport function total(s: Shape) {\n  return s.area();\n}\n",
    })
    calls = {(r[2], r[3], round(r[4], 3)) for r in rows if r[0] == "main.ts:total" and r[1] == "calls"}
    assert ("shape.ts:Shape.area", "typed", 1.0) in calls
    assert {c for c in calls if c[1] == "dispatch"} == {(f"impls.ts:S{i}.area", "dispatch", 0.333) for i in range(3)}
    member = next(d for d in table.definitions.values() if d.qualified_name == "Shape.area")
    assert member.signature_only and member.kind == "method"


def test_typed_receiver_beats_an_unrelated_namesake_and_unknown_types_stay_unresolved() -> None:
    rows, _, _ = resolve({
        "a.py": "class Engine:\n    def start(self):\n        pass\n\n\nclass Motor:\n    def start(self):\n        pass\n",
        "main.py": (
            "from a import Engine\n\n\ndef go(engine: Engine, other):\n    engine.start()\n    other.start()\n"
        ),
    })
    calls = [r for r in rows if r[0] == "main.py:go" and r[1] == "calls"]
    assert ("main.py:go", "calls", "a.py:Engine.start", "typed", 1.0) in calls
    assert not any(r[2] == "a.py:Motor.start" for r in calls)
    assert ("main.py:go", "calls", "other.start", "unresolved", 1.0) in calls
