; Kotlin: classes, interfaces, enum classes, objects, functions (methods in a class),
; type aliases, constants (`const val`); KDoc `/** */` above a declaration is its doc.

((block_comment) @doc (#match? @doc "^/\\*\\*"))

(package_header (qualified_identifier) @name) @definition.module

(class_declaration "interface" name: (identifier) @name) @definition.interface
(class_declaration (modifiers (class_modifier) @_kind) name: (identifier) @name
  (#eq? @_kind "enum")) @definition.enum
(class_declaration name: (identifier) @name) @definition.class
(object_declaration name: (identifier) @name) @definition.class
(function_declaration name: (identifier) @name) @definition.function
(type_alias type: (identifier) @name) @definition.type

(property_declaration (modifiers (property_modifier) @_kind)
  (variable_declaration (identifier) @name)
  (#eq? @_kind "const")) @definition.constant

(call_expression . [
  (identifier) @name
  (navigation_expression (identifier) @name .)
]) @reference.call

(user_type (identifier) @name) @reference.type
