(ns geometry.shapes
  "Geometry helpers."
  (:require [clojure.string :as str]))

(def max-size
  "The largest size."
  100)

(defprotocol HasArea
  "Something with an area."
  (area [this] "Return the area."))

(defrecord Circle [r]
  HasArea
  (area [this] (* Math/PI r r)))

(defn compute
  "Compute things for a shape."
  [shape]
  (helper (area shape)))

(defn- helper [x] (str/trim (str x)))

(defmacro with-shape [s & body] `(let [~s 1] ~@body))

(defmulti draw :kind)
