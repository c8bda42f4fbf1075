"""The operator's command line, `ponte` (`infra.ponte` is its entry point): see `infra.cli.main`."""
