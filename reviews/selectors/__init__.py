"""Reads of the reviews app: rollup frames, the MBR page data and the JBP actuals."""
