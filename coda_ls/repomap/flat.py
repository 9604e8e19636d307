"""Arrays to and from bytes: how the graph and the words index are stored (snapshot.py)."""

from __future__ import annotations

from array import array
from typing import Any


def array_of(typecode: str, data: bytes) -> array[Any]:
    found = array(typecode)
    found.frombytes(data)  # ValueError when not a whole number of items
    return found


def split_array(typecode: str, data: bytes, sizes: bytes) -> list[array[Any]]:
    """`data` (items of `typecode`) cut into arrays of the lengths `sizes` lists."""
    flat = array_of(typecode, data)
    lengths = array_of("i", sizes)
    if sum(lengths) != len(flat):
        raise ValueError("sizes that do not add up")
    out: list[array[Any]] = []
    start = 0
    for length in lengths:
        out.append(flat[start : start + length])
        start += length
    return out
