package sample

/** Something with an area. */
trait HasArea { def area: Double }

/** A shape on the canvas. */
class Shape extends HasArea {
  /** Return the area. */
  def area: Double = Geometry.compute(this)
}

/** Geometry helpers. */
object Geometry {
  /** Compute things for a shape. */
  def compute(s: Shape): Double = helper(s)
}

/** A point. */
case class Point(x: Double)

/** An identifier. */
type Id = String
