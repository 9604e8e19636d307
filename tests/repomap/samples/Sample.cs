namespace Sample
{
    /// <summary>Something with an area.</summary>
    public interface IHasArea { double Area(); }

    /// <summary>Colors we know.</summary>
    public enum Color { Red, Green }

    /// <summary>A point.</summary>
    public struct Point { public double X; }

    /// <summary>A shape on the canvas.</summary>
    public class Shape : IHasArea
    {
        /// <summary>Return the area.</summary>
        public double Area() { return Geometry.Compute(this); }
    }
}
