"""The caller's own scope: names a function or method declares locally (parameters, variables,
nested functions and classes), which shadow the file's imports and definitions.

`function f(helper) { helper(); }` calls its parameter, not the imported `helper`; Python's
`def g(): join = make(); join()` calls the local. (A function-level `from x import y` is no
local here: the imports query reads it as one of the file's imports, which resolve it.) The indexer does not make nested definitions
chunks of their own, so the graph reads them here, from the chunk's stored source, with a small
tree-sitter query per language. Only callers that may shadow something are parsed (see
`might_shadow`), so most chunks never are.
"""

from __future__ import annotations

import re
from functools import cache

from tree_sitter import Query, QueryCursor

from mnemo.languages.registry import load_grammar, parser_for

_ECMA = """
(arrow_function parameter: (identifier) @name)
(variable_declarator name: (identifier) @name)
(function_declaration name: (identifier) @name)
(class_declaration name: (_) @name)
(shorthand_property_identifier_pattern) @name
(pair_pattern value: (identifier) @name)
(array_pattern (identifier) @name)
(rest_pattern (identifier) @name)
(catch_clause parameter: (identifier) @name)
"""

_ECMA_TS = _ECMA + """
(required_parameter pattern: (identifier) @name)
(optional_parameter pattern: (identifier) @name)
"""

_ECMA_JS = _ECMA + """
(formal_parameters (identifier) @name)
(formal_parameters (assignment_pattern left: (identifier) @name))
"""

_PYTHON = """
(parameters (identifier) @name)
(default_parameter name: (identifier) @name)
(typed_parameter (identifier) @name)
(typed_default_parameter name: (identifier) @name)
(list_splat_pattern (identifier) @name)
(dictionary_splat_pattern (identifier) @name)
(lambda_parameters (identifier) @name)
(assignment left: (identifier) @name)
(assignment left: (pattern_list (identifier) @name))
(assignment left: (tuple_pattern (identifier) @name))
(augmented_assignment left: (identifier) @name)
(for_statement left: (identifier) @name)
(for_statement left: (pattern_list (identifier) @name))
(for_in_clause left: (identifier) @name)
(with_item value: (as_pattern alias: (as_pattern_target (identifier) @name)))
(except_clause (as_pattern alias: (as_pattern_target (identifier) @name)))
(named_expression name: (identifier) @name)
(function_definition name: (identifier) @name)
(class_definition name: (identifier) @name)
"""

_QUERIES = {"typescript": _ECMA_TS, "tsx": _ECMA_TS, "javascript": _ECMA_JS, "jsx": _ECMA_JS, "python": _PYTHON}


@cache
def _query(language: str) -> Query | None:
    text = _QUERIES.get(language)
    return Query(load_grammar(language).language, text) if text else None


def supports(language: str) -> bool:
    return language in _QUERIES


# an identifier that is not a property (`.name`): the only places a local of that name can be
_BARE_WORD = re.compile(r"(?<![\w$.])[\w$]+")


def might_shadow(source: str, names: set[str]) -> bool:
    """A cheap test before parsing: a local declaration of a name plus its call means the name
    appears at least twice in the source, as a word of its own and not after a dot. One scan of
    the source for every name (a pattern per name cost a compile per call on large trees)."""
    counts: dict[str, int] = {}
    for word in _BARE_WORD.findall(source):
        if word in names:
            seen = counts.get(word, 0) + 1
            if seen >= 2:
                return True
            counts[word] = seen
    return False


def local_names(source: str, language: str, kind: str, own_name: str) -> frozenset[str]:
    """Names declared inside a function or method's source (its own name excluded)."""
    query = _query(language)
    if query is None or kind not in ("function", "method"):
        return frozenset()
    wrapped = source
    if kind == "method" and language != "python":
        wrapped = "class __Scope__ {\n" + source + "\n}"  # a method is not valid at top level
    tree = parser_for(language).parse(wrapped.encode("utf-8", "replace"))
    captures = QueryCursor(query).captures(tree.root_node)
    found = {node.text.decode("utf-8", "replace") for node in captures.get("name", ())}
    found.discard(own_name)
    found.discard("__Scope__")
    return frozenset(found)
