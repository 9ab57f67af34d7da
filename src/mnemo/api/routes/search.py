"""Search: the search stage's parameters and JSON shape (SearchResult.to_json), over HTTP."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from mnemo.api.deps import MAX_NAME, Limit, check_query_text, database
from mnemo.api.errors import ApiError
from mnemo.store.db import Database

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search", summary="Hybrid, lexical or vector search over indexed code")
def search(
    q: str = Query(..., min_length=1, max_length=10 * 1024, description="what you look for (≤ 10 kB)"),
    repository: list[str] | None = Query(
        None, max_length=20, description="repository names (repeat the parameter); default: all"
    ),
    mode: Literal["hybrid", "lexical", "vector"] = "hybrid",
    limit: Limit = 10,
    language: str | None = Query(None, max_length=MAX_NAME, description="e.g. typescript, or a comma-separated list"),
    kind: str | None = Query(None, max_length=MAX_NAME, description="function, method, class, interface, type, enum"),
    path: str | None = Query(None, max_length=1024, description="glob on the file path, e.g. src/**/*.ts"),
    explain: bool = Query(False, description="add each result's lexical and vector ranks and scores, and each reranking rule's factor (rules)"),
    db: Database = Depends(database),
) -> dict[str, Any]:
    from mnemo import search as search_stage

    check_query_text(q)
    for name in repository or []:
        if not 1 <= len(name) <= MAX_NAME:
            raise ApiError(422, f"repository: names are 1–{MAX_NAME} characters")
    results = search_stage.search(
        db, q, repositories=repository or None, mode=mode, limit=limit, language=language, kind=kind,
        path_glob=path, explain=explain,
    )
    return {
        "query": q,
        "mode": mode,
        "repositories": repository or None,
        "results": [r.to_json(explain=explain) for r in results],
    }
