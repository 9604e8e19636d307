(** Geometry helpers. *)

(** A shape on the canvas. *)
type shape = Circle of float | Rect of float * float

(** Compute things for a shape. *)
val compute : shape -> float

(** Something with an area. *)
module type HAS_AREA = sig
  (** Return the area. *)
  val area : shape -> float
end

(** Geometry module. *)
module Geometry : sig
  type point
end

external raw : int -> int = "caml_raw"
