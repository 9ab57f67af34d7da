"""parse_source on TypeScript: definitions, names, spans, signatures, calls, imports, exports."""

from __future__ import annotations

from textwrap import dedent

from mnemo.chunk import parse_source
from mnemo.models import MODULE_KIND, Chunk, ParsedFile


def definitions(parsed: ParsedFile) -> list[Chunk]:
    """The definition chunks, without the file-level (`module`) chunks of the code around them."""
    return [chunk for chunk in parsed.chunks if chunk.kind != MODULE_KIND]


def parse(code: str, **options: object) -> ParsedFile:
    return parse_source(dedent(code).lstrip("\n").encode(), "typescript", **options)  # type: ignore[arg-type]


def by_name(parsed: ParsedFile) -> dict[str, Chunk]:
    return {chunk.qualified_name: chunk for chunk in definitions(parsed)}


def outline(parsed: ParsedFile) -> list[tuple[str, str, int, int]]:
    return [(c.kind, c.qualified_name, c.start_line, c.end_line) for c in definitions(parsed)]


def calls(chunk: Chunk) -> list[tuple[str, str | None]]:
    return [(call.name, call.qualifier) for call in chunk.calls]


SEED = """
export function validateUser(email: string): boolean {
  return email.includes("@");
}

export function logError(message: string): void {
  console.error(message);
}
"""


def test_seed_file_gives_exactly_its_two_functions() -> None:
    parsed = parse(SEED)

    assert parsed.errors == []
    assert outline(parsed) == [("function", "validateUser", 1, 3), ("function", "logError", 5, 7)]
    validate, log = definitions(parsed)
    assert validate.signature == "export function validateUser(email: string): boolean"
    assert validate.source.startswith("export function validateUser")
    assert validate.source.endswith("}")
    assert validate.exported and log.exported
    assert validate.parent is None
    assert calls(validate) == [("includes", "email")]
    assert calls(log) == [("error", "console")]
    assert validate.loc == 3


def test_arrow_functions_and_function_expressions_take_the_variable_name() -> None:
    parsed = parse(
        """
        export const validate = (x: string): boolean => check(x);
        const load = async function (id: number) {
          return fetch(id);
        };
        let gen = function* () {};
        async function* stream() {}
        const notAFunction = compute();
        """
    )

    assert outline(parsed) == [
        ("function", "validate", 1, 1),
        ("function", "load", 2, 4),
        ("function", "gen", 5, 5),
        ("function", "stream", 6, 6),
    ]
    chunks = by_name(parsed)
    assert chunks["validate"].signature == "export const validate = (x: string): boolean =>"
    assert chunks["validate"].exported
    assert not chunks["load"].exported
    assert calls(chunks["validate"]) == [("check", None)]
    assert calls(chunks["load"]) == [("fetch", None)]
    assert [(c.name, c.line) for c in parsed.module_calls] == [("compute", 7)]


def test_a_constant_defined_by_a_factory_call_is_one_function_with_its_members_inside() -> None:
    # zod's `export const ZodType = core.$constructor("ZodType", (inst, def) => { inst.parse = ... })`,
    # React's forwardRef/memo: the name is defined by the function passed to the call, and the members
    # assigned inside it belong to it (before, each `inst.x = () => ...` was a one-line method of `inst`).
    parsed = parse(
        """
        export const ZodType: $constructor<ZodType> = /*@__PURE__*/ $constructor("ZodType", (inst, def) => {
          inst.parse = (data) => parse(inst, data);
          inst.optional = () => optional(inst);
        });
        const Button = forwardRef(function Button(props, ref) {
          return render(props, ref);
        });
        const short = z.string().refine((v) => v.length > 0);
        const plain = compute(1, 2);
        """
    )

    assert outline(parsed) == [("function", "ZodType", 1, 4), ("function", "Button", 5, 7)]
    chunks = by_name(parsed)
    assert chunks["ZodType"].signature.startswith("export const ZodType: $constructor<ZodType> =")
    assert chunks["ZodType"].exported
    assert ("optional", None) in calls(chunks["ZodType"]) and ("$constructor", None) in calls(chunks["ZodType"])
    # an expression-bodied callback (a predicate, a mapper) makes a value, not a definition
    assert {c.name for c in parsed.module_calls} >= {"refine", "string", "compute"}


