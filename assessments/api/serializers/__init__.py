"""Serializers of the API, one module per part of the domain."""
