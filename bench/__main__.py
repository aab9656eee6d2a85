"""Run every ``bench/bench_*.py`` module's ``main()`` in turn, except those too long to run with the
others (``RUN_ALONE = True``: run them as ``python -m bench.<module>``)."""

import importlib
import pkgutil

import bench

for name in sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")):
    module = importlib.import_module(f"bench.{name}")
    if not getattr(module, "RUN_ALONE", False):
        module.main()
