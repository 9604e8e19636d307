; Clojure: namespaces, defs (defn/defmacro/defmulti are functions, def/defonce constants),
; protocols and their methods, records and types with their inline methods; the docstring
; after the name is the doc. A list's head symbol is a call, special forms left out.

((list_lit . (sym_lit name: (sym_name) @_def) . (sym_lit name: (sym_name) @name)
  . (str_lit)? @doc.inner)
  (#eq? @_def "ns")) @definition.module

((list_lit . (sym_lit name: (sym_name) @_def) . (sym_lit name: (sym_name) @name)
  . (str_lit)? @doc.inner)
  (#any-of? @_def "defn" "defn-" "defmacro" "defmulti" "definline")) @definition.function

((list_lit . (sym_lit name: (sym_name) @_def) . (sym_lit name: (sym_name) @name)
  . (str_lit)? @doc.inner)
  (#any-of? @_def "def" "defonce")) @definition.constant

((list_lit . (sym_lit name: (sym_name) @_def) . (sym_lit name: (sym_name) @name)
  . (str_lit)? @doc.inner)
  (#any-of? @_def "defprotocol" "definterface")) @definition.interface

((list_lit . (sym_lit name: (sym_name) @_def) . (sym_lit name: (sym_name) @name))
  (#any-of? @_def "defrecord" "deftype" "defstruct")) @definition.class

; A protocol's method signatures, a record's or type's inline implementations.
((list_lit . (sym_lit name: (sym_name) @_def)
  (list_lit . (sym_lit name: (sym_name) @name) . (vec_lit) . (str_lit)? @doc.inner)
    @definition.function)
  (#any-of? @_def "defprotocol" "definterface" "defrecord" "deftype"))

((list_lit . (sym_lit name: (sym_name) @_def) . (sym_lit name: (sym_name) @name))
  (#eq? @_def "defmethod")) @definition.function

; (`#not-any-of?` is ignored by py-tree-sitter 0.26: `#not-match?` it is.)
((list_lit . (sym_lit name: (sym_name) @name)) @reference.call
  (#not-match? @name
    "^(def|defn-?|defmacro|defmulti|defmethod|defonce|defprotocol|defrecord|deftype|definterface|defstruct|definline|ns|fn\\*?|let|letfn|loop|recur|if|if-not|if-let|when|when-not|when-let|cond|condp|case|do|quote|var|throw|try|catch|finally|new|set!|binding|doseq|dotimes|for|->>?|as->|some->>?|and|or|not|require|import|use|comment)$"))
