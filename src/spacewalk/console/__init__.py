"""The mission-control console: ``spacewalk console`` (needs the ``console`` extra).

``session`` holds one run's streams and clock (pure logic); ``server`` is the aiohttp
application with the HTTP and WebSocket API (``docs/console.md``); ``static/`` is the page.
"""
