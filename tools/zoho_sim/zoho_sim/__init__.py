"""Zoho Desk API simulator for deskbridge tests and benchmarks.

See docs/zoho-simulator.md for the fixture format, knobs and control API.
"""
