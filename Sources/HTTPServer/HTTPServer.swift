// HTTPServer: see the README's architecture section.
