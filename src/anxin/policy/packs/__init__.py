"""Built-in policy packs (YAML data)."""
