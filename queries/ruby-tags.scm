; Ruby: modules, classes, methods, singleton methods, constants; the `#` comments right
; above a definition are its doc.

(comment) @doc

(module name: [(constant) @name (scope_resolution name: (_) @name)]) @definition.module
(class name: [(constant) @name (scope_resolution name: (_) @name)]) @definition.class
(singleton_class value: (_) @name) @scope
(method name: (_) @name) @definition.method
(singleton_method name: (_) @name) @definition.method
(assignment left: (constant) @name) @definition.constant

(call method: (identifier) @name) @reference.call
(superclass (constant) @name) @reference.type
(scope_resolution name: (constant) @name) @reference.type
