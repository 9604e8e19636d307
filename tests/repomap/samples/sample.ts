/** Something with an area. */
export interface HasArea {
  area(): number;
}

/** Colors we know. */
enum Color { Red, Green }

/** Identifier alias. */
type Id = string;

/** A shape on the canvas. */
export class Shape implements HasArea {
  /** Return the area. */
  area(): number {
    return compute(this);
  }
}

/** Compute things for a shape. */
export function compute(shape: Shape): number {
  return helper(shape);
}

namespace Geometry {
  export const PI = 3.14;
}
