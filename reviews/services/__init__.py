"""Writes of the reviews app: rollup recompute, business reviews and action items."""
