"""zoo-hello: the template for zoo plugins."""
