"""What a question asks: its language, its terms in both languages, follow-up rewriting."""
