-- | Geometry helpers.
module Geometry.Shapes
  ( Shape (..)
  , compute
  ) where

import qualified Data.Map as Map

-- | A shape on the canvas.
data Shape
  = Circle Double
  | Rect Double Double
  deriving (Show)

-- | An identifier.
type Id = Int

-- | A wrapped name.
newtype Name = Name String

-- | Something with an area.
class HasArea a where
  -- | Return the area.
  area :: a -> Double

instance HasArea Shape where
  area (Circle r) = pi * r * r
  area (Rect w h) = w * h

-- | The largest size.
maxSize :: Int
maxSize = 100

-- | Compute things for a shape.
compute :: Shape -> Double
compute shape = helper (area shape)

helper :: Double -> Double
helper x = x * 2

-- | No signature here.
twice x = x + x
