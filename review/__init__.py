"""The review engine: one AST walk per file, dispatched to rules that enforce skill sections."""
