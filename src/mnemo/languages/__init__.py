"""Language registry: file extension → language key → tree-sitter grammar and queries."""

from mnemo.languages.registry import (
    LANGUAGES,
    Grammar,
    LanguageSpec,
    language_for_path,
    load_grammar,
    parser_for,
    supported_languages,
)

__all__ = [
    "LANGUAGES",
    "Grammar",
    "LanguageSpec",
    "language_for_path",
    "load_grammar",
    "parser_for",
    "supported_languages",
]
