"""What the reranker knows of one fused candidate: where it is, what it is, how it scored."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Candidate:
    chunk_id: int
    score: float  # the fused (or single-mode) score; rules multiply it
    order: int  # position in the fused list: the tie-breaker
    repository_id: int
    path: str
    start_line: int
    end_line: int
    kind: str
    name: str
    qualified_name: str
    language: str
    part: int = 1  # split definitions: 1-based part and how many there are
    parts: int = 1
    code_lines: int = 0  # lines of the source that are neither blank nor comment-only
    names: tuple[str, ...] = ()  # a file-level chunk's listed names: what it defines or re-exports
    pinned: bool = False  # an exact-name match for an identifier query: stays first
    tier: float = 0.0  # sorted before the score: how well a definition's name matches a symbol query
    wraps: bool = False  # calls/extends a same-named definition in another file (rank.wrappers)
    contributions: dict[str, float] = field(default_factory=dict)  # rule → score factor (or 0 = dropped)
    features: dict[str, float] = field(default_factory=dict)  # retrieval evidence: lexical/vector rank and score

    def scale(self, rule: str, factor: float) -> None:
        """Multiply the score by `factor` and say which rule did it."""
        if factor != 1.0:
            self.score *= factor
            self.contributions[rule] = round(self.contributions.get(rule, 1.0) * factor, 4)

    def add(self, rule: str, delta: float) -> None:
        """Add `delta` to the score; the contribution is recorded as the factor it amounted to."""
        if delta and self.score > 0:
            self.scale(rule, (self.score + delta) / self.score)
        elif delta:
            self.score += delta
            self.contributions[rule] = round(delta, 4)

    def contains(self, other: "Candidate") -> bool:
        """True when `other` lies within this candidate's lines of the same file."""
        return (
            self.repository_id == other.repository_id
            and self.path == other.path
            and self.start_line <= other.start_line
            and other.end_line <= self.end_line
        )
