"""The Qt side of downloads: a bridge over the core queue, a list model, the Library's panel, a status line."""
