"""The music library: folder scans, tags, classical grouping."""
