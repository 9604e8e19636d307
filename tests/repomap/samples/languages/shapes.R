#' Compute things for a shape.
#'
#' @param shape a shape
compute <- function(shape) {
  helper(area(shape))
}

# A local helper.
helper = function(x) x * 2

area <- function(shape) shape$w * shape$h

MAX_SIZE <- 100
stats::median(c(1, 2))
