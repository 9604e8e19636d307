/// Geometry helpers.
module geometry.shapes;

/// The largest size.
enum MAX_SIZE = 100;

/// Something with an area.
interface HasArea {
    /// Return the area.
    double area();
}

/// A shape on the canvas.
class Shape : HasArea {
    /// Return the area.
    double area() { return 0; }
}

/// A point.
struct Point { int x; int y; }

/// Colors we know.
enum Color { red, green }

/// Compute things for a shape.
double compute(Shape s) {
    return helper(s.area());
}

double helper(double x) { return x * 2; }

/// An identifier.
alias Id = int;
