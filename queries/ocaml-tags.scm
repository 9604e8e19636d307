; OCaml: modules, module types, functions and values (`let`, `let ... and`), externals,
; types, exceptions, classes and methods; a `(** *)` comment above a definition is its
; doc, the first one of the file (before a blank line) the file's.

(compilation_unit . (comment) @doc.inner (#match? @doc.inner "^\\(\\*\\*[^*]"))
((comment) @doc (#match? @doc "^\\(\\*\\*[^*]"))

(module_definition . (module_binding (module_name) @name)) @definition.module
(module_type_definition (module_type_name) @name) @definition.interface
(value_definition (let_binding pattern: (value_name) @name (parameter)) @definition.function)
(value_definition (let_binding pattern: (value_name) @name
  body: [(fun_expression) (function_expression)]) @definition.function)
(value_definition (let_binding pattern: (value_name) @name) @definition.constant)
(external (value_name) @name) @definition.function
(value_specification (value_name) @name) @definition.function
; The first type of a `type ... and ...` is named with its `type` keyword.
(type_definition . (type_binding name: (type_constructor) @name)) @definition.type
(type_definition (type_binding) . (type_binding name: (type_constructor) @name)
  @definition.type)
(exception_definition (constructor_declaration (constructor_name) @name)) @definition.type
(class_definition . (class_binding (class_name) @name)) @definition.class
(class_type_definition . (class_type_binding (class_type_name) @name)) @definition.class
(method_definition (method_name) @name) @definition.method

(application_expression function: (value_path (value_name) @name)) @reference.call
(infix_expression operator: (rel_operator) @_pipe right: (value_path (value_name) @name)
  (#eq? @_pipe "|>")) @reference.call
(method_invocation (method_name) @name) @reference.call
(module_path (module_name) @name) @reference.type
(type_constructor_path (type_constructor) @name) @reference.type
