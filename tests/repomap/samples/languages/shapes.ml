(** Geometry helpers. *)

(** The largest size. *)
let max_size = 100

(** A shape on the canvas. *)
type shape = Circle of float | Rect of float * float

(** Return the area. *)
let area = function
  | Circle r -> Float.pi *. r *. r
  | Rect (w, h) -> w *. h

(** Compute things for a shape. *)
let compute shape = helper (area shape)

and helper x = x *. 2.

(** Geometry module. *)
module Geometry = struct
  (** A point. *)
  type point = { x : float; y : float }

  let origin = { x = 0.; y = 0. }
end

(** Something with an area. *)
module type HAS_AREA = sig
  val area : shape -> float
end

(** A counter. *)
class counter = object
  val mutable n = 0
  (** Add one. *)
  method incr = n <- n + 1
end

let () = print_float (compute (Circle 1.))
