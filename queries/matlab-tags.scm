; MATLAB / Octave: functions (methods inside a classdef), classes and their properties;
; the `%` comment block above a definition, or right under the `function`/`classdef`
; line (MATLAB's help text), is its doc.

(comment) @doc
(function_definition (function_arguments) . (comment) @doc.inner)
(function_definition name: (identifier) . (comment) @doc.inner)
(class_definition name: (identifier) . (comment) @doc.inner)
(class_definition (superclasses) . (comment) @doc.inner)

(class_definition name: (identifier) @name) @definition.class
(function_definition name: (identifier) @name) @definition.function
(properties (property name: (identifier) @name) @definition.constant)

(function_call name: (identifier) @name) @reference.call
(command (command_name) @name) @reference.call
(superclasses (property_name (identifier) @name)) @reference.type
