import os

os.environ.setdefault("MLP_NOTES_PROFILE", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")
