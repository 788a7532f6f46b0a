"""Output formats for review results: text, JSON and SARIF."""
