"""PageRank's power iteration with numpy, for big graphs.

The pure-Python loop in rank.py (`_Transitions.run`) sums each node's incoming ranks in C
iterators, but still pays a Python step per node per iteration: on a 20,000-file
project's graph (20k nodes, 690k edges) that is ~1 s for every question's personalized
ranking (issue 16: a question must not wait). Here the incoming edges are compressed
rows (CSR) and one iteration is a gather, a multiply and a `bincount`: ~5 ms.

The numbers are the loop's, bit for bit: `bincount` adds each row's terms in source
order from zero, as `sum` does, and the other sums are sequential too (`_sum`; numpy's
own `sum` adds pairwise, which differs in the last bits). numpy is imported only here
(~0.1 s), and only for graphs big enough to pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# From this many edges the vector form pays for importing numpy (measured: the loop takes
# ~0.1 s per ranking at ~70k edges, numpy's import ~0.1 s once).
VECTOR_MIN_EDGES = 50_000


class IncomingRows:
    """A graph's incoming edges as compressed rows: node j's sources in index order and
    their normalized weights, ready for the power iteration."""

    def __init__(self, n: int, incoming: Sequence[Mapping[int, float]], dangling: list[int]):
        import numpy as np

        sizes = [len(pairs) for pairs in incoming]
        sources: list[int] = []
        weights: list[float] = []
        for pairs in incoming:
            if pairs:
                order = sorted(pairs)
                sources.extend(order)
                weights.extend([pairs[i] for i in order])
        self.n = n
        self.sources: NDArray[np.intp] = np.array(sources, dtype=np.intp)
        self.weights: NDArray[np.float64] = np.array(weights, dtype=np.float64)
        # The row of each edge, for bincount (rows in order, so sums run in source order).
        self.targets: NDArray[np.intp] = np.repeat(
            np.arange(n, dtype=np.intp), np.array(sizes, dtype=np.intp)
        )
        self.dangling: NDArray[np.intp] = np.array(dangling, dtype=np.intp)

    def run(self, p: list[float], alpha: float, max_iter: int, tol: float) -> list[float] | None:
        """PageRank with teleport and dangling mass by `p`, from the uniform vector;
        None when it does not converge in `max_iter` iterations."""
        import numpy as np

        n = self.n
        pv: NDArray[np.float64] = np.array(p, dtype=np.float64)
        teleport = (1 - alpha) * pv
        x: NDArray[np.float64] = np.full(n, 1.0 / n)
        sources, weights, targets, dangling = (
            self.sources,
            self.weights,
            self.targets,
            self.dangling,
        )
        for _ in range(max_iter):
            last = x
            dangling_sum = alpha * _sum(last[dangling])
            pulled: Any = np.bincount(targets, weights=last[sources] * weights, minlength=n)
            x = dangling_sum * pv + teleport + alpha * pulled
            if _sum(np.abs(x - last)) < n * tol:
                result: list[float] = x.tolist()
                return result
        return None


def _sum(values: NDArray[np.float64]) -> float:
    """Left-to-right sum, as Python's `sum` adds floats (numpy's `sum` adds pairwise)."""
    if not len(values):
        return 0.0
    import numpy as np

    return float(np.add.accumulate(values)[-1])
