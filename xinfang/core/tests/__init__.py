"""Tests for :mod:`xinfang.core`; they run without Django (``-p no:django``)."""
