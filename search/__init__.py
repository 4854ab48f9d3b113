"""Discovery: by location, by red-case number, condos along the rail lines, maps."""
