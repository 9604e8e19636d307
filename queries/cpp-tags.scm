; C++: the C kinds plus classes, namespaces, methods (in-class and Class::method),
; templates; the comment right above a definition is its doc.

(comment) @doc

(namespace_definition name: (_) @name) @definition.module
(class_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.class
(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @definition.struct
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @definition.enum
(type_definition declarator: (type_identifier) @name) @definition.type
(alias_declaration name: (type_identifier) @name) @definition.type
(concept_definition name: (identifier) @name) @definition.interface
(preproc_def name: (identifier) @name) @definition.constant

(function_definition declarator: (function_declarator declarator: (qualified_identifier
  scope: (namespace_identifier) @receiver
  name: (identifier) @name))) @definition.method

(function_definition declarator: [
  (function_declarator declarator: [(identifier) (field_identifier) (operator_name) (destructor_name)] @name)
  (pointer_declarator declarator: (function_declarator declarator: [(identifier) (field_identifier)] @name))
  (reference_declarator (function_declarator declarator: [(identifier) (field_identifier)] @name))
]) @definition.function

(field_declaration declarator: (function_declarator declarator: (field_identifier) @name)) @definition.method
(declaration declarator: (function_declarator declarator: (identifier) @name)) @definition.function

(call_expression function: [
  (identifier) @name
  (field_expression field: (field_identifier) @name)
  (qualified_identifier name: (identifier) @name)
  (template_function name: (identifier) @name)
]) @reference.call

(type_identifier) @name @reference.type
