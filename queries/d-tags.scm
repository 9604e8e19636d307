; D: the module, classes, structs, unions, interfaces, enums, templates, functions
; (methods in an aggregate), constructors, aliases, manifest constants; `///` and `/** */`
; ddoc comments above a declaration are its doc.

((comment) @doc (#match? @doc "^(///|/\\*\\*[^*/])"))

(module_declaration (module_fqn) @name) @definition.module
(class_declaration (class) . (identifier) @name) @definition.class
(struct_declaration (struct) . (identifier) @name) @definition.struct
(union_declaration (union) . (identifier) @name) @definition.struct
(interface_declaration (interface) . (identifier) @name) @definition.interface
(enum_declaration (enum) . (identifier) @name) @definition.enum
(template_declaration (template) . (identifier) @name) @definition.type
(function_declaration (identifier) @name) @definition.function
(constructor (this) @name) @definition.function
(alias_declaration (alias_initializer . (identifier) @name)) @definition.type
(manifest_constant (manifest_declarator . (identifier) @name)) @definition.constant

(call_expression . (identifier) @name) @reference.call
(call_expression . (type (identifier) @name .)) @reference.call
(call_expression . (type (template_instance . (identifier) @name))) @reference.call
(base_class (identifier) @name) @reference.type
(parameter (type . (identifier) @name)) @reference.type
