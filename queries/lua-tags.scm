; Lua: functions (`function M.f`, `function M:m` are methods of M), local functions,
; functions assigned to names; LuaDoc `---` comments above are the doc.

((comment) @doc (#match? @doc "^---"))

(function_declaration name: (identifier) @name) @definition.function
(function_declaration name: (dot_index_expression
  table: (identifier) @receiver field: (identifier) @name)) @definition.function
(function_declaration name: (method_index_expression
  table: (identifier) @receiver method: (identifier) @name)) @definition.method
(assignment_statement
  (variable_list . name: [(identifier) @name (dot_index_expression field: (identifier) @name)])
  (expression_list . value: (function_definition))) @definition.function

(function_call name: [
  (identifier) @name
  (dot_index_expression field: (identifier) @name)
  (method_index_expression method: (identifier) @name)
]) @reference.call
