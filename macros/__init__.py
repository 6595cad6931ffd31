"""Confluence macros: pure rendering of the customer map, integrator map and expectations table.

Everything here takes plain view dataclasses (``macros.view``) and returns strings; the routes that
load data and authenticate live elsewhere.
"""
