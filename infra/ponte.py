"""The operator's command line: `ponte <command>` in the project's venv, or `python -m infra.ponte <command>`.

    ponte account show ID              state, owed, the plan (the dunning engine's, under the policy in force)
                                       and the timeline
    ponte policy check FILE            validate a policy document (exit status 1 when invalid)
    ponte policy preview FILE          dry run of a new policy against the current book
    ponte redrive QUEUE                bring back what a dead-letter queue holds (notifications, ...)
    ponte secrets set PROVIDER         a provider's secret, from standard input

Each acts on a deployed stack (`--stack NAME`: names from its resources and parameters, with the caller's AWS
credentials) or on the local one (`make serve` prints the emulator's endpoint and the names: `--endpoint-url
http://127.0.0.1:4566 --table ...`). `ponte COMMAND --help` tells the rest.
"""

from __future__ import annotations

import sys

from infra.cli.main import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
