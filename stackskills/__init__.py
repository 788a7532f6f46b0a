"""stackskills: detect a Python workspace's stack and serve the guidance that fits it."""

__version__ = "0.1.0"
