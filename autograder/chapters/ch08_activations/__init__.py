"""Chapter 8: reference, checks, mistakes and figures."""
