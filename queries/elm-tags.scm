; Elm: the module (its `{-| -}` comment after the `module` line is the file's doc), custom
; types, type aliases, ports, top-level functions and constants; a `{-| -}` comment above
; a declaration is its doc.

(file (module_declaration) . (block_comment) @doc.inner (#match? @doc.inner "^\\{-\\|"))
((block_comment) @doc (#match? @doc "^\\{-\\|"))

(type_declaration name: (upper_case_identifier) @name) @definition.type
(type_alias_declaration name: (upper_case_identifier) @name) @definition.type
(port_annotation name: (lower_case_identifier) @name) @definition.function

; A top-level value is named by its type annotation (`compute : Shape -> Float`) ...
(file (type_annotation name: (lower_case_identifier) @name
  typeExpression: (type_expression (arrow))) @definition.function)
(file (type_annotation name: (lower_case_identifier) @name) @definition.constant)
; ... or, with none right before it, by its declaration. (One pattern per neighbour:
; an alternation next to an anchor misses matches in tree-sitter 0.26.)
(file . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
(file (module_declaration) . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
(file (import_clause) . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
(file (type_declaration) . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
(file (type_alias_declaration) . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
(file (value_declaration) . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
(file (port_annotation) . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
(file (block_comment) . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
(file (line_comment) . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
((file (type_annotation name: (lower_case_identifier) @_annotated)
  . (value_declaration (function_declaration_left . (lower_case_identifier) @name))
  @definition.function)
  (#not-eq? @_annotated @name))

(function_call_expr target: (value_expr name: (value_qid . (lower_case_identifier) @name .)))
  @reference.call
(function_call_expr target: (value_expr name: (value_qid (lower_case_identifier) @name .)))
  @reference.call
(type_ref (upper_case_qid (upper_case_identifier) @name .)) @reference.type
