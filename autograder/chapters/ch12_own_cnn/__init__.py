"""Chapter 12: reference, checks, mistakes and figures."""
