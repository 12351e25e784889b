// Server: see the README's architecture section.
