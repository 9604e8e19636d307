; C#: classes, records, structs, interfaces, enums, delegates, methods, constructors,
; constants, namespaces; `///` XML doc comments above a declaration are its doc.

((comment) @doc (#match? @doc "^(///|/\\*\\*)"))

(namespace_declaration name: (_) @name) @definition.module
(file_scoped_namespace_declaration name: (_) @name) @definition.module
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(struct_declaration name: (identifier) @name) @definition.struct
(interface_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(delegate_declaration name: (identifier) @name) @definition.type
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.method

(field_declaration
  (modifier "const")
  (variable_declaration (variable_declarator name: (identifier) @name))) @definition.constant

(invocation_expression function: [
  (identifier) @name
  (member_access_expression name: (identifier) @name)
]) @reference.call

(object_creation_expression type: (identifier) @name) @reference.type
(base_list (identifier) @name) @reference.type
