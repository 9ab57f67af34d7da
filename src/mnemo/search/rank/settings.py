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
    # fusion (search.fusion). Convex fusion of scores normalised by each list's best (score / best)
    # with the lexical share alpha per intent, fitted on the semble dev split (42 repositories,
    # static default model) by replaying recorded retrieval (`search_semble.py --replay FILE
    # --fit-fusion 0.2,0.3,0.4,0.5,0.6,0.7`): leave-one-language-out hybrid 0.832 with the final
    # rules (in-sample 0.832; 0.820 before the definition boost), against 0.791 for the weighted RRF
    # below under the same reranker; all 18 held-out folds chose architecture 0.6, semantic 0.4,
    # symbol 0.3. RRF discards the margins: a BM25 score far above
    # the rest leads rank 2 by as little as a close one does. Min-max normalisation lost 0.01–0.03.
    fusion: str = "convex"  # "convex" or "rrf" (weighted reciprocal rank, rrf_k and *_weights)
    fusion_norms: tuple[str, str] = ("max", "max")  # convex: per list, "max" (score / best) or "minmax"
    symbol_alpha: float = 0.3
    semantic_alpha: float = 0.4
    architecture_alpha: float = 0.6
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
    # C on the semble split (libuv, curl; replayed): hybrid 0.631 -> 0.698 with the `win/` port penalty, -> 0.719
    # with both (lexical 0.681 -> 0.719 -> 0.733), -> 0.741 with niche-platform files as ports too (`aix.c`,
    # `os390.c`, `sunos.c`); 0.4-0.8 and 0.4-0.6 all the same; C++ headers left alone (abseil lost
    # `absl::Hash` to hash.cc); a penalty on every C header's file-level chunk gained nothing
    header_penalty: float = 0.8  # a C header's file-level chunk beside its .c file (`idna.h`, `idna.c`)
    port_penalty: float = 0.6  # platform ports (`win/`, `aix.c`) unless the query names the platform
    # a `v3/` path when a `v4/` one is among the candidates: hybrid +0.002; 0.5 -> 0.3 with the wrapper rule:
    # zod 0.678 -> 0.696 (0.2, 0.1 the same). Only zod has versioned copies on the split: held out, the
    # TypeScript fold chose 0.5 (leave-one-language-out 0.8508 vs 0.8513 in sample)
    old_version_penalty: float = 0.3
    # boosts (rank.boosts): + weight · best score · share matched
    path_boost: float = 1.0
    definition_boost: float = 0.5
    # a member named in the query of a definition named in it (`Session load` → Session.load), ×
    # definition_boost: neutral on the semble split (hybrid 0.8315 → 0.8316, lexical 0.8177 → 0.8174),
    # keeps the method above its class (tests/integration/test_index_languages.py)
    member_boost: float = 1.0
    # a name defined in more files than this among the candidates shares its boost (× this / files): Ruby's
    # `module Rack` opens every file of rack, and "Rack spec conformance validator" boosted them all.
    # semble split: hybrid 0.846 -> 0.847, lexical 0.829 -> 0.831 (1: the same hybrid, 3-4: less)
    shared_name_files: int = 2
    definition_capitalised: bool = True  # capitalised words of a sentence count as names too
    # file evidence (rank.files): + weight · best score · file's summed score / best file's
    file_evidence: float = 0.5  # lexical mode (BM25 scores: spread out); semble split: 0.2 → 0.812, 0.4 → 0.817, 0.5 → 0.818, 0.7 → 0.817
    # vector and hybrid modes: on the semble split 0 → 0.792, 0.1 → 0.813, 0.15 → 0.821, 0.2 → 0.822,
    # 0.3 → 0.822 (hybrid); 0.15 keeps the MiniLM corpus case (tests/integration/test_search_corpus.py:
    # "delay running a function until the calls stop" → debounce, not retry.py's two matches).
    # Leaning the fusion per query towards the more peaked list (1 − mean of ranks 2–10) lost 0.004.
    fused_file_evidence: float = 0.15
    # only the best this many candidates count as evidence; after the diversity fix 20 -> 40 lifted the semble
    # split's hybrid 0.855 -> 0.857 (60: the same, 10: 0.849)
    file_evidence_top: int = 40
    # definitions (rank.definitions): symbol queries, tiers by name match, fractions within a tier
    definition_tiers: bool = True
    tier_file_named: float = 0.4
    tier_type_kind: float = 0.2
    tier_head: float = 0.1
    tier_nesting: float = 0.05
    tier_old_version: float = 1.0  # 0.5 -> 1.0: zod `ZodError` finds core `$ZodError` before the v3 copy (symbol MRR +0.0017)
    tier_specialisation: float = 0.05
    tier_constructor: float = 0.1
    # places (rank.places)
    drop_contained: bool = True  # a chunk inside a better-ranked one is dropped
    split_head: bool = True  # a split definition is represented by its head part
    # diversity (rank.diversity): beyond max_per_file results of one file, × file_decay each (0: off)
    # semble split (recorded 16:00, this session's rules): 2 -> 1 lifted hybrid 0.838 -> 0.846, lexical
    # 0.824 -> 0.829, C 0.741 -> 0.755, TypeScript 0.661 -> 0.677; decay 0.3-0.5 the same, 0.7 0.845
    max_per_file: int = 1
    file_decay: float = 0.5
    # wrappers (rank.wrappers): a definition calling/extending a same-named one in another file
    # (hybrid and vector modes only: a lexical search makes no graph query). Semble split: see the module;
    # leave-one-language-out over 1.0/0.8/0.7/0.6/0.5/0.4: every fold chose 0.6, 0.8513 held out = in sample
    wrapper_penalty: float = 0.6
    tier_wrapper: float = 0.5
    lexical: LexicalSettings = field(default_factory=lambda: DEFAULT_SETTINGS)
    # nesting (rank.nesting): queries in words; × depth_prior per directory level below the shallowest of
    # the best depth_prior_top candidates, at most depth_prior_cap levels (1.0: off)
    depth_prior: float = 0.9
    depth_prior_cap: int = 2
    depth_prior_top: int = 20
    # file evidence for a symbol query counts fewer candidates: the answer is one definition, and forty
    # namesakes (fmtlib's `formatter<T>` specialisations) would lift the file holding most of them
    symbol_file_evidence_top: int = 20
    # generic (rank.generic): × generic_boost for a file whose name is inside another's among the best
    # generic_top candidates (`Pair.java` beside `ImmutablePair.java`); semble split hybrid 0.863 -> 0.865
    # (1.05 the same, 1.2: 0.863; top 5 or 20: 0.864, 0.863)
    generic_boost: float = 1.1
    generic_top: int = 10
    # penalties (rank.penalties): `__init__.py` and `package-info.java` for queries in words
    package_penalty: float = 0.5  # semble split hybrid 0.8668 -> 0.8674 (0.3-0.7 the same)

    def for_mode(self, mode: str) -> "RankSettings":
        """The settings one mode runs with: file evidence has its own weight outside lexical mode."""
        if mode == "lexical":
            return self
        return dataclasses.replace(self, file_evidence=self.fused_file_evidence)

    def alpha(self, intent_kind: str) -> float:
        return {"symbol": self.symbol_alpha, "architecture": self.architecture_alpha}.get(
            intent_kind, self.semantic_alpha)

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
