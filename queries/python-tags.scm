; Python: classes, functions (methods when nested in a class), constants, docstrings.

(class_definition
  name: (identifier) @name
  body: (block . (expression_statement (string) @doc.inner))?) @definition.class

(function_definition
  name: (identifier) @name
  body: (block . (expression_statement (string) @doc.inner))?) @definition.function

(module (expression_statement
  (assignment left: (identifier) @name) @definition.constant)
  (#match? @name "^[A-Z][A-Z0-9_]*$"))

(module . (expression_statement (string) @doc.inner))

(call function: [
  (identifier) @name
  (attribute attribute: (identifier) @name)
]) @reference.call

(class_definition superclasses: (argument_list [
  (identifier) @name
  (attribute attribute: (identifier) @name)
] @reference.type))

(type (identifier) @name) @reference.type
