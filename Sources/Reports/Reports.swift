// Reports: see the README's architecture section.
