"""Reference implementations, one module per topic; each documents the PyTorch op it wraps."""