def test_class_members_are_methods_qualified_by_the_class() -> None:
    parsed = parse(
        """
        export class Repo<T> extends Base<T> implements Store, ns.Readable<T> {
          private cache = new Map();
          constructor(private db: Db) { super(db); }
          get size(): number { return this.cache.size; }
          set size(value: number) {}
          static create(): Repo<any> { return new Repo(open()); }
          async *rows() {}
          #secret() {}
          onChange = (event: Event) => { this.save(event); };
          abstract describe(): string;
        }
        """
    )

    assert outline(parsed) == [
        ("class", "Repo", 1, 11),
        ("method", "Repo.constructor", 3, 3),
        ("method", "Repo.size", 4, 4),
        ("method", "Repo.size", 5, 5),
        ("method", "Repo.create", 6, 6),
        ("method", "Repo.rows", 7, 7),
        ("method", "Repo.#secret", 8, 8),
        ("method", "Repo.onChange", 9, 9),
    ]
    chunks = definitions(parsed)
    repo = chunks[0]
    assert repo.signature == "export class Repo<T> extends Base<T> implements Store, ns.Readable<T>"
    assert repo.bases == ["Base"]
    assert repo.implements == ["Store", "ns.Readable"]
    assert calls(repo) == [("Map", None)]  # field initialiser; methods' calls are their own
    assert all(c.parent == "Repo" and c.name == c.qualified_name.split(".", 1)[1] for c in chunks[1:])
    assert chunks[2].signature == "get size(): number"
    assert chunks[3].signature == "set size(value: number)"
    assert calls(chunks[4]) == [("Repo", None), ("open", None)]
    assert calls(chunks[7]) == [("save", "this")]
    assert chunks[7].signature == "onChange = (event: Event) =>"
    assert not any(c.exported for c in chunks[1:])


def test_interfaces_types_enums_and_abstract_classes() -> None:
    parsed = parse(
        """
        export interface Shape extends Named, Sized<number> {
          area(): number;
        }
        type Point = { x: number; y: number };
        export enum Color { Red, Green }
        export abstract class Base implements Shape {
          abstract area(): number;
        }
        """
    )

    assert outline(parsed) == [
        ("interface", "Shape", 1, 3),
        ("type", "Point", 4, 4),
        ("enum", "Color", 5, 5),
        ("class", "Base", 6, 8),
    ]
    shape, point, color, base = definitions(parsed)
    assert shape.bases == ["Named", "Sized"]
    assert shape.signature == "export interface Shape extends Named, Sized<number>"
    assert point.signature == "type Point = { x: number; y: number }"
    assert not point.exported and color.exported
    assert base.implements == ["Shape"] and base.signature == "export abstract class Base implements Shape"


def test_default_exports_name_anonymous_definitions_default() -> None:
    anonymous = parse("export default function () {\n  run();\n}\n")
    assert outline(anonymous) == [("function", "default", 1, 3)]
    assert anonymous.chunks[0].exported
    assert anonymous.chunks[0].signature == "export default function ()"
    assert [e.to_json() for e in anonymous.exports] == [{"name": "default", "local": "default", "source": None}]

    named = parse("export default class Widget {}\n")
    assert outline(named) == [("class", "Widget", 1, 1)]
    assert named.chunks[0].exported
    assert [(e.name, e.local) for e in named.exports] == [("default", "Widget")]

    later = parse("function helper() {}\nfunction other() {}\nexport default helper;\n")
    assert [(c.name, c.exported) for c in definitions(later)] == [("helper", True), ("other", False)]
    assert [(e.name, e.local) for e in later.exports] == [("default", "helper")]


