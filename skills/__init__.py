"""Skills: versioned Markdown guidance whose sections activate from the detected stack."""
