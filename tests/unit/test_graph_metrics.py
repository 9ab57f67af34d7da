"""PageRank, degrees and coupling on small graphs whose answers are known."""

from __future__ import annotations

import numpy as np

from mnemo.graph.metrics import GraphArrays, compute, coupling, degrees, pagerank


def exact_pagerank(n: int, edges: list[tuple[int, int, float]], d: float = 0.85) -> np.ndarray:
    """The fixed point solved directly (dense; fine for a handful of nodes)."""
    m = np.zeros((n, n))
    out = np.zeros(n)
    for s, t, w in edges:
        out[s] += w
    for s, t, w in edges:
        m[t, s] += w / out[s]
    for s in range(n):
        if out[s] == 0:
            m[:, s] = 1.0 / n
    a = np.eye(n) - d * m
    return np.linalg.solve(a, np.full(n, (1 - d) / n))


def arrays(edges):
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=np.float64)
    return src, dst, w


def test_pagerank_matches_the_exact_solution_with_dangling_nodes_and_weights() -> None:
    edges = [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (3, 2, 0.5), (3, 1, 0.5), (0, 4, 1.0)]  # 4 dangles
    src, dst, w = arrays(edges)
    rank, iterations, converged = pagerank(5, src, dst, w, tol=1e-10, max_iter=1000)
    assert converged and iterations > 1
    assert np.allclose(rank, exact_pagerank(5, edges), atol=1e-8)
    assert abs(rank.sum() - 1.0) < 1e-9


def test_pagerank_of_a_graph_without_edges_is_uniform() -> None:
    rank, _, converged = pagerank(4, *arrays([]))
    assert converged and np.allclose(rank, 0.25)


def test_degrees_count_distinct_neighbours() -> None:
    src, dst, _ = arrays([(0, 1, 1), (0, 1, 1), (0, 2, 1), (2, 1, 1)])  # 0→1 twice (calls + inherits)
    in_degree, out_degree = degrees(3, src, dst)
    assert list(in_degree) == [0, 2, 1] and list(out_degree) == [2, 0, 1]


def graph() -> GraphArrays:
    # modules 0, 1, 2; definitions 3 (in 0), 4 (in 1), 5 (in 2), 6 (in 0)
    module_of = np.array([0, 1, 2, 0, 1, 2, 0])
    is_module = np.array([True, True, True, False, False, False, False])
    edges = [(3, 4, 1.0), (6, 4, 1.0), (0, 1, 1.0), (4, 5, 1.0), (3, 6, 1.0), (5, 3, 0.5)]
    src, dst, w = arrays(edges)
    return GraphArrays(np.arange(7, dtype=np.int64), module_of, is_module, src, dst, w)


def test_coupling_counts_modules_once_and_ignores_guesses_and_own_module() -> None:
    g = graph()
    afferent, efferent, instability = coupling(g, g.weight >= 1.0)
    # 0 depends on 1; 1 depends on 2; 2 → 0 only through a guess (0.5): not counted
    assert list(afferent[:3]) == [0, 1, 1] and list(efferent[:3]) == [1, 1, 0]
    assert np.allclose(instability[:3], [1.0, 0.5, 0.0])
    assert list(afferent[3:]) == [-1] * 4 and np.isnan(instability[3:]).all()


def test_compute_gives_every_metric_per_node() -> None:
    result = compute(graph())
    assert result.converged and len(result.pagerank) == 7
    assert result.in_degree[4] == 2 and result.out_degree[3] == 2
