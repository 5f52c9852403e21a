"""Content: the model of every content file (model.py), the loader that reads and checks
guidance/ and checklists/ (load.py, messages.py), and review dates (review.py)."""
