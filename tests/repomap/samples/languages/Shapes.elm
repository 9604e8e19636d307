module Shapes exposing (Shape, compute, maxSize)

{-| Geometry helpers.
-}

import Html exposing (text)


{-| A shape on the canvas.
-}
type Shape
    = Circle Float
    | Rect Float Float


{-| An identifier.
-}
type alias Id =
    Int


{-| The largest size.
-}
maxSize : Int
maxSize =
    100


{-| Compute things for a shape.
-}
compute : Shape -> Float
compute shape =
    helper (area shape)


helper : Float -> Float
helper x =
    x * 2


area shape =
    case shape of
        Circle r ->
            pi * r * r

        Rect w h ->
            w * h


{-| Not annotated. -}
twice x =
    x + x
