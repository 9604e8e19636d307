"""
Geometry helpers.
"""
use "collections"

interface HasArea
  """
  Something with an area.
  """
  fun area(): F64

class Shape is HasArea
  """
  A shape on the canvas.
  """
  let _w: F64

  new create(w: F64) =>
    """
    Make a shape.
    """
    _w = w

  fun area(): F64 =>
    """
    Return the area.
    """
    helper(_w)

  fun helper(x: F64): F64 => x * 2

actor Main
  """
  The program.
  """
  new create(env: Env) =>
    let s = Shape(2)
    env.out.print(s.area().string())

  be tick() => None

primitive Red
type Color is (Red | None)
