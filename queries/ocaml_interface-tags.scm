; OCaml interfaces (.mli): what the .ml query finds that an interface can hold (a `val`
; is a function): modules, module types, externals, types, exceptions, classes, methods;
; a `(** *)` comment above a definition is its doc, the file's first one the file's.

(compilation_unit . (comment) @doc.inner (#match? @doc.inner "^\\(\\*\\*[^*]"))
((comment) @doc (#match? @doc "^\\(\\*\\*[^*]"))

(module_definition . (module_binding (module_name) @name)) @definition.module
(module_type_definition (module_type_name) @name) @definition.interface
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

(module_path (module_name) @name) @reference.type
(type_constructor_path (type_constructor) @name) @reference.type
