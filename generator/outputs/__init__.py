"""Outputs: the site engine (engine.py, the only module that imports MkDocs), the PDFs
(pdf.py, pdf_access.py), and what finishes and checks a built site (scripts, tooltips,
links, precompress, stamp)."""
