"""`python -m coda_ls` runs the language server."""

from coda_ls.server import main

main()
