; Solidity: contracts, interfaces, libraries, structs, enums, events, errors, modifiers,
; functions (methods in a contract), constructors, constants and state variables;
; `///` and `/** */` NatSpec comments above a declaration are its doc.

((comment) @doc (#match? @doc "^(///|/\\*\\*)"))

(contract_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(library_declaration name: (identifier) @name) @definition.module
(struct_declaration name: (identifier) @name) @definition.struct
(enum_declaration name: (identifier) @name) @definition.enum
(event_definition name: (identifier) @name) @definition.type
(error_declaration name: (identifier) @name) @definition.type
(user_defined_type_definition name: (identifier) @name) @definition.type
(modifier_definition name: (identifier) @name) @definition.function
(function_definition name: (identifier) @name) @definition.function
(state_variable_declaration name: (identifier) @name) @definition.constant

(call_expression function: (expression (identifier) @name)) @reference.call
(call_expression function: (expression (member_expression property: (identifier) @name)))
  @reference.call
(emit_statement name: (expression (identifier) @name)) @reference.call
(modifier_invocation (identifier) @name) @reference.call
(inheritance_specifier ancestor: (user_defined_type (identifier) @name .)) @reference.type
(type_name (user_defined_type (identifier) @name .)) @reference.type
