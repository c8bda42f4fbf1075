"""Ponte: the bridge between a business's back office and its front line."""
