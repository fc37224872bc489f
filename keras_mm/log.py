import sys


def log(message):
    """Write a progress line or a notice for people to standard error."""
    print(message, file=sys.stderr, flush=True)
