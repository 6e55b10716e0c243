"""Built-in components. Each model module imports torch; ``plugin`` (the registrations) does not."""
