% A shape on the canvas.
classdef Shape < handle
    properties
        W = 1
    end
    methods
        % Return the area.
        function a = area(obj)
            a = obj.W * compute(obj);
        end
    end
end
