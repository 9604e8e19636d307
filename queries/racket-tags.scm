; Racket: `(define (f ...))` functions (also define/contract and friends), `(define x v)`
; constants, structs, classes; `;` comments above a form are its doc.

(comment) @doc

((list . (symbol) @_def . (list . (symbol) @name))
  (#match? @_def "^(define|define/contract|define/public|define/private|define/override|define-syntax|define-syntax-rule)$"))
  @definition.function
((list . (symbol) @_def . (symbol) @name)
  (#match? @_def "^(define|define/contract)$")) @definition.constant
((list . (symbol) @_def . (symbol) @name)
  (#match? @_def "^(define-syntax|define-syntax-rule)$")) @definition.function
((list . (symbol) @_def . (symbol) @name)
  (#match? @_def "^(struct|define-struct)$")) @definition.struct
((list . (symbol) @_def . (symbol) @name . (list . (symbol) @_class))
  (#match? @_def "^define$") (#match? @_class "^class\\*?$")) @definition.class

((list . (symbol) @name) @reference.call
  (#not-match? @name "^(define[a-z/*-]*|struct|provide|require|lambda|λ|let\\*?|letrec|if|when|unless|cond|case|begin|set!|quote|and|or|not|module\\+?|for[a-z/*]*)$"))
