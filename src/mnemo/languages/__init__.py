"""Language registry: file extension → language key → tree-sitter grammar and queries."""

from mnemo.languages.registry import (
    LANGUAGES,
    LINE_WINDOW_LANGUAGES,
    Grammar,
    LanguageSpec,
    has_grammar,
    language_for_path,
    line_window_languages,
    load_grammar,
    parser_for,
    supported_languages,
)

__all__ = [
    "LANGUAGES",
    "LINE_WINDOW_LANGUAGES",
    "Grammar",
    "LanguageSpec",
    "has_grammar",
    "language_for_path",
    "line_window_languages",
    "load_grammar",
    "parser_for",
    "supported_languages",
]
