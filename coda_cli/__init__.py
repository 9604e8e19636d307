"""The `coda` command line: a thin click + rich adapter over the coda_ls core."""