def test_export_list_marks_definitions_exported_and_re_exports_do_not() -> None:
    parsed = parse(
        """
        function a() {}
        function b() {}
        function c() {}
        export { a, b as bee };
        export { c } from './elsewhere';
        export * from './all';
        export * as ns from './ns';
        """
    )

    assert [(c.name, c.exported) for c in definitions(parsed)] == [("a", True), ("b", True), ("c", False)]
    assert [e.to_json() for e in parsed.exports] == [
        {"name": "a", "local": "a", "source": None},
        {"name": "bee", "local": "b", "source": None},
        {"name": "c", "local": "c", "source": "./elsewhere"},
        {"name": "*", "local": "*", "source": "./all"},
        {"name": "ns", "local": "*", "source": "./ns"},
    ]


def test_imports_with_aliases_defaults_namespaces_and_require() -> None:
    parsed = parse(
        """
        import Default, { a as b, c } from './mod';
        import * as path from 'path';
        import type { T } from "./types";
        import './polyfill';
        import fs = require('fs');
        const { x, y: z } = require('./cjs');
        """
    )

    assert [i.to_json() for i in parsed.imports] == [
        {"source": "./mod", "line": 1, "names": [
            {"name": "default", "alias": "Default"}, {"name": "a", "alias": "b"}, {"name": "c", "alias": None}]},
        {"source": "path", "line": 2, "names": [{"name": "*", "alias": "path"}]},
        {"source": "./types", "line": 3, "names": [{"name": "T", "alias": None}]},
        {"source": "./polyfill", "line": 4, "names": []},
        {"source": "fs", "line": 5, "names": [{"name": "default", "alias": "fs"}]},
        {"source": "./cjs", "line": 6, "names": [{"name": "x", "alias": None}, {"name": "y", "alias": "z"}]},
    ]


def test_calls_keep_qualifiers_dedupe_and_skip_unnamed_callees() -> None:
    parsed = parse(
        """
        function work(items: Item[]) {
          a.b.c();
          this.save();
          super.init();
          items?.map(fn)!.filter(Boolean);
          log(1);
          log(2);
          new Foo();
          new ns.Bar();
          handlers[0]();
          (getFn())();
          factory().build();
          api
            .client
            .get();
        }
        """
    )

    work = definitions(parsed)[0]
    assert [(c.name, c.qualifier, c.line) for c in work.calls] == [
        ("c", "a.b", 2),
        ("save", "this", 3),
        ("init", "super", 4),
        ("map", "items", 5),
        ("filter", "items.map()", 5),  # `x!` after a call keeps the call's chain
        ("log", None, 6),
        ("Foo", None, 8),
        ("Bar", "ns", 9),
        ("getFn", None, 11),
        ("factory", None, 12),
        ("build", "factory()", 12),  # a call on a call's result: resolved through return types
        ("get", "api.client", 15),
    ]


def test_nested_functions_are_not_chunks_and_their_calls_belong_to_the_outer_one() -> None:
    parsed = parse(
        """
        export function outer() {
          function inner() { deep(); }
          const arrow = () => shallow();
          class Local { m() { inLocal(); } }
          return inner();
        }
        """
    )

    assert outline(parsed) == [("function", "outer", 1, 6)]
    assert calls(definitions(parsed)[0]) == [("deep", None), ("shallow", None), ("inLocal", None), ("inner", None)]


def test_oversized_function_is_split_into_contiguous_parts() -> None:
    body = "\n".join(f"  step{i}();" for i in range(448))
    parsed = parse(f"const x = 1;\nfunction big() {{\n{body}\n}}\n")

    parts = definitions(parsed)
    assert [(c.kind, c.name, c.start_line, c.end_line, c.part, c.parts) for c in parts] == [
        ("function", "big", 2, 201, 1, 3),
        ("function", "big", 202, 401, 2, 3),
        ("function", "big", 402, 451, 3, 3),
    ]
    assert parts[0].source.splitlines()[0] == "function big() {"
    assert parts[1].source.splitlines()[0] == "  step199();"
    assert parts[2].source.splitlines()[-1] == "}"
    assert [len(p.source.splitlines()) for p in parts] == [200, 200, 50]
    assert calls(parts[1])[0] == ("step199", None) and len(parts[1].calls) == 200
    assert all(p.signature == "function big()" for p in parts)


