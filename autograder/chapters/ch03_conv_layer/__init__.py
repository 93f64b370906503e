"""Chapter 3: reference, checks, mistakes and figures."""
