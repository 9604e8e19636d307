; udev rules: `LABEL="x"` jump targets and `ENV{X}=` variables; `GOTO="x"` and `ENV{X}==`,
; `$env{X}` reference them. The `#` comment above a rule is its doc.

(comment) @doc

(assignment key: "LABEL" (value (content) @name)) @definition.function
(assignment key: "ENV" (env_var) @name) @definition.constant

(assignment key: "GOTO" (value (content) @name)) @reference.call
(match key: "ENV" (env_var) @name) @reference.type
(var_sub (env_var) @name) @reference.type
