"""Chapter 9: reference, checks, mistakes and figures."""
