package sample

/** Something with an area. */
interface HasArea { fun area(): Double }

/** Colors we know. */
enum class Color { RED, GREEN }

/** A shape on the canvas. */
class Shape : HasArea {
    /** Return the area. */
    override fun area(): Double = compute(this)
}

/** The singleton. */
object Registry

/** An identifier. */
typealias Id = String

/** The largest size. */
const val MAX_SIZE = 10

/** Compute things for a shape. */
fun compute(shape: Shape): Double = helper(shape)
