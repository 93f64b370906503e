"""Chapter 7: reference, checks, mistakes and figures."""
