// Fixtures: see the README's architecture section.
