"""python -m infra.local demo | serve"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description="Ponte's local stack")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="play the whole story and print it")
    serve = commands.add_parser("serve", help="serve the HTTP API and the AWS emulator on 127.0.0.1")
    serve.add_argument("--port", type=int, default=3000, help="HTTP API port (default 3000)")
    serve.add_argument("--aws-port", type=int, default=4566, help="AWS emulator port (default 4566)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from infra.local.demo import main as demo  # noqa: PLC0415

        return demo()
    from infra.local.serve import main as serve_main  # noqa: PLC0415

    return serve_main(port=args.port, aws_port=args.aws_port)


if __name__ == "__main__":
    sys.exit(main())
