"""elig's command line, run from a checkout as `python3 -m cli`; installed, the same is the
`elig` command. The commands live in engine/cli.py (installed as elig.cli)."""

from elig.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
