"""Settings: theme, folders and model defaults, saved by :class:`hearth.core.settings.SettingsStore`."""
