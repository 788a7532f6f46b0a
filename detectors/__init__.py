"""Stack detection: a workspace in, a ``Stack`` out, without running any workspace code.

Entry point: ``stackskills.detectors.detect.detect(path)``. This package's ``__init__``
imports nothing so that the server can start without loading detection until needed.
"""
