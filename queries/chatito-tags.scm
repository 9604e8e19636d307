; Chatito: intents, slots and aliases (the sigil in the signature tells which);
; the comment right above a definition is its doc.

(comment) @doc

(intent_def (intent) @name) @definition.class
(slot_def (slot) @name) @definition.type
(alias_def (alias) @name) @definition.constant

(slot_ref (slot) @name) @reference.type
(alias_ref (alias) @name) @reference.type
