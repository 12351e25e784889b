// Replay: see the README's architecture section.
