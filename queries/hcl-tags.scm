; HCL / Terraform: resources and data sources (named type.name), variables, outputs,
; locals, modules, providers; the `#` or `//` comment above a block is its doc. References
; are `var.x`, `local.x`, `module.x`, `data.t.x`, `t.x` and function calls.

(comment) @doc

(block (identifier) @_kind . (string_lit (template_literal) @receiver)
  . (string_lit (template_literal) @name)
  (#eq? @_kind "resource")) @definition.class
(block (identifier) @_kind . (string_lit (template_literal) @receiver)
  . (string_lit (template_literal) @name)
  (#eq? @_kind "data")) @definition.type
(block (identifier) @_kind . (string_lit (template_literal) @name)
  (#any-of? @_kind "variable" "output")) @definition.constant
(block (identifier) @_kind . (string_lit (template_literal) @name)
  (#any-of? @_kind "module" "provider")) @definition.module
(block (identifier) @_kind (body (attribute (identifier) @name) @definition.constant)
  (#eq? @_kind "locals"))

(function_call (identifier) @name) @reference.call
(expression (variable_expr (identifier) @_root) . (get_attr (identifier) @name)
  (#any-of? @_root "var" "local" "module")) @reference.type
(expression (variable_expr (identifier) @_root) . (get_attr) . (get_attr (identifier) @name)
  (#eq? @_root "data")) @reference.type
(expression (variable_expr (identifier) @_root) . (get_attr (identifier) @name)
  (#not-match? @_root "^(var|local|module|data|each|count|path|terraform|self)$"))
  @reference.type
