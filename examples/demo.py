"""The streamvis demo as a script: `python examples/demo.py [--runs 4] [--async] ...`.

It is `streamvis demo`, whose program is src/streamvis/demo.py — read that one to see how
to declare a schema, save plots and log with DataLogger or AsyncDataLogger. It takes the
same options (`python examples/demo.py --help`).
"""

import sys

from streamvis.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
