"""Formal documents with 文号, their delivery, and case archive volumes (issue 14)."""
