# Geometry helpers.
module Geometry
  # The largest size.
  MAX_SIZE = 10

  # A shape on the canvas.
  class Shape
    # Return the area.
    def area
      compute(self)
    end

    # Build one.
    def self.build
      new
    end
  end
end
