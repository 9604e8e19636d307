<?php
namespace Sample;

/** Something with an area. */
interface HasArea { public function area(): float; }

/** Shared helpers. */
trait Helpers {}

/** Colors we know. */
enum Color { case Red; }

/** A shape on the canvas. */
class Shape implements HasArea {
    const MAX_SIZE = 10;

    /** Return the area. */
    public function area(): float {
        return compute($this);
    }
}

/** Compute things for a shape. */
function compute(Shape $shape): float {
    return helper($shape);
}
