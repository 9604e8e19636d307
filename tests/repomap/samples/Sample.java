package sample;

/**
 * Something with an area. More.
 */
interface HasArea {
    double area();
}

/** Colors we know. */
enum Color { RED, GREEN }

/** A shape on the canvas. */
public class Shape implements HasArea {
    /** The largest size. */
    static final int MAX_SIZE = 10;

    /** Return the area. */
    @Override
    public double area() {
        return Geometry.compute(this);
    }
}
