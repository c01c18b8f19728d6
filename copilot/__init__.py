"""The question pipeline, answer composition, guards, escalation and host prompts."""
