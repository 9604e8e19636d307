;;; shapes.el --- Geometry helpers  -*- lexical-binding: t -*-

(defvar shapes-max-size 100
  "The largest size.")

(defcustom shapes-color 'red
  "Default color of a shape."
  :type 'symbol)

(defun shapes-compute (shape)
  "Compute things for a shape.
More text here."
  (shapes--helper (shapes-area shape)))

;; A private helper.
(defun shapes--helper (x)
  (* x 2))

(defmacro shapes-with (var &rest body)
  "Bind VAR to a shape."
  `(let ((,var 1)) ,@body))

(defclass shapes-circle ()
  ((r :initarg :r))
  "A round shape.")

(cl-defmethod shapes-area ((c shapes-circle))
  "Return the area."
  (* (oref c r) (oref c r)))

(provide 'shapes)
