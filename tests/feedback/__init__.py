"""Tests of the feedback service."""
