//! Sample crate docs.

/// The largest size.
pub const MAX_SIZE: usize = 10;

/// A shape on the canvas. More.
#[derive(Debug)]
pub struct Shape {
    w: f64,
}

/// Colors we know.
pub enum Color {
    Red,
}

/// Something with an area.
pub trait HasArea {
    /// Return the area.
    fn area(&self) -> f64;
}

/// An identifier.
pub type Id = String;

impl HasArea for Shape {
    /// Return the area.
    fn area(&self) -> f64 {
        compute(self)
    }
}

/// Compute things for a shape.
pub fn compute(shape: &Shape) -> f64 {
    helper(shape)
}

/// Geometry helpers.
mod geometry {}
