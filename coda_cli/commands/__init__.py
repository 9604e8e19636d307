"""One module per `coda` subcommand, imported only when that command runs."""
