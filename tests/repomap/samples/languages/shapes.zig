//! Geometry helpers.
const std = @import("std");

/// The largest size.
pub const max_size: u32 = 100;

/// A shape on the canvas.
pub const Shape = struct {
    w: f64,
    h: f64,

    /// Return the area.
    pub fn area(self: Shape) f64 {
        return self.w * self.h;
    }
};

/// Colors we know.
pub const Color = enum { red, green };

/// A value or nothing.
pub const Value = union(enum) { int: i64, none: void };

/// Compute things for a shape.
pub fn compute(shape: Shape) f64 {
    return helper(shape.area());
}

fn helper(x: f64) f64 {
    return x * 2;
}

test "compute" {
    try std.testing.expect(compute(.{ .w = 1, .h = 2 }) == 4);
}