def test_max_chunk_lines_is_respected() -> None:
    parsed = parse(SEED, max_chunk_lines=2)

    assert [(c.name, c.start_line, c.end_line, c.part, c.parts) for c in definitions(parsed)] == [
        ("validateUser", 1, 2, 1, 2),
        ("validateUser", 3, 3, 2, 2),
        ("logError", 5, 6, 1, 2),
        ("logError", 7, 7, 2, 2),
    ]


def test_jsdoc_and_line_comments_become_docstrings() -> None:
    parsed = parse(
        """
        /**
         * Checks a user.
         *
         * @param email the address
         */
        export function check(email: string) {}

        // Formats a name.
        // Second line.
        function format() {}

        // Detached by a blank line.

        function bare() {}
        const x = 1; // trailing, not documentation
        function afterTrailing() {}
        """
    )

    docs = {c.name: c.docstring for c in definitions(parsed)}
    assert docs == {
        "check": "Checks a user.\n\n@param email the address",
        "format": "Formats a name.\nSecond line.",
        "bare": None,
        "afterTrailing": None,
    }
    assert definitions(parsed)[0].start_line == 6  # the doc comment is not part of the span


def test_decorators_join_the_span_but_not_the_signature() -> None:
    parsed = parse(
        """
        @Component({ selector: 'app' })
        export class AppComponent {
          @Input()
          onClick = () => {};
          @HostListener('click')
          handle(@Inject(TOKEN) token: string) {}
        }
        """
    )

    assert outline(parsed) == [
        ("class", "AppComponent", 1, 7),
        ("method", "AppComponent.onClick", 3, 4),
        ("method", "AppComponent.handle", 5, 6),
    ]
    app, on_click, handle = definitions(parsed)
    assert app.signature == "export class AppComponent"
    assert calls(app) == [("Component", None)]
    assert on_click.signature == "onClick = () =>"
    assert handle.signature == "handle(@Inject(TOKEN) token: string)"
    assert calls(handle) == [("HostListener", None), ("Inject", None)]


def test_complexity_counts_decision_points_of_the_chunk_only() -> None:
    parsed = parse(
        """
        class Rules {
          flag = a ? 1 : 2;
          decide(x: number, y?: string) {
            if (x > 1 && y) {
              for (const c of y) { while (x--) {} }
            } else if (x < 0 || y ?? 'z') {
              try { do {} while (false); } catch (e) {}
            }
            switch (x) { case 1: break; case 2: break; default: break; }
            for (let i = 0; i < 2; i++) {}
            for (const k in obj) {}
          }
          simple() { return 1; }
        }
        """
    )

    chunks = by_name(parsed)
    # if, &&, for-of, while, else-if, ||, ??, do, catch, 2 cases, for, for-in = 13
    assert chunks["Rules.decide"].complexity == 14
    assert chunks["Rules.simple"].complexity == 1
    assert chunks["Rules"].complexity == 2  # the field's ternary
    assert chunks["Rules.decide"].loc == 10


def test_overload_and_ambient_signatures_are_not_chunks() -> None:
    parsed = parse(
        """
        export function over(a: string): string;
        export function over(a: number): number;
        export function over(a: any): any { return a; }
        declare function ambient(): void;
        export declare function declared(): void;
        """
    )

    assert outline(parsed) == [("function", "over", 3, 3)]
    assert definitions(parsed)[0].signature == "export function over(a: any): any"
    assert [(e.name, e.local) for e in parsed.exports] == [("over", "over"), ("declared", "declared")]
