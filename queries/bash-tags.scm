; Bash: functions; the `#` comments right above a function are its doc.

(comment) @doc

(function_definition name: (word) @name) @definition.function

(command name: (command_name (word) @name)) @reference.call
