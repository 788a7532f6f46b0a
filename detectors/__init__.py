"""Stack detection: a workspace in, a ``Stack`` out, without running any workspace code."""
