#lang racket
;; Geometry helpers.

(provide compute)

;; The largest size.
(define max-size 100)

;; Compute things for a shape.
(define (compute shape)
  (helper (area shape)))

(define (helper x) (* x 2))

(define/contract (area s)
  (-> any/c number?)
  0)

;; A shape on the canvas.
(struct shape (w h))
