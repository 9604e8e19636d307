/// Something with an area.
protocol HasArea {
    func area() -> Double
}

/// Colors we know.
enum Color { case red }

/// A point.
struct Point { var x: Double }

/// A shape on the canvas.
class Shape: HasArea {
    /// Return the area.
    func area() -> Double { return compute(self) }
}

/// An identifier.
typealias Id = String

/// Compute things for a shape.
func compute(_ shape: Shape) -> Double { return helper(shape) }
