"""Host audio in, timestamped transcript segments out; storage and replay links."""
