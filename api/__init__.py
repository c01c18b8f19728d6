"""FastAPI HTTP surfaces and the pages (viewer chat, agent console, host panel)."""
