; Gleam: functions (and external ones), custom types, type aliases, constants; `///`
; comments above a definition are its doc, `////` the module's.

(module_comment) @doc.inner
(statement_comment) @doc

(function name: (identifier) @name) @definition.function
(external_function name: (identifier) @name) @definition.function
(type_definition (type_name name: (type_identifier) @name)) @definition.type
(external_type (type_name name: (type_identifier) @name)) @definition.type
(type_alias (type_name name: (type_identifier) @name)) @definition.type
(constant name: (identifier) @name) @definition.constant

(function_call function: [
  (identifier) @name
  (field_access field: (label) @name)
]) @reference.call
(binary_expression operator: "|>" right: [
  (identifier) @name
  (field_access field: (label) @name)
]) @reference.call
(type_identifier) @name @reference.type
(remote_type_identifier name: (type_identifier) @name) @reference.type
