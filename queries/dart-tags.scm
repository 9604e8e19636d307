; Dart: classes, mixins, extensions, enums, typedefs, top-level functions and constants,
; methods, getters/setters and constructors in a class body; `///` and `/** */` comments
; above a declaration are its doc.

(documentation_comment) @doc
((comment) @doc (#match? @doc "^/\\*\\*"))

(class_definition name: (identifier) @name) @definition.class
(mixin_declaration (identifier) @name) @definition.class
(extension_declaration name: (identifier) @name) @definition.class
(enum_declaration name: (identifier) @name) @definition.enum
(type_alias . (type_identifier) @name) @definition.type

(method_signature [
  (function_signature name: (identifier) @name)
  (getter_signature name: (identifier) @name)
  (setter_signature name: (identifier) @name)
  (constructor_signature name: (identifier) @name)
  (factory_constructor_signature . (identifier) @name)
]) @definition.function
(declaration [
  (function_signature name: (identifier) @name)
  (getter_signature name: (identifier) @name)
  (setter_signature name: (identifier) @name)
  (constructor_signature name: (identifier) @name)
  (factory_constructor_signature . (identifier) @name)
]) @definition.function
(program (function_signature name: (identifier) @name) @definition.function)
(program (static_final_declaration_list (static_final_declaration . (identifier) @name)
  @definition.constant))

((identifier) @name @reference.call . (selector (argument_part)))
((selector (unconditional_assignable_selector (identifier) @name @reference.call))
  . (selector (argument_part)))
((selector (conditional_assignable_selector (identifier) @name @reference.call))
  . (selector (argument_part)))
(new_expression (type_identifier) @name) @reference.type
(type_identifier) @name @reference.type
