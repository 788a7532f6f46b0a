"""In-memory MCP client sessions against the real stackskills server."""
