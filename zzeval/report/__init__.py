"""The reports: views of an evaluation, HTML fragments, figures, fonts, HTML export and checks, the index."""
