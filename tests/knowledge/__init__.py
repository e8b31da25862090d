"""The knowledge files: loading, validation errors, citations."""
