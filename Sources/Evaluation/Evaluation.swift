// Evaluation: see the README's architecture section.
