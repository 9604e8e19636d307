; TypeScript and TSX: the JavaScript kinds plus interfaces, enums, type aliases,
; namespaces, abstract classes, signatures and type references.

((comment) @doc (#match? @doc "^/\\*\\*"))

[
  (class name: (_) @name)
  (class_declaration name: (_) @name)
  (abstract_class_declaration name: (_) @name)
] @definition.class

(interface_declaration name: (type_identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(type_alias_declaration name: (type_identifier) @name) @definition.type
[
  (internal_module name: (_) @name)
  (module name: (_) @name)
] @definition.module

[
  (method_definition name: (property_identifier) @name)
  (method_signature name: (property_identifier) @name)
  (abstract_method_signature name: (property_identifier) @name)
] @definition.method

[
  (function_declaration name: (identifier) @name)
  (generator_function_declaration name: (identifier) @name)
  (function_expression name: (identifier) @name)
  (function_signature name: (identifier) @name)
] @definition.function

(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function

(pair
  key: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function

(lexical_declaration "const" (variable_declarator
  name: (identifier) @name
  value: [(number) (string) (template_string) (object) (array) (true) (false)]) @definition.constant)

(call_expression function: [
  (identifier) @name
  (member_expression property: (property_identifier) @name)
]) @reference.call

(new_expression constructor: [
  (identifier) @name
  (member_expression property: (property_identifier) @name)
]) @reference.type

(type_identifier) @name @reference.type
