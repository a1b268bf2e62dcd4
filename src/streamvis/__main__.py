"""`python -m streamvis` is the `streamvis` command."""

from streamvis.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
