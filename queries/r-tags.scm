; R: functions assigned with `<-`, `=`, `<<-` or `->`, constants in capitals, R5/R6
; classes (`setRefClass`, `R6Class`, `setClass`); the `#'` roxygen or `#` comment block
; above a definition is its doc.

(comment) @doc

(binary_operator lhs: (identifier) @name operator: ["<-" "=" "<<-"]
  rhs: (function_definition)) @definition.function
(binary_operator lhs: (function_definition) operator: "->" rhs: (identifier) @name)
  @definition.function
(binary_operator lhs: (identifier) @name operator: ["<-" "=" "<<-"]
  rhs: (call function: (identifier) @_class)
  (#match? @_class "^(setRefClass|R6Class|setClass)$")) @definition.class
((program (binary_operator lhs: (identifier) @name operator: ["<-" "="]) @definition.constant)
  (#match? @name "^[A-Z][A-Z0-9_.]*$"))

(call function: (identifier) @name) @reference.call
(call function: (namespace_operator rhs: (identifier) @name)) @reference.call
