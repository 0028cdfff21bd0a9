"""Benchmark adapters: public benchmarks run against a mission through its eval plugin, as any eval is."""
