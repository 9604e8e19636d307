; Scala: classes, case classes, objects, traits, enums, defs (methods in a template),
; type aliases, vals; Scaladoc `/** */` above a definition is its doc.

((block_comment) @doc (#match? @doc "^/\\*\\*"))

(package_clause name: (_) @name) @definition.module
(class_definition name: (identifier) @name) @definition.class
(object_definition name: (identifier) @name) @definition.class
(trait_definition name: (identifier) @name) @definition.trait
(enum_definition name: (identifier) @name) @definition.enum
(function_definition name: (identifier) @name) @definition.function
(function_declaration name: (identifier) @name) @definition.function
(type_definition name: (type_identifier) @name) @definition.type
(val_definition pattern: (identifier) @name) @definition.constant

(call_expression function: [
  (identifier) @name
  (field_expression field: (identifier) @name)
]) @reference.call

(type_identifier) @name @reference.type
