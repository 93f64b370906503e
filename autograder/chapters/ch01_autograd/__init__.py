"""Chapter 1: reference, checks, mistakes and figures."""
