; Rust: fns (methods inside impl/trait), structs, enums, unions, traits, type aliases,
; modules, consts and statics, macros; `///` and `/** */` docs, `//!` inner docs.

(line_comment outer: (outer_doc_comment_marker)) @doc
(block_comment outer: (outer_doc_comment_marker)) @doc
(line_comment inner: (inner_doc_comment_marker)) @doc.inner
(block_comment inner: (inner_doc_comment_marker)) @doc.inner

(struct_item name: (type_identifier) @name) @definition.struct
(union_item name: (type_identifier) @name) @definition.struct
(enum_item name: (type_identifier) @name) @definition.enum
(trait_item name: (type_identifier) @name) @definition.trait
(type_item name: (type_identifier) @name) @definition.type
(mod_item name: (identifier) @name) @definition.module
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
(macro_definition name: (identifier) @name) @definition.function

(function_item name: (identifier) @name) @definition.function
(function_signature_item name: (identifier) @name) @definition.function

(impl_item type: [
  (type_identifier) @name
  (generic_type type: (type_identifier) @name)
  (scoped_type_identifier name: (type_identifier) @name)
]) @scope

(call_expression function: [
  (identifier) @name
  (field_expression field: (field_identifier) @name)
  (scoped_identifier name: (identifier) @name)
  (generic_function function: (identifier) @name)
]) @reference.call

(macro_invocation macro: (identifier) @name) @reference.call

(type_identifier) @name @reference.type
