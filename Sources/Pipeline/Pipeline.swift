// Pipeline: see the README's architecture section.
