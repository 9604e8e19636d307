function r = scale(x, k)
% SCALE Multiply by a factor.
%   More help.
r = x * k;
end
