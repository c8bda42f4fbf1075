"""The pure core: no clock, no environment, no network. Standard library and pydantic only."""
