"""Chapter 10: reference, checks, mistakes and figures."""
