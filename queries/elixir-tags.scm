; Elixir: modules and protocols (and their implementations), def/defp/defmacro/defguard
; functions (every clause; a struct is its module); `@moduledoc` is its module's doc, `@doc` the doc of
; the def that follows (past `@spec`/`@impl`), `#` comments above a def too.

(unary_operator operator: "@" operand: (call target: (identifier) @_a
  (arguments [(string) (sigil)])) (#eq? @_a "moduledoc")) @doc.inner
(unary_operator operator: "@" operand: (call target: (identifier) @_a
  (arguments [(string) (sigil)])) (#eq? @_a "doc")) @doc
(comment) @doc

(call target: (identifier) @_def (arguments . (alias) @name)
  (#any-of? @_def "defmodule" "defimpl")) @definition.module
(call target: (identifier) @_def (arguments . (alias) @name)
  (#eq? @_def "defprotocol")) @definition.interface

(call target: (identifier) @_def (arguments . [
  (identifier) @name
  (call target: (identifier) @name)
  (binary_operator left: (call target: (identifier) @name) operator: "when")
  (binary_operator left: (identifier) @name operator: "when")
])
  (#any-of? @_def "def" "defp" "defmacro" "defmacrop" "defguard" "defguardp" "defdelegate"
    "defn" "defnp")) @definition.function

(call target: [
  (identifier) @name
  (dot right: (identifier) @name)
] (#not-match? @name "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defn|defnp|defmodule|defprotocol|defimpl|defstruct|defexception|defoverridable|alias|case|cond|else|for|if|import|quote|raise|receive|require|reraise|super|throw|try|unless|unquote|unquote_splicing|use|with|fn|doc|moduledoc|typedoc|spec|impl|type|typep|opaque|callback|macrocallback|behaviour|derive|enforce_keys)$")) @reference.call

(binary_operator operator: "|>" right: (identifier) @name) @reference.call
(alias) @name @reference.type
