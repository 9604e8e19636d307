"""PageRank's power iteration with numpy, for big graphs.

The pure-Python loop in weighted.py (`Transitions.run`) sums each node's incoming ranks in C
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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# From this many edges the vector form pays for importing numpy (measured: the loop takes
# ~0.1 s per ranking at ~70k edges, numpy's import ~0.1 s once).
VECTOR_MIN_EDGES = 50_000


class SparseRows:
    """Rows as compressed rows: each row's columns (ascending) and weights one after the
    other, `sizes` entries per row, multiplied by a vector row by row as
    `sum(map(mul, ...))` would: each row's products added in column order from zero
    (`bincount` adds its weights in order). The arrays are kept as given (views of the
    caller's buffers stay views: weighted.py keeps the graph in arrays)."""

    def __init__(
        self,
        columns: NDArray[np.signedinteger[Any]],
        weights: NDArray[np.float64],
        sizes: NDArray[np.signedinteger[Any]],
    ) -> None:
        import numpy as np

        self.size = len(sizes)
        self.columns = cast("NDArray[np.intp]", columns)
        self.weights = weights
        # The row of each entry, for bincount.
        self.rows = np.repeat(np.arange(self.size, dtype=columns.dtype), sizes)

    def dot(self, vector: NDArray[np.float64]) -> NDArray[np.float64]:
        import numpy as np

        products = vector[self.columns] * self.weights
        # float64 with weights (numpy's stubs say integers: the unweighted count).
        summed: NDArray[np.float64] = cast(
            "NDArray[np.float64]", np.bincount(self.rows, weights=products, minlength=self.size)
        )
        return summed


class IncomingRows:
    """A graph's incoming edges (node j's sources and their normalized weights, as
    compressed rows) and its dangling nodes, ready for the power iteration."""

    def __init__(self, n: int, matrix: SparseRows, dangling: list[int]) -> None:
        import numpy as np

        self.n = n
        self.matrix = matrix
        self.dangling: NDArray[np.intp] = np.array(dangling, dtype=np.intp)

    def run(self, p: list[float], alpha: float, max_iter: int, tol: float) -> list[float] | None:
        """PageRank with teleport and dangling mass by `p`, from the uniform vector;
        None when it does not converge in `max_iter` iterations."""
        import numpy as np

        n, matrix, dangling = self.n, self.matrix, self.dangling
        pv: NDArray[np.float64] = np.array(p, dtype=np.float64)
        teleport = (1 - alpha) * pv
        x: NDArray[np.float64] = np.full(n, 1.0 / n)
        for _ in range(max_iter):
            last = x
            dangling_sum = alpha * _sum(last[dangling])
            x = dangling_sum * pv + teleport + alpha * matrix.dot(last)
            if _sum(np.abs(x - last)) < n * tol:
                result: list[float] = x.tolist()
                return result
        return None


def shared_ranks(matrix: SparseRows, ranks: list[float], out: Sequence[float]) -> list[float]:
    """Each row's sum of the files' rank / out-weight (0 for a file with none) times its
    weight: weighted.py's `Shares.values`, the same floats."""
    import numpy as np

    rank_v = np.array(ranks, dtype=np.float64)
    out_v = np.array(out, dtype=np.float64)
    share = np.divide(rank_v, out_v, out=np.zeros_like(rank_v), where=out_v != 0)
    values: list[float] = matrix.dot(share).tolist()
    return values


def _sum(values: NDArray[np.float64]) -> float:
    """Left-to-right sum, as Python's `sum` adds floats (numpy's `sum` adds pairwise)."""
    if not len(values):
        return 0.0
    import numpy as np

    return float(np.add.accumulate(values)[-1])
