"""Every ranking knob in one dataclass, so the benchmark can switch a rule off or move a weight
(`benchmarks/search_semble.py --set name=value`) and the defaults stay the measured ones."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from mnemo.config import ConfigError
from mnemo.search.lexical import DEFAULT_SETTINGS, LexicalSettings


@dataclass(frozen=True)
class RankSettings:
    # fusion (search.fusion): weighted reciprocal rank fusion, weights (lexical, vector) per intent.
    # Fitted on the semble dev split (42 repositories, static default model) with
    # `search_semble.py --fit-fusion 0.3,0.6,1,1.5,2.5,4,8`: leave-one-language-out 0.780 against
    # 0.771 for the former defaults ((0.6, 1.0) for words, (1.5, 1.0) for symbols). Held out one
    # language at a time, the fit chose architecture 1.0 in 18 of 18 folds, semantic 1.0 in 12 (1.5 in
    # 6) and symbol 0.6 in 17.
    rrf_k: float = 60.0
    symbol_weights: tuple[float, float] = (0.6, 1.0)
    semantic_weights: tuple[float, float] = (1.0, 1.0)
    architecture_weights: tuple[float, float] = (1.0, 1.0)
    depth: int = 100  # candidates taken from each list, and reranked
    # penalties (rank.penalties): factors < 1
    test_penalty: float = 0.3  # tests, specs, test helpers
    example_penalty: float = 0.6  # examples, samples, demos, benchmarks, docs code
    vendor_penalty: float = 0.5  # vendored, third-party, generated, minified, amalgamated, compat/legacy
    reexport_penalty: float = 1.0  # __init__.py, package-info.java, index.ts, mod.rs: re-export barrels
    stub_penalty: float = 1.0  # .d.ts declaration stubs
    tiny_penalty: float = 1.0  # a chunk of at most `tiny_lines` code lines (declarations, doc-only)
    tiny_lines: int = 1
    # boosts (rank.boosts): + weight · best score · share matched
    path_boost: float = 1.0
    definition_boost: float = 0.0
    # file evidence (rank.files): + weight · best score · file's summed score / best file's
    file_evidence: float = 0.2  # lexical mode (BM25 scores: spread out)
    fused_file_evidence: float = 0.0  # vector and hybrid modes (flat reciprocal-rank scores)
    file_evidence_top: int = 20  # only the best this many candidates count as evidence
    # places (rank.places)
    drop_contained: bool = True  # a chunk inside a better-ranked one is dropped
    split_head: bool = True  # a split definition is represented by its head part
    # diversity (rank.diversity): beyond max_per_file results of one file, × file_decay each (0: off)
    max_per_file: int = 2
    file_decay: float = 0.5
    lexical: LexicalSettings = field(default_factory=lambda: DEFAULT_SETTINGS)

    def for_mode(self, mode: str) -> "RankSettings":
        """The settings one mode runs with: file evidence has its own weight outside lexical mode."""
        if mode == "lexical":
            return self
        return dataclasses.replace(self, file_evidence=self.fused_file_evidence)

    def weights(self, intent_kind: str) -> tuple[float, float]:
        return {"symbol": self.symbol_weights, "architecture": self.architecture_weights}.get(
            intent_kind, self.semantic_weights
        )


DEFAULT_RANKING = RankSettings()


def settings_from(overrides: RankSettings | dict[str, Any] | None) -> RankSettings:
    """RankSettings from a dict of overrides: `name` for a RankSettings field, `lexical.name` for a
    LexicalSettings one; lists become tuples. Unknown names are a ConfigError."""
    if overrides is None:
        return DEFAULT_RANKING
    if isinstance(overrides, RankSettings):
        return overrides
    top: dict[str, Any] = {}
    lexical: dict[str, Any] = {}
    names = {f.name for f in dataclasses.fields(RankSettings)}
    lexical_names = {f.name for f in dataclasses.fields(LexicalSettings)}
    for key, value in overrides.items():
        value = tuple(value) if isinstance(value, list) else value
        if key.startswith("lexical."):
            if key[8:] not in lexical_names:
                raise ConfigError(f"unknown lexical setting {key!r}; known: {', '.join(sorted(lexical_names))}")
            lexical[key[8:]] = value
        elif key in names and key != "lexical":
            top[key] = value
        else:
            raise ConfigError(f"unknown ranking setting {key!r}; known: {', '.join(sorted(names - {'lexical'}))}")
    base = DEFAULT_RANKING
    if lexical:
        top["lexical"] = dataclasses.replace(base.lexical, **lexical)
    return dataclasses.replace(base, **top)
