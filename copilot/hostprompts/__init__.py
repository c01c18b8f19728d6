"""Host prompts: what many viewers keep asking, pushed to the host."""
