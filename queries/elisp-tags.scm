; Emacs Lisp: defun/defsubst and defmacro with their docstrings, defvar/defconst and
; defcustom with theirs; `;;` comments above a form, and the `;;; file.el --- Summary`
; header line as the file's doc.

((comment) @doc.inner (#match? @doc.inner "^;;; [^ ]+\\.el --- "))
((comment) @doc (#not-match? @doc "^;;; [^ ]+\\.el --- "))

(function_definition name: (symbol) @name docstring: (string)? @doc.inner) @definition.function
(macro_definition name: (symbol) @name docstring: (string)? @doc.inner) @definition.function

(special_form . ["defvar" "defconst"] . (symbol) @name . (_) . (string) @doc.inner)
(special_form . ["defvar" "defconst"] . (symbol) @name) @definition.constant

((list . (symbol) @_def . (symbol) @name . (_) . (string)? @doc.inner)
  (#match? @_def "^(defcustom|defface|defgroup|define-minor-mode|define-derived-mode|cl-defstruct|cl-defun|cl-defmacro|cl-defgeneric|cl-defmethod)$"))
  @definition.constant

((list . (symbol) @name) @reference.call
  (#not-match? @name "^(def[a-z-]*|cl-def[a-z-]*|define-[a-z-]*|provide|require|interactive|lambda|let\\*?|if|when|unless|cond|progn|setq|and|or|not|quote|function)$"))
