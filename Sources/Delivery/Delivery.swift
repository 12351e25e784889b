// Delivery: see the README's architecture section.
