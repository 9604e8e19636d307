;;; eglot_driver.el --- drive coda-ls through Emacs's eglot in batch mode  -*- lexical-binding: t -*-
;; Run by tests/editors/test_emacs.py: `emacs --batch -l eglot_driver.el`. Opens
;; $CODA_TEST_FILE, connects eglot to the command in $CODA_LS_COMMAND (a JSON array) and
;; drives the code actions a user would pick, writing what it saw to $CODA_TEST_RESULT.
;; Every wait has a timeout; the script always exits.

(require 'cl-lib)
(require 'json)
(require 'subr-x)
(require 'flymake)
(require 'eglot)

(defvar coda-result (list :steps nil))
(defvar coda-step-timeout (string-to-number (or (getenv "CODA_TEST_STEP_SECONDS") "20")))
(defvar coda-started (float-time))
(defvar coda-messages nil "Every message shown in the echo area, newest first.")
(defvar coda-choice nil "Substring of the code action title the stubbed menu picks.")
(defvar coda-offered nil "Titles the last code-action menu offered.")

(defun coda-put (key value) (setq coda-result (plist-put coda-result key value)))

;; What eglot shows the user (window/showMessage included) goes through `message'.
(advice-add 'message :around
            (lambda (orig &rest args)
              (let ((text (apply orig args)))
                (when text (push (substring-no-properties text) coda-messages))
                text)))

;; Batch mode has no menu: eglot 1.9 pops up `x-popup-menu' when `last-nonmenu-event' is
;; a list, else asks `completing-read' -- stubbed to pick the action named by coda-choice.
(advice-add 'completing-read :override
            (lambda (_prompt collection &rest _)
              (setq coda-offered (mapcar (lambda (c) (if (consp c) (car c) c)) collection))
              (or (cl-find-if (lambda (title) (string-search coda-choice title)) coda-offered)
                  (error "no code action %S among %S" coda-choice coda-offered))))

(setq eglot-confirm-server-initiated-edits nil ; let workspace/applyEdit through
      eglot-sync-connect nil
      eglot-autoshutdown nil
      flymake-no-changes-timeout nil)

(defun coda-wait (what predicate)
  (let ((deadline (+ (float-time) coda-step-timeout)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall predicate) (error "timed out waiting for %s" what))))

(defun coda-step (name fn)
  (let ((t0 (float-time)) (ok nil) (err nil))
    (condition-case e
        (progn (funcall fn) (setq ok t))
      (error (setq err (error-message-string e))))
    (coda-put :steps (append (plist-get coda-result :steps)
                             (list (list :name name :ok (if ok t :false)
                                         :seconds (- (float-time) t0)
                                         :error (or err :null)))))
    (unless ok (error "step %s failed: %s" name err))))

(defun coda-lines (beg-line end-line)
  "Buffer positions spanning lines BEG-LINE..END-LINE (1-based, inclusive)."
  (save-excursion
    (goto-char (point-min)) (forward-line (1- beg-line))
    (let ((beg (point)))
      (forward-line (- end-line beg-line)) (end-of-line)
      (cons beg (point)))))

(defun coda-pick (title-part beg end)
  "Run eglot's code-action menu on BEG..END and pick the action containing TITLE-PART."
  (let ((coda-choice title-part)
        (last-nonmenu-event 'coda-batch)) ; not a list: no popup menu
    (eglot-code-actions beg end nil t)))

(defun coda-diagnostics ()
  (mapcar (lambda (d)
            (list :line (line-number-at-pos (flymake-diagnostic-beg d))
                  :end_line (line-number-at-pos (flymake-diagnostic-end d))
                  :type (format "%s" (flymake-diagnostic-type d))
                  :text (flymake-diagnostic-text d)))
          (cl-sort (cl-remove-if-not
                    (lambda (d) (string-match-p "coda" (format "%s" (flymake-diagnostic-text d))))
                    (flymake-diagnostics))
                   #'< :key #'flymake-diagnostic-beg)))

(defun coda-text () (buffer-substring-no-properties (point-min) (point-max)))

(defun coda-run ()
  (find-file (getenv "CODA_TEST_FILE"))
  (setq eglot-server-programs
        `((python-mode . ,(append (json-parse-string (getenv "CODA_LS_COMMAND")
                                                     :array-type 'list)
                                  nil))))
  (let ((buffer (current-buffer)) server)
    (coda-step "start"
      (lambda ()
        (apply #'eglot--connect (eglot--guess-contact))
        (coda-wait "eglot to manage the buffer"
                   (lambda () (with-current-buffer buffer eglot--managed-mode)))
        (setq server (eglot-current-server))
        (coda-put :server_name (or (plist-get (eglot--server-info server) :name) :null))))

    (coda-step "code_actions_on_range"
      (lambda ()
        (let* ((span (coda-lines 4 6))
               (actions (eglot-code-actions (car span) (cdr span) nil nil)))
          (coda-put :range_actions
                    (vconcat (mapcar (lambda (a) (plist-get a :title)) actions))))))

    (coda-step "review"
      (lambda ()
        (coda-pick "Review" (point-min) (point-max))
        ;; flymake asks eglot's backend for what publishDiagnostics delivered
        (coda-wait "review diagnostics in flymake"
                   (lambda () (flymake-start) (accept-process-output nil 0.05)
                     (= (length (coda-diagnostics)) 2)))
        (coda-put :review_offered (vconcat coda-offered))
        (coda-put :diagnostics (vconcat (coda-diagnostics)))))

    (coda-step "apply_suggestion"
      (lambda ()
        (let ((span (coda-lines 9 9)) (before (coda-text)))
          (coda-pick "Apply suggestion" (car span) (cdr span))
          (coda-put :suggestion_offered (vconcat coda-offered))
          (coda-wait "the suggestion to be applied" (lambda () (not (equal before (coda-text)))))
          (coda-put :after_suggestion (coda-text))
          ;; the server republishes without the fixed finding
          (coda-wait "the fixed finding to disappear"
                     (lambda () (flymake-start) (accept-process-output nil 0.05)
                       (= (length (coda-diagnostics)) 1)))
          (coda-put :diagnostics_after_fix (vconcat (coda-diagnostics))))))

    (coda-step "refactor"
      (lambda ()
        (let ((span (coda-lines 4 6)) (before (coda-text)))
          (coda-pick "Refactor" (car span) (cdr span))
          (coda-wait "the refactor edit" (lambda () (not (equal before (coda-text)))))
          (coda-put :after_refactor (coda-text)))))

    (coda-step "explain"
      (lambda ()
        (let ((span (coda-lines 4 6)))
          (setq coda-messages nil)
          (coda-pick "Explain" (car span) (cdr span))
          (coda-wait "the explanation to be shown"
                     (lambda () (cl-some (lambda (m) (string-search "multiplies" m))
                                         coda-messages)))
          (coda-put :explain_messages (vconcat (reverse coda-messages))))))

    (coda-step "refactor_without_edit"
      (lambda ()
        (let ((span (coda-lines 4 6)) (before (coda-text)))
          (setq coda-messages nil)
          (coda-pick "Refactor" (car span) (cdr span))
          (coda-wait "the no-edit warning"
                     (lambda () (cl-some (lambda (m) (string-search "no edit was produced" m))
                                         coda-messages)))
          (coda-put :no_edit_messages (vconcat (reverse coda-messages)))
          (coda-put :no_edit_unchanged (if (equal before (coda-text)) t :false)))))

    (coda-put :events
              (with-current-buffer (jsonrpc-events-buffer server)
                (buffer-substring-no-properties (point-min) (point-max))))))

(let ((ok t) (err nil))
  (condition-case e (coda-run)
    (error (setq ok nil err (error-message-string e))))
  (coda-put :ok (if ok t :false))
  (coda-put :error (or err :null))
  (coda-put :emacs_version emacs-version)
  (coda-put :eglot_version (or (ignore-errors (package-get-version)) :null))
  (coda-put :total_seconds (- (float-time) coda-started))
  (with-temp-file (getenv "CODA_TEST_RESULT")
    (coda-put :steps (vconcat (plist-get coda-result :steps)))
    (insert (json-encode coda-result)))
  (kill-emacs 0))
;;; eglot_driver.el ends here
