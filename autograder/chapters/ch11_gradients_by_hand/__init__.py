"""Chapter 11: reference, checks, mistakes and figures."""
