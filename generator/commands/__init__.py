"""Commands: `guide` on the command line (cli.py), the live preview (preview.py), the editor
(edit_server.py, editor.py, format.py) and the JSON Schemas for VS Code (schema.py)."""
