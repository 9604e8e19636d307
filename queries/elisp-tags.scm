; Emacs Lisp: defun/defsubst and defmacro with their docstrings, defvar/defconst and
; defcustom with theirs, cl-lib and EIEIO classes, structs, generics and methods; `;;` comments above a form, and the `;;; file.el --- Summary`
; header line as the file's doc.

((comment) @doc.inner (#match? @doc.inner "^;;; [^ ]+\\.el --- "))
((comment) @doc (#not-match? @doc "^;;; [^ ]+\\.el --- "))

(function_definition name: (symbol) @name docstring: (string)? @doc.inner) @definition.function
(macro_definition name: (symbol) @name docstring: (string)? @doc.inner) @definition.function

(special_form . ["defvar" "defconst"] . (symbol) @name . (_) . (string) @doc.inner)
(special_form . ["defvar" "defconst"] . (symbol) @name) @definition.constant

((list . (symbol) @_def . (symbol) @name . (_) . (string)? @doc.inner)
  (#match? @_def "^(defcustom|defface|defgroup)$")) @definition.constant

((list . (symbol) @_def . (symbol) @name . (_)? . (string)? @doc.inner)
  (#match? @_def "^(cl-defun|cl-defmacro|cl-defgeneric|defgeneric|define-minor-mode|define-derived-mode|define-globalized-minor-mode)$"))
  @definition.function

; EIEIO and cl-lib: classes, structs, methods (of their first argument's class).
((list . (symbol) @_def . (symbol) @name . (list) . (list)? . (string)? @doc.inner)
  (#match? @_def "^defclass$")) @definition.class
((list . (symbol) @_def . [(symbol) @name (list . (symbol) @name)] . (string)? @doc.inner)
  (#match? @_def "^(cl-)?defstruct$")) @definition.struct
((list . (symbol) @_def . (symbol) @name . (list . (list . (symbol) . (symbol) @receiver)))
  (#match? @_def "^(cl-)?defmethod$")) @definition.method
((list . (symbol) @_def . (symbol) @name)
  (#match? @_def "^(cl-)?defmethod$")) @definition.function
((list . (symbol) @_def . (symbol) . (list) . (string) @doc.inner)
  (#match? @_def "^(cl-)?defmethod$"))

((list . (symbol) @name) @reference.call
  (#not-match? @name "^(def[a-z-]*|cl-def[a-z-]*|define-[a-z-]*|provide|require|interactive|lambda|let\\*?|if|when|unless|cond|progn|setq|and|or|not|quote|function)$"))
