// Package sample has everything.
package sample

// MaxSize is the largest size.
const MaxSize = 10

// Shape is a shape on the canvas. More.
type Shape struct {
	W, H float64
}

// HasArea is something with an area.
type HasArea interface {
	Area() float64
}

// ID is an identifier.
type ID string

// Area returns the area.
func (s *Shape) Area() float64 {
	return Compute(s)
}

// Compute computes things for a shape.
func Compute(s *Shape) float64 {
	return helper(s)
}
