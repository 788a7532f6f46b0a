"""The MCP adapter: serves detection, skills and review over the Model Context Protocol."""
