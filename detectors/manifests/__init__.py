"""One reader per manifest dialect; each turns a file into a ``ManifestReading``."""
