; Haskell: the module, data types, newtypes, type synonyms and families, classes (their
; method signatures are methods), type signatures of top-level functions, and functions
; with no signature before them; `-- |` Haddock comments above are the doc.

(haddock) @doc

(header module: (module) @name) @definition.module
(data_type name: (name) @name) @definition.type
(newtype name: (name) @name) @definition.type
(type_synonym name: (name) @name) @definition.type
(type_family name: (name) @name) @definition.type
(class name: (name) @name) @definition.class
(class_declarations (signature name: (variable) @name) @definition.function)

; A top-level function is named by its signature (`compute :: Shape -> Double`) ...
(declarations (signature name: (variable) @name) @definition.function)
; ... or, with none, by its first equation. (One pattern per neighbour: an alternation
; next to an anchor misses matches in tree-sitter 0.26.)
(declarations . (function name: (variable) @name) @definition.function)
(declarations (haddock) . (function name: (variable) @name) @definition.function)
(declarations (comment) . (function name: (variable) @name) @definition.function)
(declarations (pragma) . (function name: (variable) @name) @definition.function)
((declarations (_ name: (_) @_before) . (function name: (variable) @name) @definition.function)
  (#not-eq? @_before @name))
(declarations . (bind name: (variable) @name) @definition.function)
(declarations (haddock) . (bind name: (variable) @name) @definition.function)
(declarations (comment) . (bind name: (variable) @name) @definition.function)
(declarations (pragma) . (bind name: (variable) @name) @definition.function)
((declarations (_ name: (_) @_before) . (bind name: (variable) @name) @definition.function)
  (#not-eq? @_before @name))

(apply function: (variable) @name) @reference.call
(apply function: (qualified (variable) @name)) @reference.call
(infix operator: (infix_id (variable) @name)) @reference.call
(name) @name @reference.type
