% SHAPE_AREA Compute things for a shape.
%   More text.
function a = shape_area(shape)
    a = helper(shape.w) * shape.h;
end

% A local helper.
function y = helper(x)
    y = x * 2;
    disp(y)
end
