"""The interactive shell behind `coda chat`: a prompt-toolkit REPL, slash commands,
completion, themes and the session stats panel. Imported only when `coda chat` runs."""
