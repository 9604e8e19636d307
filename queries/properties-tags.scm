; Java .properties: every key (a constant); the `#`/`!` comment above it is its doc.
; `${key}` substitutions reference keys.

(comment) @doc

(property (key) @name) @definition.constant
(substitution (key) @name) @reference.type
