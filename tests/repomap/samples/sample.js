/**
 * A shape on the canvas. More.
 */
class Shape {
  /** Return the area. */
  area() {
    return compute(this);
  }
}

/** Compute things for a shape. */
function compute(shape) {
  return helper(shape);
}

/** Arrow helper. */
const arrow = (x) => x * 2;

export const MAX_SIZE = 10;
