"""Test tooling shared by the suite and the benchmarks."""
