"""Each function's composition, one module per `functions/<name>/handler.py`: its settings (one model, validated by
the handler once, on first use), the one typed set of adapters built from them, how its trigger is read, and how
each outcome is logged, counted and answered. Nothing here reads the environment or creates a client at import.
"""
