"""parse_source on TSX: the tsx grammar (TypeScript + JSX) with the TypeScript queries."""

from __future__ import annotations

from textwrap import dedent

from mnemo.chunk import parse_source
from mnemo.models import MODULE_KIND, Chunk, ParsedFile


def definitions(parsed: ParsedFile) -> list[Chunk]:
    """The definition chunks, without the file-level (`module`) chunks of the code around them."""
    return [chunk for chunk in parsed.chunks if chunk.kind != MODULE_KIND]

COMPONENTS = dedent(
    """
    import { useState } from 'react';

    interface ButtonProps { label: string }

    export const Button = ({ label }: ButtonProps) => <button onClick={() => go(label)}>{label}</button>;

    export class Counter extends React.Component<Props, State> {
      increment = (): void => this.setState({ n: this.state.n + 1 });
      render(): JSX.Element {
        const [value] = useState<number>(0);
        return <span>{value > 0 ? format(value) : null}</span>;
      }
    }
    """
).lstrip("\n")


def test_tsx_components_are_chunked_with_their_calls() -> None:
    parsed = parse_source(COMPONENTS.encode(), "tsx")

    assert parsed.errors == []
    assert [(c.kind, c.qualified_name, c.start_line, c.end_line) for c in definitions(parsed)] == [
        ("interface", "ButtonProps", 3, 3),
        ("function", "Button", 5, 5),
        ("class", "Counter", 7, 13),
        ("method", "Counter.increment", 8, 8),
        ("method", "Counter.render", 9, 12),
    ]
    chunks = {c.qualified_name: c for c in definitions(parsed)}
    assert [(c.name, c.qualifier) for c in chunks["Button"].calls] == [("go", None)]
    assert chunks["Button"].signature == "export const Button = ({ label }: ButtonProps) =>"
    assert chunks["Counter"].bases == ["React.Component"]
    assert [(c.name, c.qualifier) for c in chunks["Counter.increment"].calls] == [("setState", "this")]
    assert [(c.name, c.qualifier) for c in chunks["Counter.render"].calls] == [("useState", None), ("format", None)]
    assert chunks["Counter.render"].complexity == 2


def test_jsx_needs_the_tsx_grammar() -> None:
    """The same source is a syntax error as plain TypeScript: .tsx must map to the tsx grammar."""
    as_typescript = parse_source(COMPONENTS.encode(), "typescript", strict=True)
    as_tsx = parse_source(COMPONENTS.encode(), "tsx", strict=True)

    assert as_typescript.errors and as_typescript.failed and as_typescript.chunks == []
    assert not as_tsx.errors and not as_tsx.failed


def test_generic_arrow_function_in_tsx() -> None:
    parsed = parse_source(b"export const identity = <T,>(value: T): T => value;\n", "tsx")

    assert parsed.errors == []
    assert [(c.kind, c.name) for c in definitions(parsed)] == [("function", "identity")]
    assert definitions(parsed)[0].signature == "export const identity = <T,>(value: T): T =>"
