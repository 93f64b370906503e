"""Chapter 6: reference, checks, mistakes and figures."""
