"""Chat: conversations with a loaded model."""
