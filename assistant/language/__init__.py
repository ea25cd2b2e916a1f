"""What the code knows of Chinese and English in general: scripts, numbers, dates, names.

Every stage reads text through these; none of it belongs to one corpus.
"""
