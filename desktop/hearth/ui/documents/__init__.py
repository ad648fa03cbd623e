"""Documents: private questions and answers over the user's own folders."""
