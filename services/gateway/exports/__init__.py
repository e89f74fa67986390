"""Dashboard tables as files: ``GET /api/gateway/export/{table}?format=xlsx|csv``.

``sheet`` writes rows as XLSX (openpyxl) or CSV with every formula-like text neutralised;
``tables`` is the one registry of exportable tables (which API feeds each, its columns
with the catalogue's headers, who may download it); ``api`` is the route."""
