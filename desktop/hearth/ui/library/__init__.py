"""Library: the models on this computer."""
