"""``continuo``: the app's command line."""

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="continuo", description=__doc__)
    parser.parse_args(argv)
    return 0
