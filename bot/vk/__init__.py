"""The one VK adapter: API calls with a rate limiter and retries, long poll, sending."""
