"""Facts about a file that several rules need: what a name is bound to, what a function is."""
