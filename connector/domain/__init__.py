"""Pure rules of the practice (no Flask, no SQL, no HTTP): expectation states, the rating grammar,
the health formula and its bands, the error hierarchy, who is calling."""
