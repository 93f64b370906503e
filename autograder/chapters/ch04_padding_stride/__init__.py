"""Chapter 4: reference, checks, mistakes and figures."""
