"""Throughput of the member pages through gunicorn on PostgreSQL, against a static file.

    .venv/bin/python bench/http.py [--seconds 10] [--connections 8] [--workers 2]

The work is in bench/throughput.py (its docstring says what it measures). This file is named
like the standard library's `http` package: when another script of bench/ runs (the folder first
on the import path) and something imports `http`, this module puts the standard library's package
in its place.
"""

import importlib
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))

if __name__ == "http":  # imported instead of the standard library's package
    sys.path[:] = [path for path in sys.path if os.path.abspath(path or ".") != _HERE]
    del sys.modules["http"]
    sys.modules["http"] = importlib.import_module("http")
elif __name__ == "__main__":
    sys.path[:] = [path for path in sys.path if os.path.abspath(path or ".") != _HERE]
    sys.path.insert(0, os.path.dirname(_HERE))
    from bench.throughput import main

    main()
