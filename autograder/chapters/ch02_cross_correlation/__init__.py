"""Chapter 2: reference, checks, mistakes and figures."""
