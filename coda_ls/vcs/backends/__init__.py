"""One module per version-control system, each a `VCSBackend` subclass."""
