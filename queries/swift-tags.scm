; Swift: classes, structs, enums, actors, extensions, protocols, functions (methods in a
; type), type aliases; `///` and `/** */` above a declaration are its doc.

((comment) @doc (#match? @doc "^///"))
((multiline_comment) @doc (#match? @doc "^/\\*\\*"))

(class_declaration declaration_kind: "struct" name: (type_identifier) @name) @definition.struct
(class_declaration declaration_kind: "enum" name: (type_identifier) @name) @definition.enum
(class_declaration declaration_kind: "extension" name: (user_type (type_identifier) @name)) @scope
(class_declaration name: (type_identifier) @name) @definition.class
(protocol_declaration name: (type_identifier) @name) @definition.interface
(function_declaration name: (simple_identifier) @name) @definition.function
(protocol_function_declaration name: (simple_identifier) @name) @definition.method
(init_declaration "init" @name) @definition.method
(typealias_declaration name: (type_identifier) @name) @definition.type

(call_expression . [
  (simple_identifier) @name
  (navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @name))
]) @reference.call

(user_type (type_identifier) @name) @reference.type
