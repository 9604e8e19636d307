/// The largest size.
const maxSize = 100;

/// Something with an area.
abstract class HasArea {
  /// Return the area.
  double area();
}

/// A shape on the canvas.
class Shape implements HasArea {
  final String name;

  /// Make a shape.
  Shape(this.name);

  /// Return the area.
  @override
  double area() => 0;

  /// The label.
  String get label => name;
}

/// Colors we know.
enum Color { red, green }

/// Helpers for shapes.
mixin Drawable {
  void draw() {}
}

/// More on strings.
extension Shout on String {
  String shout() => toUpperCase();
}

/// An identifier.
typedef Id = int;

/// Compute things for a shape.
double compute(Shape shape) {
  return helper(shape.area());
}

double helper(double x) => x * 2;
