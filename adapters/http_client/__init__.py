"""A pooled HTTP/1.1 client on asyncio protocols and httptools, for the upstream hot path."""

from adapters.http_client.client import FastHttpClient, HttpResponse, HttpStream, RequestTimeouts

__all__ = ["FastHttpClient", "HttpResponse", "HttpStream", "RequestTimeouts"]
