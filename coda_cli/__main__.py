from coda_cli.main import cli

cli()
