--- Geometry helpers.
local M = {}

--- Compute things for a shape.
function M.compute(shape)
  return helper(shape)
end

--- Return the area.
function M:area()
  return M.compute(self)
end

--- A local helper.
local function tidy(x)
  return x
end

return M
