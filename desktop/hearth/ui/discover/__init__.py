"""Discover: search the Hugging Face Hub for GGUF models and see what fits this computer."""
