// Store: see the README's architecture section.
