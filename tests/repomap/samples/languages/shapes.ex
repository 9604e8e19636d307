defmodule Geometry.Shapes do
  @moduledoc """
  Geometry helpers.
  """

  @max_size 100

  @doc """
  Compute things for a shape.

  More text.
  """
  @spec compute(map()) :: number()
  def compute(shape) do
    shape |> area() |> helper()
  end

  @doc "Return the area."
  def area(%{w: w, h: h}), do: w * h

  defp helper(x) when is_number(x), do: Enum.sum([x, x])

  defmacro twice(expr), do: quote(do: unquote(expr) * 2)

  defstruct [:w, :h]
end

defprotocol Geometry.HasArea do
  @moduledoc "Something with an area."
  def area(shape)
end
