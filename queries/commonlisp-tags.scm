; Common Lisp: defun/defmacro/defgeneric (functions), defmethod (a method of its first
; parameter's class), defclass, defstruct, defvar/defparameter/defconstant, defpackage;
; docstrings and `(:documentation "...")` inside a form, `;;` comments above it.

(comment) @doc

(defun (defun_header keyword: (defun_keyword) @_def function_name: (sym_lit) @name
  lambda_list: (list_lit . (list_lit . (sym_lit) . (sym_lit) @receiver)))
  (#match? @_def "(?i)^defmethod$")) @definition.method

(defun (defun_header keyword: (defun_keyword) function_name: (sym_lit) @name))
  @definition.function

(defun (defun_header) . (str_lit) @doc.inner)

(list_lit . (kwd_lit (kwd_symbol) @_doc) . (str_lit) @doc.inner
  (#match? @_doc "(?i)^documentation$"))

((list_lit . (sym_lit) @_def . (sym_lit) @name)
  (#match? @_def "(?i)^(cl:)?(defclass|define-condition)$")) @definition.class

((list_lit . (sym_lit) @_def . [(sym_lit) @name (list_lit . (sym_lit) @name)]
  . (str_lit)? @doc.inner)
  (#match? @_def "(?i)^(cl:)?defstruct$")) @definition.struct

((list_lit . (sym_lit) @_def . (sym_lit) @name . (_) . (str_lit) @doc.inner)
  (#match? @_def "(?i)^(cl:)?(defvar|defparameter|defconstant)$"))

((list_lit . (sym_lit) @_def . (sym_lit) @name)
  (#match? @_def "(?i)^(cl:)?(defvar|defparameter|defconstant)$")) @definition.constant

((list_lit . (sym_lit) @_def . [(kwd_lit (kwd_symbol) @name) (sym_lit) @name])
  (#match? @_def "(?i)^(cl:)?defpackage$")) @definition.module

((list_lit . [(sym_lit) (package_lit)] @name) @reference.call
  (#not-match? @name
    "(?i)^(cl:)?(def[a-z-]*|let\\*?|flet|labels|lambda|if|when|unless|cond|case|progn|setf|setq|loop|do|dolist|dotimes|and|or|not|quote|function|return|in-package|declare)$"))
