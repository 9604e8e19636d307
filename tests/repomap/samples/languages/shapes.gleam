//// Geometry helpers.

import gleam/int
import gleam/list

/// A shape on the canvas.
pub type Shape {
  Circle(r: Float)
  Rect(w: Float, h: Float)
}

/// An identifier.
pub type Id =
  Int

/// The largest size.
pub const max_size = 100

/// Compute things for a shape.
pub fn compute(shape: Shape) -> Float {
  shape |> area |> helper
}

fn helper(x: Float) -> Float {
  list.fold([x], 0.0, fn(a, b) { a +. b })
}

/// Return the area.
pub fn area(shape: Shape) -> Float {
  case shape {
    Circle(r) -> r *. r
    Rect(w, h) -> w *. h
  }
}

@external(erlang, "math", "pi")
pub fn pi() -> Float
