"""Streaming speech recognition of the host: Whisper decodes bounded by voice activity."""
