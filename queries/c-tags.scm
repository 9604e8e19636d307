; C: functions, structs, unions, enums, typedefs, macros as constants; the comment right
; above a definition is its doc.

(comment) @doc

(function_definition declarator: [
  (function_declarator declarator: (identifier) @name)
  (pointer_declarator declarator: (function_declarator declarator: (identifier) @name))
  (pointer_declarator declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name)))
]) @definition.function

(declaration declarator: (function_declarator declarator: (identifier) @name)) @definition.function

(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition.enum
(type_definition declarator: (type_identifier) @name) @definition.type
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.function

(call_expression function: [
  (identifier) @name
  (field_expression field: (field_identifier) @name)
]) @reference.call

(type_identifier) @name @reference.type
