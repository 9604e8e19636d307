; Go: functions, methods (parent = receiver type), structs, interfaces, type aliases,
; constants, the package; a doc comment is the comment right above a declaration.

(comment) @doc

(package_clause (package_identifier) @name) @definition.module

(function_declaration name: (identifier) @name) @definition.function

(method_declaration
  receiver: (parameter_list (parameter_declaration type: [
    (type_identifier) @receiver
    (pointer_type (type_identifier) @receiver)
    (generic_type type: (type_identifier) @receiver)
    (pointer_type (generic_type type: (type_identifier) @receiver))
  ]))
  name: (field_identifier) @name) @definition.method

(type_spec name: (type_identifier) @name type: (struct_type)) @definition.struct
(type_spec name: (type_identifier) @name type: (interface_type)) @definition.interface
(type_spec name: (type_identifier) @name) @definition.type
(type_alias name: (type_identifier) @name) @definition.type

(method_elem name: (field_identifier) @name) @definition.method

(const_spec name: (identifier) @name) @definition.constant

(call_expression function: [
  (identifier) @name
  (selector_expression field: (field_identifier) @name)
]) @reference.call

(type_identifier) @name @reference.type
