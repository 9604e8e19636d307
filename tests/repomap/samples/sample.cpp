/// Geometry namespace.
namespace geo {

/// A shape on the canvas.
class Shape {
public:
    /// Return the area.
    double area() const { return compute(*this); }
};

/// Colors we know.
enum class Color { Red, Green };

/// A point.
struct Point { double x; };

/// Compute things for a shape.
double compute(const Shape& s) {
    return helper(s);
}

/// Shape method out of line.
double Shape::perimeter() { return 0; }

}
