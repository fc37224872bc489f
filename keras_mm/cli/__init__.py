"""The `keras-mm` command line."""
