"""Use cases: tie the pure domain to the ports. They never create AWS clients themselves."""
