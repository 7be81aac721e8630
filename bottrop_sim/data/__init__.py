"""Data files: the default sector table and calibration figures, each with its source."""
