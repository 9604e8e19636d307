"""OCI Generative AI provider: auth, model discovery, request formats, the provider."""
