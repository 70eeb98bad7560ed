"""Import and export of boundaries in GIS file formats."""
