;;;; Geometry helpers.

(defpackage :geometry (:use :cl))

(defparameter *max-size* 100 "The largest size.")

(defclass shape ()
  ((name :initarg :name))
  (:documentation "A shape on the canvas."))

(defgeneric area (shape)
  (:documentation "Return the area."))

(defmethod area ((s shape))
  0)

(defun compute (shape)
  "Compute things for a shape."
  (helper (area shape)))

;; A local helper.
(defun helper (x) (* x 2))

(defmacro with-shape ((var) &body body)
  "Bind VAR to a shape."
  `(let ((,var (make-instance 'shape))) ,@body))

(defstruct point x y)
