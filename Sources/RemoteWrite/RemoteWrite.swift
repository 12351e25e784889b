// RemoteWrite: see the README's architecture section.
