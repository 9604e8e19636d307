; Pony: actors, classes, primitives, structs, traits, interfaces, type aliases,
; constructors, functions and behaviours; the docstring first in a body is its doc, the
; one at the top of the file the file's.

(source_file . (string) @doc.inner)
(actor_definition (string) @doc.inner)
(class_definition (string) @doc.inner)
(primitive_definition (string) @doc.inner)
(struct_definition (string) @doc.inner)
(trait_definition (string) @doc.inner)
(interface_definition (string) @doc.inner)
(_ (block . (string) @doc.inner))

(actor_definition (identifier) @name) @definition.class
(class_definition (identifier) @name) @definition.class
(primitive_definition (identifier) @name) @definition.class
(struct_definition (identifier) @name) @definition.struct
(trait_definition (identifier) @name) @definition.trait
(interface_definition (identifier) @name) @definition.interface
(type_alias (identifier) @name) @definition.type
(constructor (identifier) @name) @definition.function
(method (identifier) @name) @definition.function
(behavior (identifier) @name) @definition.function

(call_expression callee: (identifier) @name) @reference.call
(call_expression callee: (member_expression (identifier) @name .)) @reference.call
(base_type name: (identifier) @name) @reference.type
