"""Views: the content as the engine's Markdown pages (pages.py), print HTML for the PDFs and the
print composer (printed.py), the public history (history.py), search terms and phone links.
Every value from content passes through escape.py on its way out."""
