/* The largest size. */
#define MAX_SIZE 10

/** A shape on the canvas. */
struct shape {
    double w;
};

/** Colors we know. */
enum color { RED, GREEN };

/** An identifier. */
typedef int shape_id;

/** Compute things for a shape. */
double compute(struct shape *s) {
    return helper(s);
}
