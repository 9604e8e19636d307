"""Sample module. It has everything."""

from enum import Enum
from typing import TypeVar

F = TypeVar("F")

MAX_SIZE = 10


class Color(Enum):
    """Colors we know. More text."""

    RED = 1


class Shape:
    """A shape on the canvas. Second sentence."""

    def area(self) -> float:
        """Return the area."""
        return compute(self)


def decorated(func: F) -> F:
    return func


def helper(shape: "Shape") -> float:
    return 1.0


@decorated
def compute(shape: Shape) -> float:
    """Compute things for a shape."""
    return helper(shape)
