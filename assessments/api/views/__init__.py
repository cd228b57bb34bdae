"""Views of the API, one module per part of the domain; each stays thin."""
