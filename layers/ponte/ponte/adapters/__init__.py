"""The only code that talks to AWS. Clients are injected or created lazily, never at import."""
