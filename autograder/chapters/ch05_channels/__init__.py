"""Chapter 5: reference, checks, mistakes and figures."""
