"""The fleet-scale benchmark harness: ``python -m bench --size small|medium|full``.

Every workload is measured next to a reference measured in the same run (raw SQL, raw
COPY, a bare view), and reported as a ratio: see docs/performance.md.
"""
