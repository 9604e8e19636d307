; Zig: functions (methods inside a container), structs, enums, unions, opaque types,
; error sets and constants; `///` comments above a declaration are its doc, `//!` the
; file's.

((comment) @doc.inner (#match? @doc.inner "^//!"))
((comment) @doc (#match? @doc "^///[^/]"))

(function_declaration name: (identifier) @name) @definition.function
(variable_declaration (identifier) @name . (struct_declaration)) @definition.struct
(variable_declaration (identifier) @name . (enum_declaration)) @definition.enum
(variable_declaration (identifier) @name . (union_declaration)) @definition.struct
(variable_declaration (identifier) @name . (opaque_declaration)) @definition.type
(variable_declaration (identifier) @name . (error_set_declaration)) @definition.type
((source_file (variable_declaration (identifier) @name) @definition.constant)
  (#not-match? @name "^(std|builtin)$"))

(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression member: (identifier) @name)) @reference.call
