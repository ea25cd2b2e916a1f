"""From retrieved passages to an answer: evidence, abstention, composition."""
