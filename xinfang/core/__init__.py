"""Framework-free domain helpers for the petition system.

Everything in this package is pure Python (plus ``cryptography``) and must
not import Django or any project app, so the rules it encodes -- identity
number checksums, phone normalisation, masking, field encryption -- can be
tested in isolation and reused by models, forms, the API and management
commands alike.
"""
