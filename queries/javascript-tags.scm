; JavaScript: classes, functions, methods, arrow functions bound to names, constants, JSDoc.

((comment) @doc (#match? @doc "^/\\*\\*"))

[
  (class name: (_) @name)
  (class_declaration name: (_) @name)
] @definition.class

(method_definition name: (property_identifier) @name) @definition.method

[
  (function_declaration name: (identifier) @name)
  (generator_function_declaration name: (identifier) @name)
  (function_expression name: (identifier) @name)
] @definition.function

(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function

(assignment_expression
  left: (member_expression property: (property_identifier) @name)
  right: [(arrow_function) (function_expression)]) @definition.function

(pair
  key: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function

(program (lexical_declaration (variable_declarator
  name: (identifier) @name
  value: [(number) (string) (template_string) (object) (array) (true) (false)]) @definition.constant))

(program (export_statement (lexical_declaration (variable_declarator
  name: (identifier) @name
  value: [(number) (string) (template_string) (object) (array) (true) (false)]) @definition.constant)))

(call_expression function: [
  (identifier) @name
  (member_expression property: (property_identifier) @name)
]) @reference.call

(new_expression constructor: [
  (identifier) @name
  (member_expression property: (property_identifier) @name)
]) @reference.type

(class_heritage [
  (identifier) @name
  (member_expression property: (property_identifier) @name)
]) @reference.type
