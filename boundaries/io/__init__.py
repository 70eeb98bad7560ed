"""Import and export of boundaries in GIS file formats (issue 3 §6)."""
