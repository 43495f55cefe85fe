"""xinfang: case management for 信访 (letters-and-visits) work."""
