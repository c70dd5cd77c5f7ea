"""Regenerate data/sample_city (zl.datasets.make_city at its default seed) and the reference
workspaces under data/reference from their source/ files.

Usage: python scripts/make_sample_city.py [DATA_FOLDER]   (default: the repository's data/)
"""
import logging
import sys

from zhengji_lab.datasets import regenerate

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    regenerate(sys.argv[1] if len(sys.argv) > 1 else None)
